from django import template

from gongzhi.core.reasons import RevealReason

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
