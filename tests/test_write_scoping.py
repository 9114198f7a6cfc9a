"""No write escapes scoping, whoever sends it.

Every route of the project (taken from the resolver, as ``test_route_scoping`` does) that
names an object in its URL and takes a write method is sent each of its write methods by
every role of the world, with the ids of objects in another subdistrict that no role but
the superuser reaches. Routes that take ids in their body are sent those ids too: bare,
under the far path, and under a path in reach. Every answer must be the one a missing id
gets (404, or 405 for a method the route does not take; 403 first where the path is in
sight but not the role's to change), must not show the far objects, must add or remove no
row in any table, and the far objects must be unchanged at the end.

A new route with a URL kwarg this file cannot fill fails the suite and says where to add
it, so the check grows with the routes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.forms.models import model_to_dict

from gongzhi.orgs.models import PartnerUnit
from gongzhi.places import services as places
from gongzhi.places.models import Building, Community, Compound, Entrance, Grid, Subdistrict
from tests.test_route_scoping import OBJECT_ROUTES, ROUTES, Route, _body, category
from tests.world import ROLES as ALL_ROLES

# Every role but the superuser, who reaches everything.
ROLES = [r for r in ALL_ROLES if r != "admin"]
WRITE_METHODS = ["POST", "PATCH", "PUT", "DELETE"]
MISSING = 987_654_321
# Text no page may show back: the far resident's name and the far item's words.
FAR_NAME = "远方居民甲"
FAR_TEXT = "远方小区的水管爆了"


@dataclass
class Far:
    """One of everything, in a subdistrict of its own, with its own partner unit."""

    community: Community
    grid: Grid
    compound: Compound
    building: Building
    entrance: Entrance
    household: object
    resident: object
    unit: PartnerUnit
    item: object
    dispatch: object
    attachment_id: int
    session: object
    wish: object
    job: object
    token: object
    post: object
    team: object
    contact: object
    member: object
    login: object
    venue: object = None
    booking: object = None
    mediation_case: object = None
    follow_up: object = None
    # A grid station of the far grid and a duty shift on it.
    station: object = None
    shift: object = None
    # The far compound's property contract and committee term (提前终止).
    contract: object = None
    term: object = None
    # Love points: a shop item and a redemption of the far community.
    points: dict = field(default_factory=dict)
    project: object = None
    activity: object = None
    group: object = None
    # Deliberation's matter, meeting, task, topic and talent, by name.
    deliberation: dict = field(default_factory=dict)
    # Exemplars' nomination, published story (with consent and a photo), by name.
    exemplars: dict = field(default_factory=dict)


def _build_far(world) -> Far:
    from gongzhi.core.identity import make_id_number
    from gongzhi.voices import services as voices
    from gongzhi.voices.models import Attachment, Category, EventSession
    from gongzhi.wishes import services as wishes

    admin = world.users["admin"]
    sd = Subdistrict.objects.create(code="510402002", name="远方街道", district="东区")
    community = Community.objects.create(subdistrict=sd, code="510402002001", name="远方社区")
    grid = Grid.objects.create(community=community, code="FAR-G1", name="远方网格")
    compound = Compound.objects.create(community=community, grid=grid, name="远方小区")
    building = Building.objects.create(
        community=community, grid=grid, compound=compound, number="9", floors=6
    )
    entrance = Entrance.objects.create(
        building=building, community=community, grid=grid, compound=compound, number=1
    )
    household = places.household_create(actor=None, entrance=entrance, door_number="601", floor=6)
    resident = places.resident_create(
        actor=None,
        household=household,
        name=FAR_NAME,
        id_number=make_id_number("510402", __import__("datetime").date(1966, 6, 6), 55),
        phone="13511112222",
    )
    unit = PartnerUnit.objects.create(name="远方供水公司", short_name="远方供水", kind="enterprise")
    unit.communities.add(community)
    other = Category.objects.get_or_create(code="other", defaults={"name": "其他"})[0]
    item = voices.item_submit(
        actor=admin, kind="problem", text=FAR_TEXT, channel="visit", on_behalf_of=resident
    )
    Attachment.objects.create(item=item, file="voices/far.png", content_type="image/png", size=1)
    dispatched = voices.item_submit(
        actor=admin, kind="problem", text="远方外墙开裂", channel="visit", on_behalf_of=resident
    )
    dispatched = voices.item_accept(actor=admin, item=dispatched, category=other, level="community")
    dispatch = voices.item_dispatch(actor=admin, item=dispatched, unit=unit)
    session = EventSession.objects.create(
        community=community, title="远方议事会", format="baba_longmenzhen", held_on="2026-03-01"
    )
    wish = wishes.wish_submit(actor=admin, resident=resident, category="other", text="远方心愿")
    wishes.wish_publish(actor=admin, wish=wish)
    job = apps.get_model("register", "ImportJob").objects.create(
        community=community, uploaded_by=admin, file_name="远方.xlsx"
    )
    from gongzhi.accounts.models import ApiToken
    from gongzhi.accounts.services import api_token_issue
    from tests.world import make_user

    far_staff = make_user("far-staff", kind="community_staff", node=community)
    api_token_issue(user=far_staff, name="远方的令牌")
    from gongzhi.orgs.models import PartnerContact, PartyMember, PartyOrganisation, Post, Team

    org = PartyOrganisation.objects.create(
        kind="community", name="远方社区党委", community=community
    )
    from gongzhi.renewal import services as renewal

    project = renewal.project_create(
        actor=admin, community=community, kind="elevator", name="远方加装电梯"
    )
    renewal.project_set_places(actor=admin, project=project, buildings=[building])
    renewal.milestone_add(actor=admin, project=project, title="远方节点")
    rnd = renewal.round_draft(
        actor=admin, project=project, title="远方方案", summary="远方摘要", text="远方内容"
    )
    renewal.round_publish(actor=admin, round=rnd)
    renewal.opinion_submit(actor=admin, project=project, resident=resident, text=FAR_TEXT)
    return Far(
        project=project,
        post=Post.objects.get(user=far_staff),
        team=Team.objects.create(community=community, name="远方服务队", kind="service"),
        contact=PartnerContact.objects.create(unit=unit, name="远方联系人", phone="13511113333"),
        member=PartyMember.objects.create(resident=resident, organisation=org),
        login=make_user("far-partner", partner=unit),
        token=ApiToken.objects.get(user=far_staff),
        community=community,
        grid=grid,
        compound=compound,
        building=building,
        entrance=entrance,
        household=household,
        resident=resident,
        unit=unit,
        item=item,
        dispatch=dispatch,
        attachment_id=item.attachments.get().pk,
        session=session,
        wish=wish,
        job=job,
        **_far_venue(community, far_staff),
        **_far_mediation(community),
        **_far_station(community, grid),
        **_far_governance(compound),
        **_far_activity(community),
    )


def _far_activity(community) -> dict:
    """A published activity of the far community, running now, and its volunteer group,
    written as rows."""
    import datetime as dt

    from django.utils import timezone

    from gongzhi.activities.models import Activity, VolunteerGroup

    group = VolunteerGroup.objects.create(community=community, name="远方志愿队", kind="group")
    start = timezone.now() - dt.timedelta(minutes=10)
    activity = Activity.objects.create(
        community=community,
        kind="volunteer",
        service_area="care",
        title="远方活动",
        group=group,
        place="远方小区",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=10,
        status="published",
    )
    return {"activity": activity, "group": group}


def _far_venue(community, far_staff) -> dict:
    """A venue of the far community and a booking of it, written as rows (the services
    are not what is under test here)."""
    import datetime as dt

    from django.utils import timezone

    from gongzhi.venues.models import Booking, Venue

    venue = Venue.objects.create(community=community, kind="party_position", name="远方活动室")
    start = timezone.now() + dt.timedelta(days=2)
    booking = Booking.objects.create(
        venue=venue,
        community=community,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        purpose="远方议事",
        organiser="远方居民代表",
        expected=5,
        booked_by=far_staff,
    )
    return {"venue": venue, "booking": booking}


def _far_station(community, grid) -> dict:
    """A grid station of the far grid with today's shift, written as rows."""
    from django.utils import timezone

    from gongzhi.compounds.models import DutyShift
    from gongzhi.venues.models import Venue

    station = Venue.objects.create(
        community=community, grid=grid, kind="grid_station", name="远方网格驿站"
    )
    shift = DutyShift.objects.create(station=station, on=timezone.localdate(), name=FAR_NAME)
    return {"station": station, "shift": shift}


def _far_governance(compound) -> dict:
    """The far compound's property contract and committee term, written as rows."""
    import datetime as dt

    from gongzhi.compounds.models import CommitteeTerm, PropertyContract

    company = PartnerUnit.objects.create(name="远方物业公司", kind="enterprise")
    contract = PropertyContract.objects.create(
        compound=compound,
        company=company,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2030, 12, 31),
        scope="保洁",
        fee="0.80",
        contact_name="远方经理",
        manager_name="远方经理",
    )
    term = CommitteeTerm.objects.create(
        compound=compound,
        name="远方第一届",
        elected_on=dt.date(2025, 1, 1),
        starts_on=dt.date(2025, 1, 10),
        ends_on=dt.date(2030, 1, 9),
    )
    return {"contract": contract, "term": term}


def _far_mediation(community) -> dict:
    """A mediation of the far community with a follow-up due, written as rows."""
    from django.utils import timezone

    from gongzhi.mediation.models import Case, FollowUp
    from gongzhi.orgs.models import Team

    team = Team.objects.create(community=community, name="远方调解队", kind="mediation")
    case = Case.objects.create(
        number="TJ-FAR",
        community=community,
        team=team,
        title="远方纠纷",
        summary=FAR_TEXT,
        arose_on=timezone.localdate(),
        opened_at=timezone.now(),
        status="agreed",
    )
    follow_up = FollowUp.objects.create(case=case, due_on=timezone.localdate())
    return {"mediation_case": case, "follow_up": follow_up}


def _far_deliberation(admin, far: Far) -> dict:
    import datetime as dt

    from django.utils import timezone

    from gongzhi.deliberation import services as deliberation

    matter = deliberation.matter_create(
        actor=admin, title="远方议题", summary=FAR_TEXT, building=far.building
    )
    meeting = deliberation.meeting_create(
        actor=admin,
        kind="coordination",
        title="远方协调会",
        starts_at=timezone.make_aware(dt.datetime(2026, 3, 2, 9)),
        place="远方",
        host_name="远方",
        agenda="远方",
        matter=matter,
    )
    decision = deliberation.decision_create(
        actor=admin,
        meeting=meeting,
        text="远方决定",
        tasks=[{"title": "远方任务", "owner_unit": far.unit, "due_days": 3}],
    )
    topic = deliberation.topic_propose(actor=admin, text="远方议题", building=far.building)
    talent = deliberation.talent_propose(
        actor=admin, name="远方能人", title="skilled", skills="远方", community=far.community
    )
    return {
        "matter": matter,
        "meeting": meeting,
        "task": decision.tasks.get(),
        "topic": topic,
        "talent": talent,
    }


def _far_exemplars(admin, far: Far) -> dict:
    import datetime as dt

    from gongzhi.exemplars import services as exemplars
    from gongzhi.exemplars.models import StoryPhoto

    pending = exemplars.nomination_submit(
        actor=admin, category="neighbour", reasons=FAR_TEXT, nominee=far.resident
    )
    n = exemplars.nomination_submit(
        actor=admin, category="volunteer", reasons=FAR_TEXT, nominee=far.resident
    )
    n = exemplars.nomination_review(actor=admin, nomination=n, nominee=far.resident)
    n = exemplars.nomination_accept(actor=admin, nomination=n)
    story = exemplars.story_create(actor=admin, nomination=n, title="远方故事", text=FAR_TEXT)
    consent = exemplars.consent_record(
        actor=admin, story=story, method="in_person", given_on=dt.date(2026, 1, 1), note="远方"
    )
    exemplars.story_publish(actor=admin, story=story)
    photo = StoryPhoto.objects.create(
        story=story, file="exemplars/far.png", content_type="image/png", size=1, uploaded_by=admin
    )
    return {"nomination": pending, "story": story, "consent": consent, "photo": photo}


@pytest.fixture
def far(world):
    built = _build_far(world)
    built.deliberation = _far_deliberation(world.users["admin"], built)
    built.exemplars = _far_exemplars(world.users["admin"], built)
    built.points = _far_points(built)
    return built


def _far_points(far: Far) -> dict:
    from gongzhi.points import services as points

    item = points.item_create(
        actor=None, community=far.community, name="远方商品", price=10, stock=5
    )
    points.award(
        actor=None, resident=far.resident, rule_code="service_hour", quantity=5, key="far:earn"
    )
    redemption = points.redeem(actor=None, resident=far.resident, item=item, key="far")
    return {"item": item, "redemption": redemption}


# --- how to fill each URL kwarg with a far object -------------------------------------


def _far_survey(f, what):
    from tests.surveys.outside import survey_objects
    from tests.world import User

    admin = User.objects.get(username="admin")
    return survey_objects(f.community, f.building, admin)[what].pk


# (route, kwarg) or kwarg → the far object's id (or a plain value).
FAR_KWARGS = {
    "campaign_id": lambda f: _far_survey(f, "campaign"),
    "questionnaire_id": lambda f: _far_survey(f, "questionnaire"),
    "base_survey_id": lambda f: _far_survey(f, "base_survey"),
    ("surveys:review", "pk"): lambda f: _far_survey(f, "response"),
    ("surveys:base_survey", "pk"): lambda f: _far_survey(f, "base_survey"),
    # A figure's key names a definition, not a record (a read-only route besides).
    ("api:figure_rows", "key"): lambda f: "no_such_figure",
    ("figures:rows", "key"): lambda f: "no_such_figure",
    "building_id": lambda f: f.building.pk,
    "household_id": lambda f: f.household.pk,
    "resident_id": lambda f: f.resident.pk,
    "item_id": lambda f: f.item.pk,
    "reporter_id": lambda f: f.item.reporters.get().pk,
    "dispatch_id": lambda f: f.dispatch.pk,
    "session_id": lambda f: f.session.pk,
    "wish_id": lambda f: f.wish.pk,
    "matter_id": lambda f: f.deliberation["matter"].pk,
    "meeting_id": lambda f: f.deliberation["meeting"].pk,
    "task_id": lambda f: f.deliberation["task"].pk,
    "topic_id": lambda f: f.deliberation["topic"].pk,
    "talent_id": lambda f: f.deliberation["talent"].pk,
    "field_name": lambda f: "phone",
    "attachment_id": lambda f: f.attachment_id,
    "token_id": lambda f: f.token.pk,
    ("accounts:token_revoke", "pk"): lambda f: f.token.pk,
    ("wb-community", "pk"): lambda f: f.community.pk,
    ("wb-grid", "pk"): lambda f: f.grid.pk,
    ("wb-compound", "pk"): lambda f: f.compound.pk,
    ("wb-building", "pk"): lambda f: f.building.pk,
    ("wb-household", "pk"): lambda f: f.household.pk,
    ("wb-resident", "pk"): lambda f: f.resident.pk,
    ("wb-resident-reveal", "pk"): lambda f: f.resident.pk,
    ("wb-resident-new", "pk"): lambda f: f.household.pk,
    **{
        (f"wb-resident-{name}", "pk"): lambda f: f.resident.pk
        for name in ["edit", "move-out", "death", "move-back", "visit"]
    },
    ("orgs:post_new", "level"): lambda f: "grid",
    ("orgs:post_new", "node_id"): lambda f: f.grid.pk,
    "post_id": lambda f: f.post.pk,
    "team_id": lambda f: f.team.pk,
    "unit_id": lambda f: f.unit.pk,
    "contact_id": lambda f: f.contact.pk,
    "member_id": lambda f: f.member.pk,
    ("orgs:user_posts", "user_id"): lambda f: f.post.user_id,
    ("accounts:partner_user_disable", "user_id"): lambda f: f.login.pk,
    "venue_id": lambda f: f.venue.pk,
    "booking_id": lambda f: f.booking.pk,
    "case_id": lambda f: f.mediation_case.pk,
    "compound_id": lambda f: f.compound.pk,
    "station_id": lambda f: f.station.pk,
    "shift_id": lambda f: f.shift.pk,
    "contract_id": lambda f: f.contract.pk,
    "term_id": lambda f: f.term.pk,
    "follow_up_id": lambda f: f.follow_up.pk,
    **{(f"venues:{name}", "pk"): lambda f: f.venue.pk for name in ["detail", "edit", "book"]},
    **{
        (f"venues:{name}", "pk"): lambda f: f.booking.pk for name in ["approve", "refuse", "cancel"]
    },
    **{
        (f"points:{name}", "pk"): lambda f: f.points["item"].pk
        for name in ["redeem", "item_edit", "serve_redeem"]
    },
    **{
        (f"points:{name}", "pk"): lambda f: f.points["redemption"].pk
        for name in ["hand_over", "cancel"]
    },
    "shop_item_id": lambda f: f.points["item"].pk,
    "redemption_id": lambda f: f.points["redemption"].pk,
    ("voices:dispatch_reporter_phone", "reporter_id"): lambda f: f.item.reporters.first().pk,
    "activity_id": lambda f: f.activity.pk,
    **{
        (f"activities:{name}", "pk"): lambda f: f.group.pk for name in ["group", "group_member_add"]
    },
    "project_id": lambda f: f.project.pk,
    "opinion_id": lambda f: f.project.opinions.get().pk,
    "mid": lambda f: f.project.milestones.get().pk,
    "did": lambda f: 1,
    "phase_id": lambda f: f.project.phases.first().pk,
    "oid": lambda f: f.project.opinions.get().pk,
    "number": lambda f: 1,
    **{
        (f"exemplars:{name}", "pk"): lambda f: f.exemplars["nomination"].pk
        for name in ["nomination", "nomination_review", "nomination_decide", "story_new"]
    },
    **{
        (f"exemplars:{name}", "pk"): lambda f: f.exemplars["story"].pk
        for name in [
            "story",
            "photo",
            "story_edit",
            "story_photos",
            "consent_record",
            "consent_photo",
            "consent_withdraw",
            "story_publish",
            "story_withdraw",
            "story_redraft",
        ]
    },
    ("exemplars:photo", "photo_id"): lambda f: f.exemplars["photo"].pk,
    ("exemplars:consent_photo", "consent_id"): lambda f: f.exemplars["consent"].pk,
}
# Deliberation's pages name a matter, meeting, task, topic or talent by ``pk``.
DELIBERATION_PK = {
    "matter": "matter",
    "matter_move": "matter",
    "matter_visit": "matter",
    "matter_task": "matter",
    "matter_print": "matter",
    "notice": "matter",
    "objection": "matter",
    "vote": "matter",
    "meeting": "meeting",
    "meeting_invite": "meeting",
    "meeting_sign_in": "meeting",
    "meeting_minutes": "meeting",
    "meeting_decision": "meeting",
    "meeting_docx": "meeting",
    "meeting_sheet": "meeting",
    "task_complete": "task",
    "topic_review": "topic",
    "talent_review": "talent",
    "talent_consent": "talent",
}
FAR_KWARGS |= {
    (f"deliberation:{name}", "pk"): (lambda f, thing=thing: f.deliberation[thing].pk)
    for name, thing in DELIBERATION_PK.items()
}
PK_BY_NAMESPACE = {
    "surveys": lambda f: _far_survey(f, "campaign"),
    "register": lambda f: f.job.pk,
    "wishes": lambda f: f.wish.pk,
    "voices": lambda f: f.item.pk,
    "renewal": lambda f: f.project.pk,
    "activities": lambda f: f.activity.pk,
}
DISPATCH_PAGES = {"voices:dispatch", "voices:dispatch_accept", "voices:dispatch_reply"}
DISPATCH_PAGES |= {"voices:dispatch_return", "voices:dispatch_reporter_phone"}


def _filler(route: Route, kwarg: str):
    if (route.key, kwarg) in FAR_KWARGS:
        return FAR_KWARGS[(route.key, kwarg)]
    if kwarg == "pk" and route.key in DISPATCH_PAGES:
        return lambda f: f.dispatch.pk
    if kwarg == "pk" and route.namespace in PK_BY_NAMESPACE:
        return PK_BY_NAMESPACE[route.namespace]
    return FAR_KWARGS.get(kwarg)


def _far_values(route: Route, far: Far) -> dict:
    return {k: _filler(route, k)(far) for k in route.kwargs}


# --- bodies that carry far ids ---------------------------------------------------------

# Route → a body naming far objects. The route is sent it under the far path (object
# routes) or bare (routes without kwargs), and under NEAR_PATHS where given.
FAR_BODIES = {
    # The work report's words for a far community: its code is out of every role's reach.
    "reports:work_edit": lambda f: {
        "community": f.community.code,
        "from": "2026-01-01",
        "to": "2026-06-30",
        "title": "越界",
        "paragraph_core": FAR_TEXT,
    },
    "api:venue_bookings": lambda f: {
        "starts_at": "2030-01-07T09:00:00+08:00",
        "ends_at": "2030-01-07T10:00:00+08:00",
        "purpose": "越界",
        "expected": 5,
        "organiser": "越界",
    },
    "api:booking_create": lambda f: {
        "starts_at": "2030-01-07T09:00:00+08:00",
        "ends_at": "2030-01-07T10:00:00+08:00",
        "purpose": "越界",
        "expected": 5,
        "organiser": "越界",
    },
    "api:booking_refuse": lambda f: {"reason": "越界"},
    "api:activity_check_in": lambda f: {"resident_id": f.resident.pk},
    "activities:check_in": lambda f: {"resident": f.resident.pk, "role": "attendee"},
    "activities:group_member_add": lambda f: {"resident": f.resident.pk},
    "api:booking_cancel": lambda f: {"reason": "越界"},
    "api:exemplar_nominate": lambda f: {
        "category": "neighbour",
        "reasons": "越界",
        "resident_id": f.resident.pk,
    },
    "api:points_redeem": lambda f: {"key": "越界", "quantity": 1, "resident_id": f.resident.pk},
    "api:points_cancel": lambda f: {"reason": "越界"},
    "api:survey_questionnaire_create": lambda f: {"community_id": f.community.pk, "title": "越界"},
    "api:survey_base_create": lambda f: {
        "community_id": f.community.pk,
        "name": "越界",
        "starts_on": "2026-01-01",
        "target_on": "2026-01-14",
    },
    "api:survey_campaign_create": lambda f: {
        "community_id": f.community.pk,
        "questionnaire_id": _far_survey(f, "questionnaire"),
        "name": "越界",
        "area_name": "越界",
        "starts_on": "2026-01-01",
        "ends_on": "2026-02-01",
        "building_ids": [f.building.pk],
    },
    "surveys:visit_logs": lambda f: {
        "household": f.household.pk,
        "aim": "worry",
        "heard": "越界",
        "visited_on": "2026-01-02",
    },
    "api:household_create": lambda f: {
        "entrance_id": f.household.entrance_id,
        "door_number": "909",
        "floor": 1,
    },
    "api:voice_items": lambda f: {"resident_id": f.resident.pk, "text": "越界"},
    # Where the problem is: a far building, entrance and compound, filed by oneself.
    "api:voice_item_create": lambda f: {
        "text": "越界",
        "place": "other",
        "building_id": f.building.pk,
        "entrance_id": f.entrance.pk,
        "compound_id": f.compound.pk,
    },
    "api:voice_similar": lambda f: {
        "text": "越界",
        "place": "other",
        "building_id": f.building.pk,
        "entrance_id": f.entrance.pk,
    },
    "api:residents": lambda f: {"household_id": f.household.pk, "name": "越界"},
    "api:resident_create": lambda f: {"household_id": f.household.pk, "name": "越界"},
    "api:wishes": lambda f: {"resident_id": f.resident.pk, "category": "other", "text": "越界"},
    "api:wish_create": lambda f: {
        "resident_id": f.resident.pk,
        "category": "other",
        "text": "越界",
    },
    "api:voice_item_merge": lambda f: {"into_id": f.item.pk},
    "api:voice_item_join": lambda f: {"resident_id": f.resident.pk},
    "api:voice_item_dispatch": lambda f: {"unit_id": f.unit.pk},
    "api:voice_item_accept": lambda f: {"category": "other", "responsible_unit_id": f.unit.pk},
    "orgs:team_new": lambda f: {"community": f.community.pk, "name": "越界", "kind": "service"},
    "orgs:partner_new": lambda f: {
        "communities": f.community.pk,
        "name": "越界",
        "kind": "enterprise",
    },
    "orgs:partner_edit": lambda f: {
        "communities": f.community.pk,
        "name": "越界",
        "kind": "enterprise",
    },
    "orgs:team_member_add": lambda f: {"resident": f.resident.pk, "action": "save"},
    "orgs:party_member_link": lambda f: {"household": f.household.pk},
    "api:post_assign": lambda f: {
        "kind": "grid_worker",
        "node_level": "grid",
        "node_id": f.grid.pk,
        "holder_name": "越界",
    },
    "api:post_hand_over": lambda f: {"resident_id": f.resident.pk},
    "api:team_member_add": lambda f: {"resident_id": f.resident.pk},
    "api:renewal_projects": lambda f: {
        "community_id": f.community.pk,
        "kind": "elevator",
        "name": "越界",
    },
    "api:renewal_opinions": lambda f: {"text": "越界", "resident_id": f.resident.pk},
    "renewal:new": lambda f: {"community": f.community.pk, "kind": "elevator", "name": "越界"},
    "api:matter_create": lambda f: {
        "title": "越界",
        "summary": "越界",
        "building_id": f.building.pk,
    },
    "api:meeting_create": lambda f: {
        "kind": "coordination",
        "title": "越界",
        "starts_at": "2026-03-02T09:00:00+08:00",
        "place": "越界",
        "host_name": "越界",
        "agenda": "越界",
        "matter_id": f.deliberation["matter"].pk,
    },
    "api:topic_create": lambda f: {"text": "越界", "community_id": f.community.pk},
    "api:talent_create": lambda f: {
        "name": "越界",
        "title": "skilled",
        "skills": "越界",
        "community_id": f.community.pk,
    },
    "api:corner_create": lambda f: {
        "community_id": f.community.pk,
        "name": "越界",
        "place": "越界",
    },
}


def _near_item(world):
    """An item of grid 1 at the community level, accepted: in reach of the community and
    subdistrict staff, who could act on it but for the far id in the body."""
    from gongzhi.voices import services as voices
    from gongzhi.voices.models import Category

    other = Category.objects.get_or_create(code="other", defaults={"name": "其他"})[0]
    item = voices.item_submit(
        actor=world.users["admin"],
        kind="problem",
        text="1栋楼道灯不亮",
        channel="visit",
        on_behalf_of=world.residents["zhangsan"],
    )
    return voices.item_accept(
        actor=world.users["admin"], item=item, category=other, level="community"
    )


NEAR_PATHS = {
    "api:voice_item_merge",
    "api:voice_item_join",
    "api:voice_item_dispatch",
    "api:voice_item_accept",
}


# --- the database before and after -------------------------------------------------------


def _rows() -> dict:
    """Rows per table: count and highest id, in one query."""
    from django.db import connection

    quote = connection.ops.quote_name
    selects = [
        f"SELECT '{m._meta.db_table}', COUNT(*), MAX({quote(m._meta.pk.column)}) "
        f"FROM {quote(m._meta.db_table)}"
        for m in apps.get_models()
        if m is not Session  # logging in writes a session row
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects))
        return {table: (n, top) for table, n, top in cursor.fetchall()}


def _far_fields(far: Far) -> dict:
    """Every field of the far objects, as stored."""
    objects = {}
    names = ["community", "household", "resident", "unit", "item", "dispatch", "wish", "job"]
    for name in [*names, "token", "post", "team", "contact", "member", "login", "project"]:
        obj = getattr(far, name)
        fresh = type(obj)._default_manager.get(pk=obj.pk)
        objects[name] = {k: str(v) for k, v in model_to_dict(fresh).items()}
    return objects


def _send(client, method: str, url: str, body: dict):
    if url.startswith("/api/"):
        return client.generic(method, url, json.dumps(body), content_type="application/json")
    return client.generic(
        method,
        url,
        "&".join(f"{k}={v}" for k, v in body.items()),
        content_type="application/x-www-form-urlencoded",
    )


def _shown(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def _problem(response, where: str, expected=(404, 405)) -> str | None:
    if response.status_code not in expected:
        return (
            f"{where} answered {response.status_code}; an out-of-reach id must answer as a "
            f"missing one {expected}"
        )
    text = _shown(response)
    leaked = [s for s in (FAR_NAME, FAR_TEXT, "远方社区", "远方供水") if s in text]
    return f"{where} shows {leaked}" if leaked else None


# --- the checks --------------------------------------------------------------------------


def write_methods(route: Route) -> list[str]:
    """The write methods an API route declares (ninja knows them); POST for a page, whose
    forms are all posted."""
    if not route.key.startswith("api:"):
        return ["POST"]
    view = _api_view(route)
    path_view = view.__closure__[0].cell_contents
    declared = {m for op in path_view.operations for m in op.methods}
    return sorted(declared & set(WRITE_METHODS))


def _api_view(route: Route):
    from django.urls import resolve

    return resolve(route.url({k: 1 for k in route.kwargs})).func


WRITE_ROUTES = [r for r in ROUTES if category(r) == "object" and write_methods(r)]
BODY_ROUTES = [r for r in ROUTES if r.key in FAR_BODIES]


def test_every_object_route_can_be_filled():
    unfilled = [f"{r.key}: {k}" for r in OBJECT_ROUTES for k in r.kwargs if _filler(r, k) is None]
    assert unfilled == [], (
        "Add to FAR_KWARGS how to name a far object for these URL kwargs:\n  "
        + "\n  ".join(unfilled)
    )


def test_every_body_route_exists():
    keys = {r.key for r in ROUTES}
    assert sorted(set(FAR_BODIES) - keys) == []


@pytest.mark.parametrize("role", ROLES)
def test_writes_with_far_ids_are_not_found_and_change_nothing(world, far, client, role):
    client.force_login(
        world.users[role], backend="gongzhi.accounts.backends.PhoneOrUsernameBackend"
    )
    near = _near_item(world)
    problems = []

    far_before = _far_fields(far)

    def attempt(route, url, method, body, expected):
        before = _rows()
        response = _send(client, method, url, body)
        problems.append(_problem(response, f"{method} {url} {body}", expected))
        if _rows() != before:
            problems.append(f"{method} {url} {body} added or removed rows")
        return response

    # Far ids in the path, with a body that would pass validation so that the write
    # reaches its scoping check.
    for route in WRITE_ROUTES:
        url = route.url(_far_values(route, far))
        body = FAR_BODIES[route.key](far) if route.key in FAR_BODIES else _body(route, world)
        for method in write_methods(route):
            response = attempt(route, url, method, body, (404, 405))
            if role == "staff":  # exactly what a missing id gets
                missing = route.url(
                    {k: MISSING if k != "field_name" else "phone" for k in route.kwargs}
                )
                if _send(client, method, missing, body).status_code != response.status_code:
                    problems.append(f"{method} {url} does not answer as {missing} does")

    # Far ids in the body: bare, under the far path, and under a path in reach of the
    # community staff. Under a path the role may see but not change, 403 comes first.
    for route in BODY_ROUTES:
        body = FAR_BODIES[route.key](far)
        urls = [(route.url(_far_values(route, far)) if route.kwargs else route.url({}), (404,))]
        if route.key in NEAR_PATHS:
            urls.append((route.url({"item_id": near.pk}), (403, 404)))
        for url, expected in urls:
            for method in write_methods(route):
                attempt(route, url, method, body, expected)

    far_after = _far_fields(far)
    problems += [
        f"the far {name} changed: {far_before[name]} → {far_after[name]}"
        for name in far_before
        if far_after[name] != far_before[name]
    ]
    problems = [p for p in problems if p]
    assert problems == [], f"as {role}:\n" + "\n".join(problems)
