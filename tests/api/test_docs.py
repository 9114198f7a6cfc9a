"""The OpenAPI schema and the docs page work on an intranet: nothing loads from other hosts."""

import json
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def test_openapi_schema_is_served(client, db):
    response = client.get("/api/v1/openapi.json")
    schema = json.loads(response.content)
    assert response.status_code == 200
    assert {"/api/v1/residents", "/api/v1/residents/{resident_id}/reveal", "/api/v1/me"} <= set(
        schema["paths"]
    )


def test_docs_page_loads_nothing_from_other_hosts(client, db):
    response = client.get("/api/v1/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert EXTERNAL.findall(html) == []
    assert "cdn" not in html.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in html


@pytest.mark.xfail(
    "ninja" not in settings.INSTALLED_APPS,
    reason="the Swagger UI copy inside django-ninja is served once 'ninja' is an installed app",
    strict=True,
)
def test_docs_assets_are_served_from_here():
    for asset in ["ninja/swagger-ui.css", "ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js"]:
        assert finders.find(asset), asset
