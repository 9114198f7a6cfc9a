"""Open311 shows only what staff published, and only the text they approved: the attack's
strings come out masked or not at all, in JSON and in XML."""

import json

import pytest

from gongzhi.voices import selectors
from gongzhi.voices import services as voices
from gongzhi.voices.enums import Channel, Publication
from gongzhi.voices.models import Item

from .conftest import body, validate, xml

BASE = "/open311/v2"

# (what a resident wrote, what must never be public). 王五 and 李四 are in the register
# but not the reporters: third parties.
ADVERSARIAL = [
    ("楼上漏水，电话138 1234 5678", ["138 1234 5678", "1234 5678"]),
    ("请打１３８１２３４５６７８联系", ["１３８１２３４５６７８"]),
    ("联系+86 13812345678", ["13812345678", "+86 138"]),
    ("联系86-138-1234-5678", ["138-1234-5678"]),
    ("联系0086 13812345678", ["13812345678"]),
    ("电话138.1234.5678或0812-3334455", ["138.1234.5678", "3334455"]),
    ("身份证510402 19500304 1234", ["510402 19500304 1234", "19500304"]),
    ("身份证５１０４０２１９５００３０４１２３Ｘ", ["５１０４０２"]),
    ("202户的狗天天叫", ["202户"]),
    ("3楼301装修太吵", ["3楼301", "301"]),
    ("301室往下漏水", ["301室"]),
    ("501房堆满杂物", ["501房"]),
    ("3-2-501门口堆物", ["3-2-501", "2-501"]),
    ("3栋2单元501天天吵", ["2单元501", "单元501"]),
    ("二单元501养鸽子", ["二单元501", "单元501"]),
    ("王五和李四吵架，李四骂人", ["王五", "李四"]),
    ("王阿姨家的空调滴水", ["王阿姨"]),
    ("李大爷和张师傅、刘老师都知道", ["李大爷", "张师傅", "刘老师"]),
]
PRIVATE = "私下反映，请勿告知他人：2栋1单元101的王五家里有人吸毒"


def _file(world, text):
    return voices.item_submit(
        actor=world.users["resident"], kind="problem", text=text, channel=Channel.ONLINE
    )


def _publish(world, item):
    return voices.item_publish(
        actor=world.users["secretary"],
        item=item,
        public_text=selectors.public_text_suggestion(item),
    )


def _everything_public(client, numbers) -> list[str]:
    texts = []
    for fmt in ["json", "xml"]:
        texts.append(client.get(f"{BASE}/requests.{fmt}").content.decode())
        texts.append(
            client.get(
                f"{BASE}/requests.{fmt}", {"service_request_id": ",".join(numbers)}
            ).content.decode()
        )
        for number in numbers:
            texts.append(client.get(f"{BASE}/requests/{number}.{fmt}").content.decode())
    return texts


def test_the_attacks_strings_are_masked_in_json_and_xml(client, world, categories):
    items = [_publish(world, _file(world, text)) for text, _ in ADVERSARIAL]
    private = _file(world, PRIVATE)
    numbers = [i.number for i in items] + [private.number]
    texts = _everything_public(client, numbers)
    leaked = [
        (secret, text[:60])
        for (_, secrets) in ADVERSARIAL
        for secret in secrets
        for text in texts
        if secret in text
    ]
    assert leaked == []
    # The private text is not there in any form.
    assert not any("吸毒" in t or "私下反映" in t for t in texts)
    listed = body(client.get(f"{BASE}/requests.json"))
    validate("requests", listed)
    assert {r["service_request_id"] for r in listed} == {i.number for i in items}
    by_id = {r["service_request_id"]: r["description"] for r in listed}
    assert by_id[items[0].number] == "楼上漏水，电话*** **** ****"
    assert by_id[items[13].number] == "3栋*单元***天天吵"
    assert by_id[items[15].number] == "王*和李*吵架，李*骂人"
    assert by_id[items[16].number] == "王**家的空调滴水"
    root = xml(client.get(f"{BASE}/requests.xml"))
    xml_by_id = {
        r.find("service_request_id").text: r.find("description").text
        for r in root.findall("request")
    }
    assert xml_by_id == by_id


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_private_item_answers_as_if_it_did_not_exist(client, world, categories, fmt):
    private = _file(world, PRIVATE)
    assert (private.private, private.publication) == (True, Publication.WITHHELD)
    response = client.get(f"{BASE}/requests/{private.number}.{fmt}")
    missing = client.get(f"{BASE}/requests/WJ2026-999999.{fmt}")
    assert (response.status_code, missing.status_code) == (404, 404)
    assert response.content.replace(private.number.encode(), b"") == missing.content.replace(
        b"WJ2026-999999", b""
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unreviewed_items_are_absent_and_404_by_id(client, world, categories, post, fmt):
    resident = _file(world, "楼道灯坏了")
    posted = body(post(service_code="other", description="井盖松动", address_string="1栋"))[0]
    for number in [resident.number, posted["service_request_id"]]:
        response = client.get(f"{BASE}/requests/{number}.{fmt}")
        assert response.status_code == 404
        if fmt == "json":
            assert body(response) == [
                {"code": 404, "description": f"service_request_id {number} 不存在。"}
            ]
        else:
            assert xml(response).find("error/code").text == "404"
    listing = client.get(f"{BASE}/requests.{fmt}")
    listed_by_id = client.get(
        f"{BASE}/requests.{fmt}",
        {"service_request_id": f"{resident.number},{posted['service_request_id']}"},
    )
    if fmt == "json":
        assert (body(listing), body(listed_by_id)) == ([], [])
    else:
        assert (xml(listing).findall("request"), xml(listed_by_id).findall("request")) == ([], [])


def test_published_items_show_only_the_approved_text(client, world, categories):
    item = _file(world, "我是张三，1栋1单元101的下水道堵了，电话13812345678")
    voices.item_publish(
        actor=world.users["grid"], item=item, public_text="1栋一楼的下水道堵了，请物业疏通。"
    )
    one = body(client.get(f"{BASE}/requests/{item.number}.json"))
    validate("requests", one)
    assert one[0]["description"] == "1栋一楼的下水道堵了，请物业疏通。"
    assert one[0]["address"] == "望江街社区 甘露园 1栋"
    text = json.dumps(one, ensure_ascii=False)
    assert "张三" not in text and "下水道堵了，电话" not in text


def test_withheld_after_publishing_is_taken_down(client, world, categories):
    item = _publish(world, _file(world, "路灯坏了"))
    assert client.get(f"{BASE}/requests/{item.number}.json").status_code == 200
    voices.item_withhold(actor=world.users["secretary"], item=item, reason="涉及邻里纠纷")
    assert client.get(f"{BASE}/requests/{item.number}.json").status_code == 404
    assert body(client.get(f"{BASE}/requests.json")) == []


def test_a_text_published_some_other_way_is_masked_once_more(client, world, categories):
    # A bulk load that sets the fields without the service cannot publish a number.
    item = _file(world, "路灯坏了")
    Item.objects.filter(pk=item.pk).update(
        publication=Publication.PUBLISHED, public_text="找3栋2单元501，电话138 1234 5678"
    )
    data = body(client.get(f"{BASE}/requests/{item.number}.json"))
    assert data[0]["description"] == "找3栋*单元***，电话*** **** ****"


def test_coordinates_are_rounded_to_about_a_hundred_metres(client, world, post):
    posted = body(
        post(
            service_code="other",
            description="井盖松动",
            lat="26.581234",
            long="101.723456",
        )
    )[0]
    _publish(world, Item.objects.get(number=posted["service_request_id"]))
    data = body(client.get(f"{BASE}/requests/{posted['service_request_id']}.json"))
    assert (data[0]["lat"], data[0]["long"]) == (26.581, 101.723)


def test_discovery_and_the_post_say_what_is_public(client, world, post):
    discovery = body(client.get(f"{BASE}/discovery.json"))
    validate("discovery", discovery)
    assert "404" in discovery["publication"] and "私下反映" in discovery["publication"]
    assert "404" in xml(client.get(f"{BASE}/discovery.xml")).find("publication").text
    posted = body(post(service_code="other", description="井盖松动", address_string="1栋"))
    validate("request_post", posted)
    assert "审核" in posted[0]["service_notice"] and "404" in posted[0]["service_notice"]
    private = body(
        post(service_code="other", description="私下反映：" + "井盖松动", address_string="1栋")
    )
    assert private[0]["service_notice"].endswith("内容要求不公开（私下反映），不会公开。")
    assert Item.objects.get(number=private[0]["service_request_id"]).private is True
