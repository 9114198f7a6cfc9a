"""The API docs page, always from this server's own static files.

django-ninja falls back to a page that loads Swagger UI from a CDN when ``ninja`` is not
an installed app; that page is blank on an intranet. This renderer never does: it uses our
template, which points at the copy of Swagger UI shipped inside django-ninja (served as
static files once ``ninja`` is in INSTALLED_APPS)."""

from __future__ import annotations

import json

from django.shortcuts import render
from ninja.openapi.docs import Swagger, _csrf_needed


class LocalSwagger(Swagger):
    template = "api/swagger.html"

    def render_page(self, request, api, **kwargs):
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            "swagger_settings": json.dumps(settings, indent=1),
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)
