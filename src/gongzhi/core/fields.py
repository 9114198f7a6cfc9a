from __future__ import annotations

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """A text column whose value is sealed at rest (see ``core.crypto``).

    Python code sees plaintext; the database only ever holds ``keyid$...`` tokens.
    Not searchable: pair it with a blind-index column for exact lookup.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "gongzhi.core.fields.EncryptedTextField", args, kwargs
