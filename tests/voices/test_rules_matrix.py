"""Role × status × level × action: what ``voices.rules`` says a person may do to an item is
exactly what the service lets them do.

Items are brought into every status (at the grid and at the community level) through the
services. Then, for every role of the world and every action, the rule's answer is
compared with the service's: the service is called inside a savepoint that is rolled
back, so every attempt starts from the same item. A refusal must be one of the three
answers a person gets (404, 403 or a Chinese ValidationError), never anything else.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from gongzhi.voices import rules, selectors, services
from gongzhi.voices.enums import Channel, ItemKind, Level, Satisfaction, Solved, Status
from tests.world import ROLES


class RolledBack(Exception):
    pass


def _file(world, text="1栋楼道灯不亮"):
    return services.item_submit(
        actor=world.users["resident"], kind=ItemKind.PROBLEM, text=text, channel=Channel.ONLINE
    )


def _at(world, level, item):
    if level == Level.COMMUNITY and item.level == Level.GRID:
        item = services.item_escalate(actor=None, item=item, reason="需要社区")
    return item


def _items(world, categories):
    """(status, level, variant) → item in that state, reported by 张三 (the resident
    login). The variant "extension" is an accepted item whose handler asked for more time
    (the grid chief at the grid, community staff at the community): someone may decide."""
    lights = categories["lights"]
    admin = world.users["admin"]
    partner = world.users["partner"]
    out = {}
    for level in (Level.GRID, Level.COMMUNITY):
        out[Status.SUBMITTED, level] = _at(world, level, _file(world))
        accepted = _at(world, level, _file(world))
        out[Status.ACCEPTED, level] = services.item_accept(
            actor=None, item=accepted, category=lights, level=level
        )
        resolved = services.item_accept(
            actor=None, item=_at(world, level, _file(world)), category=lights, level=level
        )
        out[Status.RESOLVED, level] = services.item_resolve(actor=None, item=resolved, note="修好")
        closed = services.item_accept(
            actor=None, item=_at(world, level, _file(world)), category=lights, level=level
        )
        closed = services.item_resolve(actor=None, item=closed, note="修好")
        services.item_return_visit(
            actor=admin, item=closed, solved=Solved.SOLVED, satisfaction=Satisfaction.SATISFIED
        )
        out[Status.CLOSED, level] = closed
        merged = _at(world, level, _file(world))
        services.item_merge(actor=None, item=merged, into=_at(world, level, _file(world)))
        merged.refresh_from_db()
        out[Status.MERGED, level] = merged
        withdrawn = _at(world, level, _file(world))
        out[Status.WITHDRAWN, level] = services.item_withdraw(
            actor=world.users["resident"], item=withdrawn
        )
    dispatched = services.item_accept(
        actor=None,
        item=_at(world, Level.COMMUNITY, _file(world)),
        category=lights,
        level=Level.COMMUNITY,
    )
    dispatch = services.item_dispatch(actor=admin, item=dispatched, unit=world.partner)
    services.dispatch_accept(actor=partner, dispatch=dispatch)
    services.dispatch_reply(actor=partner, dispatch=dispatch, reply="已修好")
    dispatched.refresh_from_db()
    out[Status.DISPATCHED, Level.COMMUNITY] = dispatched
    out = {(status, level, ""): item for (status, level), item in out.items()}
    for level, asker in ((Level.GRID, "grid"), (Level.COMMUNITY, "staff")):
        asked = services.item_accept(
            actor=None, item=_at(world, level, _file(world)), category=lights, level=level
        )
        services.extension_request(
            actor=world.users[asker], item=asked, days=3, reason="需要等配件"
        )
        out[Status.ACCEPTED, level, "extension"] = asked
    for item in out.values():
        item.refresh_from_db()
    return out


def _attempts(world, item):
    """action → a call of the service that takes it, as ``actor``."""
    into = services.item_submit(
        actor=world.users["admin"],
        kind=ItemKind.PROBLEM,
        text="1栋楼道灯又不亮",
        channel=Channel.VISIT,
        on_behalf_of=world.residents["zhangsan"],
    )
    if into.level != item.level:
        into = _at(world, item.level, into)
    live = selectors.live_dispatch(item)
    lights = item.category or into.suggested_category
    return {
        "accept": lambda a: services.item_accept(actor=a, item=item, category=lights),
        "escalate": lambda a: services.item_escalate(actor=a, item=item, reason="需要上级"),
        "dispatch": lambda a: services.item_dispatch(actor=a, item=item, unit=world.partner),
        "verify": lambda a: (
            services.dispatch_verify(actor=a, dispatch=live, accepted=True)
            if live is not None
            else (_ for _ in ()).throw(ValidationError("无派单"))
        ),
        "resolve": lambda a: services.item_resolve(actor=a, item=item, note="已处理"),
        "visit": lambda a: services.item_return_visit(
            actor=a, item=item, solved=Solved.SOLVED, satisfaction=Satisfaction.SATISFIED
        ),
        "rate": lambda a: services.item_return_visit(
            actor=a,
            item=item,
            solved=Solved.SOLVED,
            satisfaction=Satisfaction.SATISFIED,
            by_resident=True,
        ),
        "merge": lambda a: services.item_merge(actor=a, item=item, into=into),
        "comment": lambda a: services.item_comment(actor=a, item=item, note="备注"),
        "withdraw": lambda a: services.item_withdraw(actor=a, item=item),
        "publish": lambda a: services.item_publish(actor=a, item=item, public_text="楼道灯不亮"),
        "withhold": lambda a: services.item_withhold(actor=a, item=item, reason="涉及个人"),
        "supervise": lambda a: services.item_supervise(actor=a, item=item, message="请加快办理"),
        "request_extension": lambda a: services.extension_request(
            actor=a, item=item, days=2, reason="需要等配件"
        ),
        "decide_extension": lambda a: services.extension_decide(
            actor=a, item=item, approve=True, note="同意"
        ),
    }, live


def _service_allows(call, actor) -> bool | str:
    try:
        with transaction.atomic():
            call(actor)
            raise RolledBack
    except RolledBack:
        return True
    except (Http404, PermissionDenied, ValidationError):
        return False


@pytest.mark.django_db
def test_every_rule_is_what_the_service_does(world, categories):
    items = _items(world, categories)
    assert {status for status, _level, _variant in items} == set(Status.values)
    mismatches = []
    allowed_somewhere = set()
    for (status, level, variant), item in sorted(items.items()):
        calls, live = _attempts(world, item)
        assert set(calls) == set(rules.CHECKS), "every rule has its service here"
        for role in ROLES:
            user = world.users[role]
            said = rules.abilities(user, item, live)
            for action, call in calls.items():
                item.refresh_from_db()
                done = _service_allows(call, user)
                if done:
                    allowed_somewhere.add(action)
                if said[action] != done:
                    mismatches.append(
                        f"{role:12} {status:10} {level:10} {variant:9} {action:9} "
                        f"rule says {said[action]}, service {'does it' if done else 'refuses'}"
                    )
    assert mismatches == [], "\n" + "\n".join(mismatches)
    # The matrix is not vacuous: every action is allowed to someone in some state.
    assert allowed_somewhere == set(rules.CHECKS)


@pytest.mark.django_db
def test_a_rule_answers_false_for_an_inactive_user(world, categories):
    item = _file(world)
    staff = world.users["staff"]
    assert rules.can("accept", staff, item) is True
    staff.is_active = False
    assert rules.can("accept", staff, item) is False
    assert not any(rules.abilities(staff, item, None).values())
