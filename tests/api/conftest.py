import json
import re

import pytest


class Api:
    """The test client speaking JSON to /api/v1/ as one logged-in user (session auth)."""

    def __init__(self, client):
        self.client = client

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path, body=None):
        return self.client.post(
            f"/api/v1{path}", json.dumps(body or {}), content_type="application/json"
        )

    def patch(self, path, body=None):
        return self.client.patch(
            f"/api/v1{path}", json.dumps(body or {}), content_type="application/json"
        )


@pytest.fixture
def api_as(login):
    def _api_as(user):
        return Api(login(user))

    return _api_as


def pytest_ignore_collect(collection_path, config):
    """The API fuzzing takes minutes, and loading it seconds: it is collected only when
    asked for by marker (``make test-fuzz``, ``-m fuzz``), never in a plain run."""
    if collection_path.name == "test_fuzz.py":
        asked = re.search(r"(?<!not )\bfuzz\b", config.getoption("markexpr") or "")
        return None if asked else True
    return None
