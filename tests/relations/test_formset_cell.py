"""A formset's cells are rendered without crispy's template, with what it gave them."""

from django import forms

from relations.templatetags.amity import formset_cell


class Row(forms.Form):
    name = forms.CharField(help_text="As in the passport")
    role = forms.ChoiceField(choices=[("leader", "Leader"), ("member", "Member")])
    DELETE = forms.BooleanField(required=False, label="Delete")


def test_a_text_cell_has_bootstrap_s_class_a_label_for_screen_readers_and_its_help():
    html = formset_cell(Row()["name"])

    assert '<label class="form-label" for="id_name">Name</label>' in html
    assert 'class="form-control"' in html
    assert 'aria-describedby="id_name_helptext"' in html
    assert '<div id="id_name_helptext" class="form-text">As in the passport</div>' in html


def test_a_cell_in_error_is_marked_and_says_why():
    row = Row(data={"name": "", "role": "leader"})
    row.is_valid()

    html = formset_cell(row["name"])

    assert 'class="form-control is-invalid"' in html
    assert '<div class="invalid-feedback d-block">This field is required.</div>' in html
    assert "is-invalid" not in formset_cell(row["role"])


def test_choices_are_selects_and_a_tick_box_keeps_its_label_beside_it():
    assert 'class="form-select"' in formset_cell(Row()["role"])
    html = formset_cell(Row()["DELETE"])
    assert html.startswith('<div class="form-check"><input type="checkbox"')
    assert 'class="form-check-input"' in html
    assert '<label class="form-check-label" for="id_DELETE">Delete</label>' in html


def test_a_widget_s_own_class_is_kept():
    field = forms.CharField(widget=forms.TextInput(attrs={"class": "font-monospace"}))
    form = type("F", (forms.Form,), {"code": field})()

    assert 'class="font-monospace form-control"' in formset_cell(form["code"])
