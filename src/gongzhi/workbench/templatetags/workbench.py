from django import template

register = template.Library()

# Only these attributes may be shown masked; anything else renders empty rather than leak.
_MASKED = {"id_number": "id_number_masked", "phone": "phone_masked"}


@register.filter
def masked(resident, field: str) -> str:
    attr = _MASKED.get(field)
    return getattr(resident, attr) if attr else ""
