from django.utils.functional import SimpleLazyObject

from .menu import menu_for


def menu(request):
    """``menu``: the main navigation of the user making the request (``workbench.menu``).
    Lazy, so that a page that shows no navigation (an htmx fragment) costs no query."""
    user = getattr(request, "user", None)
    return {"menu": SimpleLazyObject(lambda: menu_for(user, request.path))}
