"""The administrators' import page: upload → (map columns) → preview → confirm."""

import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from .exports import EXPORTERS
from .import_files import find_upload, purge_expired, store_upload
from .importing import ERROR, apply_import, match_headers, missing_columns, plan_import
from .models import AccessRecord
from .pages import model_permission, page_url
from .resources import RESOURCES
from .roles import IMPORT_DATA
from .sensitive import record_access
from .spreadsheets import ENCODINGS, SpreadsheetError, read_table

logger = logging.getLogger(__name__)

# The preview lists every error, and the rows up to this many (a 100,000-row file
# would make a page no one reads; the command line takes such files).
PREVIEW_ROWS = 500
PREVIEW_ERRORS = 1000


def may_import(user, resource) -> bool:
    model = resource._meta.model
    return user.has_perms(
        [IMPORT_DATA, model_permission(model, "add"), model_permission(model, "change")]
    )


class UploadForm(forms.Form):
    resource = forms.ChoiceField(label=gettext_lazy("What the file holds"))
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy("A .xlsx workbook (first sheet) or a CSV file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Encoding of a CSV"),
        required=False,
        choices=[("", gettext_lazy("Detect")), *list(ENCODINGS.items())],
        help_text=gettext_lazy("Leave on Detect unless the preview shows garbled text."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [
            (slug, resource.title())
            for slug, resource in RESOURCES.items()
            if may_import(user, resource)
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.AMITY_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("%(name)s is %(size)s; an import may be at most %(limit)s.")
                % {
                    "name": upload.name,
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(limit),
                }
            )
        return upload


class ImportStart(PermissionRequiredMixin, FormView):
    permission_required = IMPORT_DATA
    template_name = "relations/import_start.html"
    form_class = UploadForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"resource": self.request.GET.get("resource", "")}

    def get(self, request, *args, **kwargs):
        purge_expired()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["resources"] = [
            (slug, resource.title(), resource().headers(sensitive=True))
            for slug, resource in RESOURCES.items()
            if may_import(self.request.user, resource)
        ]
        context["max_size"] = settings.AMITY_MAX_IMPORT_BYTES
        return context

    def form_valid(self, form):
        try:
            upload = store_upload(
                form.cleaned_data["file"],
                resource=form.cleaned_data["resource"],
                user=self.request.user,
                encoding=form.cleaned_data["encoding"],
            )
        except OSError:
            logger.exception("Could not store an import upload")
            form.add_error("file", _("The file could not be stored (disk full or not writable)."))
            return self.form_invalid(form)
        return redirect("relations:import-review", token=upload.token)


class ImportTemplate(PermissionRequiredMixin, View):
    """An empty file with the columns of one import and an example row."""

    permission_required = IMPORT_DATA

    def get(self, request, slug, fmt):
        if slug not in RESOURCES or fmt not in EXPORTERS:
            raise Http404
        return EXPORTERS[fmt](RESOURCES[slug]().template_rows(), f"{slug}-template")


class ImportReview(PermissionRequiredMixin, TemplateView):
    """Map the file's columns where the headers do not say, preview, then confirm."""

    permission_required = IMPORT_DATA
    template_name = "relations/import_preview.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.upload = find_upload(kwargs["token"], request.user)
        if self.upload is None or self.upload.resource not in RESOURCES:
            messages.error(
                request, _("That upload has expired or was already used; upload the file again.")
            )
            return redirect("relations:import-start")
        self.resource = RESOURCES[self.upload.resource]()
        if not may_import(request.user, type(self.resource)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def read(self):
        try:
            return read_table(self.upload.path, encoding=self.upload.encoding)
        except SpreadsheetError as error:
            logger.info("Import of %s refused: %s", self.upload.name, error)
            messages.error(self.request, f"{self.upload.name}: {error}")
            self.upload.discard()
            return None

    def get(self, request, *args, **kwargs):
        table = self.read()
        if table is None:
            return redirect("relations:import-start")
        mapping = self.upload.mapping or match_headers(self.resource, table.headers)
        headers = table.headers
        unmatched = [h for h, m in zip(headers, mapping, strict=False) if h and m is None]
        needs_mapping = self.upload.mapping is None and (
            unmatched or missing_columns(self.resource, mapping)
        )
        if needs_mapping or request.GET.get("map"):
            self.template_name = "relations/import_mapping.html"
            context = self.get_context_data(
                form=MappingForm(resource=self.resource, headers=headers, mapping=mapping),
                unmatched=unmatched,
                table=table,
            )
            return self.render_to_response(context)
        try:
            plan = plan_import(
                self.resource, table, self.upload.mapping, defaults=self.upload.defaults
            )
        except SpreadsheetError as error:
            messages.error(request, f"{self.upload.name}: {error}")
            self.upload.discard()
            return redirect("relations:import-start")
        return self.render_to_response(self.get_context_data(plan=plan, table=table))

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "cancel":
            self.upload.discard()
            messages.info(request, _("Import cancelled; the uploaded file was deleted."))
            return redirect("relations:import-start")
        table = self.read()
        if table is None:
            return redirect("relations:import-start")
        if action == "map":
            form = MappingForm(request.POST, resource=self.resource, headers=table.headers)
            if not form.is_valid():
                self.template_name = "relations/import_mapping.html"
                return self.render_to_response(self.get_context_data(form=form, table=table))
            self.upload.mapping, self.upload.defaults = form.choices()
            try:
                self.upload.save()
            except OSError:
                logger.exception("Could not store the column choices of an import upload")
                form.add_error(
                    None,
                    _(
                        "The column choices could not be stored (disk full or not "
                        "writable); nothing was changed. Tell the administrator."
                    ),
                )
                self.template_name = "relations/import_mapping.html"
                return self.render_to_response(self.get_context_data(form=form, table=table))
            return redirect("relations:import-review", token=self.upload.token)
        if action != "confirm":
            return redirect("relations:import-review", token=self.upload.token)
        return self.confirm(table)

    def confirm(self, table):
        plan = plan_import(self.resource, table, self.upload.mapping, defaults=self.upload.defaults)
        if plan.has_errors:
            messages.error(self.request, _("The file has errors; nothing was imported."))
            return redirect("relations:import-review", token=self.upload.token)
        try:
            apply_import(
                plan,
                user=self.request.user,
                reason=_("Imported from %(name)s") % {"name": self.upload.name},
            )
        except Exception:
            # The transaction rolled back: nothing is half-written. Say so, keep the file.
            logger.exception("Import of %s failed while writing", self.upload.name)
            messages.error(
                self.request,
                _(
                    "The import failed while writing and was undone: nothing was changed. "
                    "The error is in the server log; try again, or ask the administrator."
                ),
            )
            return redirect("relations:import-review", token=self.upload.token)
        record_access(
            self.request,
            kind=AccessRecord.Kind.IMPORT,
            what=f"{self.upload.resource}: {self.upload.name}"[:300],
            rows=len(plan.rows),
        )
        self.upload.discard()
        messages.success(
            self.request,
            _("Imported %(name)s. %(summary)s")
            % {"name": self.upload.name, "summary": plan.summary()},
        )
        list_url = page_url(self.resource._meta.model, "list")
        return HttpResponseRedirect(list_url or reverse("relations:import-start"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["upload"] = self.upload
        context["resource_title"] = self.resource.title()
        plan = kwargs.get("plan")
        if plan is not None:
            context["errors"] = plan.errors[:PREVIEW_ERRORS]
            context["more_errors"] = max(0, len(plan.errors) - PREVIEW_ERRORS)
            context["shown_rows"] = plan.rows[:PREVIEW_ROWS]
            context["hidden_rows"] = max(0, len(plan.rows) - PREVIEW_ROWS)
            context["error_rows"] = sum(1 for row in plan.rows if row.action == ERROR)
        return context


class MappingForm(forms.Form):
    """For each column of the file, the field it fills (or none); and values to fill
    the empty cells of fields, for files that lack a column."""

    def __init__(self, *args, resource, headers, mapping=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource = resource
        self.headers = headers
        choices = [("", _("— do not import —"))] + [
            (column_id, column.header + (" *" if column.required else ""))
            for column_id, column in resource.import_columns()
        ]
        for position, header in enumerate(headers):
            self.fields[f"column_{position}"] = forms.ChoiceField(
                label=header or _("(column %(n)s, no header)") % {"n": position + 1},
                choices=choices,
                required=False,
                initial=(mapping[position] if mapping and position < len(mapping) else "") or "",
            )
        for column_id, column in resource.import_columns():
            self.fields[f"default_{column_id}"] = forms.CharField(
                label=column.header,
                required=False,
                max_length=300,
                help_text=column.help_text,
            )

    def column_fields(self):
        return [self[f"column_{position}"] for position in range(len(self.headers))]

    def default_fields(self):
        return [
            self[f"default_{column_id}"] for column_id, _column in self.resource.import_columns()
        ]

    def clean(self):
        cleaned = super().clean()
        chosen = [cleaned.get(f"column_{p}") for p in range(len(self.headers))]
        taken = [c for c in chosen if c]
        for column_id in {c for c in taken if taken.count(c) > 1}:
            header = dict(self.resource.import_columns())[column_id].header
            raise forms.ValidationError(
                _("Two columns of the file are mapped to “%(field)s”; choose one.")
                % {"field": header}
            )
        filled = {c for c, _column in self.resource.import_columns() if cleaned.get(f"default_{c}")}
        missing = [
            column.header
            for column_id, column in self.resource.import_columns()
            if column.required and column_id not in taken and column_id not in filled
        ]
        if missing:
            raise forms.ValidationError(
                _("Map a column of the file to, or give a value for: %(fields)s.")
                % {"fields": ", ".join(missing)}
            )
        return cleaned

    def choices(self) -> tuple[list[str | None], dict[str, str]]:
        mapping = [self.cleaned_data.get(f"column_{p}") or None for p in range(len(self.headers))]
        defaults = {
            column_id: self.cleaned_data[f"default_{column_id}"]
            for column_id, _column in self.resource.import_columns()
            if self.cleaned_data.get(f"default_{column_id}")
        }
        return mapping, defaults
