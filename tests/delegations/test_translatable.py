"""The delegations side is ready for translation: names, choices and page texts go
through Django's translation machinery, and English reads as it always did."""

import datetime
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.functional import Promise

from delegations.models import Accommodation, Delegation, Venue, either

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "delegations"
# Names and codes that read the same in every language.
UNTRANSLATED = {"Outlook", "Google Calendar", "KRW", "km"}


def delegations_models():
    return [
        m for m in apps.get_app_config("delegations").get_models() if "Historical" not in m.__name__
    ]


@pytest.mark.parametrize("model", delegations_models(), ids=lambda m: m.__name__)
def test_every_model_and_field_name_is_translatable(model):
    """Django derives a name it never translates ("invited by") for a field declared
    without one; every name here is a translatable text instead."""
    opts = model._meta
    assert isinstance(opts.verbose_name, Promise)
    assert isinstance(opts.verbose_name_plural, Promise)
    for field in opts.get_fields():
        if isinstance(field, models.Field) and field.name not in ("id", "version"):
            assert isinstance(field.verbose_name, Promise), field.name


@pytest.mark.parametrize("model", delegations_models(), ids=lambda m: m.__name__)
def test_every_choice_label_is_translatable(model):
    for field in model._meta.get_fields():
        for _value, label in getattr(field, "choices", None) or []:
            assert isinstance(label, Promise), (field.name, label)


def test_field_names_read_as_before_in_english():
    assert Delegation._meta.verbose_name_plural == "delegations"
    assert Delegation._meta.get_field("invited_by").verbose_name == "invited by"
    assert Delegation._meta.get_field("declared_size").verbose_name == "declared head-count"


def test_either_joins_the_choices_with_or():
    assert either([]) == ""
    assert either(["confirmed"]) == "confirmed"
    assert either(["under way", "cancelled", "completed"]) == "under way or cancelled or completed"


def test_a_stay_reads_as_before_in_english():
    stay = Accommodation(
        hotel=Venue(name="Grand Hotel"),
        check_in=datetime.date(2026, 9, 2),
        check_out=datetime.date(2026, 9, 5),
    )
    assert str(stay) == "Grand Hotel, 02 Sep – 05 Sep 2026"


def untranslated_text(template: str) -> list[str]:
    """Words a template shows outside translation tags (in text and in the attributes
    people read or hear), its comments, styles and scripts left aside."""
    text = re.sub(r"\{% comment %\}.*?\{% endcomment %\}", "", template, flags=re.S)
    text = re.sub(r"\{%\s*blocktranslate.*?endblocktranslate\s*%\}", "", text, flags=re.S)
    text = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", text, flags=re.S)
    found = [
        value
        for value in re.findall(
            r'(?:aria-label|title|placeholder|alt|data-confirm)="([^"]*)"', text
        )
        if re.search(r"[A-Za-z]{2}", value) and "{" not in value
    ]
    text = re.sub(r"\{[%{#].*?[%}#]\}", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", "\n", text, flags=re.S)
    found += [line.strip() for line in text.splitlines() if re.search(r"[A-Za-z]{2}", line)]
    # "≈ 500,000 KRW" shows only a code: what counts are the words.
    return [text for text in found if " ".join(re.findall(r"[A-Za-z]+", text)) not in UNTRANSLATED]


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_show_no_text_outside_translation_tags(path):
    assert untranslated_text(path.read_text()) == []


def test_the_template_check_finds_text_left_out():
    page = '{% load i18n %}<h1 title="Open clashes">{% translate "Gifts" %}</h1><p>Nothing yet.</p>'
    assert untranslated_text(page) == ["Open clashes", "Nothing yet."]
