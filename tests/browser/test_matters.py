"""A matter runs 摸 → 评 in a real browser: staff record the visit and move it with the
button that asks first, a meeting with minutes and a decision gives out a task, the task is
done, the notice is printed with its QR code and read by a resident in the large-type
layout (no objection), the resident votes, staff close the matter. axe-core finds nothing
on the resident pages."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.deliberation import services
from gongzhi.deliberation.enums import Stage
from gongzhi.deliberation.models import Matter

pytestmark = pytest.mark.browser


def _move(page, live_server, matter, label):
    page.goto(f"{live_server.url}/deliberation/matters/{matter.pk}/")
    page.get_by_role("button", name=f"转到“{label}”").click()
    page.get_by_role("heading", name="确认推进").wait_for()
    page.get_by_role("button", name="确认").click()
    page.get_by_role("heading", name=matter.title).wait_for()


def test_a_matter_runs_the_five_steps(live_world, page, live_server, log_in, axe_clean):
    w = live_world
    staff = w.users["staff"]
    matter = services.matter_create(
        actor=staff, title="1栋加装电梯", summary="1栋住户提出加装电梯。", building=w.b1
    )
    log_in(page, "wj-staff")
    page.set_viewport_size({"width": 390, "height": 844})
    # 摸: the visit, on a phone.
    page.goto(f"{live_server.url}/deliberation/matters/{matter.pk}/")
    page.get_by_label("走访情况").fill("现场查看，低层住户担心采光。")
    page.locator("input[name=households]").first.check()
    page.get_by_role("button", name="保存走访").click()
    page.get_by_text("已记录走访。").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _move(page, live_server, matter, "议（会议商定）")
    # 议: the meeting with minutes and a decision that gives out a task.
    meeting = services.meeting_create(
        actor=staff,
        kind="coordination",
        title="1栋加装电梯协调会",
        starts_at=timezone.now(),
        place="社区会议室",
        host_name="王书记",
        agenda="方案与补偿",
        matter=matter,
    )
    page.goto(f"{live_server.url}/deliberation/meetings/{meeting.pk}/")
    page.get_by_role("textbox", name="会议记录").fill("住户一致同意方案。")
    page.get_by_role("button", name="保存记录").click()
    page.get_by_text("会议记录已保存。").wait_for()
    page.get_by_role("textbox", name="决定事项").fill("按方案实施。")
    page.get_by_label("分派任务").fill("联系施工单位")
    page.get_by_label("责任人或责任单位").select_option(label="市住建局")
    page.get_by_role("button", name="记录决定").click()
    page.get_by_text("决定事项已记录。").wait_for()
    _move(page, live_server, matter, "推（推进落实）")
    # 推: the task is done.
    page.goto(f"{live_server.url}/deliberation/tasks/")
    page.get_by_label("完成情况").fill("已与施工单位签约。")
    page.get_by_role("button", name="标记完成").click()
    page.get_by_text("任务已完成。").wait_for()
    _move(page, live_server, matter, "示（结果公示）")
    # 示: the printed notice and the resident's notice page.
    page.goto(f"{live_server.url}/deliberation/matters/{matter.pk}/print/")
    assert page.locator("svg.qr").count() == 1
    page.context.clear_cookies()
    log_in(page, "resident-zhangsan")
    page.goto(f"{live_server.url}/deliberation/notice/{matter.pk}/")
    page.get_by_role("link", name="我有异议").wait_for()
    axe_clean(page)
    # The window passes without an objection.
    matter.refresh_from_db()
    services.matter_move(
        actor=staff,
        matter=matter,
        to=Stage.EVALUATE,
        now=matter.notice_ends_at + dt.timedelta(minutes=1),
    )
    # 评: the resident votes in the large-type layout.
    page.goto(f"{live_server.url}/deliberation/notice/{matter.pk}/")
    page.get_by_role("link", name="我来评议").click()
    axe_clean(page)
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评议").click()
    page.get_by_role("heading", name="评议已提交").wait_for()
    axe_clean(page)
    page.context.clear_cookies()
    log_in(page, "wj-staff")
    _move(page, live_server, matter, "已办结")
    assert Matter.objects.get(pk=matter.pk).stage == Stage.CLOSED
    assert list(matter.transitions.order_by("id").values_list("to_stage", flat=True)) == [
        "investigate",
        "deliberate",
        "implement",
        "notice",
        "evaluate",
        "closed",
    ]
