from django import template

from gongzhi.core.reasons import RevealReason
from gongzhi.core.text import in_reader_language, name_of

register = template.Library()

# Only these attributes may be shown masked; anything else renders empty rather than leak.
_MASKED = {"id_number": "id_number_masked", "phone": "phone_masked"}


@register.filter
def masked(resident, field: str) -> str:
    attr = _MASKED.get(field)
    return getattr(resident, attr) if attr else ""


@register.simple_tag
def reveal_reasons():
    """The reasons offered as one-tap buttons; "其他" comes last, after its text box."""
    return [(value, label) for value, label in RevealReason.choices if value != RevealReason.OTHER]


@register.filter
def days_before(day, today) -> int | None:
    """How many days ``day`` lies before ``today`` (0 for today itself)."""
    if not day or not today:
        return None
    return (today - day).days


@register.filter
def named(value) -> str:
    """A category, a care tag or a place — the object or its name — as the reader's
    language writes it (``core.text.in_reader_language``): Traditional under zh-Hant, the
    English name (``name_en``) under English. Never for a person's name."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return in_reader_language(value)
    return name_of(value) if getattr(value, "name", None) else in_reader_language(str(value))
