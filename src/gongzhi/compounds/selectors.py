"""Reads of compound governance and station duty, through the one scoping mechanism.

``governance_on(compound, day)`` says who governs a compound on a day (the property company
under a contract then in force, else an active self-management group); ``responsible_unit``
is the partner unit a property case of the compound goes to. ``red_share`` counts the
party members among committee members or property staff from the register (a person is a
party member when ``orgs.PartyMember`` holds their resident record).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q

from gongzhi.core.scoping import visible
from gongzhi.orgs.models import PartnerUnit, PartyMember
from gongzhi.places.models import Compound
from gongzhi.venues.enums import VenueKind
from gongzhi.venues.models import Venue
from gongzhi.voices.enums import DispatchStatus
from gongzhi.voices.models import Dispatch

from .enums import Governance
from .models import (
    BodyMeeting,
    CommitteeMember,
    CommitteeTerm,
    Decision,
    DutyShift,
    Notice,
    PropertyContract,
    PropertyStaff,
    SatisfactionPoll,
    SelfManagement,
    Steward,
)


def compound_list(user):
    """The compounds in reach, each with its current contract's company and group."""
    return visible(user, Compound.objects.select_related("community", "grid")).order_by(
        "community_id", "name"
    )


def contract_on(compound, day: dt.date) -> PropertyContract | None:
    return (
        PropertyContract.objects.select_related("company")
        .filter(compound=compound, starts_on__lte=day, ends_on__gte=day)
        .first()
    )


def group_on(compound, day: dt.date) -> SelfManagement | None:
    return (
        SelfManagement.objects.select_related("unit")
        .filter(compound=compound, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .first()
    )


@dataclass(frozen=True)
class Governing:
    """Who governs a compound on a day: the property company under a contract then in force,
    else an active self-management group (``group`` is None when a contract governs), else
    nobody."""

    contract: PropertyContract | None
    group: SelfManagement | None

    @property
    def governance(self) -> str:
        if self.contract is not None:
            return Governance.PROPERTY
        if self.group is not None:
            return Governance.SELF_MANAGED
        return Governance.NONE

    @property
    def unit(self) -> PartnerUnit | None:
        """Where a property case goes: the company under contract, else the group's unit
        (its stewards), else nobody."""
        if self.contract is not None:
            return self.contract.company
        return self.group.unit if self.group is not None else None


def governance_of(compounds, day: dt.date) -> dict[int, Governing]:
    """``Governing`` of each compound on ``day``, by compound id, in two queries whatever
    the number of compounds (a list of them asked per compound cost two to four each)."""
    ids = [c.pk for c in compounds]
    contracts: dict[int, PropertyContract] = {}
    # Ordered by compound and latest start first (Meta): the first per compound wins, as
    # when one compound is asked. Contracts of a compound cannot overlap anyway.
    for contract in PropertyContract.objects.select_related("company").filter(
        compound_id__in=ids, starts_on__lte=day, ends_on__gte=day
    ):
        contracts.setdefault(contract.compound_id, contract)
    groups = {
        group.compound_id: group
        for group in SelfManagement.objects.select_related("unit")
        .filter(compound_id__in=ids, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
    }
    return {
        pk: Governing(contracts.get(pk), None if pk in contracts else groups.get(pk)) for pk in ids
    }


def governance_on(compound, day: dt.date) -> str:
    return governance_of([compound], day)[compound.pk].governance


def responsible_unit(compound, day: dt.date) -> PartnerUnit | None:
    """Where a property case of ``compound`` goes on ``day`` (``Governing.unit``)."""
    return governance_of([compound], day)[compound.pk].unit


@dataclass
class RedShare:
    party: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.party / self.total) if self.total else 0


def _red(residents_and_names: list[int | None]) -> RedShare:
    ids = [r for r in residents_and_names if r]
    party = PartyMember.objects.filter(resident_id__in=ids).count() if ids else 0
    return RedShare(party=party, total=len(residents_and_names))


def red_share_of_term(term: CommitteeTerm) -> RedShare:
    return _red(list(term.members.values_list("resident_id", flat=True)))


def red_share_of_contract(contract: PropertyContract) -> RedShare:
    return _red(list(contract.staff.values_list("resident_id", flat=True)))


def party_resident_ids(resident_ids) -> set[int]:
    ids = [r for r in resident_ids if r]
    if not ids:
        return set()
    return set(
        PartyMember.objects.filter(resident_id__in=ids).values_list("resident_id", flat=True)
    )


@dataclass
class CompoundView:
    compound: Compound
    terms: list
    contracts: list
    group: SelfManagement | None
    meetings: list
    notices: list
    polls: list
    party_ids: set


def compound_view(compound: Compound) -> CompoundView:
    """Everything the compound page shows, in a fixed number of queries."""
    terms = list(
        CommitteeTerm.objects.filter(compound=compound).prefetch_related(
            Prefetch("members", queryset=CommitteeMember.objects.order_by("post", "pk"))
        )
    )
    contracts = list(
        PropertyContract.objects.filter(compound=compound)
        .select_related("company")
        .prefetch_related(Prefetch("staff", queryset=PropertyStaff.objects.order_by("pk")))
    )
    group = (
        SelfManagement.objects.filter(compound=compound)
        .select_related("unit")
        .prefetch_related(
            Prefetch("stewards", queryset=Steward.objects.select_related("user").order_by("pk"))
        )
        .first()
    )
    meetings = list(
        BodyMeeting.objects.filter(compound=compound).prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.order_by("pk"))
        )[:20]
    )
    notices = list(Notice.objects.filter(compound=compound).prefetch_related("buildings")[:20])
    polls = list(
        SatisfactionPoll.objects.filter(compound=compound).select_related("campaign", "contract")
    )
    residents = [m.resident_id for t in terms for m in t.members.all()]
    residents += [s.resident_id for c in contracts for s in c.staff.all()]
    return CompoundView(
        compound=compound,
        terms=terms,
        contracts=contracts,
        group=group,
        meetings=meetings,
        notices=notices,
        polls=polls,
        party_ids=party_resident_ids(residents),
    )


@dataclass
class CompanyMeasure:
    unit: PartnerUnit
    compounds: int
    dispatches: int
    on_time: int
    verified: int


def company_measures(user) -> list[CompanyMeasure]:
    """Per property company serving a compound in reach: its dispatches on property cases of
    those compounds, how many it answered on time (signed and replied by their due dates)
    and how many the community verified."""
    compound_ids = list(visible(user, Compound.objects.all()).values_list("pk", flat=True))
    contracts = PropertyContract.objects.filter(compound_id__in=compound_ids)
    by_unit = dict(
        contracts.values("company_id")
        .annotate(n=Count("compound_id", distinct=True))
        .values_list("company_id", "n")
    )
    units = {u.pk: u for u in PartnerUnit.objects.filter(pk__in=by_unit).order_by("name")}
    rows = (
        Dispatch.objects.filter(unit_id__in=by_unit, item__compound_id__in=compound_ids)
        .values("unit_id")
        .annotate(
            n=Count("pk"),
            on_time=Count(
                "pk",
                filter=Q(replied_at__isnull=False, replied_at__lte=F("reply_due_at"))
                & Q(accepted_at__lte=F("accept_due_at")),
            ),
            verified=Count("pk", filter=Q(status=DispatchStatus.VERIFIED)),
        )
    )
    counted = {r["unit_id"]: r for r in rows}
    return [
        CompanyMeasure(
            unit=unit,
            compounds=by_unit[pk],
            dispatches=counted.get(pk, {}).get("n", 0),
            on_time=counted.get(pk, {}).get("on_time", 0),
            verified=counted.get(pk, {}).get("verified", 0),
        )
        for pk, unit in units.items()
    ]


def station_list(user):
    """The grid stations (网格驿站 venues of a grid) in reach."""
    return visible(
        user,
        Venue.objects.filter(kind=VenueKind.GRID_STATION, grid__isnull=False).select_related(
            "grid", "community"
        ),
    ).order_by("community_id", "grid_id", "name")


def on_duty(stations, day: dt.date) -> dict[int, list[DutyShift]]:
    """The shifts of ``day`` per station id."""
    out: dict[int, list[DutyShift]] = {}
    for shift in DutyShift.objects.filter(station__in=stations, on=day).select_related("team"):
        out.setdefault(shift.station_id, []).append(shift)
    return out


def resident_stations(user):
    """The station of a resident's own grid (a resident's reach is their household)."""
    resident = getattr(user, "resident", None) if getattr(user, "resident_id", None) else None
    if resident is None or not resident.grid_id:
        return Venue.objects.none()
    return Venue.objects.filter(
        kind=VenueKind.GRID_STATION, grid_id=resident.grid_id
    ).select_related("grid")


def resident_notices(user):
    """The notices posted to the resident's own building."""
    resident = getattr(user, "resident", None) if getattr(user, "resident_id", None) else None
    if resident is None or not resident.building_id:
        return Notice.objects.none()
    return Notice.objects.filter(buildings=resident.building_id).order_by("-posted_at")[:10]


def red_share_of_members(people, party_ids: set[int]) -> RedShare:
    """The 红色 share of already-fetched members or staff, given the party members' ids."""
    people = list(people)
    return RedShare(party=sum(1 for p in people if p.resident_id in party_ids), total=len(people))
