"""Bases for the officers' pages of both apps: list, detail, create, edit, delete.

Each page declares the permission it needs (``permission_required``); lists filter with a
FilterSet, sort with its ``sort`` ordering filter, paginate 25/50/100 and export what they
show; forms save with their inline formsets in one transaction and say what happened.
"""

import logging

from django.contrib import messages
from django.contrib.admin.utils import NestedObjects
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.db.models import ProtectedError
from django.http import Http404, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DeleteView, DetailView, TemplateView, UpdateView
from django_filters.views import FilterView

from .audit import StaleRecord
from .exports import EXPORTERS
from .files import NOT_STORED, discard_stored, new_uploads
from .history import change_log, history_model, stale_message
from .languages import untranslated
from .models import AccessRecord
from .resources import resource_for_model
from .roles import EXPORT_DATA
from .sensitive import described, record_access

logger = logging.getLogger(__name__)

PAGE_SIZES = (25, 50, 100)


def model_permission(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def page_url(model, page: str, *args) -> str:
    """The URL of a model's officers' page by the naming convention, or "" if none."""
    opts = model._meta
    try:
        return reverse(f"{opts.app_label}:{opts.model_name}-{page}", args=args)
    except NoReverseMatch:
        return ""


class ListPage(PermissionRequiredMixin, FilterView):
    """A filtered, sorted, paginated list that exports what it shows (``?export=csv|xlsx``)."""

    paginate_by = PAGE_SIZES[0]
    export_name = ""

    def get_permission_required(self):
        return self.permission_required or [model_permission(self.model, "view")]

    def get_paginate_by(self, queryset):
        try:
            size = int(self.request.GET.get("per_page", ""))
        except ValueError:
            return self.paginate_by
        return size if size in PAGE_SIZES else self.paginate_by

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt not in EXPORTERS:
            return super().get(request, *args, **kwargs)
        if not request.user.has_perm(EXPORT_DATA):
            raise PermissionDenied(_("Exporting lists needs the right to export."))
        self.filterset = self.get_filterset(self.get_filterset_class())
        # Like the page (FilterView is strict): filters that do not validate show nothing,
        # so they export nothing rather than the whole table.
        objects = self.filterset.qs if self.filterset.is_valid() else self.filterset.queryset.none()
        name = self.export_name or untranslated(self.model._meta.verbose_name_plural)
        name = name.replace(" ", "-")
        record_access(
            request,
            kind=AccessRecord.Kind.EXPORT,
            what=described(f"{name}.{fmt}", request.GET),
            rows=objects.count(),
        )
        # The columns of the import template: an exported list can be edited and imported
        # back (see resources.py).
        return EXPORTERS[fmt](resource_for_model(self.model)().export_rows(objects), name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_sizes"] = PAGE_SIZES
        context["opts"] = self.model._meta
        context["can_add"] = self.request.user.has_perm(model_permission(self.model, "add"))
        context["add_url"] = page_url(self.model, "add")
        context["can_export"] = self.request.user.has_perm(EXPORT_DATA)
        return context


class DetailPage(PermissionRequiredMixin, DetailView):
    # Reverse relations whose rows are edited with the record (its inline formsets):
    # their changes show in the record's history too.
    history_children: tuple[str, ...] = ()

    def get_permission_required(self):
        return self.permission_required or [model_permission(self.model, "view")]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["opts"] = self.model._meta
        context["can_change"] = user.has_perm(model_permission(self.model, "change"))
        context["can_delete"] = user.has_perm(model_permission(self.model, "delete"))
        # Read only by pages that include "includes/history.html".
        context["history"] = SimpleLazyObject(
            lambda: change_log(self.object, children=self.history_children)
        )
        context["history_url"] = page_url(self.model, "history", self.object.pk)
        return context

    @classmethod
    def history_view(cls):
        """The full history page of this page's records (URL name ``<model>-history``)."""
        return HistoryPage.as_view(model=cls.model, history_children=cls.history_children)


class HistoryPage(PermissionRequiredMixin, TemplateView):
    """Every change of one record and of its child rows, newest first; also for a record
    deleted since (read from its history rows)."""

    model = None
    history_children: tuple[str, ...] = ()
    template_name = "includes/history_page.html"

    def get_permission_required(self):
        return [model_permission(self.model, "view")]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pk, pk_name = self.kwargs["pk"], self.model._meta.pk.attname
        obj = self.model._default_manager.filter(pk=pk).first()
        if obj is None:
            rows = history_model(self.model).objects.filter(**{pk_name: pk})
            last = rows.order_by("-history_date", "-history_id").first()
            if last is None:
                raise Http404(
                    _("No %(name)s with that number.") % {"name": self.model._meta.verbose_name}
                )
            obj = last.history_object
        context.update(
            object=obj,
            exists=obj._state.db is not None,
            opts=self.model._meta,
            list_url=page_url(self.model, "list"),
            history=change_log(obj, children=self.history_children, limit=None),
        )
        return context


class FormPageMixin(PermissionRequiredMixin):
    """Saves the form and its inline formsets together, or shows every error."""

    action = ""  # "add" or "change"
    formset_classes: dict = {}  # context name -> inline formset class
    template_name = "includes/form_page.html"

    def get_permission_required(self):
        return self.permission_required or [model_permission(self.model, self.action)]

    def get_formsets(self, instance):
        data = self.request.POST if self.request.method == "POST" else None
        files = self.request.FILES if self.request.method == "POST" else None
        return {
            name: formset_class(data, files, instance=instance, prefix=name)
            for name, formset_class in self.formset_classes.items()
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("formsets", self.get_formsets(self.object))
        context["opts"] = self.model._meta
        context.setdefault("cancel_url", page_url(self.model, "list"))
        return context

    def saved(self) -> None:
        """After the form and formsets are saved: a place for follow-up warnings."""

    def post(self, request, *args, **kwargs):
        self.object = self.get_object() if self.action == "change" else None
        form = self.get_form()
        formsets = self.get_formsets(form.instance)
        if form.is_valid() and all(f.is_valid() for f in formsets.values()):
            uploads = new_uploads([form, *(f for fs in formsets.values() for f in fs.forms)])
            try:
                with transaction.atomic():
                    # An unchanged record is not saved again: no history row, same version.
                    if self.action == "add" or form.has_changed():
                        self.object = form.save()
                    for formset in formsets.values():
                        formset.instance = self.object
                        formset.save()
            except StaleRecord as stale:
                # Someone saved between our check and our UPDATE: the rows are rolled back,
                # and files this request stored go too.
                discard_stored(uploads)
                record = stale.instance
                form.add_error(None, stale_message(type(record), record.pk, record.version))
                self.object = self.get_object() if self.action == "change" else None
            except OSError as error:
                # Disk full or not writable: the rows are rolled back; the files of this
                # request already written go too, so nothing is left half-saved.
                logger.error(
                    "An upload to %s could not be stored: %s. Check the free space and "
                    "permissions of MEDIA_ROOT.",
                    self.model._meta.verbose_name,
                    error,
                )
                discard_stored(uploads)
                form.add_error(None, _(NOT_STORED))
                self.object = self.get_object() if self.action == "change" else None
            else:
                names = {"name": capfirst(self.model._meta.verbose_name), "record": self.object}
                if self.action == "add":
                    messages.success(request, _("%(name)s “%(record)s” added.") % names)
                else:
                    messages.success(request, _("%(name)s “%(record)s” saved.") % names)
                self.saved()
                return HttpResponseRedirect(self.get_success_url())
        messages.error(request, _("Please correct the errors below; nothing was saved."))
        return self.render_to_response(self.get_context_data(form=form, formsets=formsets))


class CreatePage(FormPageMixin, CreateView):
    action = "add"


class UpdatePage(FormPageMixin, UpdateView):
    action = "change"


class DeletePage(PermissionRequiredMixin, DeleteView):
    """Asks first, listing every record the deletion would take with it or that blocks it."""

    template_name = "includes/confirm_delete.html"

    def get_permission_required(self):
        return self.permission_required or [model_permission(self.model, "delete")]

    def get_success_url(self):
        return page_url(self.model, "list")

    def collect(self):
        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect([self.object])
        affected = [
            _("%(name)s: %(record)s") % {"name": capfirst(obj._meta.verbose_name), "record": obj}
            for model, objects in collector.data.items()
            for obj in objects
            # Rows of a many-to-many's own table ("Agreement_sectors object (7)") mean
            # nothing to an officer: the related records themselves are not deleted.
            if obj != self.object and not model._meta.auto_created
        ]
        protected = [self.describe(obj) for obj in collector.protected]
        # SET_NULL keeps the record but loses the link (a visit would lose its leader).
        deleted = {obj for objects in collector.data.values() for obj in objects}
        detached = [
            _("%(record)s (loses its %(link)s)")
            % {"record": self.describe(obj), "link": field.verbose_name}
            for (field, _value), batches in collector.field_updates.items()
            for objs in batches
            for obj in objs
            if obj not in deleted
        ]
        return sorted(affected), sorted(protected), sorted(detached)

    def describe(self, obj) -> str:
        """A record that blocks or loses a link; one without a page of its own is named
        with the record it belongs to ("Member: Ro Hyun-Song (Leader), in delegation …")."""
        text = _("%(name)s: %(record)s") % {"name": capfirst(obj._meta.verbose_name), "record": obj}
        if hasattr(obj, "get_absolute_url"):
            return text
        for field in obj._meta.concrete_fields:
            related = field.related_model
            if (
                field.many_to_one
                and related is not self.model
                and hasattr(related, "get_absolute_url")
            ):
                parent = getattr(obj, field.name)
                if parent is not None:
                    return _("%(record)s, in %(name)s “%(parent)s”") % {
                        "record": text,
                        "name": parent._meta.verbose_name,
                        "parent": parent,
                    }
        return text

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["affected"], context["protected"], context["detached"] = self.collect()
        context["opts"] = self.model._meta
        return context

    def form_valid(self, form):
        name = str(self.object)
        try:
            with transaction.atomic():
                self.object.delete()
        except ProtectedError:
            messages.error(
                self.request,
                _("“%(record)s” cannot be deleted: other records still refer to it.")
                % {"record": name},
            )
            return HttpResponseRedirect(self.object.get_absolute_url())
        messages.success(
            self.request,
            _("%(name)s “%(record)s” deleted.")
            % {"name": capfirst(self.model._meta.verbose_name), "record": name},
        )
        return HttpResponseRedirect(self.get_success_url())
