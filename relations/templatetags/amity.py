from django import template
from django.utils.html import format_html

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
