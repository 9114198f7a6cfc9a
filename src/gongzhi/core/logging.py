"""Keep ID numbers and phone numbers out of the logs.

The application never logs them on purpose, but servers log request lines: an old
bookmark ``/search/?q=13812345678``, a client that puts a phone in a query string, a 404
for a mistyped URL, the referer of the next request. ``MaskPersonalData`` is installed
(``config/settings.py`` LOGGING) on the request and access loggers of Django's development
server, of Django itself and of gunicorn, and on the console handler everything else
reaches; it masks, in each record's message and arguments and in the text of an attached
traceback, every 18-digit (and old 15-digit) ID number and every mobile number — with
full-width digits, with spaces or dashes, with +86/0086, and URL-encoded.

The mask keeps what the screens show anyway (the region and last four of an ID, the first
three and last four of a phone), so a log line still helps someone following a complaint.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping
from urllib.parse import unquote_plus

_DIGIT = "[0-9０-９]"
_SEP = "[ \\-]?"
_NOT_DIGIT_BEFORE = "(?<![0-9０-９])"
_NOT_DIGIT_AFTER = "(?![0-9０-９])"

# 17 digits and a digit or X (GB 11643), or the 15 digits of a first-generation card.
_ID = re.compile(
    _NOT_DIGIT_BEFORE
    + f"(?:{_DIGIT}{_SEP}){{17}}[0-9０-９XxＸｘ]"
    + "(?![0-9０-９A-Za-z])"
    + "|"
    + _NOT_DIGIT_BEFORE
    + f"(?:{_DIGIT}{_SEP}){{14}}{_DIGIT}"
    + _NOT_DIGIT_AFTER
)
# A mainland mobile, optionally behind +86 / 0086 / 86.
_PHONE = re.compile(
    _NOT_DIGIT_BEFORE
    + f"(?:(?:[+＋]|00)?86{_SEP})?"
    + f"[1１]{_SEP}[3-9３-９](?:{_SEP}{_DIGIT}){{9}}"
    + _NOT_DIGIT_AFTER
)
_TO_ASCII = str.maketrans("０１２３４５６７８９ｘＸ＋", "0123456789XX+")


def _digits(text: str) -> str:
    return re.sub(r"[^0-9X]", "", text.translate(_TO_ASCII).upper())


def _mask_id(match: re.Match) -> str:
    value = _digits(match.group(0))
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def _mask_phone(match: re.Match) -> str:
    value = _digits(match.group(0))[-11:]
    return value[:3] + "****" + value[-4:]


def _mask(text: str) -> str:
    # Phones first: "0086 138…" is 15 digits, like an old ID number.
    return _ID.sub(_mask_id, _PHONE.sub(_mask_phone, text))


def mask_personal_data(text: str) -> str:
    """``text`` with every ID number and mobile number masked. URL-encoded text that still
    hides one once decoded comes back decoded and masked."""
    masked = _mask(text)
    if "%" in masked or "+" in masked:
        decoded = unquote_plus(masked)
        if decoded != masked:
            decoded_masked = _mask(decoded)
            if decoded_masked != decoded:
                return decoded_masked
    return masked


def contains_personal_data(text: str) -> bool:
    return mask_personal_data(text) != text


def _masked_arg(value):
    if isinstance(value, str):
        return mask_personal_data(value)
    if value is None or isinstance(value, (bool, float)):
        return value
    text = str(value)
    masked = mask_personal_data(text)
    # Objects (a request, a path) are replaced by their masked text only when they hold
    # something to mask; an int that does becomes text, which the check below catches
    # if the format wanted a number.
    return value if masked == text else masked


class MaskPersonalData(logging.Filter):
    """Masks ID numbers and phones in a record's message, arguments and traceback text.
    Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._mask(record)
        except Exception:  # a broken record must still be logged, masked as a whole
            record.msg, record.args = mask_personal_data(str(record.msg)), None
        return True

    def _mask(self, record: logging.LogRecord) -> None:
        original = record.getMessage()
        if isinstance(record.msg, str):
            record.msg = mask_personal_data(record.msg)
        elif record.msg is not None:
            record.msg = _masked_arg(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {key: _masked_arg(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_masked_arg(value) for value in record.args)
        expected = mask_personal_data(original)
        try:
            rendered = record.getMessage()
        except (TypeError, ValueError):
            rendered = None
        if rendered is None or contains_personal_data(rendered):
            # Split across message and arguments, or a number the format needed: keep the
            # whole line, masked.
            record.msg, record.args = expected, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)


class JsonFormatter(logging.Formatter):
    """One JSON object per line (production, ``GONGZHI_PRODUCTION``): time, level, logger,
    message, the id of the request or task being served (``core.requestid``) and the
    traceback, if any. A log collector reads it without parsing free text; the request id
    finds every line of one request, in the web process and in the tasks it queued.

    Runs after ``MaskPersonalData`` (a handler's filters run before its formatter), so the
    message and traceback are already masked."""

    def format(self, record: logging.LogRecord) -> str:
        from .requestid import current_request_id

        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S")
            + f".{int(record.msecs):03d}"
            + time.strftime("%z", self.converter(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # django.request logs a 4xx/5xx after the middleware has returned (and the
        # contextvar is reset), with the request attached to the record.
        request_id = (
            getattr(record, "request_id", None)
            or getattr(getattr(record, "request", None), "request_id", None)
            or current_request_id()
        )
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = mask_personal_data(record.exc_text)
        if record.stack_info:
            entry["stack"] = mask_personal_data(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
