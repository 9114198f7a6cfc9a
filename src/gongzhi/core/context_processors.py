from django.conf import settings

from .scoping import scope_for

# Capabilities the staff navigation asks about before showing a link.
NAV_CAPABILITIES = ("manage_orgs", "view_audit")


class _Reach:
    """``{% if may.manage_orgs %}``: whether the user holds a capability anywhere, worked
    out only when a template asks (the reach is cached for the request)."""

    def __init__(self, user):
        self.user = user

    def __getitem__(self, capability):
        if capability not in NAV_CAPABILITIES:
            raise KeyError(capability)
        return not scope_for(self.user, capability).empty


def site(request):
    return {"DEMO_MODE": settings.DEMO_MODE, "may": _Reach(getattr(request, "user", None))}
