"""What an edit page's form and inline formsets post back when nothing is typed."""


def field_values(form) -> dict:
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or getattr(bound.field.widget, "input_type", "") == "file":
            continue
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = str(value)
    return data


def form_data(response) -> dict:
    """The POST data of the page's ``form`` and ``formsets`` as they were rendered."""
    context = response.context
    data = field_values(context["form"])
    for formset in context.get("formsets", {}).values():
        data |= field_values(formset.management_form)
        for form in formset.forms:
            data |= field_values(form)
    return data


def admin_form_data(response) -> dict:
    """The same for an admin change page: its form and inline formsets."""
    context = response.context
    data = field_values(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        data |= field_values(inline.formset.management_form)
        for form in inline.formset.forms:
            data |= field_values(form)
    return data
