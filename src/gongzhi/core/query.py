"""Query helpers shared by the selectors."""

from __future__ import annotations

from django.db import connection
from django.db.models import Field, Lookup, Q
from django.db.models.lookups import In

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


@Field.register_lookup
class AnyOf(Lookup):
    """``column__any_of=[...]``: the same rows as ``__in``, sent to PostgreSQL as one array
    parameter (``column = ANY(%s)``) instead of one parameter per value.

    A search hands up to 500 ids to its page and count queries. As ``IN (%s, %s, ...)``
    every length is a different statement: the driver splits a 500-placeholder query again
    on every request and no prepared statement is reused, and the planner, seeing 500
    constants, may walk another index. With one array the statement is the same whatever
    the length. Other databases get the plain ``IN``."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        field = self.lhs.output_field
        return [field.get_prep_value(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return In(self.lhs, self.rhs).as_sql(compiler, connection)
        lhs, params = self.process_lhs(compiler, connection)
        array_type = self.lhs.output_field.rel_db_type(connection)
        return f"{lhs} = ANY(%s::{array_type}[])", [*params, list(self.rhs)]
