"""Every URL pattern of the project as a concrete path that opens a real record.

Django's reverse tables hold every pattern (named or not, path() or re_path()) as a
format string with its parameters, so nothing here parses patterns. Each parameter is
filled from the view it leads to: the primary key of an existing record of the view's
model (one with its files attached, if the model has any), a calendar feed's token, each
app of the admin, and so on. A parameter nobody knows how to fill fails loudly.
"""

import contextlib
from dataclasses import dataclass

from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import FileField
from django.urls import URLResolver, get_resolver, resolve


@dataclass(frozen=True)
class Route:
    name: str  # "relations:partner-detail"; an unnamed pattern: the view's dotted path
    path: str
    model: type | None = None  # the model whose record the path opens, if any

    def __str__(self) -> str:
        return f"{self.name} {self.path}"


def pattern_templates(resolver: URLResolver | None = None, prefix: str = "/"):
    """(format string, parameter names) of every pattern, each once."""
    resolver = resolver or get_resolver()
    seen = set()
    for key in resolver.reverse_dict:
        for possibilities, *_ in resolver.reverse_dict.getlist(key):
            for template, params in possibilities:
                if (template, tuple(params)) not in seen:
                    seen.add((template, tuple(params)))
                    yield prefix + template, tuple(params)
    for namespace_prefix, namespace_resolver in resolver.namespace_dict.values():
        yield from pattern_templates(namespace_resolver, prefix + namespace_prefix)


def view_model(match):
    """The model of the view a path resolves to: a class-based view's, or a ModelAdmin's."""
    func = match.func
    initkwargs = getattr(func, "view_initkwargs", {}) or {}
    if hasattr(func, "model_admin"):
        return func.model_admin.model
    # Pages a ModelAdmin adds itself (simple-history's) wrap one of its bound methods.
    inner = func
    while inner is not None:
        if isinstance(getattr(inner, "__self__", None), admin.ModelAdmin):
            return inner.__self__.model
        inner = getattr(inner, "__wrapped__", None)
    model = initkwargs.get("model") or getattr(getattr(func, "view_class", None), "model", None)
    if model is None and match.namespace and "-" in (match.url_name or ""):
        # By the naming convention: "delegations:delegation-move" acts on a Delegation.
        with contextlib.suppress(LookupError):
            model = apps.get_model(match.namespace, match.url_name.split("-")[0])
    return model


def sample(model):
    """An existing record to open: one with every file field filled, if there is one."""
    objects = model._default_manager.order_by("pk")
    for field in model._meta.concrete_fields:
        if isinstance(field, FileField):
            objects = objects.exclude(**{field.name: ""})
    record = objects.first() or model._default_manager.order_by("pk").first()
    assert record, f"no {model._meta.label} in the test data to open"
    return record


def project_routes() -> list[Route]:
    from delegations.models import CalendarFeed
    from relations.models import Partner

    routes = {}
    for template, params in pattern_templates():
        if "app_label" in params:
            # The admin's index of one app: one path per app that has models in it.
            labels = sorted({model._meta.app_label for model in admin.site._registry})
            paths = [template % {"app_label": label} for label in labels]
        else:
            paths = [template % dict.fromkeys(params, "1")]
        for rough in paths:
            match = resolve(rough)
            model = view_model(match)
            values = {}
            for param in params:
                if param in {"pk", "id", "object_id", "_0"} and model is not None:
                    values[param] = sample(model).pk
                elif param == "_1" and "history" in match.view_name:
                    # simple-history's admin page of one past version of the record.
                    record = sample(model)
                    values[param] = record.history.earliest("history_date").history_id
                elif param == "token" and match.view_name == "delegations:calendar-feed":
                    values[param] = CalendarFeed.objects.order_by("pk").first().token
                elif param == "content_type_id":  # the admin's "view on site" redirect
                    values[param] = ContentType.objects.get_for_model(Partner).pk
                    values["object_id"] = sample(Partner).pk
                elif match.view_name == "relations:import-template":
                    values[param] = {"slug": "partners", "fmt": "csv"}[param]
                elif match.view_name == "relations:lookup":
                    values[param] = "partners"  # the search boxes' answers
                elif param == "token" and match.view_name == "relations:import-review":
                    values[param] = "expired-or-unknown"
                elif param in {"app_label", "object_id"}:
                    continue
                elif match.view_name == "password_reset_confirm" or param == "url":
                    values[param] = "1"  # An invalid reset link, the admin's catch-all.
                else:
                    raise AssertionError(f"No way to fill <{param}> in {template}")
            path = template % {**dict.fromkeys(params, "1"), **values} if params else template
            if "app_label" in params:
                path = rough
            routes[path] = Route(match.view_name, path, model)
    return sorted(routes.values(), key=lambda route: route.path)
