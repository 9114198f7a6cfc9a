"""Role × action for each service: who may act, who gets 404 (cannot see the item, as if
it did not exist) and who gets 403 (sees it, may not do this).

The item sits in grid 1, building 1, entrance 1, household 1-1-101, reported by 张三."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gongzhi.voices import selectors, services
from gongzhi.voices.enums import Channel, ItemKind, Level, Satisfaction, Solved, Status
from gongzhi.voices.models import EventSession
from tests.world import ROLES

from .conftest import at

OK, NOT_FOUND, FORBIDDEN = "ok", "404", "403"


def outcome(call) -> str:
    try:
        call()
    except Http404:
        return NOT_FOUND
    except PermissionDenied:
        return FORBIDDEN
    return OK


def submitted(world, categories):
    return services.item_submit(
        actor=None,
        kind=ItemKind.PROBLEM,
        text="楼下路灯不亮",
        channel=Channel.PHONE,
        reporter_resident=world.residents["zhangsan"],
        now=at(2026, 6, 9, 9),
    )


def accepted(world, categories, level=Level.GRID):
    item = submitted(world, categories)
    return services.item_accept(
        actor=None, item=item, category=categories["lights"], level=level, now=at(2026, 6, 9, 10)
    )


def dispatched(world, categories):
    item = accepted(world, categories, level=Level.COMMUNITY)
    return services.item_dispatch(
        actor=world.users["staff"], item=item, unit=world.partner, now=at(2026, 6, 9, 11)
    )


# What each role sees of the grid-1 item.
SEES = {
    "admin": True,
    "subdistrict": True,
    "secretary": True,
    "staff": True,
    "grid": True,
    "grid_worker": False,
    "building": True,
    "entrance": False,  # entrance 2; the item is in entrance 1
    "resident": True,  # 张三 reported it
    "partner": False,  # not dispatched to them
    "other_staff": False,
    "nobody": False,
}


@pytest.mark.parametrize("role", ROLES)
def test_visibility(world, categories, role):
    item = submitted(world, categories)
    user = world.users[role]
    assert (item in selectors.item_list_visible_to(user)) is SEES[role]
    if not SEES[role]:
        with pytest.raises(Http404):
            selectors.get_item_visible_or_404(user, pk=item.pk)


ACCEPT_GRID_ITEM = {
    "admin": OK,
    "subdistrict": OK,
    "secretary": OK,
    "staff": OK,
    "grid": OK,
    "grid_worker": NOT_FOUND,
    "building": FORBIDDEN,
    "entrance": NOT_FOUND,
    "resident": FORBIDDEN,
    "partner": NOT_FOUND,
    "other_staff": NOT_FOUND,
    "nobody": NOT_FOUND,
}


@pytest.mark.parametrize("role", ROLES)
def test_accept(world, categories, role):
    item = submitted(world, categories)
    result = outcome(
        lambda: services.item_accept(
            actor=world.users[role], item=item, category=categories["lights"]
        )
    )
    assert result == ACCEPT_GRID_ITEM[role]


# A community-level item: the grid chief sees it but may no longer act on it.
RESOLVE_COMMUNITY_ITEM = {**ACCEPT_GRID_ITEM, "grid": FORBIDDEN}


@pytest.mark.parametrize("role", ROLES)
def test_resolve_at_community_level(world, categories, role):
    item = accepted(world, categories, level=Level.COMMUNITY)
    result = outcome(
        lambda: services.item_resolve(actor=world.users[role], item=item, note="已修复")
    )
    assert result == RESOLVE_COMMUNITY_ITEM[role]


@pytest.mark.parametrize("role", ROLES)
def test_escalate(world, categories, role):
    item = accepted(world, categories)
    result = outcome(
        lambda: services.item_escalate(actor=world.users[role], item=item, reason="需社区协调")
    )
    assert result == ACCEPT_GRID_ITEM[role]


DISPATCH = {**RESOLVE_COMMUNITY_ITEM}


@pytest.mark.parametrize("role", ROLES)
def test_dispatch(world, categories, role):
    item = accepted(world, categories, level=Level.COMMUNITY)
    result = outcome(
        lambda: services.item_dispatch(actor=world.users[role], item=item, unit=world.partner)
    )
    assert result == DISPATCH[role]


@pytest.mark.parametrize("role", ROLES)
def test_dispatch_accept_only_by_the_unit(world, categories, role):
    dispatch = dispatched(world, categories)
    result = outcome(lambda: services.dispatch_accept(actor=world.users[role], dispatch=dispatch))
    assert result == (OK if role == "partner" else NOT_FOUND)


@pytest.mark.parametrize("role", ROLES)
def test_verify(world, categories, role):
    dispatch = dispatched(world, categories)
    services.dispatch_accept(actor=world.users["partner"], dispatch=dispatch)
    services.dispatch_reply(actor=world.users["partner"], dispatch=dispatch, reply="已修复")
    result = outcome(
        lambda: services.dispatch_verify(
            actor=world.users[role], dispatch=dispatch, accepted=True, note="属实"
        )
    )
    # The partner now sees the item (it was dispatched to them) but may not verify.
    expected = {**DISPATCH, "partner": FORBIDDEN}
    assert result == expected[role]


@pytest.mark.parametrize("role", ROLES)
def test_return_visit(world, categories, role):
    item = accepted(world, categories)
    services.item_resolve(actor=None, item=item, note="已修复")
    result = outcome(
        lambda: services.item_return_visit(
            actor=world.users[role],
            item=item,
            solved=Solved.SOLVED,
            satisfaction=Satisfaction.SATISFIED,
        )
    )
    assert result == ACCEPT_GRID_ITEM[role]


@pytest.mark.parametrize("role", ROLES)
def test_rating_by_the_resident_is_the_reporters_alone(world, categories, role):
    item = accepted(world, categories)
    services.item_resolve(actor=None, item=item, note="已修复")
    result = outcome(
        lambda: services.item_return_visit(
            actor=world.users[role],
            item=item,
            solved=Solved.SOLVED,
            satisfaction=Satisfaction.SATISFIED,
            by_resident=True,
        )
    )
    expected = NOT_FOUND if not SEES[role] else (OK if role == "resident" else FORBIDDEN)
    assert result == expected


# Entering an item for 李四 (1-2-201: grid 1, building 1, entrance 2).
ON_BEHALF = {
    "admin": OK,
    "subdistrict": FORBIDDEN,  # sees the register, does not enter for residents
    "secretary": OK,
    "staff": OK,
    "grid": OK,
    "grid_worker": NOT_FOUND,
    "building": OK,
    "entrance": OK,
    "resident": NOT_FOUND,
    "partner": NOT_FOUND,
    "other_staff": NOT_FOUND,
    "nobody": NOT_FOUND,
}


@pytest.mark.parametrize("role", ROLES)
def test_submit_on_behalf(world, categories, role):
    actor = world.users[role]
    result = outcome(
        lambda: services.item_submit(
            actor=actor,
            kind=ItemKind.PROBLEM,
            text="楼道灯不亮",
            channel=Channel.VISIT,
            on_behalf_of=world.residents["lisi"],
        )
    )
    assert result == ON_BEHALF[role]
    if result == OK:
        item = selectors.items_reported_by(world.users["admin"]).model.objects.get()
        reporter = item.reporters.get()
        assert (reporter.resident, reporter.entered_by, reporter.user) == (
            world.residents["lisi"],
            actor,
            None,
        )
        assert item.household == world.households["1-2-201"]


EVENT_ENTRY = {
    "admin": OK,
    "subdistrict": FORBIDDEN,
    "secretary": OK,
    "staff": OK,
    # An event belongs to the community: posts below it do not reach it at all.
    "grid": NOT_FOUND,
    "grid_worker": NOT_FOUND,
    "building": NOT_FOUND,
    "entrance": NOT_FOUND,
    "resident": NOT_FOUND,
    "partner": NOT_FOUND,
    "other_staff": NOT_FOUND,
    "nobody": NOT_FOUND,
}


@pytest.mark.parametrize("role", ROLES)
def test_event_entry(world, categories, role):
    session = EventSession.objects.create(
        community=world.wj,
        title="坝坝龙门阵",
        format="baba_longmenzhen",
        held_on=at(2026, 6, 1).date(),
    )
    result = outcome(
        lambda: services.items_submit_from_event(
            actor=world.users[role], event_session=session, rows=[{"text": "希望增加健身器材"}]
        )
    )
    assert result == EVENT_ENTRY[role]


def test_a_resident_cannot_submit_for_a_neighbour(world, categories):
    with pytest.raises(Http404):
        services.item_submit(
            actor=world.users["resident"],
            kind=ItemKind.PROBLEM,
            text="楼道灯不亮",
            channel=Channel.ONLINE,
            on_behalf_of=world.residents["wangwu"],
        )


def test_nobody_cannot_submit(world, categories):
    with pytest.raises((PermissionDenied, Http404)):
        services.item_submit(
            actor=world.users["nobody"],
            kind=ItemKind.PROBLEM,
            text="楼道灯不亮",
            channel=Channel.ONLINE,
            community=world.wj,
        )


def test_the_lead_never_changes(world, categories):
    item = submitted(world, categories)
    item = services.item_accept(actor=world.users["grid"], item=item, category=categories["lights"])
    item = services.item_escalate(actor=world.users["grid"], item=item, reason="需社区协调")
    item = services.item_escalate(actor=world.users["staff"], item=item, reason="需街道协调")
    assert item.level == Level.SUBDISTRICT
    assert item.lead_user == world.users["grid"]
    assert item.status == Status.ACCEPTED


def _id_lists(q) -> list:
    """The literal id lists inside a condition (``pk__in=[...]``), however deeply nested."""
    found = []
    for child in q.children:
        if hasattr(child, "children"):
            found += _id_lists(child)
        elif child[0] == "pk__in" and isinstance(child[1], list):
            found.append(child[1])
    return found


def test_items_a_leader_filed_within_their_reach_are_not_listed_by_id(world, categories):
    staff = world.users["staff"]
    entered = services.item_submit(
        actor=staff,
        kind=ItemKind.PROBLEM,
        text="楼道灯不亮",
        channel=Channel.VISIT,
        on_behalf_of=world.residents["lisi"],
    )
    # A community worker who lives in the community reports a problem at home.
    staff.resident = world.residents["wangwu"]
    staff.save(update_fields=["resident"])
    reported = services.item_submit(
        actor=None,
        kind=ItemKind.PROBLEM,
        text="家门口下水道堵了",
        channel=Channel.PHONE,
        reporter_resident=world.residents["wangwu"],
    )
    # Their community already reaches it: an id list would grow with every item they file.
    lists = _id_lists(selectors.item_visibility_q(staff))
    assert all(entered.pk not in ids and reported.pk not in ids for ids in lists)
    assert {entered, reported} <= set(selectors.item_list_visible_to(staff))
