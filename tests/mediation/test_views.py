import io

import pytest
from django.urls import reverse
from docx import Document
from PIL import Image

from gongzhi.mediation import services
from gongzhi.mediation.enums import CaseStatus, FollowUpStatus
from gongzhi.mediation.models import Case, Party, Session
from gongzhi.voices.enums import EventType
from gongzhi.voices.models import ItemEvent
from tests.world import ROLES

from .conftest import NOTES, STATEMENT, at

# Who reads the confidential record of a grid-1 case (statements, notes), who only sees
# that it exists and its outcome, and who gets 404 for the case altogether. The
# administrator sees the case but not what the parties said.
READERS = {"secretary", "mediator"}
SEE_ONLY = {"admin", "subdistrict", "staff", "grid"}
NOT_FOUND = {
    "grid_worker",  # another grid's worker
    "building",
    "entrance",
    "resident",  # a resident who is not a mediator (张三 is even a party)
    "partner",
    "other_staff",
    "nobody",
    "outsider_mediator",  # a member of the team, not a mediator of this case
}


def _user(world, role, mediator, mediators):
    if role == "mediator":
        return mediator
    if role == "outsider_mediator":
        from tests.world import make_user

        return make_user("mediator-chen", resident=mediators[1])
    return world.users[role]


@pytest.mark.parametrize("role", sorted(set(ROLES) | {"mediator", "outsider_mediator"}))
def test_confidentiality_over_the_role_matrix(
    world, role, mediated, mediator, mediators, client, api_as
):
    assert set(ROLES) | {"mediator", "outsider_mediator"} == READERS | SEE_ONLY | NOT_FOUND
    user = _user(world, role, mediator, mediators)
    client.force_login(user, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
    page = client.get(reverse("mediation:detail", args=[mediated.pk]))
    statements = api_as(user).get(f"/mediation/cases/{mediated.pk}/statements")
    case_api = api_as(user).get(f"/mediation/cases/{mediated.pk}")
    if role in NOT_FOUND:
        assert page.status_code == 404
        assert statements.status_code == 404
        assert case_api.status_code == 404
        return
    assert page.status_code == 200
    html = page.content.decode()
    assert mediated.number in html and "调解中" in html
    assert case_api.json()["status"] == "in_mediation"
    if role in READERS:
        assert STATEMENT in html and NOTES in html
        assert statements.status_code == 200
        body = statements.json()
        assert [p["statement"] for p in body["parties"]][0] == STATEMENT
        assert body["parties"][0]["phone"] == "138****5678"
        assert body["sessions"][0]["notes"] == NOTES
    else:
        assert STATEMENT not in html and NOTES not in html and "张三" not in html
        assert "调解内容保密" in html
        assert statements.status_code == 404


def test_confidential_files_are_404_to_those_in_sight(world, mediated, login):
    services.case_conclude(actor=None, case=mediated, outcome="agreed", agreement="赔偿")
    client = login(world.users["staff"])
    assert client.get(reverse("mediation:agreement", args=[mediated.pk])).status_code == 404
    assert client.get(reverse("mediation:signed_copy_photo", args=[mediated.pk])).status_code == 404
    visit = mediated.follow_ups.first()
    r = client.post(reverse("mediation:follow_up", args=[visit.pk]), {"kept": "no", "confirm": "1"})
    assert r.status_code == 404
    visit.refresh_from_db()
    assert visit.status == FollowUpStatus.DUE


def test_the_list_shows_counted_figures_with_a_query_guard(
    world, mediators, login, django_assert_max_num_queries
):
    client = login(world.users["secretary"])

    def make(n):
        for _ in range(n):
            c = services.case_open(
                actor=None,
                community=world.wj,
                title="噪音纠纷",
                summary="x",
                arose_on=at(2026, 1, 1).date(),
                mediators=mediators,
                now=at(2026, 3, 1),
            )
            services.party_add(actor=None, case=c, side="applicant", name="甲")
            services.party_add(actor=None, case=c, side="respondent", name="乙")
            services.session_record(
                actor=None,
                case=c,
                held_at=at(2026, 3, 2),
                place="驿站",
                notes="x",
                now=at(2026, 3, 2),
            )
            services.case_conclude(
                actor=None, case=c, outcome="agreed", agreement="和解", now=at(2026, 3, 4)
            )

    make(1)
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("mediation:list"))
    make(4)
    with django_assert_max_num_queries(len(one.captured_queries)):
        r = client.get(reverse("mediation:list"))
    html = r.content.decode()
    assert r.status_code == 200
    assert html.count("噪音纠纷") == 5
    assert '<span class="work-n">100.0%</span>' in html
    assert '<span class="work-n">3.0</span>' in html


def test_a_grid_chief_turns_an_item_into_a_mediation_on_screen(world, dispute, mediators, login):
    client = login(world.users["grid"])
    item_page = client.get(reverse("voices:detail", args=[dispute.pk])).content.decode()
    assert reverse("mediation:from_item", args=[dispute.pk]) in item_page
    assert "转人民调解" in item_page
    url = reverse("mediation:from_item", args=[dispute.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert "楼上邻居卫生间漏水" in form.content.decode()
    bad = client.post(url, {"title": "漏水纠纷", "summary": "x", "arose_on": "2026-05-28"})
    assert bad.status_code == 400
    assert "请至少选择一名调解员。" in bad.content.decode()
    assert Case.objects.count() == 0
    r = client.post(
        url,
        {
            "title": "漏水纠纷",
            "summary": "楼上漏水",
            "arose_on": "2026-05-28",
            "mediators": [str(mediators[0].pk)],
        },
    )
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("mediation:detail", args=[case.pk])
    # Asked again, the page leads to the case.
    assert client.get(url)["Location"] == reverse("mediation:detail", args=[case.pk])


def test_a_mediator_records_parties_and_a_session_on_screen(world, case, mediator, login):
    client = login(mediator)
    url = reverse("mediation:detail", args=[case.pk])
    assert "记录一次调解" in client.get(url).content.decode()
    r = client.post(
        reverse("mediation:party_add", args=[case.pk]),
        {"side": "respondent", "resident": "", "name": "", "phone": "", "statement": "x"},
    )
    assert r.status_code == 400
    assert "不在本社区居民登记中的当事人，请填写姓名。" in r.content.decode()
    assert Party.objects.count() == 2
    r = client.post(
        reverse("mediation:session_add", args=[case.pk]),
        {"day": "2026-05-01", "time": "15:00", "place": "驿站", "notes": "x"},
    )
    assert r.status_code == 400
    assert "调解时间不能早于纠纷发生日期（2026-05-28）。" in r.content.decode()
    assert Session.objects.count() == 0
    parties = list(case.parties.values_list("pk", flat=True))
    r = client.post(
        reverse("mediation:session_add", args=[case.pk]),
        {
            "day": "2026-06-03",
            "time": "15:00",
            "place": "第一网格驿站",
            "notes": "双方各让一步",
            "attendees": [str(p) for p in parties],
        },
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_MEDIATION
    assert "双方各让一步" in client.get(url).content.decode()


def test_concluding_asks_first_then_prints_and_keeps_the_signed_copy(
    world, mediated, mediator, login
):
    client = login(mediator)
    url = reverse("mediation:conclude", args=[mediated.pk])
    body = {"outcome": "agreed", "agreement": "李四修好防水", "referred_to": "", "note": ""}
    first = client.post(url, body)
    assert first.status_code == 200
    assert "请确认：记录调解结果" in first.content.decode()
    mediated.refresh_from_db()
    assert mediated.status == CaseStatus.IN_MEDIATION
    r = client.post(url, {**body, "confirm": "1"})
    assert r.status_code == 302
    mediated.refresh_from_db()
    assert mediated.status == CaseStatus.AGREED
    assert (
        ItemEvent.objects.filter(item=mediated.item, type=EventType.COMMENT).last().note
        == f"人民调解（{mediated.number}）结果：达成协议。"
    )
    docx = client.get(reverse("mediation:agreement", args=[mediated.pk]))
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "李四修好防水" in text

    image = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(image, "JPEG")
    image.seek(0)
    image.name = "signed.jpg"
    r = client.post(reverse("mediation:signed_copy", args=[mediated.pk]), {"photo": image})
    assert r.status_code == 302
    photo = client.get(reverse("mediation:signed_copy_photo", args=[mediated.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    not_image = io.BytesIO(b"not an image at all")
    not_image.name = "x.jpg"
    r = client.post(reverse("mediation:signed_copy", args=[mediated.pk]), {"photo": not_image})
    assert r.status_code == 400


def test_a_broken_agreement_asks_first_then_reopens(world, mediated, mediator, login):
    services.case_conclude(actor=None, case=mediated, outcome="agreed", agreement="和解")
    client = login(mediator)
    visit = mediated.follow_ups.first()
    url = reverse("mediation:follow_up", args=[visit.pk])
    first = client.post(url, {"kept": "no", "note": "又漏了"})
    assert "请确认：协议没有履行" in first.content.decode()
    mediated.refresh_from_db()
    assert mediated.status == CaseStatus.AGREED
    assert client.post(url, {"kept": "no", "note": "又漏了", "confirm": "1"}).status_code == 302
    mediated.refresh_from_db()
    assert mediated.status == CaseStatus.REOPENED


def test_the_api_opens_a_case_from_an_item_and_refuses_bad_input(world, dispute, mediators, api_as):
    api = api_as(world.users["grid"])
    r = api.post(
        "/mediation/cases",
        {
            "item_id": dispute.pk,
            "title": "漏水纠纷",
            "summary": "楼上漏水",
            "arose_on": "2026-05-28",
            "mediator_ids": [mediators[0].pk],
        },
    )
    assert r.status_code == 201, r.content
    case_id = r.json()["id"]
    assert r.json()["item"] == dispute.number
    # The grid chief is not a reader: the record stays closed to them.
    assert api.get(f"/mediation/cases/{case_id}/statements").status_code == 404
    secretary = api_as(world.users["secretary"])
    r = secretary.post(f"/mediation/cases/{case_id}/parties", {"side": "applicant", "name": ""})
    assert r.status_code == 422
    assert r.json()["errors"] == {"name": ["不在本社区居民登记中的当事人，请填写姓名。"]}
    r = secretary.post(
        f"/mediation/cases/{case_id}/sessions",
        {"held_at": "2026-05-01T09:00:00+08:00", "place": "驿站", "notes": "x"},
    )
    assert r.status_code == 422
    assert r.json()["errors"] == {"held_at": ["调解时间不能早于纠纷发生日期（2026-05-28）。"]}
    assert Session.objects.count() == 0
    figures = secretary.get("/mediation/figures").json()
    assert figures == {
        "opened": 1,
        "mediated": 0,
        "agreements": 0,
        "success_rate": None,
        "median_days": None,
    }


def test_the_api_list_has_a_query_guard_and_no_confidential_text(
    world, mediators, api_as, django_assert_max_num_queries
):
    api = api_as(world.users["staff"])

    def make(n):
        for _ in range(n):
            services.case_open(
                actor=None,
                community=world.wj,
                title="噪音纠纷",
                summary="保密的情况说明",
                arose_on=at(2026, 1, 1).date(),
                mediators=mediators,
                now=at(2026, 3, 1),
            )

    make(1)
    with django_assert_max_num_queries(12) as one:
        api.get("/mediation/cases")
    make(4)
    with django_assert_max_num_queries(len(one.captured_queries)):
        r = api.get("/mediation/cases")
    assert [c["title"] for c in r.json()] == ["噪音纠纷"] * 5
    assert "保密的情况说明" not in r.content.decode()


def test_the_mediation_link_is_offered_only_on_accepted_items(world, dispute, login):
    from gongzhi.voices import services as voices

    client = login(world.users["grid"])
    url = reverse("voices:detail", args=[dispute.pk])
    assert "转人民调解" in client.get(url).content.decode()
    voices.item_resolve(actor=world.users["grid"], item=dispute, note="已调解")
    assert "转人民调解" not in client.get(url).content.decode()


def test_refusals_are_shown_even_when_the_form_is_no_longer_offered(
    world, mediated, mediator, login
):
    services.case_conclude(actor=None, case=mediated, outcome="failed")
    client = login(mediator)
    r = client.post(
        reverse("mediation:session_add", args=[mediated.pk]),
        {"day": "2026-06-04", "time": "09:00", "place": "驿站", "notes": "x"},
    )
    assert r.status_code == 400
    assert "这件调解当前为“调解不成”，不能再记录调解。" in r.content.decode()
    r = client.post(
        reverse("mediation:conclude", args=[mediated.pk]),
        {"outcome": "agreed", "agreement": "和解", "confirm": "1"},
    )
    assert r.status_code == 400
    assert "这件调解当前为“调解不成”，不能改为“达成协议”。" in r.content.decode()
