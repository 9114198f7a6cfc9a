"""三上三下 in a real browser: staff publish round 2; a resident in the large-type layout
gives an opinion in three steps; staff adopt it and draft round 3 citing it; the resident
sees it under "你说 · 我改". Resident pages are axe-clean. The printable notice is one A4
page whose QR code decodes to the resident page."""

import io
import re

import pytest
import zxingcpp
from PIL import Image

from gongzhi.renewal import services
from gongzhi.renewal.models import Opinion

pytestmark = pytest.mark.browser


def _project_at_round_two(world):
    staff = world.users["staff"]
    project = services.project_create(
        actor=staff, community=world.wj, kind="elevator", name="1栋加装电梯"
    )
    services.project_set_places(actor=staff, project=project, buildings=[world.b1])
    r1 = services.round_draft(actor=staff, project=project, title="v1", summary="北侧", text="北")
    services.round_publish(actor=staff, round=r1)
    o = services.opinion_submit(
        actor=staff,
        project=project,
        resident=world.residents["lisi"],
        text="北侧挡光",
        channel="paper",
    )
    services.opinion_answer(actor=staff, opinion=o, answer="adopted", reason="改到东侧")
    services.round_close(actor=staff, round=r1)
    services.round_draft(
        actor=staff,
        project=project,
        title="第二版方案",
        summary="电梯改到东侧",
        text="东侧加装",
        changes=[("电梯改到东侧", [o.pk])],
    )
    return project


def test_three_up_three_down(live_world, browser, live_server, log_in, axe_clean):
    project = _project_at_round_two(live_world)
    base = live_server.url
    staff_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    resident_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    staff, resident = staff_ctx.new_page(), resident_ctx.new_page()
    for p in (staff, resident):
        p.set_default_timeout(10_000)
    try:
        # Staff publish round 2.
        log_in(staff, "wj-staff")
        staff.goto(f"{base}/renewal/{project.pk}/")
        staff.get_by_role("button", name="下发方案并通知居民").click()
        staff.get_by_text("方案已下发，已通知涉及的居民。").wait_for()

        # The resident gives an opinion in three steps from the project page.
        log_in(resident, "resident-zhangsan")
        resident.goto(f"{base}/renewal/my/")
        resident.get_by_role("heading", name="我的楼栋：望江街社区 1栋").wait_for()
        assert resident.evaluate("document.body.classList.contains('resident')")
        axe_clean(resident)
        resident.get_by_role("link", name="看方案、提意见").click()
        resident.get_by_role("heading", name="1栋加装电梯").wait_for()
        axe_clean(resident)
        transitions = []
        resident.on("framenavigated", lambda frame: transitions.append(frame.url))
        resident.get_by_role("link", name="我要提意见").click()  # 1
        resident.get_by_label("您的意见").fill("电梯口要加宽坡道，方便轮椅")
        axe_clean(resident)
        resident.get_by_role("button", name="下一步").click()  # 2
        resident.get_by_role("heading", name="确认意见").wait_for()
        axe_clean(resident)
        resident.get_by_role("button", name="提交意见").click()  # 3
        resident.get_by_role("heading", name="意见已提交").wait_for()
        axe_clean(resident)
        assert len(transitions) == 3, transitions
        opinion = Opinion.objects.get(text="电梯口要加宽坡道，方便轮椅")

        # Staff adopt it, end round 2 and draft round 3 naming it as the cause.
        staff.goto(f"{base}/renewal/{project.pk}/")
        card = staff.locator(f"#opinion-{opinion.pk}")
        card.get_by_label("采纳", exact=True).check()
        card.get_by_label("答复理由").fill("坡道加宽至1.5米")
        card.get_by_role("button", name="答复").click()
        staff.get_by_text("已答复。", exact=True).wait_for()
        staff.get_by_role("button", name="结束本轮意见征集").click()
        staff.wait_for_load_state()
        staff.get_by_text("本轮意见征集已结束。").wait_for()
        staff.get_by_text("起草第3版方案").click()
        staff.get_by_label("方案标题").fill("第三版方案")
        staff.get_by_label("方案摘要").fill("东侧加装，坡道加宽")
        staff.get_by_label("方案内容").fill("东侧加装电梯，坡道加宽至1.5米")
        staff.get_by_label("修改内容 1").fill("坡道加宽至1.5米")
        staff.locator(f'input[name="cause_0"][value="{opinion.pk}"]').check()
        staff.get_by_role("button", name="保存方案版本").click()
        staff.get_by_text("方案版本已保存").wait_for()
        staff.locator("#round-3").get_by_role("button", name="下发方案并通知居民").click()
        staff.get_by_text("方案已下发，已通知涉及的居民。").wait_for()

        # Round 3 shows it under "你说 · 我改".
        resident.goto(f"{base}/renewal/my/")
        said = resident.locator(".said-changed").first.inner_text()
        assert "电梯口要加宽坡道，方便轮椅" in said and "坡道加宽至1.5米" in said
        assert "第3版方案" in resident.locator("main").inner_text()
        axe_clean(resident)

        # The printable notice: one A4 page, its QR code opens the resident page.
        staff.set_viewport_size({"width": 794, "height": 1123})
        staff.goto(f"{base}/renewal/{project.pk}/rounds/3/notice/")
        pdf = staff.pdf(format="A4", print_background=True)
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
        assert pages == 1, pages
        png = staff.locator("svg.qr").screenshot()
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
        assert [f.text for f in found] == [f"{base}/renewal/p/{project.pk}/"]
    finally:
        staff_ctx.close()
        resident_ctx.close()
