import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from gongzhi.compounds import selectors, services
from gongzhi.compounds.enums import Governance
from gongzhi.compounds.models import (
    CommitteeTerm,
    PropertyContract,
    SelfManagement,
)
from gongzhi.core.audit import ACTION_LABELS as LABELS
from gongzhi.core.models import AuditEvent
from gongzhi.orgs.models import PartnerUnit, PartyMember, PartyOrganisation
from gongzhi.places.models import Compound
from gongzhi.voices import services as voices
from gongzhi.voices.enums import DispatchStatus
from gongzhi.voices.enums import Status as ItemStatus

from .conftest import NOW, at


def test_a_stairwell_light_in_a_compound_with_a_company_goes_to_that_company(
    world, contract, company, minan_case
):
    dispatch = services.item_route_to_compound(actor=world.users["staff"], item=minan_case, now=NOW)
    minan_case.refresh_from_db()
    assert dispatch.unit == company
    assert minan_case.status == ItemStatus.DISPATCHED
    assert minan_case.responsible_unit == company
    assert AuditEvent.objects.filter(action="compounds.item.routed").count() == 1
    # The same loop as any partner unit: sign, reply, verify.
    partner = world.users["partner"]
    partner.partner_unit = company
    partner.save()
    voices.dispatch_accept(actor=partner, dispatch=dispatch, now=at(2026, 6, 8, 11))
    voices.dispatch_reply(
        actor=partner, dispatch=dispatch, reply="已更换楼道灯", now=at(2026, 6, 8, 15)
    )
    voices.dispatch_verify(
        actor=world.users["staff"], dispatch=dispatch, accepted=True, now=at(2026, 6, 9, 9)
    )
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.VERIFIED
    (measure,) = selectors.company_measures(world.users["staff"])
    assert (measure.unit, measure.compounds, measure.dispatches) == (company, 1, 1)
    assert (measure.on_time, measure.verified) == (1, 1)


def test_a_stairwell_light_in_ganluyuan_goes_to_its_stewards(
    world, group, steward_user, ganluyuan_case
):
    dispatch = services.item_route_to_compound(
        actor=world.users["staff"], item=ganluyuan_case, now=NOW
    )
    assert dispatch.unit == group.unit
    assert steward_user.partner_unit == group.unit
    voices.dispatch_accept(actor=steward_user, dispatch=dispatch, now=at(2026, 6, 8, 11))
    voices.dispatch_reply(
        actor=steward_user, dispatch=dispatch, reply="管家已换灯泡", now=at(2026, 6, 8, 12)
    )
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.REPLIED
    assert selectors.governance_on(group.compound, NOW.date()) == Governance.SELF_MANAGED


def test_a_compound_with_nobody_responsible_gets_a_chinese_error(world, minan_case):
    with pytest.raises(ValidationError) as exc:
        services.item_route_to_compound(actor=world.users["staff"], item=minan_case, now=NOW)
    assert exc.value.messages == ["民安巷小区当前没有物业服务企业，也没有自治管理小组。"]
    minan_case.refresh_from_db()
    assert minan_case.status == ItemStatus.ACCEPTED
    assert not minan_case.dispatches.exists()


def test_only_property_cases_are_routed(world, contract, minan_case):
    from gongzhi.voices.models import Category

    other = Category.objects.get_or_create(code="other", defaults={"name": "其他"})[0]
    minan_case.category = other
    minan_case.save()
    with pytest.raises(ValidationError) as exc:
        services.item_route_to_compound(actor=world.users["staff"], item=minan_case, now=NOW)
    assert exc.value.messages == ["只有物业服务类诉求才能转小区物业或自治管家办理。"]
    assert not minan_case.dispatches.exists()


def test_an_overlapping_committee_term_is_refused_and_nothing_written(world, term, minan):
    with pytest.raises(ValidationError) as exc:
        services.committee_term_create(
            actor=world.users["staff"],
            compound=minan,
            name="第二届",
            elected_on=dt.date(2028, 12, 1),
            starts_on=dt.date(2029, 1, 1),
            ends_on=dt.date(2033, 12, 31),
        )
    assert exc.value.message_dict["starts_on"] == [
        "任期与第一届（2024年3月10日至2029年3月9日）重叠，同一小区的业主委员会任期不能重叠。"
    ]
    assert CommitteeTerm.objects.filter(compound=minan).count() == 1
    assert AuditEvent.objects.filter(action="compounds.committee_term.created").count() == 1


def test_the_next_term_may_start_the_day_after(world, term, minan):
    services.committee_term_create(
        actor=world.users["staff"],
        compound=minan,
        name="第二届",
        elected_on=dt.date(2029, 3, 1),
        starts_on=dt.date(2029, 3, 10),
        ends_on=dt.date(2034, 3, 9),
    )
    assert CommitteeTerm.objects.filter(compound=minan).count() == 2


def test_a_second_company_for_the_same_period_is_refused(world, contract, minan):
    other = PartnerUnit.objects.create(
        name="攀枝花金江物业管理有限公司", short_name="金江物业", kind="enterprise"
    )
    with pytest.raises(ValidationError) as exc:
        services.property_contract_create(
            actor=world.users["staff"],
            compound=minan,
            company=other,
            starts_on=dt.date(2026, 7, 1),
            ends_on=dt.date(2027, 6, 30),
            scope="保洁",
            fee="0.60",
            contact_name="金经理",
            manager_name="金经理",
        )
    assert exc.value.message_dict["starts_on"] == [
        "2026年1月1日至2026年12月31日已由安居物业提供物业服务，同一小区同一时期只能有一家物业服务企业。"
    ]
    assert PropertyContract.objects.filter(compound=minan).count() == 1
    assert not other.communities.exists()


def test_a_contract_with_bad_fields_lists_every_error(world, minan, company):
    with pytest.raises(ValidationError) as exc:
        services.property_contract_create(
            actor=world.users["staff"],
            compound=minan,
            company=company,
            starts_on=dt.date(2026, 7, 1),
            ends_on=dt.date(2026, 1, 1),
            scope="",
            fee="很多",
            contact_name="",
            manager_name="",
        )
    assert set(exc.value.message_dict) == {
        "ends_on",
        "scope",
        "fee",
        "contact_name",
        "manager_name",
    }
    assert exc.value.message_dict["ends_on"] == ["结束日期不能早于开始日期。"]
    assert not PropertyContract.objects.exists()


def test_another_communitys_staff_cannot_manage(world, minan, company):
    with pytest.raises(Http404):
        services.committee_term_create(
            actor=world.users["other_staff"],
            compound=minan,
            name="第一届",
            elected_on=dt.date(2024, 3, 1),
            starts_on=dt.date(2024, 3, 10),
            ends_on=dt.date(2029, 3, 9),
        )
    with pytest.raises(Http404):
        services.committee_term_create(
            actor=world.users["grid"],
            compound=world.b1.compound,
            name="第一届",
            elected_on=dt.date(2024, 3, 1),
            starts_on=dt.date(2024, 3, 10),
            ends_on=dt.date(2029, 3, 9),
        )
    assert not CommitteeTerm.objects.exists()


def test_the_red_share_is_counted_from_the_register(world, term, contract):
    org = PartyOrganisation.objects.create(
        name="民安巷小区党支部", kind="compound_branch", community=world.wj
    )
    PartyMember.objects.create(resident=world.residents["wangwu"], organisation=org)
    services.committee_member_add(
        actor=world.users["staff"], term=term, post="chair", resident=world.residents["wangwu"]
    )
    services.committee_member_add(
        actor=world.users["staff"], term=term, post="member", name="外聘委员"
    )
    services.property_staff_add(
        actor=world.users["staff"], contract=contract, role="保洁", name="陈阿姨"
    )
    share = selectors.red_share_of_term(term)
    assert (share.party, share.total, share.percent) == (1, 2, 50)
    assert selectors.red_share_of_contract(contract).party == 0
    with pytest.raises(ValidationError) as exc:
        services.committee_member_add(
            actor=world.users["staff"], term=term, post="chair", name="又一个主任"
        )
    assert exc.value.messages == ["本届委员会已有主任。"]


def test_a_self_managed_compound_has_one_group_and_its_unit_serves_the_community(
    world, group, ganluyuan
):
    assert group.unit.communities.get() == world.wj
    with pytest.raises(ValidationError):
        services.self_management_create(
            actor=world.users["staff"],
            compound=ganluyuan,
            name="又一个",
            started_on=dt.date(2024, 1, 1),
        )
    assert SelfManagement.objects.count() == 1


def test_a_meeting_and_a_notice_to_the_compounds_buildings(world, term, minan):
    meeting = services.meeting_record(
        actor=world.users["staff"],
        compound=minan,
        body="committee",
        held_on=dt.date(2026, 6, 1),
        title="楼道灯更换",
        decisions=["由物业更换全部楼道灯", "  "],
        now=NOW,
    )
    assert list(meeting.decisions.values_list("text", flat=True)) == ["由物业更换全部楼道灯"]
    notice = services.notice_post(
        actor=world.users["staff"],
        compound=minan,
        body="committee",
        title="停水通知",
        text="周三停水",
        now=NOW,
    )
    assert list(notice.buildings.all()) == [world.b2]
    with pytest.raises(ValidationError) as exc:
        services.notice_post(
            actor=world.users["staff"],
            compound=minan,
            body="committee",
            title="越界",
            text="越界",
            buildings=[world.b1],
            now=NOW,
        )
    assert exc.value.message_dict["buildings"] == ["只能发布到本小区的楼栋。"]
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(
            actor=world.users["staff"],
            compound=minan,
            body="self",
            held_on=dt.date(2026, 6, 1),
            title="x",
            now=NOW,
        )
    assert exc.value.message_dict["body"] == ["该小区没有自治管理小组。"]


def test_every_compounds_action_has_a_label():
    actions = [
        "compounds.committee_term.created",
        "compounds.committee_member.added",
        "compounds.property_contract.created",
        "compounds.property_staff.added",
        "compounds.self_management.created",
        "compounds.steward.added",
        "compounds.meeting.recorded",
        "compounds.notice.posted",
        "compounds.poll.created",
        "compounds.item.routed",
        "compounds.duty_shift.added",
        "compounds.duty_shift.removed",
    ]
    assert all(a in LABELS for a in actions)


@pytest.mark.parametrize(
    "day",
    [dt.date(2022, 1, 1), dt.date(2024, 6, 1), dt.date(2026, 6, 1), dt.date(2027, 6, 1)],
    ids=["before-everything", "group-only", "contract-and-group", "contract-ended"],
)
def test_the_list_reading_of_who_governs_agrees_with_the_one_compound_reading(
    world, minan, ganluyuan, contract, group, day
):
    bare = Compound.objects.create(community=world.wj, grid=world.g1, name="无人管小区")
    compounds = [minan, ganluyuan, bare]
    governing = selectors.governance_of(compounds, day)
    for c in compounds:
        assert governing[c.pk].governance == selectors.governance_on(c, day)
        assert governing[c.pk].unit == selectors.responsible_unit(c, day)
    assert governing[bare.pk].governance == Governance.NONE
    expected_minan = Governance.PROPERTY if day.year == 2026 else Governance.NONE
    assert governing[minan.pk].governance == expected_minan
    expected_group = Governance.NONE if day.year == 2022 else Governance.SELF_MANAGED
    assert governing[ganluyuan.pk].governance == expected_group
    assert governing[ganluyuan.pk].unit == (None if day.year == 2022 else group.unit)


def test_a_group_that_has_ended_no_longer_governs(world, ganluyuan, group):
    group.ended_on = dt.date(2025, 12, 31)
    group.save(update_fields=["ended_on"])
    assert selectors.governance_of([ganluyuan], dt.date(2025, 12, 31))[ganluyuan.pk].unit == (
        group.unit
    )
    after = selectors.governance_of([ganluyuan], dt.date(2026, 1, 1))[ganluyuan.pk]
    assert (after.governance, after.unit) == (Governance.NONE, None)
