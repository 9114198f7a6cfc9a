import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from docx import Document

from gongzhi.core.models import AuditEvent
from gongzhi.mediation import selectors, services
from gongzhi.mediation.documents import agreement_docx
from gongzhi.mediation.enums import CaseStatus, FollowUpStatus
from gongzhi.mediation.models import Case, CaseEvent, FollowUp, Party, Session
from gongzhi.voices.enums import EventType
from gongzhi.voices.models import ItemEvent

from .conftest import NOTES, at


def _notes_on(item):
    return list(
        ItemEvent.objects.filter(item=item, type=EventType.COMMENT)
        .order_by("pk")
        .values_list("note", flat=True)
    )


def test_a_dispute_item_becomes_a_mediation_and_the_item_hears_it(world, case, dispute):
    assert case.item_id == dispute.pk
    assert case.community == world.wj and case.grid == world.g1
    assert case.status == CaseStatus.OPEN
    assert case.number.startswith("TJ0012026-")
    assert case.team.name == "晓龙调解队"
    assert _notes_on(dispute) == [f"已转人民调解（{case.number}），由晓龙调解队办理。"]
    assert list(case.events.values_list("status", flat=True)) == [CaseStatus.OPEN]
    assert AuditEvent.objects.filter(action="mediation.case.opened").count() == 1


def test_an_item_can_be_mediated_once(world, case, dispute, mediators):
    with pytest.raises(ValidationError) as exc:
        services.case_open(
            actor=world.users["grid"],
            item=dispute,
            community=world.wj,
            title="再次",
            summary="再次",
            arose_on=dt.date(2026, 5, 28),
            mediators=mediators,
        )
    assert exc.value.messages == ["这条诉求已经转人民调解。"]
    assert Case.objects.count() == 1


def test_a_session_moves_the_case_into_mediation(case):
    services.session_record(
        actor=None,
        case=case,
        held_at=at(2026, 6, 3, 15),
        place="驿站",
        notes=NOTES,
        attendees=list(case.parties.all()),
        now=at(2026, 6, 3, 17),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_MEDIATION
    session = case.sessions.get()
    assert [p.name for p in session.attendees.order_by("pk")] == ["张三", "李四"]
    # A second session leaves the status as it is.
    services.session_record(
        actor=None,
        case=case,
        held_at=at(2026, 6, 4, 15),
        place="驿站",
        notes="第二次",
        now=at(2026, 6, 4, 17),
    )
    assert case.sessions.count() == 2
    assert list(case.events.values_list("status", flat=True)) == ["open", "in_mediation"]


def test_a_session_before_the_dispute_is_refused_and_nothing_written(case):
    with pytest.raises(ValidationError) as exc:
        services.session_record(
            actor=None,
            case=case,
            held_at=at(2026, 5, 20, 15),
            place="驿站",
            notes=NOTES,
            now=at(2026, 6, 3, 17),
        )
    assert exc.value.message_dict == {"held_at": ["调解时间不能早于纠纷发生日期（2026-05-28）。"]}
    assert Session.objects.count() == 0
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_a_session_in_the_future_and_without_notes_is_refused(case):
    with pytest.raises(ValidationError) as exc:
        services.session_record(
            actor=None,
            case=case,
            held_at=at(2026, 6, 9, 15),
            place="",
            notes="",
            now=at(2026, 6, 3, 17),
        )
    assert exc.value.message_dict == {
        "held_at": ["只能记录已经开过的调解，调解时间不能晚于现在。"],
        "place": ["请填写调解地点。"],
        "notes": ["请填写调解记录。"],
    }


def test_an_outsider_without_a_name_is_refused(case):
    with pytest.raises(ValidationError) as exc:
        services.party_add(actor=None, case=case, side="respondent", name=" ", phone="")
    assert exc.value.message_dict == {"name": ["不在本社区居民登记中的当事人，请填写姓名。"]}
    assert case.parties.count() == 2


def test_a_resident_of_another_community_is_not_a_register_party(world, case):
    with pytest.raises(ValidationError) as exc:
        services.party_add(
            actor=None, case=case, side="respondent", resident=world.residents["zhaoliu"]
        )
    assert exc.value.message_dict == {
        "resident": ["这位居民不在本社区居民登记中，请按外来当事人填写姓名。"]
    }


def test_an_outsiders_phone_is_sealed_at_rest_and_masked(case):
    party = services.party_add(
        actor=None, case=case, side="respondent", name="外来租户王某", phone="138 0000 9999"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM mediation_party WHERE id = %s", [party.pk])
        stored = cursor.fetchone()[0]
    assert "13800009999" not in stored
    assert Party.objects.get(pk=party.pk).phone == "13800009999"
    assert party.phone_masked == "138****9999"
    assert "13800009999" not in str(
        AuditEvent.objects.filter(action="mediation.party.added").last().changes
    )


def test_a_bad_phone_is_refused(case):
    with pytest.raises(ValidationError) as exc:
        services.party_add(actor=None, case=case, side="respondent", name="王某", phone="12345")
    assert exc.value.message_dict == {"phone": ["手机号应为以1开头的11位数字。"]}


def test_an_outcome_needs_mediation_first(case):
    with pytest.raises(ValidationError) as exc:
        services.case_conclude(actor=None, case=case, outcome="agreed", agreement="赔偿500元")
    assert exc.value.messages == ["这件调解当前为“待调解”，不能改为“达成协议”。"]


def test_an_agreement_needs_its_terms(mediated):
    with pytest.raises(ValidationError) as exc:
        services.case_conclude(actor=None, case=mediated, outcome="agreed", agreement="")
    assert exc.value.message_dict == {"agreement": ["请填写协议内容，它会写进人民调解协议书。"]}
    mediated.refresh_from_db()
    assert mediated.status == CaseStatus.IN_MEDIATION
    assert FollowUp.objects.count() == 0


def test_a_referral_names_where_to(mediated, dispute):
    with pytest.raises(ValidationError):
        services.case_conclude(actor=None, case=mediated, outcome="referred")
    services.case_conclude(
        actor=None, case=mediated, outcome="referred", referred_to="court", now=at(2026, 6, 5)
    )
    mediated.refresh_from_db()
    assert mediated.status == CaseStatus.REFERRED
    assert _notes_on(dispute)[-1] == f"人民调解（{mediated.number}）结果：已移交人民法院。"
    with pytest.raises(ValidationError):
        services.session_record(
            actor=None,
            case=mediated,
            held_at=at(2026, 6, 5, 9),
            place="驿站",
            notes="x",
            now=at(2026, 6, 5, 10),
        )


def test_an_agreement_is_printed_followed_up_and_a_broken_one_reopens(world, mediated, dispute):
    case = services.case_conclude(
        actor=None,
        case=mediated,
        outcome="agreed",
        agreement="李四于6月10日前请师傅修好卫生间防水，并赔偿张三刷墙费用500元。",
        now=at(2026, 6, 5, 16),
    )
    assert case.status == CaseStatus.AGREED
    assert case.agreed_at == at(2026, 6, 5, 16)
    assert [f.due_on for f in case.follow_ups.all()] == [
        dt.date(2026, 6, 12),
        dt.date(2026, 7, 5),
        dt.date(2026, 9, 3),
    ]
    assert _notes_on(dispute)[-1] == f"人民调解（{case.number}）结果：达成协议。"

    doc = Document(io.BytesIO(agreement_docx(case)))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "人民调解协议书" in text
    assert case.number in text
    assert "赔偿张三刷墙费用500元" in text
    assert "张三" in cells and "138****5678" in cells
    assert "13812345678" not in cells

    first, second, third = case.follow_ups.all()
    services.follow_up_record(actor=None, follow_up=first, kept=True, now=at(2026, 6, 12, 10))
    services.follow_up_record(
        actor=None, follow_up=second, kept=False, note="防水没修，又漏了", now=at(2026, 7, 5, 10)
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REOPENED
    assert list(case.follow_ups.values_list("status", flat=True)) == [
        FollowUpStatus.KEPT,
        FollowUpStatus.BROKEN,
        FollowUpStatus.CANCELLED,
    ]
    assert _notes_on(dispute)[-1] == f"人民调解（{case.number}）回访发现协议未履行，已重新调解。"
    assert list(case.events.values_list("status", flat=True)) == [
        "open",
        "in_mediation",
        "agreed",
        "reopened",
    ]
    # Mediated again: a new session, then the first agreement date still counts.
    services.session_record(
        actor=None,
        case=case,
        held_at=at(2026, 7, 6, 9),
        place="驿站",
        notes="再次调解",
        now=at(2026, 7, 6, 11),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_MEDIATION
    with pytest.raises(ValidationError):
        services.follow_up_record(actor=None, follow_up=third, kept=True)


def test_a_broken_agreement_needs_a_note(mediated):
    services.case_conclude(
        actor=None, case=mediated, outcome="partial", agreement="部分赔偿", now=at(2026, 6, 5)
    )
    visit = mediated.follow_ups.first()
    with pytest.raises(ValidationError) as exc:
        services.follow_up_record(actor=None, follow_up=visit, kept=False, note="")
    assert exc.value.message_dict == {"note": ["请写明协议哪里没有履行。"]}
    visit.refresh_from_db()
    assert visit.status == FollowUpStatus.DUE


def test_only_mediators_and_the_secretary_mediate(world, case, mediator):
    for role in ["grid", "staff", "subdistrict", "admin"]:
        with pytest.raises(PermissionDenied):
            services.party_add(actor=world.users[role], case=case, side="respondent", name="某")
    for role in ["grid_worker", "resident", "partner", "other_staff"]:
        with pytest.raises(Exception) as exc:
            services.party_add(actor=world.users[role], case=case, side="respondent", name="某")
        assert exc.typename == "Http404"
    services.party_add(actor=mediator, case=case, side="respondent", name="外来甲")
    services.party_add(actor=world.users["secretary"], case=case, side="respondent", name="外来乙")
    assert case.parties.count() == 4


def test_a_mediator_opens_a_case_directly(world, mediator, mediators):
    case = services.case_open(
        actor=mediator,
        community=world.wj,
        title="噪音纠纷",
        summary="夜里跳舞",
        arose_on=dt.date(2026, 6, 1),
        mediators=mediators,
    )
    assert case.item is None and case.grid is None
    assert case.mediators.count() == 2


def test_opening_needs_team_members_and_a_past_date(world, team):
    with pytest.raises(ValidationError) as exc:
        services.case_open(
            actor=world.users["secretary"],
            community=world.wj,
            title="",
            summary="",
            arose_on=dt.date(2099, 1, 1),
            mediators=[world.residents["lisi"]],
        )
    assert exc.value.message_dict == {
        "title": ["请填写纠纷类型，例如：漏水纠纷、噪音纠纷。"],
        "summary": ["请填写纠纷简要情况。"],
        "arose_on": ["纠纷发生日期不能晚于今天。"],
        "mediators": ["李四不是本社区调解队队员。"],
    }
    assert Case.objects.count() == 0


def test_a_community_without_a_team_is_told_to_make_one(world):
    with pytest.raises(ValidationError) as exc:
        services.case_open(
            actor=world.users["other_staff"],
            community=world.ot,
            title="纠纷",
            summary="x",
            arose_on=dt.date(2026, 1, 1),
            mediators=[],
        )
    assert (
        "本社区还没有调解队，请先在“组织管理”中建立调解队。" in exc.value.message_dict["mediators"]
    )


def test_figures_are_counted(world, mediators):
    def make(opened, outcome=None, concluded=None):
        c = services.case_open(
            actor=None,
            community=world.wj,
            title="纠纷",
            summary="x",
            arose_on=dt.date(2026, 1, 1),
            mediators=mediators,
            now=opened,
        )
        if outcome:
            services.party_add(actor=None, case=c, side="applicant", name="甲")
            services.party_add(actor=None, case=c, side="respondent", name="乙")
            services.session_record(
                actor=None, case=c, held_at=opened, place="驿站", notes="x", now=opened
            )
            services.case_conclude(
                actor=None,
                case=c,
                outcome=outcome,
                agreement="协议",
                referred_to="court",
                now=concluded,
            )
        return c

    make(at(2026, 3, 1), "agreed", at(2026, 3, 3))
    make(at(2026, 3, 1), "partial", at(2026, 3, 11))
    make(at(2026, 3, 1), "agreed", at(2026, 3, 5))
    make(at(2026, 3, 1), "failed", at(2026, 3, 20))
    make(at(2026, 3, 1))
    f = selectors.figures(Case.objects.all())
    assert (f.opened, f.mediated, f.agreements) == (5, 4, 3)
    assert f.success_rate == 75.0
    assert f.median_days == 4.0
    assert selectors.figures(Case.objects.none()).success_rate is None


def test_history_is_append_only(case):
    event = CaseEvent.objects.filter(case=case).first()
    with pytest.raises(TypeError):
        event.save()
