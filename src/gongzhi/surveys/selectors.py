"""Reads for surveys, all scoped through ``core.scoping``. Rates are counted from the
records in SQL: one grouped query per campaign gives every building's counts, and the
grid and overall figures are sums of those rows — never a query per household, never a
typed figure.

- households: the campaign's households (in the reader's reach);
- reached: households with a settling visit (answered, refused, moved out, empty flat) or
  any recorded answer; a household not at home is still to visit;
- valid: households with a valid answer (at most one each, by constraint);
- support: valid answers whose support question says support;
- stated: valid answers that take a side on the support question, for or against (an
  answer left blank, or a neutral choice such as 无所谓 of a question that names its
  against answer, takes none);
- coverage = reached / households, valid rate = valid / reached, support rate = support /
  stated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from gongzhi.core.scoping import Scope, scope_for, visible
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import Building, Grid, Household, Resident

from .enums import REACHED_OUTCOMES, CampaignStatus, ResponseStatus
from .models import (
    Assignment,
    BaseSurvey,
    BuildingSurvey,
    Campaign,
    CampaignHousehold,
    QuestionnaireVersion,
    Response,
    Visit,
    VisitLog,
)


def ratio(part: int, whole: int) -> Decimal | None:
    """A percentage with two decimals, rounded half up (93.17 → 93.2 when shown with one)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


# --- campaigns --------------------------------------------------------------------------


def post_scope(user) -> Scope:
    """The reach of the user's posts alone. A resident's own household does not make them
    a reader of the campaign's figures: residents see their household's answer only
    (``open_for_household``)."""
    scope = scope_for(user, "view")
    if scope.everything:
        return scope
    return Scope(held={k: set(v) for k, v in scope.held.items() if k != "household"})


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    """Campaigns over the user's reach: their community's, those with a household they
    reach, and those they hold an assignment in."""
    scope = post_scope(user)
    qs = Campaign.objects.select_related("community", "questionnaire")
    if scope.everything:
        return qs
    touching = scope.filter(CampaignHousehold.objects.filter(campaign=OuterRef("pk")))
    assigned = Assignment.objects.filter(campaign=OuterRef("pk"), visitor_id=user.pk)
    q = Exists(assigned)
    if not scope.empty:
        q = q | Exists(touching) | Q(community_id__in=sorted(scope.held.get("community", ())))
    return qs.filter(q)


def campaign_get_visible(user, pk: int) -> Campaign:
    campaign = campaigns_visible_to(user).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def campaigns_touching(buildings) -> QuerySet[Campaign]:
    """Survey campaigns over any of ``buildings`` — resident input for a renewal project
    over those buildings. Unscoped: the caller scopes the project it asks for."""
    ids = [getattr(b, "pk", b) for b in buildings]
    return Campaign.objects.filter(
        Exists(CampaignHousehold.objects.filter(campaign=OuterRef("pk"), building_id__in=ids))
    ).order_by("-starts_on", "-id")


def current_version(campaign: Campaign) -> QuestionnaireVersion | None:
    return (
        QuestionnaireVersion.objects.filter(questionnaire_id=campaign.questionnaire_id)
        .prefetch_related("questions")
        .order_by("-number")
        .first()
    )


def _reader_scope(user, campaign: Campaign) -> Scope | None:
    """``None`` when the reader sees the whole campaign (the community's staff), else the
    scope its households are filtered by. A visitor without a post sees their buildings."""
    scope = post_scope(user)
    if scope.everything or campaign.community_id in scope.held.get("community", ()):
        return None
    return scope


def households_for(user, campaign: Campaign) -> QuerySet[CampaignHousehold]:
    """The campaign's households the user reaches: all for community staff, their grid for
    a grid chief, their assigned buildings for a visitor."""
    qs = CampaignHousehold.objects.filter(campaign=campaign)
    scope = _reader_scope(user, campaign)
    if scope is None:
        return qs
    assigned = Assignment.objects.filter(campaign=campaign, visitor_id=user.pk).values(
        "building_id"
    )
    q = Q(building_id__in=assigned)
    if not scope.empty:
        q |= scope.q_for(CampaignHousehold)
    return qs.filter(q)


def assignment_households(user, campaign: Campaign) -> QuerySet[CampaignHousehold]:
    """The households a visitor is to visit: their assigned buildings; with no assignment,
    what their posts let them record (a grid chief's grid)."""
    assigned = Assignment.objects.filter(campaign=campaign, visitor_id=user.pk)
    if assigned.exists():
        qs = CampaignHousehold.objects.filter(
            campaign=campaign, building_id__in=assigned.values("building_id")
        )
    else:
        qs = visible(user, CampaignHousehold.objects.filter(campaign=campaign), "edit_registry")
    return (
        with_flags(qs)
        .select_related("household", "building")
        .order_by(
            "building__sort_key",
            "household__entrance_id",
            "household__floor",
            "household__door_number",
        )
    )


def with_flags(qs: QuerySet[CampaignHousehold]) -> QuerySet[CampaignHousehold]:
    """Each campaign household with ``reached_flag``, ``valid_flag`` and ``support_flag``:
    the conditions of the module docstring, in one place for the campaign pages and the
    figures of ``gongzhi.figures`` alike."""
    visits = Visit.objects.filter(campaign=OuterRef("campaign"), household=OuterRef("household"))
    responses = Response.objects.filter(
        campaign=OuterRef("campaign"), household=OuterRef("household")
    )
    return qs.annotate(
        reached_flag=Exists(visits.filter(outcome__in=REACHED_OUTCOMES)) | Exists(responses),
        valid_flag=Exists(responses.filter(status=ResponseStatus.VALID)),
        support_flag=Exists(responses.filter(status=ResponseStatus.VALID, supports=True)),
        stated_flag=Exists(responses.filter(status=ResponseStatus.VALID, supports__isnull=False)),
    )


@dataclass
class Rates:
    households: int = 0
    reached: int = 0
    valid: int = 0
    support: int = 0
    label: str = ""
    key: int | None = None
    # Valid answers taking a side on the support question: the support rate's base.
    stated: int = 0

    @property
    def coverage(self) -> Decimal | None:
        return ratio(self.reached, self.households)

    @property
    def valid_rate(self) -> Decimal | None:
        return ratio(self.valid, self.reached)

    @property
    def support_rate(self) -> Decimal | None:
        return ratio(self.support, self.stated)

    @property
    def to_visit(self) -> int:
        return self.households - self.reached

    def add(self, other: Rates) -> None:
        self.households += other.households
        self.reached += other.reached
        self.valid += other.valid
        self.support += other.support
        self.stated += other.stated

    def as_dict(self) -> dict:
        return {
            "households": self.households,
            "reached": self.reached,
            "valid": self.valid,
            "support": self.support,
            "stated": self.stated,
            "coverage": self.coverage,
            "valid_rate": self.valid_rate,
            "support_rate": self.support_rate,
        }


@dataclass
class CampaignRates:
    overall: Rates
    buildings: list[Rates] = field(default_factory=list)
    grids: list[Rates] = field(default_factory=list)


def rates(user, campaign: Campaign) -> CampaignRates:
    """The campaign's figures over the households the user reaches: overall, per building
    and per grid. Two queries: the grouped counts, and the building and grid names."""
    rows = (
        with_flags(households_for(user, campaign))
        .values("building_id", "grid_id")
        .annotate(
            n=Count("id"),
            reached=Count("id", filter=Q(reached_flag=True)),
            valid=Count("id", filter=Q(valid_flag=True)),
            support=Count("id", filter=Q(support_flag=True)),
            stated=Count("id", filter=Q(stated_flag=True)),
        )
        .order_by()
    )
    rows = list(rows)
    buildings = {
        b.pk: b
        for b in Building.objects.filter(pk__in=[r["building_id"] for r in rows]).select_related(
            "grid"
        )
    }
    overall = Rates()
    per_building: list[Rates] = []
    per_grid: dict[int, Rates] = {}
    for r in rows:
        b = buildings[r["building_id"]]
        rate = Rates(
            r["n"], r["reached"], r["valid"], r["support"], str(b), b.pk, stated=r["stated"]
        )
        per_building.append(rate)
        overall.add(rate)
        grid = per_grid.setdefault(b.grid_id, Rates(label=b.grid.name, key=b.grid_id))
        grid.add(rate)
    per_building.sort(key=lambda x: (buildings[x.key].sort_key, buildings[x.key].number))
    grids = sorted(per_grid.values(), key=lambda g: buildings_grid_key(buildings, g.key))
    return CampaignRates(overall=overall, buildings=per_building, grids=grids)


def buildings_grid_key(buildings: dict[int, Building], grid_id: int):
    for b in buildings.values():
        if b.grid_id == grid_id:
            return (b.grid.sort_key, b.grid.code)
    return (0, "")


def daily_progress(user, campaign: Campaign) -> list[dict]:
    """Per day of the campaign with records: households first reached that day, valid
    answers that day, and the running totals. Two queries."""
    qs = households_for(user, campaign)
    first_visit = (
        Visit.objects.filter(
            campaign=campaign, household=OuterRef("household"), outcome__in=REACHED_OUTCOMES
        )
        .order_by()
        .values("household")
        .annotate(m=Min("visited_at"))
        .values("m")
    )
    first_answer = (
        Response.objects.filter(campaign=campaign, household=OuterRef("household"))
        .order_by()
        .values("household")
        .annotate(m=Min("answered_at"))
        .values("m")
    )
    firsts = qs.annotate(fv=Subquery(first_visit), fa=Subquery(first_answer)).values_list(
        "fv", "fa"
    )
    reached_on: dict[dt.date, int] = {}
    for fv, fa in firsts:
        moments = [m for m in (fv, fa) if m is not None]
        if moments:
            day = timezone.localdate(min(moments))
            reached_on[day] = reached_on.get(day, 0) + 1
    valid_on: dict[dt.date, int] = {}
    valid_times = Response.objects.filter(
        campaign=campaign,
        status=ResponseStatus.VALID,
        household_id__in=qs.values("household_id"),
    ).values_list("answered_at", flat=True)
    for at in valid_times:
        day = timezone.localdate(at)
        valid_on[day] = valid_on.get(day, 0) + 1
    days = sorted(set(reached_on) | set(valid_on))
    out, reached_total, valid_total = [], 0, 0
    for day in days:
        reached_total += reached_on.get(day, 0)
        valid_total += valid_on.get(day, 0)
        out.append(
            {
                "day": day,
                "reached": reached_on.get(day, 0),
                "valid": valid_on.get(day, 0),
                "reached_total": reached_total,
                "valid_total": valid_total,
            }
        )
    return out


def still_to_visit(user, campaign: Campaign) -> QuerySet[CampaignHousehold]:
    return (
        with_flags(households_for(user, campaign))
        .filter(reached_flag=False)
        .select_related("household", "building")
        .order_by("building__sort_key", "household__entrance_id", "household__door_number")
    )


def responses_for(user, campaign: Campaign) -> QuerySet[Response]:
    return (
        Response.objects.filter(
            campaign=campaign,
            household_id__in=households_for(user, campaign).values("household_id"),
        )
        .select_related("household", "respondent", "entered_by")
        .order_by("household__address_label", "answered_at", "id")
    )


def members_for_answer(household_ids) -> dict[int, list[Resident]]:
    """Living residents of these households (who may answer), in one query."""
    out: dict[int, list[Resident]] = {}
    for r in Resident.objects.filter(
        household_id__in=list(household_ids), status=ResidentStatus.LIVING
    ).order_by("household_id", "pk"):
        out.setdefault(r.household_id, []).append(r)
    return out


def member_label(resident) -> str:
    """Who may answer, as a visitor needs to ask for them: surname and birth year, never
    the full name or an ID number."""
    year = resident.birth_date.year if resident.birth_date else ""
    return f"{resident.name[:1]}*（{year}年生）" if year else f"{resident.name[:1]}*"


def assignment_data(user, campaign: Campaign) -> dict:
    """What the visitor's phone needs, offline: the campaign, the current questionnaire
    version and the households to visit with who may answer."""
    version = current_version(campaign)
    rows = list(assignment_households(user, campaign))
    members = members_for_answer(r.household_id for r in rows)
    return {
        "campaign": {
            "id": campaign.pk,
            "name": campaign.name,
            "area_name": campaign.area_name,
            "status": campaign.status,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
        },
        "version_id": version.pk if version else None,
        "version": version.number if version else None,
        "questions": [
            {
                "key": q.key,
                "position": q.position,
                "text": q.text,
                "kind": q.kind,
                "required": q.required,
                "choices": q.choices,
                "show_if_key": q.show_if_key,
                "show_if_values": [str(v) for v in q.show_if_values],
                "is_support": q.is_support,
            }
            for q in (version.questions.all() if version else [])
        ],
        "households": [
            {
                "id": r.household_id,
                "address": r.household.address_label,
                "building": str(r.building),
                "reached": r.reached_flag,
                "valid": r.valid_flag,
                "members": [
                    {"id": m.pk, "label": member_label(m)} for m in members.get(r.household_id, [])
                ],
            }
            for r in rows
        ],
    }


# --- residents --------------------------------------------------------------------------


def open_for_household(household: Household) -> list[dict]:
    """Open campaigns over a resident's household, each with whether the household has
    answered (a valid answer, or one waiting for review)."""
    rows = (
        CampaignHousehold.objects.filter(household=household, campaign__status=CampaignStatus.OPEN)
        .select_related("campaign")
        .annotate(
            answered=Exists(
                Response.objects.filter(
                    campaign=OuterRef("campaign"),
                    household=OuterRef("household"),
                    status__in=[ResponseStatus.VALID, ResponseStatus.REVIEW],
                )
            )
        )
        .order_by("-campaign__starts_on")
    )
    return [{"campaign": r.campaign, "answered": r.answered} for r in rows]


# --- base survey ------------------------------------------------------------------------


def base_surveys_visible_to(user) -> QuerySet[BaseSurvey]:
    scope = scope_for(user, "view")
    if scope.everything:
        return BaseSurvey.objects.all()
    communities = set(scope.held.get("community", ())) | set(scope.ancestors.get("community", ()))
    return BaseSurvey.objects.filter(community_id__in=sorted(communities))


def base_survey_progress(user, survey: BaseSurvey) -> list[dict]:
    """Per grid of the reader's reach: buildings, buildings surveyed. Two queries."""
    buildings = visible(user, Building.objects.filter(community_id=survey.community_id))
    done = BuildingSurvey.objects.filter(base_survey=survey, building=OuterRef("pk"))
    rows = (
        buildings.annotate(done=Exists(done))
        .values("grid_id")
        .annotate(n=Count("id"), surveyed=Count("id", filter=Q(done=True)))
        .order_by()
    )
    rows = {r["grid_id"]: r for r in rows}
    grids = Grid.objects.filter(pk__in=list(rows)).order_by("sort_key", "code")
    return [
        {
            "grid": g,
            "buildings": rows[g.pk]["n"],
            "surveyed": rows[g.pk]["surveyed"],
            "progress": ratio(rows[g.pk]["surveyed"], rows[g.pk]["n"]),
        }
        for g in grids
    ]


def building_records(user, survey: BaseSurvey) -> QuerySet[BuildingSurvey]:
    return (
        visible(user, BuildingSurvey.objects.filter(base_survey=survey))
        .select_related("building", "grid")
        .order_by("grid__sort_key", "building__sort_key")
    )


def people_structure(building_ids) -> dict[int, dict]:
    """From the register, per building: households, living residents, aged 60+, aged 80+.
    One query."""
    from gongzhi.places.models import elderly_cutoff

    sixty = elderly_cutoff()
    eighty = elderly_cutoff(age=80)
    rows = (
        Resident.objects.filter(building_id__in=list(building_ids), status=ResidentStatus.LIVING)
        .values("building_id")
        .annotate(
            residents=Count("id"),
            households=Count("household_id", distinct=True),
            elderly=Count("id", filter=Q(birth_date__lte=sixty)),
            advanced=Count("id", filter=Q(birth_date__lte=eighty)),
        )
        .order_by()
    )
    return {r["building_id"]: r for r in rows}


# --- visit log --------------------------------------------------------------------------


def visit_logs_visible_to(user) -> QuerySet[VisitLog]:
    return (
        visible(user, VisitLog.objects.all())
        .select_related("household", "visitor", "item")
        .order_by("-visited_on", "-id")
    )
