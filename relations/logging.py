"""A logging filter that keeps passwords and passport numbers out of the logs.

Attached to every handler in settings.LOGGING, so it masks what any library logs too:
``password=…``/``"passport_number": "…"`` pairs whatever their value, and anything that
looks like a passport number wherever it appears (one or two capital letters then 6–9
digits, e.g. M12345678, E12345678, G1234567; or the Korean form since 2021, M123A4567).
"""

import logging
import re

MASK = "********"

# Keys whose values are secret: password, password1, new_password2, passwd, passport,
# passport_number, passport_no, ...
MASKED_NAMES = r"(?:[\w-]*pass(?:word|wd|port)[\w-]*)"
# key=value, key: value, "key": "value", 'key': 'value' (quotes optional, any case).
KEY_VALUE = re.compile(
    rf"""(?P<key>["']?{MASKED_NAMES}["']?\s*[=:]\s*)"""
    r"""(?P<value>"[^"]*"|'[^']*'|[^\s,;&}\]\)]+)""",
    re.IGNORECASE,
)
PASSPORT_NUMBER = re.compile(r"\b(?:[A-Z]{1,2}\d{6,9}|[A-Z]\d{3}[A-Z]\d{4})\b")


def mask(text: str) -> str:
    def hide_value(match: re.Match) -> str:
        value = match["value"]
        quote = value[0] if value[:1] in {'"', "'"} else ""
        return f"{match['key']}{quote}{MASK}{quote}"

    return PASSPORT_NUMBER.sub(MASK, KEY_VALUE.sub(hide_value, text))


class MaskSecrets(logging.Filter):
    """Rewrites the record's message (and traceback) with secrets masked; never drops it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # A broken format string: leave it for logging to report.
            return True
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Formatted once here, so that every handler prints the masked traceback.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True
