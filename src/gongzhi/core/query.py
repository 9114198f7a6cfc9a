"""Query helpers shared by the selectors."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

# Sorts after every character that can follow a prefix.
_TOP = chr(0x10FFFF)


def prefix_q(column: str, value: str) -> Q:
    """Rows whose ``column`` starts with ``value``, written so that an index serves it.

    PostgreSQL: ``LIKE 'value%'``, served by a ``varchar_pattern_ops`` index under any
    collation. SQLite: its LIKE ignores ASCII case and so cannot use a plain index; a
    range does, because SQLite compares text byte by byte and UTF-8 byte order is code
    point order."""
    if connection.vendor == "sqlite":
        return Q(**{f"{column}__gte": value, f"{column}__lt": value + _TOP})
    return Q(**{f"{column}__startswith": value})
