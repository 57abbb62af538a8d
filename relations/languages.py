"""The interface languages: names in the script a language reads, texts in every language,
and translatable names for models and fields that Django named by itself.
"""

import unicodedata

from django.conf import settings
from django.utils import translation

# The script each interface language reads names in; English reads the English or
# romanised name every record has.
LANGUAGE_SCRIPTS = {"ko": "hangul", "zh-hans": "han"}


def script_of(text: str) -> str:
    """ "hangul", "kana", "han" or "" (Latin and the rest), from the letters of ``text``.

    Hangul or kana anywhere decide (a Korean name may hold a Han character, a Japanese one
    always mixes kana with Han); Han alone is Chinese."""
    found = set()
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("HANGUL"):
            return "hangul"
        if name.startswith(("HIRAGANA", "KATAKANA")):
            found.add("kana")
        elif name.startswith("CJK"):
            found.add("han")
    if "kana" in found:
        return "kana"
    return "han" if "han" in found else ""


def language_script(language: str | None = None) -> str:
    """The script the (active) interface language reads names in, "" for English."""
    language = (language or translation.get_language() or "").lower()
    return LANGUAGE_SCRIPTS.get(language, "")


def name_for_language(record, language: str | None = None) -> str:
    """A partner's, person's or institution's name as the interface language reads it: the
    native name when it is written in that language's script (Hangul for Korean, Han for
    Chinese), otherwise the English or romanised name."""
    native = getattr(record, "native_name", "") or ""
    script = language_script(language)
    if native and script and script_of(native) == script:
        return native
    return record.name


def other_name_for_language(record, language: str | None = None) -> str:
    """The name ``name_for_language`` did not pick, shown beside it; "" when there is none."""
    native = getattr(record, "native_name", "") or ""
    shown = name_for_language(record, language)
    other = record.name if shown == native else native
    return "" if other == shown else other


def untranslated(text) -> str:
    """A translatable text as the code writes it, in English: for file names, which HTTP
    headers carry, and for logs."""
    with translation.override(None):
        return str(text)


def in_every_language(text) -> set[str]:
    """A translatable text (a lazy string) as each interface language writes it."""
    found = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(str(text))
    return found


def name_fields(model, name=None, plural=None, /, **fields) -> None:
    """Give ``model`` and its fields names in the interface language; call it right after
    the class (for an abstract class, before the classes that inherit its fields).

    Django names a model or field from its class or attribute ("partner", "level since")
    when none is declared, and such a name is never translated. Declaring one in the
    class would make a migration restate every field, though the database is untouched:
    these names are set after the class is built instead. Migrations read only what the
    class declares (``Options.original_attrs``, ``Field._verbose_name``), so they do not
    change, while forms, lists, the admin and the history read these.
    """
    opts = model._meta
    if name is not None:
        opts.verbose_name = name
    if plural is not None:
        opts.verbose_name_plural = plural
    # Not get_field(): the app registry is not ready while models are being defined.
    own = {f.name: f for f in [*opts.local_fields, *opts.local_many_to_many]}
    for field_name, verbose_name in fields.items():
        own[field_name].verbose_name = verbose_name
