"""Who reads and who writes the work report; saving its paragraphs (audited, figures left
alone); bad input answered in Chinese with every word kept, never a 500."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.models import AuditEvent
from gongzhi.reports import services
from gongzhi.reports.models import PARAGRAPH_MAX, WorkReport

from .conftest import ASKED, OT, SD, WJ, page

pytestmark = pytest.mark.django_db
ROUTES = ["/reports/work/", "/reports/work/print/", "/reports/work/docx/", "/reports/work/xlsx/"]


@pytest.mark.parametrize("role", ["resident", "partner", "nobody"])
@pytest.mark.parametrize("path", [*ROUTES, "/reports/work/edit/"])
def test_who_holds_no_post_finds_no_report(client, world, role, path):
    assert page(client, world.users[role], path, **ASKED).status_code == 404


def test_anonymous_is_asked_to_log_in(client, world):
    response = client.get("/reports/work/", ASKED)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("path", ROUTES)
def test_a_community_outside_reach_reads_like_an_unknown_one(client, records, path):
    response = page(client, records.users["other_staff"], path, **ASKED)
    html = response.content.decode()
    assert response.status_code == 400
    assert "没有找到编码为“510402001001”的社区，或它不在您的查看范围内。" in html
    assert "望江街社区" not in html


def test_the_grid_chief_reads_the_figures_of_the_grid_and_cannot_write(client, records):
    response = page(client, records.users["grid"], **ASKED)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="households" href' in html and ">2户</a>" in html
    assert "/reports/work/edit/" not in html
    assert page(client, records.users["grid"], "/reports/work/edit/", **ASKED).status_code == 404
    client.force_login(records.users["grid"])
    response = client.post(
        "/reports/work/edit/", {**ASKED, "title": "网格的报告", "paragraph_core": "写"}
    )
    assert response.status_code == 404
    assert WorkReport.objects.count() == 0


def _post(client, user, **fields):
    client.force_login(user)
    return client.post("/reports/work/edit/", {**ASKED, **fields})


def test_the_secretary_writes_a_paragraph_and_it_stands_in_every_form(client, records):
    user = records.users["secretary"]
    response = _post(
        client,
        user,
        title="望江街社区2026年工作报告",
        paragraph_core="党建引领更新，六支队伍各展所长。",
    )
    assert response.status_code == 302
    assert response["Location"] == (
        "/reports/work/?community=510402001001&from=2026-01-01&to=2026-11-30"
    )
    report = WorkReport.objects.get()
    assert (report.community, report.paragraphs) == (
        records.wj,
        {"core": "党建引领更新，六支队伍各展所长。"},
    )
    event = AuditEvent.objects.get(action="reports.report.saved")
    assert (event.actor, event.community_id, event.changes["sections"]) == (
        user,
        records.wj.pk,
        ["core"],
    )
    html = page(client, user, **ASKED).content.decode()
    assert "党建引领更新，六支队伍各展所长。" in html and "望江街社区2026年工作报告" in html
    docx = page(client, user, "/reports/work/docx/", **ASKED).content
    from tests.reports.test_report import docx_text

    assert "党建引领更新，六支队伍各展所长。" in docx_text(docx)
    # Saved again with the same words: one report, a second event naming no section.
    _post(
        client,
        user,
        title="望江街社区2026年工作报告",
        paragraph_core="党建引领更新，六支队伍各展所长。",
    )
    assert WorkReport.objects.count() == 1
    assert [
        e.changes["sections"]
        for e in AuditEvent.objects.filter(action="reports.report.saved").order_by("pk")
    ] == [["core"], []]


def test_a_community_outside_reach_cannot_be_written_for(client, records):
    response = _post(client, records.users["other_staff"], paragraph_core="越界")
    assert response.status_code == 404
    assert WorkReport.objects.count() == 0 and "越界" not in response.content.decode()


def test_the_subdistrict_writes_the_report_of_the_subdistrict(client, records):
    response = _post(
        client,
        records.users["subdistrict"],
        community="",
        subdistrict=SD,
        paragraph_overview="街道概况。",
    )
    assert response.status_code == 302
    report = WorkReport.objects.get()
    assert (report.subdistrict_id, report.community_id) == (records.sd.pk, None)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"from": "2026-11-30", "to": "2026-01-01"}, "开始日期不能晚于结束日期。"),
        ({"from": "2024-01-01", "to": "2026-11-30"}, "统计期最长一年"),
        ({"from": "2026-13-01"}, "日期"),
        ({"paragraph_voice": "长" * (PARAGRAPH_MAX + 1)}, f"这一段最多{PARAGRAPH_MAX}个字"),
        ({"title": "题" * 101}, "标题最多100个字。"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_the_words_are_kept(client, records, fields, message):
    typed = "居民说，楼道亮了，心也亮了。"
    response = _post(client, records.users["secretary"], **{"paragraph_reach": typed, **fields})
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert WorkReport.objects.count() == 0
    assert typed in html


def test_the_service_refuses_who_may_not_write(records):
    with pytest.raises(PermissionDenied):
        services.report_save(
            actor=records.users["other_staff"],
            community=records.wj,
            start=records.wj and __import__("datetime").date(2026, 1, 1),
            end=__import__("datetime").date(2026, 11, 30),
            paragraphs={},
        )


def test_the_service_refuses_an_unknown_section(records):
    import datetime as dt

    with pytest.raises(ValidationError) as error:
        services.report_save(
            actor=records.users["secretary"],
            community=records.wj,
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 11, 30),
            paragraphs={"figures": "138"},
        )
    assert "没有这一部分：figures。" in str(error.value)


def test_the_other_community_reads_its_own_report(client, records):
    response = page(client, records.users["other_staff"], community=OT, **{"from": "2026-01-01"})
    assert response.status_code == 200
    assert "其他社区" in response.content.decode()
    assert WJ not in response.content.decode()
