"""Deliberation pages: the staff pages (move asks first, refusals in the service's words),
sign-in on a phone, minutes as .docx, the printable notice whose QR code opens the notice,
the residents' objection in three steps, and query-count guards on every list."""

import io
import re

import pytest
import segno
import zxingcpp
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document
from PIL import Image

from gongzhi.core.qr import qr_svg
from gongzhi.deliberation import services
from gongzhi.deliberation.enums import Stage
from gongzhi.deliberation.models import Matter, Meeting, Objection

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def test_the_move_button_asks_first_then_moves(world, login, make_matter):
    matter = make_matter()
    services.matter_visit(
        actor=world.users["staff"],
        matter=matter,
        note="走访",
        households=[world.households["1-1-101"]],
    )
    client = login(world.users["staff"])
    page = client.get(f"/deliberation/matters/{matter.pk}/").content.decode()
    assert "转到“议（会议商定）”" in page
    asked = client.post(f"/deliberation/matters/{matter.pk}/move/", {"to": "deliberate"})
    assert "不能撤销。确认吗？" in asked.content.decode()
    assert Matter.objects.get(pk=matter.pk).stage == Stage.INVESTIGATE
    client.post(f"/deliberation/matters/{matter.pk}/move/", {"to": "deliberate", "confirm": "yes"})
    assert Matter.objects.get(pk=matter.pk).stage == Stage.DELIBERATE


def test_a_refused_move_shows_the_reason_without_asking(world, login, make_matter):
    matter = make_matter()
    client = login(world.users["staff"])
    answer = client.post(
        f"/deliberation/matters/{matter.pk}/move/", {"to": "deliberate"}, follow=True
    )
    assert "还没有走访记录" in answer.content.decode()
    assert matter.transitions.count() == 1


def test_a_task_without_owner_keeps_what_was_typed(world, login, make_matter):
    matter = make_matter(Stage.IMPLEMENT)
    client = login(world.users["staff"])
    answer = client.post(
        f"/deliberation/matters/{matter.pk}/task/", {"title": "联系电梯厂家", "due_days": "3"}
    )
    html = answer.content.decode()
    assert answer.status_code == 422
    assert "请指定责任人或责任单位，任务不能没有人负责。" in html
    assert 'value="联系电梯厂家"' in html


def _meeting(world, matter=None):
    return services.meeting_create(
        actor=world.users["staff"],
        kind="coordination",
        title="1栋协调会",
        starts_at=MONDAY,
        place="会议室",
        host_name="王书记",
        agenda="一、通报；二、讨论",
        building=world.b1,
        matter=matter,
    )


def test_sign_in_on_a_phone_and_outside_the_invitation(world, login):
    meeting = _meeting(world)
    client = login(world.users["staff"])
    client.post(f"/deliberation/meetings/{meeting.pk}/invite/", {"units": "1"})
    assert meeting.invitees.count() == 3  # two households of building 1 and the unit
    page = client.get(f"/deliberation/meetings/{meeting.pk}/").content.decode()
    assert "张三签到" in page
    ok = client.post(
        f"/deliberation/meetings/{meeting.pk}/sign-in/",
        {"who": f"r{world.residents['zhangsan'].pk}"},
        follow=True,
    )
    assert "已签到" in ok.content.decode()
    refused = client.post(
        f"/deliberation/meetings/{meeting.pk}/sign-in/",
        {"who": f"r{world.residents['wangwu'].pk}"},
        follow=True,
    )
    assert "不在本次会议的邀请名单中，不能签到。" in refused.content.decode()
    assert meeting.invitees.filter(signed_in_at__isnull=False).count() == 1


def test_minutes_export_to_docx_in_the_subdistrict_format(world, login):
    meeting = _meeting(world)
    services.meeting_invite(
        actor=world.users["staff"],
        meeting=meeting,
        invitees=[("resident", world.residents["zhangsan"].pk)],
    )
    services.meeting_sign_in(
        actor=world.users["staff"], meeting=meeting, resident=world.residents["zhangsan"]
    )
    services.meeting_minutes(actor=world.users["staff"], meeting=meeting, minutes="同意加装。")
    services.decision_create(
        actor=world.users["staff"],
        meeting=meeting,
        text="按方案实施",
        tasks=[{"title": "联系施工", "owner_unit": world.partner, "due_days": 5}],
    )
    answer = login(world.users["staff"]).get(f"/deliberation/meetings/{meeting.pk}/minutes.docx")
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(answer.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "望江街社区问题协调会会议纪要" in text
    for heading in ["一、会议议程", "二、讨论情况", "三、决定事项", "四、任务分解"]:
        assert heading in text
    facts = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert facts["主持人"] == "王书记"
    assert facts["参会人员"] == "张三（共1人次）"
    tasks = [[c.text for c in row.cells] for row in doc.tables[1].rows]
    assert tasks[1][:2] == ["联系施工", "市住建局"]


def test_the_printed_notice_carries_a_qr_code_of_its_page(world, login, make_matter):
    matter = make_matter(Stage.NOTICE)
    html = login(world.users["staff"]).get(f"/deliberation/matters/{matter.pk}/print/")
    svg = re.search(r"<svg.*?</svg>", html.content.decode(), re.S).group(0)
    url = f"http://testserver/deliberation/notice/{matter.pk}/"
    # The drawing is the one qr_svg makes of the notice's address; that address decodes.
    assert svg == str(qr_svg(url, title="扫码查看公示并提出异议"))
    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="png", scale=6, border=4)
    buf.seek(0)
    assert zxingcpp.read_barcodes(Image.open(buf))[0].text == url


def test_a_resident_objects_in_three_steps(world, login, make_matter):
    matter = make_matter(Stage.NOTICE, now=timezone.now())
    client = login(world.users["resident"])
    # 1: the notice (the stairwell QR code lands here).
    notice = client.get(f"/deliberation/notice/{matter.pk}/").content.decode()
    assert "我有异议" in notice
    # 2: what is wrong, refused when empty with what was typed kept.
    empty = client.post(f"/deliberation/notice/{matter.pk}/object/", {"text": "  "})
    assert empty.status_code == 422
    # 3: sent.
    done = client.post(f"/deliberation/notice/{matter.pk}/object/", {"text": "一楼采光没有考虑。"})
    assert "异议已提交" in done.content.decode()
    assert Objection.objects.count() == 1
    assert Matter.objects.get(pk=matter.pk).stage == Stage.DELIBERATE


def test_the_notice_is_not_public_before_its_stage(world, client, make_matter):
    matter = make_matter(Stage.IMPLEMENT)
    assert client.get(f"/deliberation/notice/{matter.pk}/").status_code == 404


@pytest.fixture
def same_queries(django_assert_num_queries):
    def check(client, url, grow):
        with CaptureQueriesContext(connection) as first:
            small = client.get(url)
        assert small.status_code == 200
        grow()
        with django_assert_num_queries(len(first.captured_queries)):
            big = client.get(url)
        assert big.status_code == 200

    return check


def _more_matters(world, n=3):
    def grow():
        for i in range(n):
            services.matter_create(
                actor=world.users["staff"], title=f"议题{i}", summary="说明", building=world.b1
            )

    return grow


@pytest.mark.parametrize("url", ["/deliberation/matters/", "/api/v1/matters"])
def test_the_matter_list_costs_the_same_for_more_rows(world, login, same_queries, url):
    client = login(world.users["staff"])
    _more_matters(world, 1)()
    same_queries(client, url, _more_matters(world))


@pytest.mark.parametrize("url", ["/deliberation/meetings/", "/api/v1/meetings"])
def test_the_meeting_list_costs_the_same_for_more_rows(world, login, same_queries, url):
    client = login(world.users["staff"])
    _meeting(world)

    def grow():
        for _i in range(3):
            m = _meeting(world)
            services.meeting_invite(
                actor=world.users["staff"], meeting=m, invitees=[("partner", world.partner.pk)]
            )

    same_queries(client, url, grow)
    assert Meeting.objects.count() == 4


@pytest.mark.parametrize("url", ["/deliberation/tasks/", "/api/v1/tasks"])
def test_the_task_list_costs_the_same_for_more_rows(world, login, same_queries, make_matter, url):
    matter = make_matter(Stage.IMPLEMENT)
    client = login(world.users["staff"])

    def grow():
        for i in range(3):
            services.task_create(
                actor=world.users["staff"],
                matter=matter,
                title=f"任务{i}",
                owner_unit=world.partner,
                due_days=3,
            )

    same_queries(client, url, grow)


@pytest.mark.parametrize(
    "url", ["/deliberation/topics/", "/deliberation/talents/", "/api/v1/topics", "/api/v1/talents"]
)
def test_the_consultation_and_talent_lists_cost_the_same(world, login, same_queries, url):
    client = login(world.users["staff"])

    def grow():
        for i in range(3):
            services.topic_propose(actor=world.users["staff"], text=f"议题{i}", community=world.wj)
            services.talent_propose(
                actor=world.users["staff"],
                name=f"能人{i}",
                title="skilled",
                skills="修理",
                community=world.wj,
            )

    same_queries(client, url, grow)


def test_staff_raise_an_item_into_a_matter_from_its_page(world, login, voice_item):
    client = login(world.users["staff"])
    detail = client.get(f"/voices/{voice_item.pk}/").content.decode()
    assert f"/deliberation/matters/new/?item={voice_item.pk}" in detail
    form = client.get(f"/deliberation/matters/new/?item={voice_item.pk}").content.decode()
    assert f"由诉求 {voice_item.number} 转为议题" in form
    assert 'name="place"' not in form  # the matter takes the item's place
    answer = client.post(
        "/deliberation/matters/new/",
        {
            "item": voice_item.pk,
            "title": "2栋屋面漏水",
            "summary": "2栋顶楼屋面漏水，需多方商议维修方案。",
            "notice_days": 5,
            "threshold": 80,
        },
    )
    matter = Matter.objects.get(item=voice_item)
    assert answer.status_code == 302
    assert (matter.building_id, matter.grid_id) == (voice_item.building_id, voice_item.grid_id)
    # Asked again, the page opens the matter instead of offering a second one.
    again = client.get(f"/deliberation/matters/new/?item={voice_item.pk}")
    assert again.status_code == 302
    assert again["Location"].endswith(f"/deliberation/matters/{matter.pk}/")


def test_an_item_outside_ones_reach_cannot_be_raised(world, login, voice_item):
    client = login(world.users["grid"])  # grid 1; the item is in grid 2
    assert client.get(f"/deliberation/matters/new/?item={voice_item.pk}").status_code == 404
    answer = client.post(
        "/deliberation/matters/new/",
        {"item": voice_item.pk, "title": "x", "summary": "y", "notice_days": 5, "threshold": 80},
    )
    assert answer.status_code == 404
    assert not Matter.objects.filter(item=voice_item).exists()
    assert client.get("/deliberation/matters/new/?item=abc").status_code == 404


def test_a_closed_item_offers_no_raise_button(world, login, voice_item):
    from gongzhi.voices.models import Item

    Item.objects.filter(pk=voice_item.pk).update(status="closed")
    page = login(world.users["staff"]).get(f"/voices/{voice_item.pk}/").content.decode()
    assert "/deliberation/matters/new/?item=" not in page
