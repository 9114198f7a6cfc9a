"""The residents' voice pages, per role: what each page shows, what each form does through
the services, refusals that keep what was typed, 404 across scope, partner isolation, and
query-count guards on every list page."""

from __future__ import annotations

import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from gongzhi.orgs.models import PartnerUnit
from gongzhi.voices import services
from gongzhi.voices.enums import Channel, DispatchStatus, ItemKind, Level, Status
from gongzhi.voices.models import Attachment, Item, ItemReporter, ReturnVisit
from tests.images import PNG
from tests.world import make_user

LIGHT = "1栋门口的路灯不亮了，晚上很黑，老人出门不安全。"


def report(world, text=LIGHT, *, share_phone=False, resident="zhangsan", user="resident"):
    """An item raised online by a resident of the world (张三 unless told otherwise)."""
    u = world.users
    if resident == "zhangsan":
        return services.item_submit(
            actor=u[user],
            kind=ItemKind.PROBLEM,
            text=text,
            channel=Channel.ONLINE,
            share_phone_with_partner=share_phone,
        )
    return services.item_submit(
        actor=u["admin"],
        kind=ItemKind.PROBLEM,
        text=text,
        channel=Channel.VISIT,
        on_behalf_of=world.residents[resident],
    )


def dispatched(world, **kwargs):
    """张三's item accepted by community staff at the community and dispatched to 市住建局."""
    u = world.users
    item = report(world, **kwargs)
    category = item.suggested_category
    services.item_accept(actor=u["staff"], item=item, category=category, level=Level.COMMUNITY)
    dispatch = services.item_dispatch(actor=u["staff"], item=item, unit=world.partner)
    return item, dispatch


def page_text(response) -> str:
    return response.content.decode()


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- the resident's three steps ---------------------------------------------------------


def test_step_one_offers_problem_and_suggestion(world, categories, login):
    response = login(world.users["resident"]).get("/voices/new/")
    text = page_text(response)
    assert response.status_code == 200
    assert 'class="resident"' in text
    assert "第1步" in text
    assert 'value="problem"' in text and "反映问题" in text
    assert 'value="suggestion"' in text and "提个建议" in text


def test_four_steps_file_an_item_and_show_its_number(world, categories, login):
    client = login(world.users["resident"])
    step2 = client.get("/voices/new/", {"kind": "problem"})
    assert "第2步" in page_text(step2)
    assert "允许责任单位看到我的电话" in page_text(step2)
    said = {"kind": "problem", "text": LIGHT, "share_phone": "on"}
    where = client.post("/voices/new/", {**said, "action": "where"})
    assert where.status_code == 200
    assert "第3步" in page_text(where) and "这件事在哪里？" in page_text(where)
    review = client.post("/voices/new/", {**said, "action": "review", "where": "home"})
    assert review.status_code == 200
    assert "第4步" in page_text(review)
    assert LIGHT in page_text(review)
    assert "地点：我家（1栋1单元101）" in page_text(review)
    assert Item.objects.count() == 0

    done = client.post(
        "/voices/new/",
        {**said, "where": "home", "action": "save"},
        follow=True,
    )
    item = Item.objects.get()
    assert done.status_code == 200
    assert item.number in page_text(done)
    assert (item.kind, item.channel, item.text) == (ItemKind.PROBLEM, Channel.ONLINE, LIGHT)
    assert item.household == world.households["1-1-101"]
    reporter = item.reporters.get()
    assert reporter.resident_id == world.residents["zhangsan"].pk
    assert reporter.share_phone_with_partner is True


def test_similar_open_items_of_the_building_are_offered_before_submitting(world, categories, login):
    neighbour = report(world, "1栋门口路灯坏了不亮，晚上看不见路", resident="lisi")
    client = login(world.users["resident"])
    review = client.post("/voices/new/", {"kind": "problem", "text": LIGHT, "action": "review"})
    text = page_text(review)
    assert "我也遇到了" in text
    assert neighbour.number in text
    assert f'action="/voices/{neighbour.pk}/join/"' in text
    offer = re.search(r'name="offer" value="([^"]+)"', review.content.decode()).group(1)

    joined = client.post(f"/voices/{neighbour.pk}/join/", {"offer": offer}, follow=True)
    assert joined.status_code == 200
    assert "已附议" in page_text(joined)
    assert Item.objects.count() == 1
    assert neighbour.reporters.filter(resident=world.residents["zhangsan"]).exists()


def test_joining_an_item_of_another_building_is_not_found(world, categories, login):
    other = report(world, "2栋门口路灯坏了", resident="wangwu")
    response = login(world.users["resident"]).post(f"/voices/{other.pk}/join/")
    assert response.status_code == 404
    assert other.reporters.count() == 1


@pytest.mark.parametrize("action", ["review", "save"])
def test_empty_text_is_refused_in_chinese(world, categories, login, action):
    response = login(world.users["resident"]).post(
        "/voices/new/", {"kind": "problem", "text": "   ", "action": action}
    )
    assert response.status_code == 400
    assert "请填写诉求内容。" in page_text(response)
    assert "第2步" in page_text(response)
    assert Item.objects.count() == 0


def test_oversized_text_is_refused_and_kept(world, categories, login):
    long_text = "路灯不亮" * 501  # 2004 characters
    response = login(world.users["resident"]).post(
        "/voices/new/", {"kind": "problem", "text": long_text, "action": "save"}
    )
    text = page_text(response)
    assert response.status_code == 400
    assert "内容不能超过2000字（现有2004字）。" in text
    assert long_text in text
    assert Item.objects.count() == 0


def test_markup_is_shown_inert_everywhere(world, categories, login):
    script = '<script>alert("x")</script><b>楼道灯</b>坏了'
    client = login(world.users["resident"])
    review = client.post("/voices/new/", {"kind": "problem", "text": script, "action": "review"})
    assert "<script>alert" not in page_text(review)
    assert html.escape(script) in page_text(review)
    client.post("/voices/new/", {"kind": "problem", "text": script, "action": "save"})
    item = Item.objects.get()
    assert item.text == script
    for response in [
        client.get(f"/voices/{item.pk}/"),
        login(world.users["grid"]).get(f"/voices/{item.pk}/"),
        login(world.users["grid"]).get("/voices/inbox/"),
    ]:
        assert "<script>alert" not in page_text(response)
        assert "<b>楼道灯</b>" not in page_text(response)


def test_fake_image_is_refused_and_the_text_is_kept(world, categories, login):
    fake = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
    response = login(world.users["resident"]).post(
        "/voices/new/",
        {"kind": "problem", "text": LIGHT, "photos": [fake], "action": "review"},
    )
    text = page_text(response)
    assert response.status_code == 400
    assert "第1张不是有效的图片（仅支持JPEG、PNG、WebP）。" in text
    assert LIGHT in text
    assert Item.objects.count() == 0


def test_a_photo_chosen_at_step_two_reaches_the_item_and_is_served_in_scope(
    world, categories, login
):
    client = login(world.users["resident"])
    photo = SimpleUploadedFile("light.png", PNG, content_type="image/png")
    review = client.post(
        "/voices/new/", {"kind": "problem", "text": LIGHT, "photos": [photo], "action": "review"}
    )
    assert "附1张照片" in page_text(review)
    pending = review.context["pending"]
    client.post(
        "/voices/new/",
        {"kind": "problem", "text": LIGHT, "pending": pending, "action": "save"},
    )
    item = Item.objects.get()
    attachment = Attachment.objects.get(item=item)
    url = f"/voices/{item.pk}/photo/{attachment.pk}/"
    served = client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (8, 6)
    assert login(world.users["other_staff"]).get(url).status_code == 404
    assert login(world.users["partner"]).get(url).status_code == 404


def test_pending_photo_names_from_another_session_are_ignored(world, categories, login):
    client = login(world.users["resident"])
    client.post(
        "/voices/new/",
        {
            "kind": "problem",
            "text": LIGHT,
            "pending": ["voices/2026/01/secret.png"],
            "action": "save",
        },
    )
    assert Attachment.objects.count() == 0
    assert Item.objects.count() == 1


# --- the resident's items ---------------------------------------------------------------


def test_my_items_list_and_guard(world, categories, login):
    client = login(world.users["resident"])
    first = report(world)
    one = queries(lambda: client.get("/voices/"))
    report(world, "楼道里堆了很多杂物")
    report(world, "小区花园的长椅坏了")
    three = queries(lambda: client.get("/voices/"))
    assert one == three
    text = page_text(client.get("/voices/"))
    assert first.number in text
    assert "待受理" in text


def test_resident_item_page_shows_the_public_timeline_only(world, categories, login):
    u = world.users
    item = report(world)
    services.item_comment(actor=u["grid"], item=item, note="内部：先联系物业")
    response = login(u["resident"]).get(f"/voices/{item.pk}/")
    text = page_text(response)
    assert response.status_code == 200
    assert 'class="resident"' in text
    assert "提交" in text
    assert "内部：先联系物业" not in text
    assert "请您评价办理结果" not in text


def test_resident_rates_a_resolved_item(world, categories, login):
    u = world.users
    item = report(world)
    services.item_accept(actor=u["grid"], item=item, category=categories["lights"])
    services.item_resolve(actor=u["grid"], item=item, note="已更换灯泡")
    client = login(u["resident"])
    page = client.get(f"/voices/{item.pk}/")
    assert "请您评价办理结果" in page_text(page)
    assert "已更换灯泡" in page_text(page)

    refused = client.post(f"/voices/{item.pk}/rate/", {"solved": "solved", "comment": "谢谢"})
    assert refused.status_code == 400
    assert "请选择满意程度。" in page_text(refused)
    assert "谢谢" in page_text(refused)

    client.post(f"/voices/{item.pk}/rate/", {"solved": "solved", "satisfaction": "satisfied"})
    item.refresh_from_db()
    assert item.status == Status.CLOSED
    visit = ReturnVisit.objects.get(item=item)
    assert (visit.by_resident, visit.satisfaction) == (True, "satisfied")


def test_another_resident_cannot_see_or_rate(world, categories, login):
    u = world.users
    item = report(world)
    lisi = make_user("resident-lisi", resident=world.residents["lisi"])
    client = login(lisi)
    assert client.get(f"/voices/{item.pk}/").status_code == 404
    assert client.post(f"/voices/{item.pk}/rate/", {"solved": "solved"}).status_code == 404
    assert u["resident"] != lisi


# --- staff ------------------------------------------------------------------------------


def test_inbox_shows_items_in_reach_with_overdue_in_words(world, categories, login):
    mine_ = report(world)
    other = report(world, "2栋楼道灯坏了", resident="wangwu")
    Item.objects.filter(pk=mine_.pk).update(due_at=mine_.submitted_at.replace(year=2020))
    response = login(world.users["grid"]).get("/voices/inbox/")
    text = page_text(response)
    assert mine_.number in text
    assert other.number not in text
    assert "已超时" in text
    assert 'class="overdue"' in text

    only_overdue = login(world.users["staff"]).get("/voices/inbox/", {"overdue": "on"})
    assert mine_.number in page_text(only_overdue)
    assert other.number not in page_text(only_overdue)
    grid2 = login(world.users["staff"]).get("/voices/inbox/", {"grid": world.g2.pk})
    assert other.number in page_text(grid2)
    assert mine_.number not in page_text(grid2)


def test_inbox_filters_by_status_level_and_category(world, categories, login):
    u = world.users
    a = report(world)
    b = report(world, "楼道墙面裂缝漏水")
    services.item_accept(actor=u["staff"], item=b, category=categories["building"])
    client = login(u["staff"])
    accepted = page_text(client.get("/voices/inbox/", {"status": "accepted"}))
    assert b.number in accepted and a.number not in accepted
    by_cat = page_text(client.get("/voices/inbox/", {"category": categories["building"].pk}))
    assert b.number in by_cat and a.number not in by_cat
    level = page_text(client.get("/voices/inbox/", {"level": a.level}))
    assert a.number in level


def test_inbox_query_count_does_not_grow(world, categories, login):
    client = login(world.users["staff"])
    report(world)
    one = queries(lambda: client.get("/voices/inbox/"))
    report(world, "楼道墙面裂缝漏水")
    report(world, "2栋楼道灯坏了", resident="wangwu")
    assert queries(lambda: client.get("/voices/inbox/")) == one


@pytest.mark.parametrize("queue", ["new", "returned"])
def test_inbox_queue_query_count_does_not_grow(world, categories, login, queue):
    def one_more(text):
        if queue == "new":
            return report(world, text)
        _item, dispatch = dispatched(world, text=text)
        services.dispatch_return(actor=world.users["partner"], dispatch=dispatch, reason="不归我们")

    client = login(world.users["staff"])
    one_more(LIGHT)
    one = queries(lambda: client.get("/voices/inbox/", {"queue": queue}))
    one_more("楼道墙面裂缝漏水")
    one_more("屋顶漏水很严重")
    assert queries(lambda: client.get("/voices/inbox/", {"queue": queue})) == one


def test_inbox_queue_returned_lists_what_a_unit_sent_back(world, categories, login):
    item, dispatch = dispatched(world)
    other, _ = dispatched(world, text="楼道墙面裂缝漏水")
    services.dispatch_return(actor=world.users["partner"], dispatch=dispatch, reason="不归我们")
    client = login(world.users["staff"])
    listed = page_text(client.get("/voices/inbox/", {"queue": "returned"}))
    assert item.number in listed and other.number not in listed
    assert '<option value="returned" selected>被退回</option>' in listed


def test_inbox_is_not_for_residents_or_partners(world, login):
    assert login(world.users["resident"]).get("/voices/inbox/").status_code == 404
    assert login(world.users["partner"]).get("/voices/inbox/").status_code == 404


def test_staff_item_page_shows_suggestion_similar_items_and_actions(world, categories, login):
    neighbour = report(world, "1栋门口路灯坏了不亮，晚上看不见路", resident="lisi")
    item = report(world, share_phone=True)
    response = login(world.users["grid"]).get(f"/voices/{item.pk}/")
    text = page_text(response)
    assert response.status_code == 200
    assert "路灯照明" in text
    assert "得分" in text
    assert neighbour.number in text and "并入" in text
    assert "受理并分类" in text
    assert "上报上一级" in text
    assert "派单给共建单位" not in text  # a grid item is escalated before it is dispatched
    assert "张三" in text and "138****5678" in text


def test_item_out_of_reach_is_not_found(world, categories, login):
    other = report(world, "2栋楼道灯坏了", resident="wangwu")
    client = login(world.users["grid"])
    assert client.get(f"/voices/{other.pk}/").status_code == 404
    response = client.post(f"/voices/{other.pk}/escalate/", {"reason": "越界"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.level == Level.GRID


def test_accept_and_escalate_through_the_forms(world, categories, login):
    item = report(world)
    client = login(world.users["grid"])
    response = client.post(
        f"/voices/{item.pk}/accept/",
        {"category": categories["lights"].pk, "level": "grid", "note": "明天去看"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.category_id, item.level) == (
        Status.ACCEPTED,
        categories["lights"].pk,
        Level.GRID,
    )

    refused = client.post(f"/voices/{item.pk}/escalate/", {"reason": ""})
    assert refused.status_code == 400
    assert "请填写上报原因。" in page_text(refused)

    client.post(
        f"/voices/{item.pk}/escalate/", {"reason": "需要更换灯杆，网格解决不了", "confirm": "yes"}
    )
    item.refresh_from_db()
    assert item.level == Level.COMMUNITY
    after = page_text(client.get(f"/voices/{item.pk}/"))
    assert "上报至社区" in after
    assert "上报上一级" not in after


def test_a_refused_form_keeps_what_was_typed(world, categories, login):
    item = report(world)
    client = login(world.users["grid"])
    response = client.post(f"/voices/{item.pk}/accept/", {"category": "", "note": "我写的受理说明"})
    assert response.status_code == 400
    assert "请选择有效的分类。" in page_text(response)
    assert "我写的受理说明" in page_text(response)


def test_dispatch_verify_and_visit_through_the_forms(world, categories, login):
    u = world.users
    item = report(world)
    services.item_accept(
        actor=u["staff"], item=item, category=categories["building"], level=Level.COMMUNITY
    )
    staff = login(u["staff"])
    assert "派单给共建单位" in page_text(staff.get(f"/voices/{item.pk}/"))
    staff.post(
        f"/voices/{item.pk}/dispatch/",
        {"unit": world.partner.pk, "instructions": "请核查灯杆", "confirm": "yes"},
    )
    item.refresh_from_db()
    assert item.status == Status.DISPATCHED
    dispatch = item.dispatches.get()
    services.dispatch_accept(actor=u["partner"], dispatch=dispatch)
    services.dispatch_reply(actor=u["partner"], dispatch=dispatch, reply="已更换灯杆")
    page = page_text(staff.get(f"/voices/{item.pk}/"))
    assert "核实单位答复" in page and "已更换灯杆" in page

    refused = staff.post(f"/voices/{item.pk}/verify/", {"accepted": "no", "note": ""})
    assert refused.status_code == 400
    assert "请填写不予通过的原因。" in page_text(refused)
    staff.post(
        f"/voices/{item.pk}/verify/", {"accepted": "yes", "note": "现场看过", "confirm": "yes"}
    )
    item.refresh_from_db()
    assert item.status == Status.RESOLVED

    staff.post(
        f"/voices/{item.pk}/visit/",
        {"solved": "partly", "satisfaction": "basically", "comment": "还行"},
    )
    item.refresh_from_db()
    assert item.status == Status.CLOSED


def test_comment_and_merge(world, categories, login):
    neighbour = report(world, "1栋门口路灯坏了不亮，晚上看不见路", resident="lisi")
    item = report(world)
    client = login(world.users["grid"])
    client.post(f"/voices/{item.pk}/comment/", {"note": "已电话联系"})
    assert "已电话联系" in page_text(client.get(f"/voices/{item.pk}/"))
    refused = client.post(f"/voices/{item.pk}/merge/", {"into": "WJ1999-000000"})
    assert refused.status_code == 400
    assert "没有找到编号为“WJ1999-000000”的诉求。" in page_text(refused)
    client.post(f"/voices/{item.pk}/merge/", {"into": neighbour.number})
    item.refresh_from_db()
    assert (item.status, item.merged_into_id) == (Status.MERGED, neighbour.pk)
    assert neighbour.reporters.filter(resident=world.residents["zhangsan"]).exists()


# --- on behalf --------------------------------------------------------------------------


def test_leader_finds_a_resident_with_htmx_and_enters_for_them(world, categories, login):
    client = login(world.users["building"])
    partial = client.get("/voices/for/", {"q": "张三"}, HTTP_HX_REQUEST="true")
    assert "<html" not in page_text(partial)
    assert f"/voices/for/{world.residents['zhangsan'].pk}/" in page_text(partial)
    out_of_reach = page_text(client.get("/voices/for/", {"q": "王五"}))
    assert f"/voices/for/{world.residents['wangwu'].pk}/" not in out_of_reach
    assert "没有找到“王五”。" in out_of_reach

    url = f"/voices/for/{world.residents['zhangsan'].pk}/"
    assert "怎样收集的" in page_text(client.get(url, {"kind": "problem"}))
    client.post(url, {"kind": "problem", "text": LIGHT, "channel": "phone", "action": "save"})
    item = Item.objects.get()
    reporter = ItemReporter.objects.get(item=item)
    assert reporter.resident_id == world.residents["zhangsan"].pk
    assert reporter.entered_by_id == world.users["building"].pk
    assert item.channel == Channel.PHONE


def test_leader_cannot_enter_for_a_resident_out_of_reach(world, login):
    url = f"/voices/for/{world.residents['wangwu'].pk}/"
    assert login(world.users["building"]).get(url).status_code == 404


# --- partner units ----------------------------------------------------------------------


def test_partner_inbox_shows_only_its_dispatches(world, categories, login):
    item, dispatch = dispatched(world)
    report(world, "楼道里堆了很多杂物")
    response = login(world.users["partner"]).get("/voices/partner/")
    text = page_text(response)
    assert item.number in text
    assert "待签收" in text
    assert Item.objects.exclude(pk=item.pk).get().number not in text


def test_partner_inbox_query_count_does_not_grow(world, categories, login):
    client = login(world.users["partner"])
    dispatched(world)
    one = queries(lambda: client.get("/voices/partner/"))
    dispatched(world, text="楼道墙面裂缝漏水")
    dispatched(world, text="屋顶漏水很严重")
    assert queries(lambda: client.get("/voices/partner/")) == one


def test_another_unit_sees_nothing(world, categories, login):
    item, dispatch = dispatched(world)
    other_unit = PartnerUnit.objects.create(name="某燃气公司", short_name="燃气公司")
    other_unit.communities.add(world.wj)
    stranger = make_user("partner-gas", partner=other_unit)
    client = login(stranger)
    assert item.number not in page_text(client.get("/voices/partner/"))
    assert client.get(f"/voices/partner/{dispatch.pk}/").status_code == 404
    assert client.post(f"/voices/partner/{dispatch.pk}/accept/").status_code == 404
    assert client.get(f"/voices/{item.pk}/").status_code == 404
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.SENT


def test_partner_sees_masked_name_and_phone_only_when_shared(world, categories, login):
    shared, d1 = dispatched(world, share_phone=True)
    client = login(world.users["partner"])
    text = page_text(client.get(f"/voices/partner/{d1.pk}/"))
    assert "张*" in text and "张三" not in text
    assert "138****5678" in text
    services.dispatch_return(actor=world.users["partner"], dispatch=d1, reason="非本单位职责")

    hidden, d2 = dispatched(world, text="楼道墙面裂缝漏水")
    text = page_text(client.get(f"/voices/partner/{d2.pk}/"))
    assert "张*" in text
    assert "5678" not in text
    assert "未同意提供电话" in text


def test_partner_accepts_replies_with_evidence_and_returns(world, categories, login):
    item, dispatch = dispatched(world)
    client = login(world.users["partner"])
    page = page_text(client.get(f"/voices/partner/{dispatch.pk}/"))
    assert "签收" in page and "退回" in page
    client.post(f"/voices/partner/{dispatch.pk}/accept/", {"confirm": "yes"})
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.ACCEPTED

    fake = SimpleUploadedFile("x.png", b"GIF89a", content_type="image/png")
    refused = client.post(
        f"/voices/partner/{dispatch.pk}/reply/", {"reply": "已修好", "evidence": [fake]}
    )
    assert refused.status_code == 400
    assert "不是有效的图片" in page_text(refused)
    assert "已修好" in page_text(refused)

    photo = SimpleUploadedFile("done.png", PNG, content_type="image/png")
    client.post(f"/voices/partner/{dispatch.pk}/reply/", {"reply": "已修好", "evidence": [photo]})
    dispatch.refresh_from_db()
    assert (dispatch.status, dispatch.reply) == (DispatchStatus.REPLIED, "已修好")
    assert dispatch.evidence.count() == 1


def test_partner_return_needs_a_reason(world, categories, login):
    item, dispatch = dispatched(world)
    client = login(world.users["partner"])
    refused = client.post(f"/voices/partner/{dispatch.pk}/return/", {"reason": ""})
    assert refused.status_code == 400
    assert "请填写退回原因。" in page_text(refused)
    client.post(
        f"/voices/partner/{dispatch.pk}/return/", {"reason": "属于供电公司", "confirm": "yes"}
    )
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED


def test_partner_pages_are_not_for_others(world, categories, login):
    item, dispatch = dispatched(world)
    assert login(world.users["staff"]).get("/voices/partner/").status_code == 404
    assert login(world.users["resident"]).get(f"/voices/partner/{dispatch.pk}/").status_code == 404


# --- measures ---------------------------------------------------------------------------


def _closed(world, categories, text=LIGHT):
    u = world.users
    item = report(world, text)
    services.item_accept(actor=u["grid"], item=item, category=categories["lights"])
    services.item_resolve(actor=u["grid"], item=item, note="已修好")
    services.item_return_visit(
        actor=u["resident"], item=item, solved="solved", satisfaction="satisfied", by_resident=True
    )
    return item


def test_measures_show_numerators_denominators_and_definitions(world, categories, login):
    _closed(world, categories)
    report(world, "2栋楼道灯坏了", resident="wangwu")
    response = login(world.users["staff"]).get("/voices/measures/")
    text = page_text(response)
    assert response.status_code == 200
    rows = {r.label: r for r, _ratios in response.context["rows"]}
    assert rows["第一网格"].received == 1
    assert (rows["第一网格"].response.numerator, rows["第一网格"].response.denominator) == (1, 1)
    assert (rows["第一网格"].satisfaction.numerator, rows["第一网格"].satisfaction.denominator) == (
        1,
        1,
    )
    assert rows["第二网格"].received == 1
    assert "100.0%" in text and "1/1" in text
    assert "指标定义" in text and 'id="def-satisfaction"' in text


def test_measures_of_the_grid_chief_stay_in_the_grid(world, categories, login):
    _closed(world, categories)
    report(world, "2栋楼道灯坏了", resident="wangwu")
    response = login(world.users["grid"]).get("/voices/measures/")
    labels = [r.label for r, _ratios in response.context["rows"]]
    assert labels == ["第一网格"]


def test_measures_by_unit_for_the_partner(world, categories, login):
    dispatched(world)
    response = login(world.users["partner"]).get("/voices/measures/")
    rows = response.context["rows"]
    assert [(r.label, r.received) for r, _ in rows] == [("市住建局", 1)]


def test_measures_are_not_for_residents(world, login):
    assert login(world.users["resident"]).get("/voices/measures/").status_code == 404


def test_measures_query_count_does_not_grow(world, categories, login):
    client = login(world.users["staff"])
    _closed(world, categories)
    one = queries(lambda: client.get("/voices/measures/"))
    _closed(world, categories, "楼道里的灯坏了")
    _closed(world, categories, "小区门口路灯不亮")
    report(world, "2栋楼道灯坏了", resident="wangwu")
    assert queries(lambda: client.get("/voices/measures/")) == one


# --- steps that cannot be undone ask first ------------------------------------------------


def _history(item):
    """What a step leaves behind: the item's state, its timeline and the audit log."""
    from gongzhi.core.models import AuditEvent

    item.refresh_from_db()
    return (
        item.status,
        item.level,
        item.events.count(),
        item.dispatches.count(),
        AuditEvent.objects.count(),
    )


def _accepted(world, categories, level=Level.COMMUNITY):
    item = report(world)
    services.item_accept(
        actor=world.users["staff"], item=item, category=categories["lights"], level=level
    )
    return item


def _replied(world):
    item, dispatch = dispatched(world)
    services.dispatch_accept(actor=world.users["partner"], dispatch=dispatch)
    services.dispatch_reply(actor=world.users["partner"], dispatch=dispatch, reply="已修好")
    return item


STAFF_STEPS = {
    # step: (who, how the item gets there, what is posted, the question, what it becomes)
    "escalate": (
        "grid",
        lambda w, c: _accepted(w, c, Level.GRID),
        {"reason": "需要更换灯杆"},
        "将把诉求 {n} 上报到社区，由社区工作人员办理。确认上报吗？",
        lambda item: item.level == Level.COMMUNITY,
    ),
    "dispatch": (
        "staff",
        _accepted,
        {"unit": "PARTNER", "instructions": "请核查灯杆"},
        "将把诉求 {n} 派给市住建局办理，由该单位签收、答复，社区核实。确认派单吗？",
        lambda item: item.status == Status.DISPATCHED,
    ),
    "verify": (
        "staff",
        lambda w, c: _replied(w),
        {"accepted": "yes", "note": "现场看过"},
        "将确认市住建局对诉求 {n} 的答复属实，诉求转为办结待回访。确认核实通过吗？",
        lambda item: item.status == Status.RESOLVED,
    ),
    "resolve": (
        "staff",
        _accepted,
        {"note": "已更换灯泡"},
        "将把诉求 {n} 办结，并告知反映人，等待回访评价。办结后不能撤销。确认办结吗？",
        lambda item: item.status == Status.RESOLVED,
    ),
}


@pytest.mark.parametrize("step", list(STAFF_STEPS))
def test_a_staff_step_asks_first_and_acts_only_when_confirmed(
    world, categories, login, step, django_capture_on_commit_callbacks
):
    who, prepare, body, question, done = STAFF_STEPS[step]
    item = prepare(world, categories)
    body = {k: (world.partner.pk if v == "PARTNER" else v) for k, v in body.items()}
    client = login(world.users[who])
    before = _history(item)
    url = f"/voices/{item.pk}/{'dispatch' if step == 'dispatch' else step}/"

    with django_capture_on_commit_callbacks() as queued:
        asked = client.post(url, body)
    text = page_text(asked)
    assert asked.status_code == 200
    assert question.format(n=item.number) in text
    assert _history(item) == before
    assert queued == []  # the try was rolled back: no text message waits to be sent
    # The confirmation carries what was filled in, and answers to the same action.
    for name, value in body.items():
        assert f'<input type="hidden" name="{name}" value="{value}">' in text
    assert f'action="{url}"' in text
    assert 'name="confirm" value="yes"' in text and 'name="confirm" value="back"' in text

    done_response = client.post(url, {**body, "confirm": "yes"})
    assert done_response.status_code == 302
    item.refresh_from_db()
    assert done(item)
    assert _history(item) != before


def test_going_back_from_a_question_keeps_what_was_typed(world, categories, login):
    item = _accepted(world, categories)
    client = login(world.users["staff"])
    before = _history(item)
    back = client.post(f"/voices/{item.pk}/resolve/", {"note": "我写的办理结果", "confirm": "back"})
    assert back.status_code == 200
    assert "我写的办理结果</textarea>" in page_text(back)
    assert "确认办结吗" not in page_text(back)
    assert _history(item) == before


def test_a_step_the_service_refuses_says_why_before_any_question(world, categories, login):
    item = _accepted(world, categories, Level.GRID)
    client = login(world.users["grid"])
    before = _history(item)
    refused = client.post(f"/voices/{item.pk}/escalate/", {"reason": ""})
    assert refused.status_code == 400
    assert "请填写上报原因。" in page_text(refused)
    assert "确认上报吗" not in page_text(refused)
    assert _history(item) == before


def test_a_question_is_not_shown_out_of_reach(world, categories, login):
    other = report(world, "2栋楼道灯坏了", resident="wangwu")
    response = login(world.users["grid"]).post(f"/voices/{other.pk}/resolve/", {"note": "越界"})
    assert response.status_code == 404
    assert "确认办结" not in page_text(response)


def test_partner_accept_and_return_ask_first(world, categories, login):
    item, dispatch = dispatched(world)
    client = login(world.users["partner"])
    before = _history(item)

    asked = client.post(f"/voices/partner/{dispatch.pk}/accept/")
    assert asked.status_code == 200
    assert (
        f"将签收诉求 {item.number} 的派单，由本单位办理，办理时限从签收起计算。确认签收吗？"
        in page_text(asked)
    )
    assert _history(item) == before
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.SENT
    back = client.post(f"/voices/partner/{dispatch.pk}/accept/", {"confirm": "back"})
    assert back.status_code == 302
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.SENT

    asked = client.post(f"/voices/partner/{dispatch.pk}/return/", {"reason": "属于供电公司"})
    assert asked.status_code == 200
    assert f"将把诉求 {item.number} 退回望江街社区，由社区重新安排办理。确认退回吗？" in (
        page_text(asked)
    )
    assert "属于供电公司" in page_text(asked)
    assert _history(item) == before

    client.post(f"/voices/partner/{dispatch.pk}/accept/", {"confirm": "yes"})
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.ACCEPTED


def test_the_resident_withdraws_after_confirming(world, categories, login):
    item = report(world)
    client = login(world.users["resident"])
    page = page_text(client.get(f"/voices/{item.pk}/"))
    assert f'action="/voices/{item.pk}/withdraw/"' in page
    before = _history(item)

    asked = client.post(f"/voices/{item.pk}/withdraw/")
    assert asked.status_code == 200
    assert 'class="resident"' in page_text(asked)
    assert (
        f"将撤回您反映的诉求 {item.number}，撤回后社区不再办理，也不能恢复。确认撤回吗？"
        in page_text(asked)
    )
    assert _history(item) == before

    done = client.post(f"/voices/{item.pk}/withdraw/", {"confirm": "yes"}, follow=True)
    assert "已撤回。" in page_text(done)
    item.refresh_from_db()
    assert item.status == Status.WITHDRAWN
    assert f'action="/voices/{item.pk}/withdraw/"' not in page_text(done)


def test_withdrawing_an_accepted_item_is_refused_without_a_question(world, categories, login):
    item = _accepted(world, categories)
    client = login(world.users["resident"])
    assert f"/voices/{item.pk}/withdraw/" not in page_text(client.get(f"/voices/{item.pk}/"))
    before = _history(item)
    refused = client.post(f"/voices/{item.pk}/withdraw/", follow=True)
    assert "诉求已受理，不能撤回；如已解决，请在回访时告诉我们。" in page_text(refused)
    assert _history(item) == before
    other = login(world.users["partner"]).post(f"/voices/{item.pk}/withdraw/", {"confirm": "yes"})
    assert other.status_code == 404
