"""A third-party GeoReport v2 client against the running server: ``georeport`` lists the
services, reads a service definition, and reads back the requests.

``georeport`` has no call that posts a request, so posting goes through a few lines written
from the specification (form-encoded ``POST requests.json`` with ``api_key``); what it
posted is then read back with ``georeport``, in JSON and in XML — once staff have
published it: until then the request answers 404, as one that does not exist."""

import pytest
import requests as http
from georeport import GeoReport

from gongzhi.open311.services import api_key_issue
from gongzhi.voices import selectors, services
from gongzhi.voices.catalogue import ensure_categories
from gongzhi.voices.models import Item

from .conftest import validate

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def endpoint(live_server):
    return f"{live_server.url}/open311/v2"


@pytest.fixture
def raw_key(world):
    ensure_categories()
    return api_key_issue(actor=None, community=world.wj, name="第三方客户端")[1]


def post_service_request(endpoint: str, api_key: str, **fields) -> list[dict]:
    """POST Service Request as the specification describes it."""
    response = http.post(f"{endpoint}/requests.json", data={"api_key": api_key, **fields})
    response.raise_for_status()
    return response.json()


def publish(world, number: str) -> Item:
    item = Item.objects.get(number=number)
    return services.item_publish(
        actor=world.users["secretary"],
        item=item,
        public_text=selectors.public_text_suggestion(item),
    )


def test_client_lists_services_posts_and_reads_back(endpoint, raw_key, world):
    client = GeoReport(endpoint, api_key=raw_key)
    services = client.get_service_list()
    validate("services", services)
    assert "parking" in {s["service_code"] for s in services}
    assert client.get_service_definition("parking") == {
        "service_code": "parking",
        "attributes": [],
    }

    posted = post_service_request(
        endpoint,
        raw_key,
        service_code="parking",
        description="小区门口有车长期占用消防通道",
        address_string="1栋",
        lat="26.58",
        long="101.72",
    )
    validate("request_post", posted)
    number = posted[0]["service_request_id"]
    assert Item.objects.get(number=number).channel == "open311"
    with pytest.raises(http.HTTPError) as caught:
        client.get_service_request(number)
    assert caught.value.response.status_code == 404
    assert client.get_service_requests(service_code="parking") == []

    publish(world, number)
    one = client.get_service_request(number)
    assert (one["service_request_id"], one["service_code"], one["status"]) == (
        number,
        "parking",
        "open",
    )
    assert (one["lat"], one["long"]) == (26.58, 101.72)
    assert one["description"] == "小区门口有车长期占用消防通道"
    listed = client.get_service_requests(service_code="parking", status="open")
    validate("requests", listed)
    assert [r["service_request_id"] for r in listed] == [number]


def test_client_in_xml(endpoint, raw_key, world):
    client = GeoReport(endpoint, api_key=raw_key, output_format="xml")
    services = client.get_service_list()
    assert "parking" in {s["service_code"] for s in services}
    number = post_service_request(
        endpoint, raw_key, service_code="roads", description="路面塌陷一个坑", address_string="2栋"
    )[0]["service_request_id"]
    publish(world, number)
    one = client.get_service_request(number)
    assert (one["service_request_id"], one["service_code"], one["address"]) == (
        number,
        "roads",
        "望江街社区 民安巷小区 2栋",
    )
    assert one["requested_datetime"].endswith("+08:00")


def test_client_sees_errors_as_http_errors(endpoint, raw_key):
    client = GeoReport(endpoint)
    with pytest.raises(http.HTTPError) as caught:
        client.get_service_definition("nope")
    assert caught.value.response.status_code == 404
    assert caught.value.response.json() == [
        {"code": 404, "description": "service_code nope 不存在。"}
    ]
