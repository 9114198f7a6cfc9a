"""The workbench opens on today's work: 新诉求, 即将超时, 已超时, 被退回, 待核实 and 待回访,
each counted over the user's reach in one query and opening the inbox filtered to it."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from gongzhi.core import workcal
from gongzhi.voices import deadlines, selectors, services
from gongzhi.voices.enums import Channel, ItemKind, Level
from gongzhi.voices.models import Category, Item

FAR = timezone.now() + dt.timedelta(days=60)


@pytest.fixture
def lights(world):
    return Category.objects.create(code="street_lights", name="路灯照明", sort_order=1)


def _report(world, text, resident="zhangsan"):
    return services.item_submit(
        actor=world.users["admin"],
        kind=ItemKind.PROBLEM,
        text=text,
        channel=Channel.VISIT,
        on_behalf_of=world.residents[resident],
    )


def _due(item, when):
    # Test setup: put the deadline where the case needs it, whatever the clock says now.
    Item.objects.filter(pk=item.pk).update(due_at=when)


@pytest.fixture
def work(world, lights):
    """One item in each queue, all in grid 1, and one more new item in grid 2."""
    u = world.users
    now = timezone.now()
    items = {}

    def accepted(text):
        item = _report(world, text)
        services.item_accept(actor=u["staff"], item=item, category=lights, level=Level.COMMUNITY)
        return item

    items["new"] = _report(world, "1栋门口路灯不亮")
    items["due_soon"] = accepted("1栋楼道灯闪烁")
    items["overdue"] = accepted("1栋下水道堵了")
    items["returned"] = accepted("1栋外墙脱落")
    returned = services.item_dispatch(actor=u["staff"], item=items["returned"], unit=world.partner)
    services.dispatch_return(actor=u["partner"], dispatch=returned, reason="不属于本单位")
    items["to_verify"] = accepted("1栋屋顶漏水")
    replied = services.item_dispatch(actor=u["staff"], item=items["to_verify"], unit=world.partner)
    services.dispatch_accept(actor=u["partner"], dispatch=replied)
    services.dispatch_reply(actor=u["partner"], dispatch=replied, reply="已修好")
    items["to_revisit"] = accepted("1栋电梯异响")
    services.item_resolve(actor=u["staff"], item=items["to_revisit"], note="已检修")
    items["elsewhere"] = _report(world, "2栋路灯不亮", resident="wangwu")
    for item in items.values():
        _due(item, FAR)
    _due(items["due_soon"], workcal.add_working_hours(now, 2))
    _due(items["overdue"], now - dt.timedelta(hours=1))
    return items


def test_each_queue_counts_its_items_within_reach(world, work):
    staff = selectors.work_counts(world.users["staff"])
    assert staff == {
        "new": 2,
        "due_soon": 1,
        "overdue": 1,
        "returned": 1,
        "to_verify": 1,
        "to_revisit": 1,
    }
    grid = selectors.work_counts(world.users["grid"])
    assert grid["new"] == 1  # 王五's item lies in grid 2
    assert selectors.work_counts(world.users["other_staff"]) == dict.fromkeys(staff, 0)


def test_due_soon_is_one_working_day_ahead_and_not_yet_overdue(world, work):
    item = work["due_soon"]
    now = timezone.now()
    window = deadlines.due_soon_hours()  # one working day unless a setting says otherwise
    _due(item, workcal.add_working_hours(now, window) + dt.timedelta(minutes=1))
    assert selectors.work_counts(world.users["staff"], now=now)["due_soon"] == 0
    _due(item, workcal.add_working_hours(now, window) - dt.timedelta(minutes=1))
    assert selectors.work_counts(world.users["staff"], now=now)["due_soon"] == 1
    _due(item, now - dt.timedelta(minutes=1))
    counts = selectors.work_counts(world.users["staff"], now=now)
    assert (counts["due_soon"], counts["overdue"]) == (0, 2)


def test_a_returned_item_leaves_the_queue_once_handled_again(world, work):
    item = work["returned"]
    services.item_dispatch(actor=world.users["staff"], item=item, unit=world.partner)
    assert selectors.work_counts(world.users["staff"])["returned"] == 0


def test_the_counts_cost_one_aggregate(world, work):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for user in [world.users["staff"], world.users["grid"], world.users["subdistrict"]]:
        selectors.work_counts(user)  # the user's reach is read once and kept
        with CaptureQueriesContext(connection) as reach:
            selectors.item_list_visible_to(user).exists()
        with CaptureQueriesContext(connection) as counted:
            selectors.work_counts(user)
        # What finding the reach costs, and one aggregate for all six queues.
        assert len(counted) == len(reach)
        assert sum("COUNT(" in q["sql"] for q in counted.captured_queries) == 1


def test_the_workbench_shows_each_count_linking_to_its_list(world, work, login):
    client = login(world.users["staff"])
    page = client.get("/").content.decode()
    found = dict(
        re.findall(r'href="/voices/inbox/\?queue=(\w+)"><span class="work-n">(\d+)</span>', page)
    )
    assert found == {
        "new": "2",
        "due_soon": "1",
        "overdue": "1",
        "returned": "1",
        "to_verify": "1",
        "to_revisit": "1",
    }
    for queue in ["new", "due_soon", "overdue", "returned", "to_verify", "to_revisit"]:
        listed = client.get("/voices/inbox/", {"queue": queue}).content.decode()
        numbers = set(re.findall(r"WJ\d{4}-\d{6}", listed))
        expected = {i.number for k, i in work.items() if k == queue}
        if queue == "new":
            expected.add(work["elsewhere"].number)
        assert numbers == expected, queue


def test_the_workbench_costs_the_same_with_more_work(world, work, login, same_queries):
    def grow():
        for n in range(5):
            _report(world, f"1栋第{n}个问题")

    small, big = same_queries(login(world.users["staff"]), "/", grow)
    assert '<span class="work-n">2</span> <span class="work-label">新诉求</span>' in small
    assert '<span class="work-n">7</span> <span class="work-label">新诉求</span>' in big


def test_a_post_that_handles_no_items_sees_no_queues(world, login):
    from gongzhi.workbench.menu import capabilities_held

    user = world.users["entrance"]
    page = login(user).get("/").content.decode()
    assert ("handle_items" in capabilities_held(user)) == ("今天的工作" in page)
