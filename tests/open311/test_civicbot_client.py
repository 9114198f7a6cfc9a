"""A second third-party GeoReport v2 client, ``civicbot``'s ``Open311Client``, which (unlike
``georeport``) can post: it lists the services, files a request with the API key and reads
it back, over HTTP against the running server: 404 until staff publish it, then the text
they approved."""

import pytest
from civicbot.http import HttpError
from civicbot.open311 import CONFIRM_TOKEN, Open311Client
from civicbot.registry import Endpoint

from gongzhi.open311.services import api_key_issue
from gongzhi.voices import selectors
from gongzhi.voices import services as voices
from gongzhi.voices.catalogue import ensure_categories
from gongzhi.voices.enums import Channel
from gongzhi.voices.models import Item

from .conftest import validate

pytestmark = pytest.mark.django_db(transaction=True)


def test_civicbot_lists_posts_and_reads_back(live_server, world):
    ensure_categories()
    key = api_key_issue(actor=None, community=world.wj, name="civicbot")[1]
    endpoint = Endpoint(
        id="gongzhi", name="望江街社区", base_url=f"{live_server.url}/open311/v2", write=True
    )
    client = Open311Client(endpoint)

    services = client.list_services()
    validate("services", services)
    assert "flying_wires" in {s["service_code"] for s in services}

    sent = client.create_request(
        "flying_wires",
        dry_run=False,
        confirm=CONFIRM_TOKEN,
        api_key=key,
        validate_remote=True,
        address_string="1栋2单元",
        description="2单元有人从五楼窗户拉电线下来给电瓶车充电",
    )
    validate("request_post", sent.response)
    number = sent.response[0]["service_request_id"]

    item = Item.objects.get(number=number)
    assert item.channel == Channel.OPEN311
    assert item.building_id == world.b1.pk
    with pytest.raises(HttpError) as caught:
        client.get_request(number)
    assert caught.value.status == 404

    voices.item_publish(
        actor=world.users["staff"],
        item=item,
        public_text=selectors.public_text_suggestion(item),
    )
    read_back = client.get_request(number)
    validate("requests", [read_back])
    assert read_back["service_request_id"] == number
    assert read_back["status"] == "open"
    assert read_back["description"] == "2单元有人从五楼窗户拉电线下来给电瓶车充电"
