from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from .dates import PartialDate, format_partial, parse_partial
from .files import PrivateFileLinksMixin
from .history import stale_message
from .models import (
    Agreement,
    AgreementSignatory,
    Approval,
    Institution,
    InstitutionLink,
    Partner,
    PartnerAlias,
    Person,
    Position,
)
from .widgets import SearchSelectsMixin


class RecordForm(SearchSelectsMixin, forms.ModelForm):
    """The base of the record forms: a choice among thousands is a search box."""


class RecordFormSet(BaseInlineFormSet):
    """Loads the records each row has chosen with the rows: one query per formset, not one
    per search box (a delegation of 40 members would take 40)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = [
            field.name
            for field in self.model._meta.concrete_fields
            if field.many_to_one and field.name in self.form.base_fields
        ]
        self.queryset = self.queryset.select_related(*chosen)


def record_formset(parent, model, **kwargs):
    """``inlineformset_factory`` with RecordForm and RecordFormSet as the defaults."""
    kwargs.setdefault("form", RecordForm)
    kwargs.setdefault("formset", RecordFormSet)
    return inlineformset_factory(parent, model, **kwargs)


class PartialDateField(forms.CharField):
    """One box for a date known to the day, the month or only the year."""

    default_error_messages = {"invalid": _("Write e.g. 2010, Oct 2010 or 2010-10-29.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("e.g. 2010, Oct 2010, 2010-10-29 or 2010.10.29"))
        super().__init__(**kwargs)

    def to_python(self, value) -> PartialDate | None:
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_partial(value)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from None

    def prepare_value(self, value):
        return str(value) if isinstance(value, PartialDate) else value

    def has_changed(self, initial, data) -> bool:
        # The initial value is text ("27 Aug 2013"): compare the dates, not the strings,
        # or every saved row of a formset counts as changed and is written again.
        try:
            return self.to_python(initial) != self.to_python(data)
        except forms.ValidationError:
            return True


class PartialDatesMixin:
    """Shows each ``<name>`` + ``<name>_precision`` pair of the model as one box."""

    partial_dates: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.partial_dates:
            model_field = self._meta.model._meta.get_field(name)
            self.fields[name] = PartialDateField(
                label=model_field.verbose_name.capitalize(),
                required=not model_field.blank,
            )
            value = getattr(self.instance, name)
            if value is not None:
                precision = getattr(self.instance, f"{name}_precision")
                self.initial[name] = format_partial(value, precision)

    def add_error(self, field, error):
        # A date that could not be read already says so; the model's "date missing" rule
        # would only repeat it.
        unread = {name for name in self.partial_dates if name in self._errors}
        if field is None and hasattr(error, "error_dict"):
            remaining = {k: v for k, v in error.error_dict.items() if k not in unread}
            if not remaining:
                return
            error = ValidationError(remaining)
        elif field in unread:
            return
        super().add_error(field, error)

    def clean(self):
        cleaned = super().clean()
        for name in self.partial_dates:
            partial = cleaned.get(name)
            if isinstance(partial, PartialDate):
                cleaned[name] = partial.date
                setattr(self.instance, f"{name}_precision", partial.precision)
        return cleaned


class VersionCheckMixin(forms.Form):
    """For ModelForms of ``Versioned`` models: refuses a save made on a stale copy.

    The form carries the version the user opened; clean() compares it with the database
    and, if someone saved since, says who and what they changed. The UPDATE's own version
    check (``StaleRecord``) covers a save slipping in between clean() and save().
    A post without the field (not from our pages) is checked only by the UPDATE.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["version"] = self.instance.version

    def clean(self):
        cleaned = super().clean()
        instance, loaded = self.instance, self.cleaned_data.get("version")
        if instance.pk is None or loaded is None:
            return cleaned
        model = type(instance)
        current = model._default_manager.filter(pk=instance.pk).values_list("version", flat=True)
        if current.first() != loaded:
            self.add_error(
                None, ValidationError(stale_message(model, instance.pk, loaded), "stale")
            )
        instance.version = loaded
        return cleaned


class ProvenanceFields:
    fields = ["source", "source_locator", "date_inferred", "provenance_note"]


def date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PartnerForm(VersionCheckMixin, PartialDatesMixin, RecordForm):
    partial_dates = ("level_since", "status_since", "established_on")

    class Meta:
        model = Partner
        fields = [
            "name",
            "native_name",
            "kind",
            "country",
            "region",
            "level",
            "level_since",
            "status",
            "status_since",
            "established_on",
            "population",
            "population_year",
            "area_km2",
            "website",
            "latitude",
            "longitude",
            "profile",
            "notes",
            *ProvenanceFields.fields,
        ]
        widgets = {
            "profile": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "provenance_note": forms.Textarea(attrs={"rows": 2}),
        }


PartnerAliasFormSet = inlineformset_factory(
    Partner, PartnerAlias, fields=["name", "language"], extra=1, can_delete=True
)


class AgreementForm(PrivateFileLinksMixin, VersionCheckMixin, PartialDatesMixin, RecordForm):
    partial_dates = ("signed_on",)
    file_views = {"document": "relations:agreement-file"}
    lookups = {"partner": "partners"}

    class Meta:
        model = Agreement
        fields = [
            "partner",
            "title",
            "kind",
            "status",
            "signed_on",
            "signed_time",
            "signed_place",
            "home_party",
            "partner_party",
            "sets_level",
            "sectors",
            "valid_from",
            "valid_until",
            "renews_automatically",
            "summary",
            "document",
            *ProvenanceFields.fields,
        ]
        widgets = {
            "signed_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "valid_from": date_widget(),
            "valid_until": date_widget(),
            "sectors": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "provenance_note": forms.Textarea(attrs={"rows": 2}),
        }


class ApprovalForm(PartialDatesMixin, RecordForm):
    partial_dates = ("approved_on",)

    class Meta:
        model = Approval
        fields = ["body", "approved_on", "reference", "note"]
        widgets = {"note": forms.TextInput}


ApprovalFormSet = record_formset(Agreement, Approval, form=ApprovalForm, extra=1, can_delete=True)
SignatoryFormSet = record_formset(
    Agreement,
    AgreementSignatory,
    fields=["person", "side", "title", "order"],
    extra=2,
    can_delete=True,
)


class PersonForm(VersionCheckMixin, RecordForm):
    class Meta:
        model = Person
        fields = [
            "name",
            "native_name",
            "partner",
            "email",
            "phone",
            "notes",
            *ProvenanceFields.fields,
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "provenance_note": forms.Textarea(attrs={"rows": 2}),
        }


class PositionForm(PartialDatesMixin, RecordForm):
    partial_dates = ("start", "end", "attested_on")

    class Meta:
        model = Position
        fields = ["title", "organisation", "partner", "start", "end", "attested_on"]


PositionFormSet = record_formset(Person, Position, form=PositionForm, extra=1, can_delete=True)


class InstitutionForm(VersionCheckMixin, RecordForm):
    class Meta:
        model = Institution
        fields = [
            "name",
            "native_name",
            "kind",
            "partner",
            "address",
            "website",
            "notes",
            *ProvenanceFields.fields,
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "provenance_note": forms.Textarea(attrs={"rows": 2}),
        }


class InstitutionLinkForm(PartialDatesMixin, RecordForm):
    partial_dates = ("established_on",)

    class Meta:
        model = InstitutionLink
        fields = ["counterpart", "kind", "status", "established_on", "agreement", "description"]
        widgets = {"description": forms.TextInput}


InstitutionLinkFormSet = record_formset(
    Institution,
    InstitutionLink,
    form=InstitutionLinkForm,
    fk_name="institution",
    extra=1,
    can_delete=True,
)
