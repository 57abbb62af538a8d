"""Matching names in any script or romanisation, ignoring case and accents.

Each searchable model keeps a ``search_text`` column: its names folded by ``fold``.
A query is folded the same way and looked up with a plain ``contains``, which behaves
the same on SQLite and PostgreSQL.
"""

import re
import unicodedata

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", stripped).casefold()


def fold(text: str) -> str:
    """Lower-case, accents removed; Hangul, Han and kana stay as they are.

    NFKD splits "é" into "e" and a combining accent, which is dropped; NFC then puts
    Hangul syllables (which NFKD also splits into jamo) back together.
    """
    return _fold(text).strip()


def search_text(*texts: str) -> str:
    """The folded names of one record, one per line."""
    return "\n".join(fold(t) for t in texts if t)


def highlight(text: str, query: str) -> SafeString:
    """``text`` escaped, with every accent- and case-insensitive match of ``query`` in <mark>."""
    needle = fold(query)
    if not text or not needle:
        return escape(text or "")
    # Fold character by character so that positions in the folded text map back.
    folded_chars = [_fold(c) for c in text]
    folded = "".join(folded_chars)
    starts = [m.start() for m in re.finditer(re.escape(needle), folded)]
    if not starts:
        return escape(text)
    index_of = []  # folded position -> original index
    for i, chars in enumerate(folded_chars):
        index_of.extend([i] * len(chars))
    index_of.append(len(text))
    pairs, cursor = [], 0  # (text before a match, the match)
    for start in starts:
        first, last = index_of[start], index_of[start + len(needle) - 1] + 1
        if first < cursor:
            continue
        pairs.append((text[cursor:first], text[first:last]))
        cursor = last
    # format_html escapes every piece of the text: only the <mark> tags are markup.
    return format_html("{}{}", format_html_join("", "{}<mark>{}</mark>", pairs), text[cursor:])
