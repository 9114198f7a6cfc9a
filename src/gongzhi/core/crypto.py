"""Encryption at rest for personal data, and the keyed blind index used to find it.

Values are sealed with AES-256-GCM. A stored value is ``<key id>$<base64(nonce|ciphertext)>``
so that a value names the key that sealed it: keys rotate by adding a new key in front of
``GONGZHI_FIELD_KEYS`` and running ``manage.py rotate_keys``, which re-seals every value.

Equality lookups (an ID number typed at the desk, a phone number at login) go through a
blind index: HMAC-SHA256 of the normalised value under a separate key. The index reveals
only whether two values are equal, never the value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SEPARATOR = "$"


class DecryptionError(Exception):
    pass


@lru_cache(maxsize=8)
def _parse_keys(raw: str) -> tuple[tuple[str, AESGCM], ...]:
    keys: list[tuple[str, AESGCM]] = []
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        key_id, _, b64 = item.partition(":")
        if not b64 or SEPARATOR in key_id:
            raise ImproperlyConfigured("GONGZHI_FIELD_KEYS entries must look like 'id:base64key'.")
        secret = base64.b64decode(b64)
        if len(secret) != 32:
            raise ImproperlyConfigured(
                f"Field key {key_id!r} must be 32 bytes (base64 of 32 random bytes)."
            )
        keys.append((key_id, AESGCM(secret)))
    if not keys:
        raise ImproperlyConfigured(
            "GONGZHI_FIELD_KEYS is empty: personal data cannot be stored unencrypted. "
            "Run `make demo` once (it writes a local key) or set the variable."
        )
    return tuple(keys)


def _keys() -> tuple[tuple[str, AESGCM], ...]:
    return _parse_keys(settings.GONGZHI_FIELD_KEYS)


def primary_key_id() -> str:
    return _keys()[0][0]


def encrypt(plaintext: str) -> str:
    key_id, aead = _keys()[0]
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, plaintext.encode("utf-8"), key_id.encode("ascii"))
    return key_id + SEPARATOR + base64.b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str) -> str:
    key_id, sep, body = token.partition(SEPARATOR)
    if not sep:
        raise DecryptionError("value is not sealed")
    for candidate_id, aead in _keys():
        if candidate_id == key_id:
            raw = base64.b64decode(body)
            try:
                return aead.decrypt(raw[:12], raw[12:], key_id.encode("ascii")).decode("utf-8")
            except Exception as exc:  # InvalidTag: wrong key material or tampering
                raise DecryptionError(f"cannot open value sealed with key {key_id!r}") from exc
    raise DecryptionError(f"no key {key_id!r} configured")


def key_id_of(token: str) -> str:
    return token.partition(SEPARATOR)[0]


@lru_cache(maxsize=4)
def _bidx_hmac(raw: str) -> hmac.HMAC:
    if not raw:
        raise ImproperlyConfigured("GONGZHI_BLIND_INDEX_KEY is empty.")
    # Keyed once; each lookup copies the keyed state instead of re-deriving it.
    return hmac.new(hashlib.sha256(raw.encode("utf-8")).digest(), digestmod=hashlib.sha256)


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed hash for exact lookup. ``purpose`` separates ID numbers from phones so that
    equal strings in different fields do not share an index value."""
    mac = _bidx_hmac(settings.GONGZHI_BLIND_INDEX_KEY).copy()
    mac.update(f"{purpose}:{value}".encode())
    return mac.hexdigest()[:40]


def generate_field_key() -> str:
    return base64.b64encode(os.urandom(32)).decode("ascii")
