from django import forms, template
from django.utils.html import format_html, format_html_join

from relations import languages
from relations.dates import Precision, format_partial
from relations.search import highlight as highlight_match
from relations.sensitive import mask as mask_value

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, field: str, label: str):
    """A column heading that sorts by ``field``, and the other way round when clicked again."""
    request = context["request"]
    params = request.GET.copy()
    current = params.get("sort", "")
    descending = current == field
    params["sort"] = f"-{field}" if descending else field
    params.pop("page", None)
    params.pop("export", None)
    arrow, state = "", "none"
    if current == field:
        arrow, state = " ▲", "ascending"
    elif current == f"-{field}":
        arrow, state = " ▼", "descending"
    return format_html(
        '<a href="?{}" class="link-body-emphasis text-decoration-none" aria-sort="{}">{}{}</a>',
        params.urlencode(),
        state,
        label,
        arrow,
    )


@register.simple_tag(takes_context=True)
def export_url(context, fmt: str) -> str:
    params = context["request"].GET.copy()
    params.pop("page", None)
    params["export"] = fmt
    return f"?{params.urlencode()}"


@register.filter
def highlight(text, query):
    return highlight_match(str(text or ""), query or "")


@register.filter
def plural_name(model) -> str:
    return model._meta.verbose_name_plural


@register.filter
def mask(value) -> str:
    """A sensitive value as ``M••••••78``; pages show full values only where recorded."""
    return mask_value(value)


@register.filter
def name_for_language(record) -> str:
    """A partner's or person's name in the script of the interface language, if it has
    one (``{{ partner|name_for_language }}``); else its English or romanised name."""
    return languages.name_for_language(record) if record else ""


@register.filter
def other_name_for_language(record) -> str:
    """The record's other name, shown beside ``name_for_language``; "" if it has none."""
    return languages.other_name_for_language(record) if record else ""


@register.filter
def local_date(value) -> str:
    """A full date as the interface language writes it: "27 Aug 2013", "2013년 8월 27일"."""
    return format_partial(value, Precision.DAY) if value else ""


def bootstrap_class(widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    return "form-control"


@register.filter
def formset_cell(field):
    """One field of a formset row, as crispy-forms would show it in Bootstrap 5 but without
    its template: a delegation of 40 members renders hundreds of these, and crispy's
    template for each made its edit page twice as slow. The column heading names the
    field; the label is for screen readers (amity.css)."""
    widget = field.field.widget
    css = " ".join(
        filter(
            None,
            [widget.attrs.get("class"), bootstrap_class(widget), field.errors and "is-invalid"],
        )
    )
    control = field.as_widget(attrs={"class": css})
    after = format_html_join(
        "", '<div class="invalid-feedback d-block">{}</div>', ((e,) for e in field.errors)
    )
    if field.help_text:  # the widget's aria-describedby names it
        after += format_html(
            '<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, field.help_text
        )
    if isinstance(widget, forms.CheckboxInput):
        return format_html(
            '<div class="form-check">{}<label class="form-check-label" for="{}">{}</label>{}</div>',
            control,
            field.id_for_label,
            field.label,
            after,
        )
    return format_html(
        '<label class="form-label" for="{}">{}</label>{}{}',
        field.id_for_label,
        field.label,
        control,
        after,
    )
