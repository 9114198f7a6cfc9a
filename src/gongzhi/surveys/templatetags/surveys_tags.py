from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template (form values and errors by question key)."""
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def getlist(mapping, key):
    """Every value of a multiple-choice answer typed before a refusal."""
    if hasattr(mapping, "getlist"):
        return mapping.getlist(key)
    return []
