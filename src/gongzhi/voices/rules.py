"""Who may do what with a residents' item, and when: the one home of voices' permissions.
Services, pages and the API all ask here; ``tests/voices/test_rules_matrix.py`` checks,
role × status × level × action, that every ``can`` answer is what the service does.

Who (on top of ``core.scoping``):
- handling is bound to levels (小事不出网格、难事不出社区): a post acts on items at its own
  level or below — a grid chief or grid worker on the grid-level items of their grid,
  community staff on grid- and community-level items of their community, subdistrict staff
  on every item of their communities. ``handling_level`` is that level;
- dispatching to a partner unit and verifying its reply need ``dispatch`` / ``verify`` at the
  item's level, and dispatching is never done from the grid (it is the community's whistle);
- a reporter rates the result and may withdraw what they filed before anyone accepts it;
- a partner unit's user acts only on their unit's dispatches (``may_act_for_unit``);
- publication (the public text) is decided by those who handle the item;
- the level above supervises (督办) and decides extensions (延期审批): community staff over
  grid-level items, subdistrict staff over community- and grid-level ones (``supervises``).
  An item at the subdistrict has no level above it here: nobody supervises it by hand, and
  another subdistrict handler decides its extensions — never the one who asked.

When: ``ACTION_STATUSES`` says from which statuses each action starts. A service refuses
any other with its own Chinese words (a ``ValidationError``), after the who-check (404 out
of sight, 403 in sight but not one's to do).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core.scoping import may, scope_for
from gongzhi.places.models import Community

from . import deadlines
from .enums import (
    LEVEL_ORDER,
    OPEN_STATUSES,
    PUBLICATION_TRANSITIONS,
    PUBLISHABLE_STATUSES,
    DispatchStatus,
    Level,
    Publication,
    Stage,
    Status,
)
from .selectors import is_reporter, is_visible

RANK = {level: i for i, level in enumerate(LEVEL_ORDER)}

# The statuses each action starts from.
ACTION_STATUSES: dict[str, frozenset[str]] = {
    "accept": frozenset({Status.SUBMITTED}),
    "escalate": frozenset({Status.SUBMITTED, Status.ACCEPTED}),
    "dispatch": frozenset({Status.ACCEPTED}),
    "resolve": frozenset({Status.ACCEPTED}),
    "visit": frozenset({Status.RESOLVED}),
    "rate": frozenset({Status.RESOLVED}),
    "merge": frozenset({Status.SUBMITTED, Status.ACCEPTED}),
    # What another item may be merged into: anything still being worked on.
    "merge_into": frozenset({Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED}),
    "withdraw": frozenset({Status.SUBMITTED}),
    "join": frozenset(OPEN_STATUSES - {Status.RESOLVED}),
    # 督办: anything still open, whoever holds it now (a unit, a return visit).
    "supervise": frozenset(OPEN_STATUSES),
    # 延期申请: the handling stage only, while the item's own level holds it.
    "request_extension": frozenset({Status.ACCEPTED}),
    "decide_extension": frozenset({Status.ACCEPTED}),
}
# Extensions (延期申请): at most this many working days per request, and this many
# requests per stage run (a stage begun anew by escalation or reopening counts afresh).
MAX_EXTENSION_DAYS = 10
MAX_EXTENSIONS_PER_STAGE = 2
LIVE_DISPATCH = frozenset({DispatchStatus.SENT, DispatchStatus.ACCEPTED, DispatchStatus.REPLIED})


def _active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


# --- who ----------------------------------------------------------------------------------


def handling_level(user, item, capability: str = "handle_items") -> str | None:
    """The highest level at which ``user`` holds ``capability`` over ``item``, or None.
    ``user=None`` is the system (the periodic job, a command), which acts at the top."""
    if user is None:
        return LEVEL_ORDER[-1]
    scope = scope_for(user, capability)
    if scope.everything:
        return Level.SUBDISTRICT
    if scope.held.get("subdistrict"):
        subdistrict_id = Community.objects.values_list("subdistrict_id", flat=True).get(
            pk=item.community_id
        )
        if subdistrict_id in scope.held["subdistrict"]:
            return Level.SUBDISTRICT
    if item.community_id in scope.held.get("community", ()):
        return Level.COMMUNITY
    if item.grid_id and item.grid_id in scope.held.get("grid", ()):
        return Level.GRID
    return None


def at_or_above(level: str | None, item) -> bool:
    return level is not None and RANK[level] >= RANK[item.level]


def above(level: str | None, item) -> bool:
    return level is not None and RANK[level] > RANK[item.level]


def supervises(user, item) -> bool:
    """督办 and extension decisions: ``handle_items`` at a level above the item's."""
    return above(handling_level(user, item), item)


def handles(user, item, capability: str = "handle_items") -> bool:
    """Whether ``user`` holds ``capability`` at the item's level or above."""
    return at_or_above(handling_level(user, item, capability), item)


def require_handler(user, item, capability: str = "handle_items") -> str:
    """404 unless the item is in the user's sight; 403 unless they hold ``capability`` at
    its level or above. Returns their level."""
    if user is None:
        return LEVEL_ORDER[-1]
    if not is_visible(user, item):
        raise Http404
    level = handling_level(user, item, capability)
    if not at_or_above(level, item):
        raise PermissionDenied(_("没有权限执行此操作。"))
    return level


def is_original_reporter(user, item) -> bool:
    """The person who filed the item, or whoever entered it for them."""
    if not _active(user):
        return False
    original = item.reporters.filter(is_original=True).first()
    return original is not None and (
        original.user_id == user.pk
        or bool(user.resident_id and original.resident_id == user.resident_id)
        or original.entered_by_id == user.pk
    )


def may_act_for_unit(user, dispatch) -> bool:
    """A partner unit's user acts on their own unit's dispatches only."""
    return _active(user) and bool(user.partner_unit_id) and user.partner_unit_id == dispatch.unit_id


def unit_holds_live_dispatch(user, item) -> bool:
    return (
        _active(user)
        and bool(user.partner_unit_id)
        and item.dispatches.filter(unit_id=user.partner_unit_id, status__in=LIVE_DISPATCH).exists()
    )


def may_comment(user, item) -> bool:
    """An internal note: any handler who holds the item in reach, whatever its level, and
    the partner unit of a live dispatch."""
    return unit_holds_live_dispatch(user, item) or may(user, "handle_items", item)


def may_reveal_reporter_phone(user, reporter) -> bool:
    """Staff with ``reveal_pii`` over the item; a partner unit only where the reporter
    agreed to share the phone and the item was dispatched to the unit."""
    item = reporter.item
    partner = (
        _active(user)
        and bool(user.partner_unit_id)
        and reporter.share_phone_with_partner
        and item.dispatches.filter(unit_id=user.partner_unit_id).exists()
    )
    return partner or may(user, "reveal_pii", item)


def may_publish(user, item) -> bool:
    """Whether ``user`` may publish or withhold ``item``'s public text: those who handle it
    at its level, the same rule as accepting or resolving it."""
    return _active(user) and handles(user, item)


def publishable_q(user) -> Q | None:
    """The items ``user`` may publish, as a condition for a list (``may_publish`` for one
    item); ``None`` means every item."""
    if not _active(user):
        return Q(pk__in=[])
    scope = scope_for(user, "handle_items")
    if scope.everything:
        return None
    q = Q(pk__in=[])
    if scope.held.get("subdistrict"):
        q |= Q(community__subdistrict_id__in=sorted(scope.held["subdistrict"]))
    if scope.held.get("community"):
        q |= Q(
            community_id__in=sorted(scope.held["community"]),
            level__in=[Level.GRID, Level.COMMUNITY],
        )
    if scope.held.get("grid"):
        q |= Q(grid_id__in=sorted(scope.held["grid"]), level=Level.GRID)
    return q


def extension_decidable_q(user) -> Q | None:
    """The items whose extension requests ``user`` decides, as a condition on items (for
    the 延期审批 queue; ``may_decide_extension`` for one item): those below their level in
    reach, and at the subdistrict those of their own subdistrict. ``None``: every item.
    Who asked is left to the caller (never oneself)."""
    if not _active(user):
        return Q(pk__in=[])
    scope = scope_for(user, "handle_items")
    if scope.everything:
        return None
    q = Q(pk__in=[])
    if scope.held.get("subdistrict"):
        q |= Q(community__subdistrict_id__in=sorted(scope.held["subdistrict"]))
    if scope.held.get("community"):
        q |= Q(community_id__in=sorted(scope.held["community"]), level=Level.GRID)
    return q


# --- who and when ----------------------------------------------------------------------


def starts_from(action: str, item) -> bool:
    return item.status in ACTION_STATUSES[action]


@dataclass(frozen=True)
class Who:
    """What ``user`` is to ``item``, read once: the same few queries whatever the item's
    state, so a page or an answer costs the same for every item."""

    handles: bool
    dispatches: bool
    verifies: bool
    comments: bool
    reporter: bool
    sole_original_reporter: bool
    # 督办 and extension decisions: a level above the item's.
    supervises: bool = False
    # Decides the pending extension request (the level above, or at the subdistrict
    # another subdistrict handler; never who asked).
    decides_extension: bool = False
    # The current stage run's extension requests, and whether one awaits a decision.
    extensions_this_stage: int = 0
    extension_pending: bool = False


@dataclass(frozen=True)
class Extensions:
    """The extension requests of the item's current stage run, as ``who`` needs them."""

    count: int
    pending_by: int | None


def stage_extensions(item) -> Extensions:
    """One query: the current stage run's requests and who asked the pending one."""
    rows = list(
        item.extension_requests.filter(
            stage=item.stage, stage_started_at=item.stage_started_at
        ).values_list("requested_by_id", "decision__id")
    )
    pending = [by for by, decision in rows if decision is None]
    return Extensions(count=len(rows), pending_by=pending[0] if pending else None)


def may_decide_extension(user, item, level: str | None, pending_by: int | None) -> bool:
    if pending_by is None or user is None or user.pk == pending_by:
        return False
    if item.level == LEVEL_ORDER[-1]:
        return level == LEVEL_ORDER[-1]
    return above(level, item)


def who(user, item) -> Who:
    level = handling_level(user, item)
    handles_ = at_or_above(level, item)
    # Read whatever the status, so that every item costs the same queries.
    ext = stage_extensions(item)
    return Who(
        handles=handles_,
        dispatches=user is not None and handles(user, item, "dispatch"),
        verifies=handles(user, item, "verify"),
        comments=may_comment(user, item),
        reporter=is_reporter(user, item),
        sole_original_reporter=is_original_reporter(user, item) and item.reporters.count() == 1,
        supervises=above(level, item),
        decides_extension=may_decide_extension(user, item, level, ext.pending_by),
        extensions_this_stage=ext.count,
        extension_pending=ext.pending_by is not None,
    )


# Each action: (who, item, live dispatch) → allowed now.
CHECKS = {
    "accept": lambda w, item, live: w.handles and starts_from("accept", item),
    "escalate": lambda w, item, live: (
        w.handles and starts_from("escalate", item) and item.level != LEVEL_ORDER[-1]
    ),
    "dispatch": lambda w, item, live: (
        w.dispatches and starts_from("dispatch", item) and item.level != Level.GRID
    ),
    "verify": lambda w, item, live: (
        w.verifies and live is not None and live.status == DispatchStatus.REPLIED
    ),
    "resolve": lambda w, item, live: w.handles and starts_from("resolve", item),
    "visit": lambda w, item, live: w.handles and starts_from("visit", item),
    "merge": lambda w, item, live: w.handles and starts_from("merge", item),
    "comment": lambda w, item, live: w.comments,
    "rate": lambda w, item, live: w.reporter and starts_from("rate", item),
    "withdraw": lambda w, item, live: w.sole_original_reporter and starts_from("withdraw", item),
    # Publication: never a private report, never a merged or withdrawn one; the handlers
    # of the item decide (``may_publish``).
    "publish": lambda w, item, live: (
        w.handles
        and not item.private
        and item.status in PUBLISHABLE_STATUSES
        and Publication.PUBLISHED in PUBLICATION_TRANSITIONS[item.publication]
    ),
    "withhold": lambda w, item, live: (
        w.handles and Publication.WITHHELD in PUBLICATION_TRANSITIONS[item.publication]
    ),
    "supervise": lambda w, item, live: w.supervises and starts_from("supervise", item),
    "request_extension": lambda w, item, live: (
        w.handles
        and starts_from("request_extension", item)
        and not deadlines.is_overdue(item)
        and not w.extension_pending
        and w.extensions_this_stage < MAX_EXTENSIONS_PER_STAGE
    ),
    "decide_extension": lambda w, item, live: (
        w.decides_extension and starts_from("decide_extension", item)
    ),
}


def can(action: str, user, item, live=None) -> bool:
    """Whether ``user`` may take ``action`` on ``item`` now (``live``: its live dispatch,
    for ``verify``)."""
    if user is not None and not _active(user):
        return False
    return CHECKS[action](who(user, item), item, live)


def abilities(user, item, live) -> dict[str, bool]:
    """What ``user`` may do to ``item`` now, by action, for pages and the API to offer."""
    if user is not None and not _active(user):
        return dict.fromkeys(CHECKS, False)
    facts = who(user, item)
    return {action: check(facts, item, live) for action, check in CHECKS.items()}


def can_publish(user, item) -> bool:
    return can("publish", user, item)


def escalates_automatically(item) -> bool:
    """Whether the last follow-up step moves the item up a level: only while the handlers
    of its own level hold it (not while a partner unit or a return visit does) and below
    the top."""
    return item.stage in (Stage.RESPOND, Stage.HANDLE) and item.level != LEVEL_ORDER[-1]
