from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from relations.files import PrivateFileLinksMixin
from relations.forms import (
    PartialDatesMixin,
    ProvenanceFields,
    RecordForm,
    RecordFormSet,
    VersionCheckMixin,
    date_widget,
    record_formset,
)
from relations.models import Partner, Person
from relations.sensitive import MaskedFieldsMixin

from .models import (
    Accommodation,
    Delegation,
    Document,
    Gift,
    InterpreterAssignment,
    Member,
    ProgrammeItem,
    Transport,
)


def datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def time_widget():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class DelegationForm(VersionCheckMixin, PartialDatesMixin, RecordForm):
    partial_dates = ("start", "end")
    lookups = {"partner": "partners"}

    class Meta:
        model = Delegation
        fields = [
            "title",
            "direction",
            "partner",
            "start",
            "end",
            "status",
            "leader",
            "leader_title",
            "declared_size",
            "invited_by",
            "host",
            "purpose",
            "outcome",
            "sectors",
            "budget",
            "budget_currency",
            "notes",
            *ProvenanceFields.fields,
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 2}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "provenance_note": forms.Textarea(attrs={"rows": 2}),
            "sectors": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.partners()
        # Once recorded, a status moves only along planned → confirmed → under way →
        # completed, or to cancelled: offer just those steps.
        recorded = self.instance.recorded_status()
        if recorded:
            allowed = self.instance.allowed_statuses(recorded)
            self.fields["status"].choices = [
                (value, label) for value, label in Delegation.Status.choices if value in allowed
            ]


class MemberForm(RecordForm):
    """A member is an existing person, or a new one typed in place."""

    new_person = forms.CharField(
        label=_("or new person"),
        required=False,
        max_length=200,
        help_text=_("Name of someone not yet recorded"),
    )
    new_person_native = forms.CharField(label=_("native name"), required=False, max_length=200)

    class Meta:
        model = Member
        fields = [
            "person",
            "new_person",
            "new_person_native",
            "role",
            "title",
            "organisation",
            "dietary_needs",
            "accessibility_needs",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].required = False

    def clean(self):
        cleaned = super().clean()
        if self.cleaned_data.get("DELETE"):
            return cleaned
        person, new_name = cleaned.get("person"), cleaned.get("new_person", "").strip()
        if person and new_name:
            self.add_error("new_person", gettext("Choose a person or type a new name, not both."))
        elif not person and not new_name and self.has_changed():
            self.add_error("person", gettext("Choose a person or type a new name."))
        return cleaned

    def save(self, commit=True):
        new_name = self.cleaned_data.get("new_person", "").strip()
        if new_name and self.instance.person_id is None:
            self.instance.person = Person.objects.create(
                name=new_name, native_name=self.cleaned_data.get("new_person_native", "")
            )
        return super().save(commit)


class PassportMixin(MaskedFieldsMixin):
    """The passport number shown masked; typed in full only to record a new one."""

    masked_fields = ("passport_number",)

    def normalise_masked(self, name, value):
        return "".join(value.split()).upper()


class PassportMemberForm(PassportMixin, MemberForm):
    """For users with ``relations.view_sensitive``; others get ``MemberForm``, without the
    field, which leaves the stored number as it is."""

    class Meta(MemberForm.Meta):
        fields = [*MemberForm.Meta.fields, "passport_number"]
        widgets = {"passport_number": forms.TextInput(attrs={"size": 12})}


class ProgrammeItemForm(RecordForm):
    class Meta:
        model = ProgrammeItem
        fields = [
            "date",
            "start_time",
            "end_time",
            "kind",
            "title",
            "venue",
            "responsible",
            "interpreter",
            "description",
        ]
        widgets = {
            "date": date_widget(),
            "start_time": time_widget(),
            "end_time": time_widget(),
            "description": forms.TextInput,
        }


class MemberFormSetBase(RecordFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            person = form.cleaned_data.get("person") if hasattr(form, "cleaned_data") else None
            if person and not form.cleaned_data.get("DELETE"):
                if person.pk in seen:
                    form.add_error(
                        "person", gettext("%(person)s is listed twice.") % {"person": person}
                    )
                seen.add(person.pk)


def formset(model, form=None, fields=None, extra=1, **kwargs):
    return record_formset(
        Delegation,
        model,
        form=form or RecordForm,
        fields=fields,
        extra=extra,
        can_delete=True,
        **kwargs,
    )


MemberFormSet = formset(Member, MemberForm, extra=3, formset=MemberFormSetBase)
PassportMemberFormSet = formset(Member, PassportMemberForm, extra=3, formset=MemberFormSetBase)
ProgrammeFormSet = formset(ProgrammeItem, ProgrammeItemForm, extra=3)
AccommodationFormSet = formset(
    Accommodation,
    fields=["hotel", "check_in", "check_out", "rooms", "room_notes", "booking_reference"],
    widgets={"check_in": date_widget(), "check_out": date_widget()},
)
TransportFormSet = formset(
    Transport,
    fields=[
        "kind",
        "reference",
        "vehicle",
        "driver",
        "departs_at",
        "arrives_at",
        "origin",
        "destination",
        "seats",
    ],
    widgets={"departs_at": datetime_widget(), "arrives_at": datetime_widget()},
)
InterpreterFormSet = formset(
    InterpreterAssignment,
    fields=["interpreter", "languages", "starts_at", "ends_at", "notes"],
    widgets={"starts_at": datetime_widget(), "ends_at": datetime_widget()},
)


class DocumentForm(PrivateFileLinksMixin, forms.ModelForm):
    file_views = {"file": "delegations:document-file"}


DocumentFormSet = formset(Document, DocumentForm, fields=["kind", "file", "caption"])


class GiftForm(PrivateFileLinksMixin, VersionCheckMixin, PartialDatesMixin, RecordForm):
    partial_dates = ("given_on",)
    lookups = {"partner": "partners"}
    file_views = {"photo": "delegations:gift-file"}

    class Meta:
        model = Gift
        fields = [
            "direction",
            "partner",
            "delegation",
            "given_on",
            "description",
            "details",
            "giver",
            "recipient",
            "value",
            "currency",
            "value_krw",
            "disposition",
            "disposition_note",
            "registration_reference",
            "photo",
            *ProvenanceFields.fields,
        ]
        widgets = {
            "details": forms.Textarea(attrs={"rows": 2}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/*"}),
            "provenance_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.partners()
        self.fields["delegation"].help_text = gettext(
            "The visit during which it changed hands, if any."
        )
