"""A resident's page in the workbench: 拨打电话 through the audited reveal (a reason, then
the tel: link), and that resident's items and wishes within the user's reach."""

from django.urls import reverse

from gongzhi.core.models import AuditEvent
from gongzhi.voices import services as voices
from gongzhi.voices.enums import Channel, ItemKind
from gongzhi.wishes import services as wishes


def _calls(user):
    return AuditEvent.objects.filter(
        action="places.resident.revealed", actor=user, changes__field="phone"
    ).count()


def _report(world, resident, text):
    return voices.item_submit(
        actor=world.users["admin"],
        kind=ItemKind.PROBLEM,
        text=text,
        channel=Channel.VISIT,
        on_behalf_of=world.residents[resident],
    )


def test_calling_goes_through_a_reason_and_is_audited(world, login):
    user, zhangsan = world.users["grid"], world.residents["zhangsan"]
    client = login(user)
    page = client.get(reverse("wb-resident", args=[zhangsan.pk])).content.decode()
    assert "拨打电话" in page
    assert '<input type="hidden" name="then" value="call">' in page
    assert "tel:" not in page  # no number before a reason is given

    url = reverse("wb-resident-reveal", args=[zhangsan.pk, "phone"])
    refused = client.post(url, {"then": "call", "reason": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400
    assert "tel:" not in refused.content.decode()
    assert _calls(user) == 0

    called = client.post(url, {"then": "call", "reason": "emergency"}, HTTP_HX_REQUEST="true")
    html = called.content.decode()
    assert called.status_code == 200
    # The tel: link takes the focus, so one more tap dials.
    assert '<a class="btn btn-small" href="tel:13812345678" data-focus-on-swap>' in html
    assert _calls(user) == 1

    # Without JavaScript the page comes back with the same link.
    whole = client.post(url, {"then": "call", "reason": "home_visit"}).content.decode()
    assert 'href="tel:13812345678"' in whole
    assert _calls(user) == 2


def test_a_plain_reveal_of_the_phone_offers_the_call_too(world, login):
    zhangsan = world.residents["zhangsan"]
    url = reverse("wb-resident-reveal", args=[zhangsan.pk, "phone"])
    html = login(world.users["grid"]).post(url, {"reason": "home_visit"}, HTTP_HX_REQUEST="true")
    text = html.content.decode()
    assert 'href="tel:13812345678">' in text
    assert 'class="pii revealed" tabindex="-1" data-focus-on-swap' in text


def test_no_call_for_an_id_number(world, login):
    zhangsan = world.residents["zhangsan"]
    url = reverse("wb-resident-reveal", args=[zhangsan.pk, "id_number"])
    text = login(world.users["grid"]).post(url, {"reason": "home_visit", "then": "call"})
    assert "tel:" not in text.content.decode()


def test_the_page_lists_the_residents_items_and_wishes(world, login):
    mine = _report(world, "zhangsan", "1栋门口的路灯不亮了")
    other = _report(world, "lisi", "1栋2单元楼道灯坏了")
    wish = wishes.wish_submit(
        actor=world.users["admin"],
        resident=world.residents["zhangsan"],
        category="daily_goods",
        text="想要一台收音机",
    )
    page = (
        login(world.users["grid"])
        .get(reverse("wb-resident", args=[world.residents["zhangsan"].pk]))
        .content.decode()
    )
    assert f'<a href="/voices/{mine.pk}/">{mine.number}</a>' in page
    assert other.number not in page
    assert f'<a href="/wishes/{wish.pk}/">想要一台收音机</a>' in page


def test_items_out_of_the_users_reach_are_not_listed(world, login):
    # 张三 joins 王五's item in grid 2: the grid chief of grid 1 does not see that item.
    far = _report(world, "wangwu", "2栋门口垃圾没人清运")
    voices.item_join(actor=world.users["resident"], item=far)
    zhangsan = world.residents["zhangsan"]
    grid_page = login(world.users["grid"]).get(reverse("wb-resident", args=[zhangsan.pk]))
    assert far.number not in grid_page.content.decode()
    staff_page = login(world.users["staff"]).get(reverse("wb-resident", args=[zhangsan.pk]))
    assert far.number in staff_page.content.decode()


def test_the_page_costs_the_same_with_more_items_and_wishes(world, login, same_queries):
    def grow():
        for n in range(4):
            _report(world, "zhangsan", f"1栋第{n}个问题")
            wishes.wish_submit(
                actor=world.users["admin"],
                resident=world.residents["zhangsan"],
                category="other",
                text=f"心愿{n}",
            )

    small, big = same_queries(
        login(world.users["staff"]),
        reverse("wb-resident", args=[world.residents["zhangsan"].pk]),
        grow,
    )
    assert "没有反映过诉求。" in small
    assert big.count("/voices/") >= 4
