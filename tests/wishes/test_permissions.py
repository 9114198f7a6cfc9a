"""Role × action matrix for wishes. A wish of 张三 (grid 1, building 1, entrance 1) is
taken to the state each action needs; each role either may act, or is refused with 404
(outside their reach: the wish must not be confirmed to exist) or 403 (they see it but
may not act)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongzhi.wishes import rules, services

OK, NOT_FOUND, FORBIDDEN = "ok", 404, 403

ROLES = [
    "admin",
    "subdistrict",
    "secretary",
    "staff",
    "grid",
    "grid_worker",
    "building",
    "entrance",
    "resident",
    "partner",
    "party",
    "team",
    "other_staff",
    "nobody",
]

# Verify (publish): edit_registry over the wish's place. The building chief sees it but
# may not; the subdistrict staff's posts do not carry edit_registry.
VERIFY = {
    "admin": OK,
    "subdistrict": FORBIDDEN,
    "secretary": OK,
    "staff": OK,
    "grid": OK,
    "grid_worker": NOT_FOUND,  # grid 2
    "building": FORBIDDEN,
    "entrance": NOT_FOUND,  # entrance 2 of building 1
    "resident": FORBIDDEN,  # their own household: visible, not theirs to verify
    "partner": NOT_FOUND,
    "party": NOT_FOUND,
    "team": NOT_FOUND,
    "other_staff": NOT_FOUND,
    "nobody": NOT_FOUND,
}

# Claim: sponsors of 望江街 only.
CLAIM = {role: NOT_FOUND for role in ROLES} | {"partner": OK, "party": OK, "team": OK}

# Fulfil: whoever holds the claim (the partner unit here).
FULFIL = {role: NOT_FOUND for role in ROLES} | {"partner": OK}

# Confirm: the resident, or a post holder whose own posts reach the wish.
CONFIRM = {
    "admin": OK,
    "subdistrict": OK,
    "secretary": OK,
    "staff": OK,
    "grid": OK,
    "grid_worker": NOT_FOUND,
    "building": OK,
    "entrance": NOT_FOUND,
    "resident": OK,
    "partner": NOT_FOUND,
    "party": NOT_FOUND,
    "team": NOT_FOUND,
    "other_staff": NOT_FOUND,
    "nobody": NOT_FOUND,
}


def _outcome(call):
    try:
        call()
    except Http404:
        return NOT_FOUND
    except PermissionDenied:
        return FORBIDDEN
    return OK


@pytest.mark.parametrize("role", ROLES)
def test_verify(world, sponsors, make_wish, role):
    wish = make_wish("submitted")
    got = _outcome(lambda: services.wish_publish(actor=world.users[role], wish=wish))
    assert got == VERIFY[role]
    other = make_wish("submitted")
    got = _outcome(lambda: services.wish_reject(actor=world.users[role], wish=other, reason="x"))
    assert got == VERIFY[role]


@pytest.mark.parametrize("role", ROLES)
def test_claim(world, sponsors, make_wish, role):
    wish = make_wish("published")
    assert _outcome(lambda: services.wish_claim(actor=world.users[role], wish=wish)) == CLAIM[role]


@pytest.mark.parametrize("role", ROLES)
def test_fulfil(world, sponsors, make_wish, role):
    wish = make_wish("claimed", sponsor="partner")
    got = _outcome(
        lambda: services.wish_fulfil(actor=world.users[role], wish=wish, proof_text="完成了")
    )
    assert got == FULFIL[role]


@pytest.mark.parametrize("role", ROLES)
def test_release(world, sponsors, make_wish, role):
    wish = make_wish("claimed", sponsor="team")
    expected = OK if role == "team" or VERIFY[role] == OK else NOT_FOUND
    assert _outcome(lambda: services.wish_release(actor=world.users[role], wish=wish)) == expected


@pytest.mark.parametrize("role", ROLES)
def test_confirm(world, sponsors, make_wish, role):
    wish = make_wish("fulfilled")
    got = _outcome(lambda: services.wish_confirm(actor=world.users[role], wish=wish))
    assert got == CONFIRM[role]


def test_a_family_member_sees_but_may_not_confirm(world, sponsors, make_wish):
    from gongzhi.places import services as places
    from tests.world import make_user

    spouse = places.resident_create(
        actor=None, household=world.households["1-1-101"], name="张妻", relation="spouse"
    )
    user = make_user("zhang-spouse", resident=spouse)
    wish = make_wish("fulfilled")
    assert rules.may_view(user, wish)
    with pytest.raises(PermissionDenied):
        services.wish_confirm(actor=user, wish=wish)


def test_leaders_enter_only_for_residents_in_their_posts_reach(world):
    zhangsan, wangwu = world.residents["zhangsan"], world.residents["wangwu"]
    u = world.users
    assert rules.may_enter_for(u["building"], zhangsan)
    assert not rules.may_enter_for(u["building"], wangwu)
    assert not rules.may_enter_for(u["entrance"], zhangsan)  # entrance 2, 张三 lives in 1
    assert rules.may_enter_for(u["resident"], zhangsan)
    assert not rules.may_enter_for(u["resident"], world.residents["lisi"])
    with pytest.raises(Http404):
        services.wish_submit(actor=u["grid"], resident=wangwu, category="other", text="越界")


def test_a_sponsor_may_not_claim_a_wish_of_their_own_household(world, sponsors):
    wish = services.wish_submit(
        actor=world.users["party"],
        resident=world.residents["lisi"],
        category="other",
        text="想要台灯",
    )
    services.wish_publish(actor=world.users["grid"], wish=wish)
    with pytest.raises(Http404):
        services.wish_claim(actor=world.users["party"], wish=wish)


def test_partners_claim_only_in_the_communities_they_serve(world, sponsors):
    wish = services.wish_submit(
        actor=world.users["admin"],
        resident=world.residents["zhaoliu"],
        category="other",
        text="想要一个收音机",
    )
    services.wish_publish(actor=world.users["other_staff"], wish=wish)
    with pytest.raises(Http404):
        services.wish_claim(actor=world.users["partner"], wish=wish)


def test_a_sponsor_with_several_identities_chooses_one(world, sponsors, make_wish):
    from gongzhi.orgs.models import PartyMember, PartyOrganisation

    PartyMember.objects.create(
        resident=world.residents["wangwu"], organisation=PartyOrganisation.objects.get()
    )
    user = world.users["team"]
    user.__dict__.pop("_gongzhi_sponsors", None)
    wish = make_wish("published")
    with pytest.raises(ValidationError) as exc:
        services.wish_claim(actor=user, wish=wish)
    assert exc.value.message_dict == {"sponsor": ["请选择以哪个身份认领。"]}
    claim = services.wish_claim(actor=user, wish=wish, sponsor=f"team:{sponsors.team.pk}")
    assert (claim.sponsor_kind, claim.team) == ("team", sponsors.team)
