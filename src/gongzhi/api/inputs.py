"""Input fields the routes share, so the OpenAPI schema states every bound the API holds.

- ``Id``: an object's id, bounded by what the database's integers hold (beyond it, SQLite
  and PostgreSQL fail instead of finding nothing).
- ``limited(limit)``: what a person types. The limit is stated in the schema (``maxLength``)
  and in the description; the *service* refuses a longer text, with the same Chinese words
  its page shows (and the count typed), and never cuts it to fit.
- ``code(limit)``: a code or key a client picks rather than types (a grid code, a category
  code); too long is refused here, since no service has words for it. ``filter_(limit)`` is
  the same for a query-string filter.
"""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Query

MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def limited(limit: int, default: Any = "", *, description: str = "") -> Any:
    hint = f"最多{limit}字"
    return Field(
        default,
        description=f"{description}（{hint}）" if description else hint,
        json_schema_extra={"maxLength": limit},
    )


def code(limit: int, default: Any = "", *, description: str = "") -> Any:
    return Field(default, max_length=limit, description=description or None)


def filter_(limit: int, default: Any = "", *, description: str = "") -> Any:
    return Query(default, max_length=limit, description=description or None)
