"""The survey pages: scoped like the API, masked export, paper entry keeps what was typed,
the visit log raises a voices item, residents answer for their own household."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.surveys import services
from gongzhi.surveys.models import Response, VisitLog

from .conftest import JPEG


def test_campaign_page_shows_rates_and_chart(survey, login, visit, answer):
    visit("1-1-101", "answered", at=timezone.now() - dt.timedelta(days=1))
    answer("1-1-101", answered_at=timezone.now() - dt.timedelta(days=1))
    visit("1-2-201", "refused")
    html = login(survey.users["staff"]).get(f"/surveys/{survey.campaign.pk}/").content.decode()
    assert "<svg" in html and "<polyline" in html
    assert "66.67%" in html  # coverage 2 of 3
    assert "2栋1单元101" in html  # still to visit
    assert "第一网格" in html and "第二网格" in html


def test_grid_chief_sees_only_their_grid(survey, login):
    html = login(survey.users["grid"]).get(f"/surveys/{survey.campaign.pk}/").content.decode()
    assert "第二网格" not in html
    assert "2栋1单元101" not in html


@pytest.mark.parametrize("role", ["other_staff", "partner", "nobody", "resident"])
def test_campaign_page_out_of_reach(survey, login, role):
    client = login(survey.users[role])
    for path in ["", "phone/", "paper/", "export/"]:
        assert client.get(f"/surveys/{survey.campaign.pk}/{path}").status_code == 404


def test_export_masks_and_neutralises(survey, login, answer):
    answer(answers={"note": '=HYPERLINK("http://x")'})
    response = login(survey.users["staff"]).get(f"/surveys/{survey.campaign.pk}/export/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [str(c.value) for row in book.worksheets[0].iter_rows() for c in row if c.value]
    assert "张*" in cells and "张三" not in cells
    assert '\'=HYPERLINK("http://x")' in cells


def test_paper_entry_keeps_typed_values_after_refusal(survey, login):
    client = login(survey.users["staff"])
    url = f"/surveys/{survey.campaign.pk}/paper/"
    body = {
        "household": survey.households["1-1-101"].pk,
        "respondent": survey.residents["zhangsan"].pk,
        "answered_on": timezone.localdate().isoformat(),
        "support": "支持",
        "needs": ["停车"],
        "note": "楼道太暗",
        "consent": "1",
    }
    refused = client.post(url, body)
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "纸质问卷请上传签字页照片。" in html
    assert "楼道太暗" in html
    body["photo"] = SimpleUploadedFile("sheet.jpg", JPEG, content_type="image/jpeg")
    ok = client.post(url, body)
    assert ok.status_code == 302
    r = Response.objects.get()
    assert (r.channel, r.entered_by, r.status) == ("paper", survey.users["staff"], "valid")


def test_visit_log_page_raises_an_item(survey, login):
    client = login(survey.users["grid"])
    r = client.post(
        "/surveys/logs/",
        {
            "household": survey.households["1-1-101"].pk,
            "aim": "worry",
            "heard": "单元门禁坏了",
            "visited_on": timezone.localdate().isoformat(),
            "raise_item": "1",
        },
    )
    assert r.status_code == 302
    log = VisitLog.objects.get()
    assert log.item is not None
    html = client.get("/surveys/logs/").content.decode()
    assert "单元门禁坏了" in html


def test_visit_log_refusal_keeps_text(survey, login):
    r = login(survey.users["grid"]).post(
        "/surveys/logs/",
        {"household": survey.households["1-1-101"].pk, "aim": "nope", "heard": "留着"},
    )
    assert r.status_code == 422
    assert "请选择走访目的。" in r.content.decode() and "留着" in r.content.decode()


def test_resident_answers_for_their_household(survey, login):
    client = login(survey.users["resident"])
    assert "您家还没有答这份问卷" in client.get("/surveys/mine/").content.decode()
    refused = client.post(f"/surveys/mine/{survey.campaign.pk}/", {"support": "支持"})
    assert refused.status_code == 422
    ok = client.post(
        f"/surveys/mine/{survey.campaign.pk}/",
        {"support": "支持", "needs": ["加装电梯"], "consent": "1"},
    )
    assert ok.status_code == 302
    assert Response.objects.get().channel == "online"
    assert "您家已经答过这份问卷" in client.get("/surveys/mine/").content.decode()


def test_resident_of_another_household_cannot_answer(survey, login):
    from tests.world import make_user

    wangwu = make_user("resident-wangwu", resident=survey.residents["wangwu"])
    # 王五's household is in the campaign; 赵六's is not.
    zhaoliu = make_user("resident-zhaoliu", resident=survey.residents["zhaoliu"])
    assert login(wangwu).get(f"/surveys/mine/{survey.campaign.pk}/").status_code == 200
    assert login(zhaoliu).get(f"/surveys/mine/{survey.campaign.pk}/").status_code == 404


def test_base_survey_pages(survey, login):
    staff = survey.users["staff"]
    base = services.base_survey_create(
        actor=staff,
        community=survey.wj,
        name="楼栋摸排",
        starts_on=dt.date(2026, 1, 1),
        target_on=dt.date(2026, 1, 14),
    )
    services.building_survey_record(
        actor=staff,
        base_survey=base,
        building=survey.b1,
        surveyed_on=dt.date(2026, 1, 2),
        structure="brick_concrete",
        floors=6,
    )
    html = login(staff).get("/surveys/base/").content.decode()
    assert "100.00%" in html and "0.00%" in html  # grid 1 done, grid 2 not yet
    detail = login(staff).get(f"/surveys/base/{base.pk}/").content.decode()
    assert "砖混" in detail


def test_close_asks_first(survey, login):
    client = login(survey.users["staff"])
    client.post(f"/surveys/{survey.campaign.pk}/close/", {})
    survey.campaign.refresh_from_db()
    assert survey.campaign.status == "open"
    client.post(f"/surveys/{survey.campaign.pk}/close/", {"confirm": "1"})
    survey.campaign.refresh_from_db()
    assert survey.campaign.status == "closed"


def test_review_page_action(survey, login, answer):
    answer()
    second, _ = answer(support="不支持")
    login(survey.users["staff"]).post(f"/surveys/responses/{second.pk}/review/", {"keep": "0"})
    second.refresh_from_db()
    assert second.status == "invalid"


def test_service_worker_scope(client):
    r = client.get("/surveys/sw.js")
    assert r["Content-Type"] == "application/javascript"
    assert b"caches" in r.content


def test_campaign_page_query_count(survey, login, visit, django_assert_max_num_queries):
    client = login(survey.users["staff"])
    url = f"/surveys/{survey.campaign.pk}/"
    client.get(url)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    for door in ["1-1-101", "1-2-201", "2-1-101"]:
        visit(door, "refused", actor="staff")
    with django_assert_max_num_queries(20):
        assert "100.00%" in client.get(url).content.decode()


def test_campaign_list_query_count(survey, login, django_assert_max_num_queries):
    client = login(survey.users["staff"])
    client.get("/surveys/")
    with django_assert_max_num_queries(12):
        assert client.get("/surveys/").status_code == 200
