import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from gongzhi.open311.services import api_key_issue
from gongzhi.voices.catalogue import ensure_categories

SCHEMAS = Path(__file__).parent / "schemas"


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((path.name, DRAFT202012.create_resource(schema)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validate(name: str, document) -> None:
    """Raise unless ``document`` follows the GeoReport v2 schema ``name``."""
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    Draft202012Validator(schema, registry=REGISTRY).validate(document)


def body(response):
    return json.loads(response.content)


def xml(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    return ET.fromstring(response.content)


@pytest.fixture
def categories(world):
    ensure_categories()


@pytest.fixture
def key(world, categories):
    """A key of 望江街社区 and the key itself."""
    row, raw = api_key_issue(actor=None, community=world.wj, name="市民热线")
    return row, raw


@pytest.fixture
def post(client, key):
    """POST requests.{fmt} with the key (unless given another) and form fields."""

    def _post(fmt="json", *, api_key=None, **fields):
        data = {"api_key": key[1] if api_key is None else api_key, **fields}
        return client.post(f"/open311/v2/requests.{fmt}", data)

    return _post
