"""Publication of residents' items: who may publish or withhold (role × action), what a
private item and a text with numbers meet, the audit and timeline, the 待公开审核 queue
and its pages and API, and the resident's 不公开 choice at every intake."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from gongzhi.core.models import AuditEvent
from gongzhi.voices import rules, selectors, services
from gongzhi.voices.enums import (
    Channel,
    EventType,
    ItemKind,
    Level,
    Publication,
    Satisfaction,
    Solved,
    Status,
)
from gongzhi.voices.models import Item, ItemEvent

from .conftest import at
from .test_permissions import NOT_FOUND, OK, ROLES, outcome

FORBIDDEN = "403"
PRIVATE_TEXT = "私下反映，请勿告知他人：楼上王五家天天半夜吵"


def filed(world, text="1栋楼下路灯不亮", *, private=False, now=None):
    """张三's item about his home (grid 1, building 1, entrance 1), filed by phone."""
    return services.item_submit(
        actor=None,
        kind=ItemKind.PROBLEM,
        text=text,
        channel=Channel.PHONE,
        reporter_resident=world.residents["zhangsan"],
        private=private,
        now=now or at(2026, 6, 9, 9),
    )


def closed(world, categories, text="1栋楼下路灯不亮", *, level=Level.GRID, **kwargs):
    item = filed(world, text, **kwargs)
    services.item_accept(actor=None, item=item, category=categories["lights"], level=level)
    services.item_resolve(actor=None, item=item, note="已更换灯泡")
    services.item_return_visit(
        actor=world.users["admin"],
        item=item,
        solved=Solved.SOLVED,
        satisfaction=Satisfaction.SATISFIED,
    )
    item.refresh_from_db()
    return item


# --- who may decide -------------------------------------------------------------------

# A grid-level item of grid 1: handled — and so published — by those who handle it.
PUBLISH_GRID_ITEM = {
    "admin": OK,
    "subdistrict": OK,
    "secretary": OK,
    "staff": OK,
    "grid": OK,
    "grid_worker": NOT_FOUND,  # grid 2
    "building": FORBIDDEN,  # sees it, does not handle items
    "entrance": NOT_FOUND,  # entrance 2
    "resident": FORBIDDEN,  # 张三 reported it: sees it, does not publish it
    "partner": NOT_FOUND,
    "other_staff": NOT_FOUND,
    "nobody": NOT_FOUND,
}
# At the community, the grid chief still sees it but no longer decides.
PUBLISH_COMMUNITY_ITEM = {**PUBLISH_GRID_ITEM, "grid": FORBIDDEN}


@pytest.mark.parametrize("role", ROLES)
def test_publish_grid_item(world, categories, role):
    item = closed(world, categories)
    result = outcome(
        lambda: services.item_publish(
            actor=world.users[role], item=item, public_text="1栋楼下路灯不亮"
        )
    )
    assert result == PUBLISH_GRID_ITEM[role]
    item.refresh_from_db()
    assert item.publication == (Publication.PUBLISHED if result == OK else Publication.PENDING)


@pytest.mark.parametrize("role", ROLES)
def test_publish_community_item(world, categories, role):
    item = closed(world, categories, level=Level.COMMUNITY)
    result = outcome(
        lambda: services.item_publish(
            actor=world.users[role], item=item, public_text="1栋楼下路灯不亮"
        )
    )
    assert result == PUBLISH_COMMUNITY_ITEM[role]


@pytest.mark.parametrize("role", ROLES)
def test_withhold(world, categories, role):
    item = closed(world, categories, level=Level.COMMUNITY)
    result = outcome(
        lambda: services.item_withhold(actor=world.users[role], item=item, reason="涉及个人纠纷")
    )
    assert result == PUBLISH_COMMUNITY_ITEM[role]
    item.refresh_from_db()
    assert item.publication == (Publication.WITHHELD if result == OK else Publication.PENDING)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("level", [Level.GRID, Level.COMMUNITY])
def test_the_rule_for_one_item_and_for_a_list_agree(world, categories, role, level):
    item = closed(world, categories, level=level)
    user = world.users[role]
    q = rules.publishable_q(user)
    in_list = Item.objects.filter(pk=item.pk).filter(*([q] if q is not None else [])).exists()
    assert rules.can_publish(user, item) is in_list
    expected = (PUBLISH_GRID_ITEM if level == Level.GRID else PUBLISH_COMMUNITY_ITEM)[role]
    assert in_list is (expected == OK)


def test_the_system_may_publish(world, categories):
    item = services.item_publish(actor=None, item=filed(world), public_text="路灯不亮")
    assert (item.publication, item.published_by) == (Publication.PUBLISHED, None)


# --- what is refused --------------------------------------------------------------------


def test_a_private_item_is_never_published(world, categories):
    item = filed(world, private=True)
    assert (item.private, item.publication) == (True, Publication.WITHHELD)
    with pytest.raises(ValidationError) as refused:
        services.item_publish(actor=world.users["secretary"], item=item, public_text="路灯不亮")
    assert refused.value.messages == ["居民要求不公开（私下反映），该诉求不能公开。"]
    item.refresh_from_db()
    assert (item.publication, item.public_text) == (Publication.WITHHELD, "")


@pytest.mark.parametrize(
    "text",
    [
        PRIVATE_TEXT,
        "这事请勿告知他人",
        "不要公开我的名字，楼道堆满了纸箱",
        "私 下 反 映：楼道堆满了纸箱",
        "私下反映，請勿告知他人",
    ],
)
def test_a_text_that_asks_for_it_is_private(world, categories, text):
    item = filed(world, text)
    assert (item.private, item.publication) == (True, Publication.WITHHELD)
    assert item.withheld_reason == "居民要求不公开（私下反映）"
    with pytest.raises(ValidationError):
        services.item_publish(actor=world.users["secretary"], item=item, public_text="楼道堆物")


def test_merged_and_withdrawn_items_are_not_published(world, categories):
    kept = filed(world, "路灯坏了")
    dup = filed(world, "路灯又坏了")
    services.item_merge(actor=world.users["secretary"], item=dup, into=kept)
    gone = services.item_submit(
        actor=world.users["resident"], kind="problem", text="说错了", channel=Channel.ONLINE
    )
    services.item_withdraw(actor=world.users["resident"], item=gone)
    for item, status in [(dup, "已合并"), (gone, "已撤回")]:
        with pytest.raises(ValidationError) as refused:
            services.item_publish(actor=world.users["secretary"], item=item, public_text="路灯")
        assert refused.value.messages == [f"诉求{item.number}当前为“{status}”，不能公开。"]


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("联系电话138 1234 5678", "电话号码"),
        ("找３栋２单元５０１", "门牌号"),
        ("身份证510402195003041234，住301室", "身份证号、门牌号"),
        ("张三说路灯坏了", "反映人姓名"),
        ("川DA1234占道，邮箱a@b.cn", "电子邮箱、车牌号"),
    ],
)
def test_a_text_with_identifiers_is_refused(world, categories, text, what):
    item = filed(world)
    with pytest.raises(ValidationError) as refused:
        services.item_publish(actor=world.users["secretary"], item=item, public_text=text)
    assert refused.value.message_dict == {
        "public_text": [f"公开内容里还有{what}，请删去后再公开。"]
    }
    item.refresh_from_db()
    assert item.publication == Publication.PENDING


def test_other_names_and_forms_of_address_are_the_reviewers_judgement(world, categories):
    item = services.item_publish(
        actor=world.users["secretary"], item=filed(world), public_text="王阿姨说路灯坏了"
    )
    assert item.public_text == "王阿姨说路灯坏了"


@pytest.mark.parametrize(
    ("call", "errors"),
    [
        (
            lambda w, i: services.item_publish(actor=w.users["staff"], item=i, public_text="  "),
            {"public_text": ["请填写公开内容。"]},
        ),
        (
            lambda w, i: services.item_publish(
                actor=w.users["staff"], item=i, public_text="长" * 2001
            ),
            {"public_text": ["不能超过2000字。"]},
        ),
        (
            lambda w, i: services.item_withhold(actor=w.users["staff"], item=i, reason=""),
            {"reason": ["请填写不公开的原因。"]},
        ),
    ],
)
def test_empty_or_long_input_is_refused_in_chinese(world, categories, call, errors):
    item = filed(world)
    with pytest.raises(ValidationError) as refused:
        call(world, item)
    assert refused.value.message_dict == errors


def test_the_publication_moves(world, categories):
    staff = world.users["staff"]
    item = filed(world)
    services.item_withhold(actor=staff, item=item, reason="待办结后再看")
    with pytest.raises(ValidationError) as refused:
        services.item_withhold(actor=staff, item=item, reason="再说一次")
    assert refused.value.messages == [f"诉求{item.number}当前为“不公开”，不能变为“不公开”。"]
    # A second review publishes what was held back, and may correct the text later.
    services.item_publish(actor=staff, item=item, public_text="路灯不亮", now=at(2026, 6, 10, 9))
    services.item_publish(actor=staff, item=item, public_text="1栋路灯不亮", now=at(2026, 6, 11, 9))
    item.refresh_from_db()
    assert (item.publication, item.public_text, item.published_by, item.published_at) == (
        Publication.PUBLISHED,
        "1栋路灯不亮",
        staff,
        at(2026, 6, 11, 9),
    )
    services.item_withhold(actor=staff, item=item, reason="居民不同意公开")
    item.refresh_from_db()
    assert (item.publication, item.public_text, item.published_at, item.withheld_reason) == (
        Publication.WITHHELD,
        "",
        None,
        "居民不同意公开",
    )


def test_a_withdrawn_item_is_taken_down(world, categories):
    resident = world.users["resident"]
    item = services.item_submit(
        actor=resident, kind="problem", text="路灯坏了", channel=Channel.ONLINE
    )
    services.item_publish(actor=world.users["staff"], item=item, public_text="路灯坏了")
    services.item_withdraw(actor=resident, item=item)
    item.refresh_from_db()
    assert (item.publication, item.public_text, item.published_at, item.withheld_reason) == (
        Publication.WITHHELD,
        "",
        None,
        "居民已撤回",
    )


# --- what is recorded -------------------------------------------------------------------


def test_publishing_and_withholding_are_audited_and_on_the_timeline(world, categories):
    staff = world.users["staff"]
    item = closed(world, categories)
    services.item_publish(actor=staff, item=item, public_text="1栋路灯不亮，已更换")
    services.item_withhold(actor=staff, item=item, reason="居民不同意公开")
    audits = list(
        AuditEvent.objects.filter(action__in=["voices.item.published", "voices.item.withheld"])
        .order_by("pk")
        .values_list("action", "actor", "object_id", "changes")
    )
    assert audits == [
        (
            "voices.item.published",
            staff.pk,
            str(item.pk),
            {"publication": ["pending", "published"], "public_text": "1栋路灯不亮，已更换"},
        ),
        (
            "voices.item.withheld",
            staff.pk,
            str(item.pk),
            {"publication": ["published", "withheld"], "reason": "居民不同意公开"},
        ),
    ]
    events = list(
        ItemEvent.objects.filter(item=item, type__in=[EventType.PUBLISHED, EventType.WITHHELD])
        .order_by("pk")
        .values_list("type", "public", "note", "actor")
    )
    # The reporter sees that it was published; why it was held back is internal.
    assert events == [
        (EventType.PUBLISHED, True, "", staff.pk),
        (EventType.WITHHELD, False, "居民不同意公开", staff.pk),
    ]


def test_a_refused_publication_writes_nothing(world, categories):
    item = filed(world, private=True)
    before = (AuditEvent.objects.count(), ItemEvent.objects.count())
    with pytest.raises(ValidationError):
        services.item_publish(actor=world.users["staff"], item=item, public_text="路灯")
    for role, error in [("building", PermissionDenied), ("other_staff", Http404)]:
        with pytest.raises(error):
            services.item_publish(actor=world.users[role], item=filed(world), public_text="x")
    assert AuditEvent.objects.filter(action__startswith="voices.item.publish").count() == 0
    assert ItemEvent.objects.filter(type=EventType.PUBLISHED).count() == 0
    assert before[0] <= AuditEvent.objects.count()


# --- the suggestion ---------------------------------------------------------------------


def test_the_suggestion_masks_reporters_third_parties_and_doors(world, categories):
    item = filed(
        world,
        "我是张三，1栋1单元101，楼上王五家（2栋1单元101）漏水，李四也知道，电话138 1234 5678",
    )
    assert selectors.public_text_suggestion(item) == (
        "我是张*，1栋*单元***，楼上王*家（2栋*单元***）漏水，李*也知道，电话*** **** ****"
    )


def test_the_register_is_read_once_with_its_names(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = selectors.register_names(world.wj.pk)
    assert {"张三", "李四", "王五"} <= names.names
    assert "赵六" not in names.names  # the other community


# --- the queue --------------------------------------------------------------------------


def test_the_queue_holds_what_the_user_may_publish_and_nobody_decided(world, categories):
    done = closed(world, categories)
    community = closed(world, categories, "1栋外墙裂缝", level=Level.COMMUNITY)
    open_item = filed(world, "楼道灯坏了")
    private = closed(world, categories, "1栋楼道堆物", private=True)
    decided = closed(world, categories, "1栋门口积水")
    services.item_publish(actor=None, item=decided, public_text="1栋门口积水")
    other = services.item_submit(
        actor=None,
        kind=ItemKind.PROBLEM,
        text="2栋路灯不亮",
        channel=Channel.PHONE,
        reporter_resident=world.residents["wangwu"],
    )

    def queue(role, **kwargs):
        return set(selectors.publication_queue(world.users[role], **kwargs))

    assert queue("staff") == {done, community}
    assert queue("staff", done_only=False) == {done, community, open_item, other}
    assert queue("grid") == {done}  # the community-level one is not the grid chief's
    assert queue("grid", done_only=False) == {done, open_item}
    assert queue("grid_worker", done_only=False) == {other}
    for role in ["building", "entrance", "resident", "partner", "other_staff", "nobody"]:
        assert queue(role, done_only=False) == set(), role
    assert private not in queue("admin", done_only=False)


def test_the_queue_page_lists_and_links_to_the_review(world, categories, login):
    done = closed(world, categories)
    response = login(world.users["staff"]).get("/voices/publication/")
    text = response.content.decode()
    assert response.status_code == 200
    assert f'href="/voices/{done.pk}/#publication-h"' in text
    assert "待公开审核" in text and 'aria-current="page"' in text


@pytest.mark.parametrize("role", ["resident", "partner", "nobody"])
def test_the_queue_page_is_not_for_residents_or_partners(world, login, role):
    assert login(world.users[role]).get("/voices/publication/").status_code == 404


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200
    return len(ctx)


def test_the_queue_page_costs_the_same_for_one_and_many(world, categories, login):
    client = login(world.users["staff"])
    closed(world, categories)
    one = _queries(lambda: client.get("/voices/publication/"))
    closed(world, categories, "1栋楼道灯坏了")
    closed(world, categories, "1栋外墙裂缝", level=Level.COMMUNITY)
    assert _queries(lambda: client.get("/voices/publication/")) == one


def test_the_queue_api_costs_the_same_for_one_and_many(world, categories, client):
    from gongzhi.accounts.services import api_token_issue

    token = api_token_issue(user=world.users["staff"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    closed(world, categories, "我是张三，电话13812345678，1栋路灯不亮")

    def get():
        return client.get("/api/v1/voices/publication-queue", **headers)

    get()  # the token's first use is recorded once
    one = _queries(get)
    closed(world, categories, "1栋楼道灯坏了")
    closed(world, categories, "1栋外墙裂缝", level=Level.COMMUNITY)
    assert _queries(get) == one
    data = json.loads(get().content)
    assert data["count"] == 3
    first = data["items"][0]
    assert first["text"] == "我是张三，电话13812345678，1栋路灯不亮"
    assert first["suggested_public_text"] == "我是张*，电话***********，1栋路灯不亮"


# --- the item page ----------------------------------------------------------------------


def test_the_item_page_offers_the_masked_suggestion_to_edit(world, categories, login):
    item = closed(world, categories, "我是张三，住1栋1单元101，电话138 1234 5678，路灯不亮")
    response = login(world.users["grid"]).get(f"/voices/{item.pk}/")
    text = response.content.decode()
    assert "公开审核" in text
    assert (
        'id="publish_public_text">\n我是张*，住1栋*单元***，电话*** **** ****，路灯不亮</textarea>'
        in (text)
    )
    assert f'action="/voices/{item.pk}/publish/"' in text
    assert f'action="/voices/{item.pk}/withhold/"' in text


def test_the_item_page_of_a_private_item_says_so_and_offers_nothing(world, categories, login):
    item = closed(world, categories, PRIVATE_TEXT)
    text = login(world.users["staff"]).get(f"/voices/{item.pk}/").content.decode()
    assert "居民要求不公开（私下反映），该诉求永不公开。" in text
    assert f"/voices/{item.pk}/publish/" not in text


def test_the_item_page_offers_nothing_to_those_who_do_not_decide(world, categories, login):
    item = closed(world, categories, level=Level.COMMUNITY)
    text = login(world.users["grid"]).get(f"/voices/{item.pk}/").content.decode()
    assert f"/voices/{item.pk}/publish/" not in text


def test_publish_and_withhold_through_the_forms(world, categories, login):
    item = closed(world, categories)
    client = login(world.users["staff"])
    response = client.post(f"/voices/{item.pk}/publish/", {"public_text": "1栋路灯不亮，已修好"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.publication, item.public_text) == (Publication.PUBLISHED, "1栋路灯不亮，已修好")
    response = client.post(f"/voices/{item.pk}/withhold/", {"reason": "居民不同意"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.publication, item.withheld_reason) == (Publication.WITHHELD, "居民不同意")


def test_a_refused_text_is_shown_again_with_the_reason(world, categories, login):
    item = closed(world, categories)
    typed = "1栋路灯不亮，联系138 1234 5678"
    response = login(world.users["staff"]).post(
        f"/voices/{item.pk}/publish/", {"public_text": typed}
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "公开内容里还有电话号码，请删去后再公开。" in text
    assert typed in text
    item.refresh_from_db()
    assert item.publication == Publication.PENDING


@pytest.mark.parametrize(("role", "status"), [("building", 403), ("other_staff", 404)])
def test_the_forms_refuse_those_who_do_not_decide(world, categories, login, role, status):
    item = closed(world, categories)
    client = login(world.users[role])
    assert client.post(f"/voices/{item.pk}/publish/", {"public_text": "x"}).status_code == status
    assert client.post(f"/voices/{item.pk}/withhold/", {"reason": "x"}).status_code == status
    item.refresh_from_db()
    assert item.publication == Publication.PENDING


# --- the API ----------------------------------------------------------------------------


def _api(client, user):
    from gongzhi.accounts.services import api_token_issue

    token = api_token_issue(user=user)

    def call(method, url, payload=None):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if payload is not None:
            kwargs |= {"data": json.dumps(payload), "content_type": "application/json"}
        response = getattr(client, method)(f"/api/v1{url}", **kwargs)
        return response.status_code, json.loads(response.content)

    return call


def test_the_api_publishes_and_withholds(world, categories, client):
    item = closed(world, categories, "我是张三，1栋路灯不亮")
    call = _api(client, world.users["staff"])
    status, data = call("get", f"/voices/items/{item.pk}/publication")
    assert (status, data["publication"], data["suggested_public_text"]) == (
        200,
        "pending",
        "我是张*，1栋路灯不亮",
    )
    status, data = call("post", f"/voices/items/{item.pk}/publish", {"public_text": "张三说"})
    assert (status, data["errors"]) == (
        422,
        {"public_text": ["公开内容里还有反映人姓名，请删去后再公开。"]},
    )
    status, data = call("post", f"/voices/items/{item.pk}/publish", {"public_text": "1栋路灯不亮"})
    assert (status, data["publication"], data["public_text"], data["published_by"]) == (
        200,
        "published",
        "1栋路灯不亮",
        "wj-staff",
    )
    status, data = call("post", f"/voices/items/{item.pk}/withhold", {"reason": "居民不同意"})
    assert (status, data["publication"], data["withheld_reason"]) == (
        200,
        "withheld",
        "居民不同意",
    )


@pytest.mark.parametrize(("role", "status"), [("building", 403), ("other_staff", 404)])
def test_the_api_refuses_those_who_do_not_decide(world, categories, client, role, status):
    item = closed(world, categories)
    call = _api(client, world.users[role])
    assert call("get", f"/voices/items/{item.pk}/publication")[0] == status
    assert call("post", f"/voices/items/{item.pk}/publish", {"public_text": "x"})[0] == status
    assert call("post", f"/voices/items/{item.pk}/withhold", {"reason": "x"})[0] == status


def test_the_api_refuses_a_private_item(world, categories, client):
    item = closed(world, categories, private=True)
    status, data = _api(client, world.users["staff"])(
        "post", f"/voices/items/{item.pk}/publish", {"public_text": "路灯"}
    )
    assert (status, data["errors"]) == (
        422,
        {"__all__": ["居民要求不公开（私下反映），该诉求不能公开。"]},
    )


# --- 不公开 at intake -------------------------------------------------------------------


def test_the_resident_ticks_private_in_the_wizard(world, categories, login):
    client = login(world.users["resident"])
    step2 = client.get("/voices/new/?kind=problem").content.decode()
    assert 'name="private"' in step2 and "私下反映" in step2
    review = client.post(
        "/voices/new/",
        {"kind": "problem", "text": "楼道堆物", "private": "on", "action": "review"},
    ).content.decode()
    assert "不公开：只给办理的工作人员看。" in review
    assert '<input type="hidden" name="private" value="on">' in review
    client.post(
        "/voices/new/",
        {"kind": "problem", "text": "楼道堆物", "private": "on", "action": "save"},
    )
    item = Item.objects.get(text="楼道堆物")
    assert (item.private, item.publication) == (True, Publication.WITHHELD)


def test_the_wizard_says_a_text_asking_for_it_is_private(world, categories, login):
    client = login(world.users["resident"])
    review = client.post(
        "/voices/new/", {"kind": "problem", "text": PRIVATE_TEXT, "action": "review"}
    ).content.decode()
    assert "（内容里写了要私下反映，已按不公开处理。）" in review
    client.post("/voices/new/", {"kind": "problem", "text": PRIVATE_TEXT, "action": "save"})
    assert Item.objects.get(text=PRIVATE_TEXT).private is True


def test_an_unticked_report_waits_for_review(world, categories, login):
    client = login(world.users["resident"])
    client.post("/voices/new/", {"kind": "problem", "text": "路灯坏了", "action": "save"})
    item = Item.objects.get(text="路灯坏了")
    assert (item.private, item.publication) == (False, Publication.PENDING)


def test_the_leader_ticks_private_for_the_resident(world, categories, login):
    client = login(world.users["grid"])
    url = f"/voices/for/{world.residents['lisi'].pk}/"
    step2 = client.get(url + "?kind=problem").content.decode()
    assert "居民要求不公开（私下反映）" in step2
    client.post(
        url,
        {
            "kind": "problem",
            "text": "邻居装修",
            "channel": "visit",
            "private": "on",
            "action": "save",
        },
    )
    assert Item.objects.get(text="邻居装修").private is True


def test_the_api_intake_takes_private(world, categories, client):
    call = _api(client, world.users["resident"])
    status, data = call("post", "/voices/items", {"text": "楼道堆物", "private": True})
    assert (status, data["private"], data["publication"]) == (201, True, "withheld")
    status, data = call("post", "/voices/items", {"text": "路灯坏了"})
    assert (status, data["private"], data["publication"]) == (201, False, "pending")


def test_event_rows_may_be_private(world, categories):
    from gongzhi.voices.models import EventSession

    session = EventSession.objects.create(
        community=world.wj,
        title="坝坝龙门阵",
        format="baba_longmenzhen",
        held_on=dt.date(2026, 6, 1),
    )
    items = services.items_submit_from_event(
        actor=world.users["staff"],
        event_session=session,
        rows=[{"text": "路灯坏了"}, {"text": "不要公开：邻居吵", "reporter_name": "某某"}],
    )
    assert [i.private for i in items] == [False, True]


# --- neighbours ---------------------------------------------------------------------------


def test_neighbours_never_see_a_private_item_and_read_the_rest_masked(world, categories, login):
    private = filed(world, "私下反映：1栋门口的路灯不亮，晚上很黑")
    shown = filed(world, "1栋门口路灯不亮了，晚上很黑，张三电话138 1234 5678")
    client = login(world.users["resident"])
    review = client.post(
        "/voices/new/",
        {"kind": "problem", "text": "1栋门口的路灯不亮了，晚上很黑", "action": "review"},
    ).content.decode()
    assert shown.number in review and private.number not in review
    assert "138 1234 5678" not in review and "张*电话*** **** ****" in review
    assert client.post(f"/voices/{private.pk}/join/").status_code == 404
    assert private.status == Status.SUBMITTED
