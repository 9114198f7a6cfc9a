"""The guard that no route escapes scoping unnoticed.

Every URL pattern of the project — web pages, the JSON API, the admin — is discovered from
the resolver and must be classified here:

- ``PUBLIC``: meant for anyone (login, health check, API docs...);
- ``admin``: the Django admin, which the grid chief must not enter;
- ``OBJECT_KWARGS``: routes naming a scoped object in the URL. Each is requested as the
  grid chief of grid 1 with an object just *outside* that grid, by every method; the
  answer must be 404 (or 405 for a method the route does not take), never the object;
- ``LISTS``: routes without an object in the URL. Requested as the grid chief, the answer
  must not contain anyone from outside grid 1 (王五 lives in grid 2, 赵六 in the other
  community); requested anonymously, it must ask for a login.

A route in none of these fails the suite with a message saying where to classify it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import URLResolver, get_resolver
from django.utils.regex_helper import normalize

from gongzhi.core.models import AuditEvent
from gongzhi.places.models import Compound, Resident

# --- classification -----------------------------------------------------------------

PUBLIC = {
    "healthz",
    "set_language",
    "accounts:login",
    "accounts:logout",
    "api:auth_token",
    "api:openapi-json",
    "api:openapi-view",
    "api:api-root",
    "api:wishes_wall",
    "wishes:wall",
    # A matter's public notice (from 示 on), for the stairwell QR code: only what staff
    # wrote for the public; before 示 it answers 404 to everyone.
    "deliberation:notice",
    # The phone page's service worker: a script, the same for everyone.
    "surveys:sw",
}
# Readiness and metrics for the load balancer and Prometheus: figures, no rows. /metrics
# answers loopback clients or a token only (tests/ops/test_health.py).
PUBLIC |= {"readyz", "metrics"}
PUBLIC_PREFIXES = ("static/", "media/")
# Open311 GeoReport v2 reads are public by the specification (posting needs its own key);
# tests/open311 checks that they show no personal data.
PUBLIC |= {
    "open311:discovery",
    "open311:services",
    "open311:service_definition",
    "open311:requests",
    "open311:request",
    "open311:token",
}
# Values for the URL kwargs of public routes.
PUBLIC_KWARGS = {
    "fmt": "json",
    "service_code": "other",
    "service_request_id": "WJ2026-000001",
    "token": "unknown",
    "pk": 1,
}


def _job_outside(w):
    # An import job of the grid chief's own community: the community is only the container
    # of their grid, so its jobs are out of reach.
    ImportJob = apps.get_model("register", "ImportJob")
    return ImportJob.objects.create(
        community=w.wj, uploaded_by=w.users["secretary"], file_name="册.xlsx"
    ).pk


def _export_job_of_someone_else(w):
    # An export job of the community secretary: only its requester may see or download it.
    ExportJob = apps.get_model("register", "ExportJob")
    return ExportJob.objects.create(requested_by=w.users["secretary"], status="done").pk


def _wish_outside(w):
    # A published wish of 王五 (grid 2), made once per test through the services.
    from gongzhi.wishes import services as wishes

    Wish = apps.get_model("wishes", "Wish")
    wish = Wish.objects.filter(resident=w.residents["wangwu"]).first()
    if wish is None:
        wish = wishes.wish_submit(
            actor=w.users["admin"], resident=w.residents["wangwu"], category="other", text="心愿"
        )
        wishes.wish_publish(actor=w.users["admin"], wish=wish)
    return wish.pk


def _item_outside(w):
    # An item 王五 (grid 2) raised, entered once per test through the services.
    from gongzhi.voices import services as voices

    Item = apps.get_model("voices", "Item")
    item = Item.objects.filter(household=w.households["2-1-101"]).first()
    if item is None:
        item = voices.item_submit(
            actor=w.users["admin"],
            kind="problem",
            text="2栋楼道灯不亮",
            channel="visit",
            on_behalf_of=w.residents["wangwu"],
        )
    return item.pk


def _dispatch_outside(w):
    # A dispatch to the partner unit of an item in grid 2, made through the services.
    from gongzhi.voices import services as voices
    from gongzhi.voices.models import Category, Dispatch

    dispatch = Dispatch.objects.filter(item__grid=w.g2).first()
    if dispatch is None:
        item = voices.item_submit(
            actor=w.users["admin"],
            kind="problem",
            text="2栋外墙开裂需要检测",
            channel="visit",
            on_behalf_of=w.residents["wangwu"],
        )
        other = Category.objects.get_or_create(code="other", defaults={"name": "其他"})[0]
        item = voices.item_accept(
            actor=w.users["secretary"], item=item, category=other, level="community"
        )
        dispatch = voices.item_dispatch(actor=w.users["secretary"], item=item, unit=w.partner)
    return dispatch.pk


def _token_outside(w):
    # Another person's API token: tokens are scoped by owner, not by place.
    from gongzhi.accounts.services import api_token_issue

    ApiToken = apps.get_model("accounts", "ApiToken")
    token = ApiToken.objects.filter(user=w.users["secretary"]).first()
    if token is None:
        api_token_issue(user=w.users["secretary"], name="书记的令牌")
        token = ApiToken.objects.get(user=w.users["secretary"])
    return token.pk


def _session_outside(w):
    # An opinion-gathering event of the other community.
    EventSession = apps.get_model("voices", "EventSession")
    session = EventSession.objects.filter(community=w.ot).first()
    if session is None:
        session = EventSession.objects.create(
            community=w.ot, title="坝坝龙门阵", format="baba_longmenzhen", held_on="2026-03-01"
        )
    return session.pk


def _post_outside(w):
    # The grid worker's post on grid 2.
    from gongzhi.orgs.models import Post

    return Post.objects.get(user=w.users["grid_worker"]).pk


def _team_outside(w):
    # A team of the grid chief's community: teams sit on the community, which is only
    # the container of grid 1.
    from gongzhi.orgs.models import Team

    return Team.objects.get_or_create(community=w.wj, name="巡逻队", kind="service")[0].pk


def _contact_outside(w):
    from gongzhi.orgs.models import PartnerContact

    return PartnerContact.objects.get_or_create(unit=w.partner, name="联络员")[0].pk


def _member_outside(w):
    # 王五 (grid 2) as a party member.
    from gongzhi.orgs.models import PartyMember, PartyOrganisation

    org = PartyOrganisation.objects.get_or_create(kind="community", name="党委", community=w.wj)[0]
    return PartyMember.objects.get_or_create(resident=w.residents["wangwu"], organisation=org)[0].pk


def _venue_outside(w):
    # A venue of the other community: a grid chief sees only their own community's.
    from gongzhi.venues.models import Venue

    return Venue.objects.get_or_create(community=w.ot, kind="party_position", name="活动室")[0].pk


def _station_outside(w):
    # The grid station of grid 2, with a shift today.
    from django.utils import timezone

    from gongzhi.compounds.models import DutyShift
    from gongzhi.venues.models import Venue

    station = Venue.objects.get_or_create(
        community=w.wj, grid=w.g2, kind="grid_station", name="第二网格驿站"
    )[0]
    DutyShift.objects.get_or_create(station=station, on=timezone.localdate(), name="王五")
    return station.pk


def _shift_outside(w):
    from gongzhi.compounds.models import DutyShift

    return DutyShift.objects.get(station_id=_station_outside(w)).pk


def _contract_outside(w):
    # The property contract of 民安巷小区 (grid 2).
    import datetime as dt

    from gongzhi.compounds.models import PropertyContract
    from gongzhi.orgs.models import PartnerUnit

    company = PartnerUnit.objects.get_or_create(name="越界物业", defaults={"kind": "enterprise"})[0]
    return PropertyContract.objects.get_or_create(
        compound_id=w.b2.compound_id,
        company=company,
        defaults={
            "starts_on": dt.date(2026, 1, 1),
            "ends_on": dt.date(2030, 12, 31),
            "scope": "保洁",
            "fee": "0.80",
            "contact_name": "越界",
            "manager_name": "越界",
        },
    )[0].pk


def _term_outside(w):
    # The owners' committee term of 民安巷小区 (grid 2).
    import datetime as dt

    from gongzhi.compounds.models import CommitteeTerm

    return CommitteeTerm.objects.get_or_create(
        compound_id=w.b2.compound_id,
        name="越界第一届",
        defaults={
            "elected_on": dt.date(2025, 1, 1),
            "starts_on": dt.date(2025, 1, 10),
            "ends_on": dt.date(2030, 1, 9),
        },
    )[0].pk


def _shop_item_outside(w):
    # An item of the other community's points shop.
    from gongzhi.points.models import ShopItem

    return ShopItem.objects.get_or_create(
        community=w.ot, name="外区商品", defaults={"price": 10, "stock": 5}
    )[0].pk


def _redemption_outside(w):
    # 王五 (grid 2) redeemed an item of their own community's shop.
    from gongzhi.points import services as points
    from gongzhi.points.models import Redemption, ShopItem

    found = Redemption.objects.filter(key__startswith="redeem:", resident=w.residents["wangwu"])
    if found.exists():
        return found.first().pk
    item = ShopItem.objects.get_or_create(
        community=w.wj, name="毛巾", defaults={"price": 10, "stock": 5}
    )[0]
    wangwu = w.residents["wangwu"]
    points.award(actor=None, resident=wangwu, rule_code="service_hour", quantity=2, key="ww:earn")
    return points.redeem(actor=None, resident=wangwu, item=item, key="ww").pk


def _booking_outside(w):
    from gongzhi.venues.models import Booking

    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    return Booking.objects.get_or_create(
        venue_id=_venue_outside(w),
        community=w.ot,
        defaults={
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=1),
            "purpose": "议事",
            "organiser": "居民代表",
            "expected": 5,
            "booked_by": w.users["other_staff"],
        },
    )[0].pk


def _exemplar_nomination_outside(w):
    # A nomination of 王五 (grid 2), made once per test through the services.
    from gongzhi.exemplars import services as exemplars
    from gongzhi.exemplars.models import Nomination

    nomination = Nomination.objects.filter(nominee=w.residents["wangwu"]).first()
    if nomination is None:
        nomination = exemplars.nomination_submit(
            actor=w.users["admin"],
            category="neighbour",
            reasons="王五的事迹",
            nominee=w.residents["wangwu"],
        )
    return nomination.pk


def _exemplar_story_outside(w):
    # A published story of 赵六 (the other community), with consent and a photo.
    from gongzhi.exemplars import services as exemplars
    from gongzhi.exemplars.models import Story, StoryPhoto

    story = Story.objects.filter(resident=w.residents["zhaoliu"]).first()
    if story is None:
        admin = w.users["admin"]
        n = exemplars.nomination_submit(
            actor=admin, category="neighbour", reasons="赵六的事迹", nominee=w.residents["zhaoliu"]
        )
        n = exemplars.nomination_review(actor=admin, nomination=n, nominee=w.residents["zhaoliu"])
        n = exemplars.nomination_accept(actor=admin, nomination=n)
        story = exemplars.story_create(actor=admin, nomination=n, title="赵六", text="赵六的故事")
        exemplars.consent_record(
            actor=admin, story=story, method="in_person", given_on=dt.date(2026, 1, 1), note="当面"
        )
        exemplars.story_publish(actor=admin, story=story)
        StoryPhoto.objects.create(
            story=story,
            file="exemplars/far.png",
            content_type="image/png",
            size=1,
            uploaded_by=admin,
        )
    return story.pk


def _exemplar_consent_outside(w):
    from gongzhi.exemplars.models import Consent

    return Consent.objects.get(story_id=_exemplar_story_outside(w)).pk


def _case_outside(w):
    # A mediation of grid 2: a grid chief of grid 1 sees only their own grid's.
    from django.utils import timezone

    from gongzhi.mediation.models import Case
    from gongzhi.orgs.models import Team

    team = Team.objects.get_or_create(community=w.wj, name="晓龙调解队", kind="mediation")[0]
    return Case.objects.get_or_create(
        number="TJ-OUTSIDE",
        defaults={
            "community": w.wj,
            "grid": w.g2,
            "team": team,
            "title": "纠纷",
            "summary": "王五家的纠纷",
            "arose_on": timezone.localdate(),
            "opened_at": timezone.now(),
        },
    )[0].pk


def _follow_up_outside(w):
    from django.utils import timezone

    from gongzhi.mediation.models import FollowUp

    return FollowUp.objects.get_or_create(
        case_id=_case_outside(w), defaults={"due_on": timezone.localdate()}
    )[0].pk


def _activity_outside(w):
    # An activity of the other community, published: a grid chief sees only their own
    # community's.
    from gongzhi.activities.models import Activity, VolunteerGroup

    group = VolunteerGroup.objects.get_or_create(community=w.ot, name="外志愿队", kind="group")[0]
    start = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)
    return Activity.objects.get_or_create(
        community=w.ot,
        title="外社区活动",
        defaults={
            "kind": "volunteer",
            "service_area": "care",
            "group": group,
            "place": "外小区",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=1),
            "capacity": 10,
            "status": "published",
        },
    )[0].pk


def _group_outside(w):
    from gongzhi.activities.models import VolunteerGroup

    return VolunteerGroup.objects.get_or_create(community=w.ot, name="外志愿队", kind="group")[0].pk


ACTIVITY_PAGES = [
    "detail",
    "sign_up",
    "sign_up_cancel",
    "quiz",
    "check_in",
    "staff_detail",
    "edit",
    "publish",
    "cancel",
    "finish",
    "question_add",
]


def _project_outside(w):
    # A renewal project of 望江街 touching only building 2 (grid 2), with a round out and
    # 王五's opinion on it, made once per test through the services.
    from gongzhi.renewal import services as renewal
    from gongzhi.renewal.models import Project

    project = Project.objects.filter(name="2栋加装电梯").first()
    if project is None:
        admin = w.users["admin"]
        project = renewal.project_create(
            actor=admin, community=w.wj, kind="elevator", name="2栋加装电梯"
        )
        renewal.project_set_places(actor=admin, project=project, buildings=[w.b2])
        rnd = renewal.round_draft(
            actor=admin, project=project, title="方案", summary="摘要", text="内容"
        )
        renewal.round_publish(actor=admin, round=rnd)
        renewal.opinion_submit(
            actor=admin, project=project, resident=w.residents["wangwu"], text="王五的意见"
        )
    return project.pk


def _renewal_child(attr):
    def make(w):
        from gongzhi.renewal.models import Project

        project = Project.objects.get(pk=_project_outside(w))
        return getattr(project, attr).first().pk

    return make


def _matter_outside(w):
    # A matter on building 2 (grid 2), at 摸, opened once per test through the services.
    from gongzhi.deliberation import services as deliberation

    Matter = apps.get_model("deliberation", "Matter")
    matter = Matter.objects.filter(building=w.b2).first()
    if matter is None:
        matter = deliberation.matter_create(
            actor=w.users["admin"], title="2栋屋面漏水", summary="越界", building=w.b2
        )
    return matter.pk


def _meeting_outside(w):
    import datetime as dt

    from django.utils import timezone

    from gongzhi.deliberation import services as deliberation

    Meeting = apps.get_model("deliberation", "Meeting")
    meeting = Meeting.objects.filter(building=w.b2).first()
    if meeting is None:
        meeting = deliberation.meeting_create(
            actor=w.users["admin"],
            kind="coordination",
            title="2栋协调会",
            starts_at=timezone.make_aware(dt.datetime(2026, 3, 2, 9)),
            place="2栋楼下",
            host_name="越界",
            agenda="越界",
            building=w.b2,
        )
    return meeting.pk


def _task_outside(w):
    from gongzhi.deliberation import services as deliberation

    Task = apps.get_model("deliberation", "Task")
    task = Task.objects.filter(building=w.b2).first()
    if task is None:
        Meeting = apps.get_model("deliberation", "Meeting")
        meeting = Meeting.objects.get(pk=_meeting_outside(w))
        decision = deliberation.decision_create(
            actor=w.users["admin"],
            meeting=meeting,
            text="越界",
            tasks=[{"title": "越界", "owner_user": w.users["admin"], "due_days": 3}],
        )
        task = decision.tasks.get()
    return task.pk


def _topic_outside(w):
    Topic = apps.get_model("deliberation", "Topic")
    topic = Topic.objects.filter(building=w.b2).first()
    if topic is None:
        topic = Topic.objects.create(
            community=w.wj, grid=w.g2, building=w.b2, source="resident", text="越界"
        )
    return topic.pk


def _talent_outside(w):
    Talent = apps.get_model("deliberation", "Talent")
    talent = Talent.objects.filter(community=w.ot).first()
    if talent is None:
        talent = Talent.objects.create(
            community=w.ot, name="越界", title="skilled", skills="越界", source="community"
        )
    return talent.pk


def _survey_outside(w, what):
    from tests.surveys.outside import survey_objects

    return survey_objects(w.ot, w.b3, w.users["admin"])[what].pk


# (route, kwarg) or kwarg → the id of an object outside grid 1, or a plain value.
OBJECT_KWARGS = {
    "campaign_id": lambda w: _survey_outside(w, "campaign"),
    "questionnaire_id": lambda w: _survey_outside(w, "questionnaire"),
    "base_survey_id": lambda w: _survey_outside(w, "base_survey"),
    **{
        (f"surveys:{name}", "pk"): lambda w: _survey_outside(w, "campaign")
        for name in ["campaign", "phone", "paper", "export", "close", "answer", "assign"]
    },
    ("surveys:review", "pk"): lambda w: _survey_outside(w, "response"),
    ("surveys:base_survey", "pk"): lambda w: _survey_outside(w, "base_survey"),
    ("surveys:building_record", "pk"): lambda w: _survey_outside(w, "base_survey"),
    ("surveys:questionnaire", "pk"): lambda w: _survey_outside(w, "questionnaire"),
    # A figure is not a scoped object: its key names a definition, and the rows it opens
    # are scoped by the caller's reach (tests/figures walks every key as every role). An
    # unknown key is the one way to name nothing in reach.
    ("api:figure_rows", "key"): lambda w: "no_such_figure",
    ("figures:rows", "key"): lambda w: "no_such_figure",
    "building_id": lambda w: w.b2.pk,
    "household_id": lambda w: w.households["2-1-101"].pk,
    "resident_id": lambda w: w.residents["wangwu"].pk,
    ("wb-community", "pk"): lambda w: w.ot.pk,
    ("wb-grid", "pk"): lambda w: w.g2.pk,
    ("wb-compound", "pk"): lambda w: Compound.objects.get(grid=w.g2).pk,
    ("wb-building", "pk"): lambda w: w.b2.pk,
    ("wb-household", "pk"): lambda w: w.households["2-1-101"].pk,
    ("wb-resident", "pk"): lambda w: w.residents["wangwu"].pk,
    ("wb-resident-reveal", "pk"): lambda w: w.residents["wangwu"].pk,
    ("wb-resident-reveal", "field_name"): lambda w: "phone",
    ("wb-resident-new", "pk"): lambda w: w.households["2-1-101"].pk,
    **{
        (f"wb-resident-{name}", "pk"): lambda w: w.residents["wangwu"].pk
        for name in ["edit", "move-out", "death", "move-back", "visit"]
    },
    ("register:job", "pk"): _job_outside,
    ("register:job_progress", "pk"): _job_outside,
    ("register:job_errors", "pk"): _job_outside,
    ("register:export_job", "pk"): _export_job_of_someone_else,
    ("register:export_download", "pk"): _export_job_of_someone_else,
    "wish_id": _wish_outside,
    **{
        (f"wishes:{name}", "pk"): _wish_outside
        for name in [
            "detail",
            "done",
            "publish",
            "reject",
            "claim",
            "release",
            "fulfil",
            "confirm",
            "thanks",
            "photo",
        ]
    },
    **{
        (f"voices:{name}", "pk"): _item_outside
        for name in [
            "detail",
            "done",
            "join",
            "rate",
            "withdraw",
            "photo",
            "photo_thumbnail",
            "accept",
            "escalate",
            "dispatch_item",
            "verify",
            "resolve",
            "visit",
            "comment",
            "merge",
            "publish",
            "withhold",
            "supervise",
            "extension_request",
            "extension_decide",
            "dispatch_joint",
            # The partner's pages take a dispatch id; anyone without a unit is refused.
            "dispatch",
            "dispatch_accept",
            "dispatch_reply",
            "dispatch_return",
            "dispatch_reporter_phone",
        ]
    },
    ("voices:dispatch_reporter_phone", "reporter_id"): lambda w: 1,
    ("voices:photo", "attachment_id"): lambda w: 1,
    ("voices:photo_thumbnail", "attachment_id"): lambda w: 1,
    "item_id": _item_outside,
    "matter_id": _matter_outside,
    "meeting_id": _meeting_outside,
    "task_id": _task_outside,
    "topic_id": _topic_outside,
    "talent_id": _talent_outside,
    **{
        (f"deliberation:{name}", "pk"): _matter_outside
        for name in [
            "matter",
            "matter_move",
            "matter_visit",
            "matter_task",
            "matter_print",
            "notice",
            "objection",
            "vote",
        ]
    },
    **{
        (f"deliberation:{name}", "pk"): _meeting_outside
        for name in [
            "meeting",
            "meeting_invite",
            "meeting_sign_in",
            "meeting_minutes",
            "meeting_decision",
            "meeting_docx",
            "meeting_sheet",
        ]
    },
    ("deliberation:task_complete", "pk"): _task_outside,
    ("deliberation:topic_review", "pk"): _topic_outside,
    ("deliberation:talent_review", "pk"): _talent_outside,
    ("deliberation:talent_consent", "pk"): _talent_outside,
    "reporter_id": lambda w: (
        apps.get_model("voices", "ItemReporter").objects.get(item_id=_item_outside(w)).pk
    ),
    "dispatch_id": _dispatch_outside,
    "session_id": _session_outside,
    "token_id": _token_outside,
    ("accounts:token_revoke", "pk"): _token_outside,
    ("orgs:post_new", "level"): lambda w: "grid",
    ("orgs:post_new", "node_id"): lambda w: w.g2.pk,
    "post_id": _post_outside,
    ("orgs:user_posts", "user_id"): lambda w: w.users["grid_worker"].pk,
    "team_id": _team_outside,
    "unit_id": lambda w: w.partner.pk,
    "contact_id": _contact_outside,
    "member_id": _member_outside,
    ("accounts:partner_user_disable", "user_id"): lambda w: w.users["partner"].pk,
    "venue_id": _venue_outside,
    # Compound governance: 民安巷小区 lies in grid 2.
    "compound_id": lambda w: w.b2.compound_id,
    "station_id": _station_outside,
    "shift_id": _shift_outside,
    "contract_id": _contract_outside,
    "term_id": _term_outside,
    "booking_id": _booking_outside,
    **{(f"venues:{name}", "pk"): _venue_outside for name in ["detail", "edit", "book"]},
    **{(f"venues:{name}", "pk"): _booking_outside for name in ["approve", "refuse", "cancel"]},
    "case_id": _case_outside,
    "follow_up_id": _follow_up_outside,
    **{
        (f"exemplars:{name}", "pk"): _exemplar_nomination_outside
        for name in ["nomination", "nomination_review", "nomination_decide", "story_new"]
    },
    **{
        (f"exemplars:{name}", "pk"): _exemplar_story_outside
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
    ("exemplars:photo", "photo_id"): lambda w: (
        apps.get_model("exemplars", "StoryPhoto")
        .objects.get(story_id=_exemplar_story_outside(w))
        .pk
    ),
    ("exemplars:consent_photo", "consent_id"): _exemplar_consent_outside,
    **{(f"activities:{name}", "pk"): _activity_outside for name in ACTIVITY_PAGES},
    **{(f"activities:{name}", "pk"): _group_outside for name in ["group", "group_member_add"]},
    "activity_id": _activity_outside,
    **{
        (f"points:{name}", "pk"): _shop_item_outside
        for name in ["redeem", "item_edit", "serve_redeem"]
    },
    **{(f"points:{name}", "pk"): _redemption_outside for name in ["hand_over", "cancel"]},
    "shop_item_id": _shop_item_outside,
    "redemption_id": _redemption_outside,
    **{
        (f"renewal:{name}", "pk"): _project_outside
        for name in [
            "resident_project",
            "opinion_new",
            "project",
            "edit",
            "places",
            "funding_add",
            "milestone_add",
            "milestone_done",
            "document_add",
            "document",
            "phase_close",
            "round_draft",
            "round_publish",
            "round_close",
            "round_decide",
            "notice",
            "compare",
            "opinion_enter",
            "opinion_link",
            "opinion_answer",
        ]
    },
    "project_id": _project_outside,
    ("api:renewal_round_publish", "number"): lambda w: 1,
    "opinion_id": _renewal_child("opinions"),
    ("renewal:milestone_done", "mid"): lambda w: 1,
    ("renewal:document", "did"): lambda w: 1,
    ("renewal:phase_close", "phase_id"): _renewal_child("phases"),
    ("renewal:opinion_answer", "oid"): _renewal_child("opinions"),
    **{
        (f"renewal:{name}", "number"): lambda w: 1
        for name in ["round_publish", "round_close", "round_decide", "notice"]
    },
}

# Bodies that would succeed inside the reach, so that a write route reaches its scoping
# check rather than stopping at validation.
BODIES = {
    "api:compounds_term_create": lambda w: {
        "name": "越界",
        "elected_on": "2024-01-01",
        "starts_on": "2024-01-02",
        "ends_on": "2025-01-01",
    },
    "api:compounds_contract_create": lambda w: {
        "company_id": w.partner.pk,
        "starts_on": "2024-01-01",
        "ends_on": "2025-01-01",
        "scope": "越界",
        "fee": "1",
        "contact_name": "越界",
        "manager_name": "越界",
    },
    "api:compounds_meeting_record": lambda w: {
        "body": "committee",
        "held_on": "2024-01-01",
        "title": "越界",
    },
    "api:compounds_notice_post": lambda w: {"body": "committee", "title": "越界", "text": "越界"},
    "api:compounds_group_create": lambda w: {"name": "越界", "started_on": "2024-01-01"},
    "api:compounds_steward_add": lambda w: {"name": "越界"},
    "api:compounds_member_add": lambda w: {"term_id": 1, "post": "member", "name": "越界"},
    "api:compounds_shift_add": lambda w: {"on": "2026-06-08", "name": "越界"},
    "compounds:term_add": lambda w: {
        "name": "越界",
        "elected_on": "2024-01-01",
        "starts_on": "2024-01-02",
        "ends_on": "2025-01-01",
    },
    "compounds:roster": lambda w: {"on": "2026-06-08", "name": "越界", "hours": "9-17"},
    "compounds:route": lambda w: {"confirm": "1"},
    "compounds:shift_remove": lambda w: {"confirm": "1"},
    "compounds:contract_end": lambda w: {"on": "2026-06-30", "reason": "越界", "confirm": "1"},
    "compounds:term_end": lambda w: {"on": "2026-06-30", "reason": "越界", "confirm": "1"},
    "api:survey_questionnaire_create": lambda w: {"community_id": w.ot.pk, "title": "越界"},
    "api:survey_base_create": lambda w: {
        "community_id": w.ot.pk,
        "name": "越界",
        "starts_on": "2026-01-01",
        "target_on": "2026-01-14",
    },
    "api:survey_campaign_create": lambda w: {
        "community_id": w.ot.pk,
        "questionnaire_id": _survey_outside(w, "questionnaire"),
        "name": "越界",
        "area_name": "越界",
        "starts_on": "2026-01-01",
        "ends_on": "2026-02-01",
        "building_ids": [w.b3.pk],
    },
    "api:survey_campaigns": lambda w: {
        "community_id": w.ot.pk,
        "questionnaire_id": _survey_outside(w, "questionnaire"),
        "name": "越界",
        "area_name": "越界",
        "starts_on": "2026-01-01",
        "ends_on": "2026-02-01",
        "building_ids": [w.b3.pk],
    },
    "api:survey_question_add": {"key": "x", "text": "越界", "kind": "text"},
    "api:survey_assignment_add": lambda w: {
        "building_id": w.b3.pk,
        "visitor_id": w.users["grid"].pk,
        "visitor_kind": "volunteer",
    },
    "api:survey_building_record": lambda w: {
        "building_id": w.b3.pk,
        "surveyed_on": "2026-01-02",
        "structure": "frame",
        "floors": 6,
    },
    "surveys:visit_logs": lambda w: {
        "household": w.households["2-1-101"].pk,
        "aim": "worry",
        "heard": "越界",
        "visited_on": "2026-01-02",
    },
    "api:voice_items": lambda w: {"resident_id": w.residents["wangwu"].pk, "text": "越界"},
    "api:voice_item_create": lambda w: {"resident_id": w.residents["wangwu"].pk, "text": "越界"},
    "api:voice_item_accept": {"category": "other"},
    "api:voice_item_escalate": {"reason": "越界"},
    "api:voice_item_dispatch": lambda w: {"unit_id": w.partner.pk},
    "api:voice_item_resolve": {"note": "越界"},
    "api:voice_item_return_visit": {"solved": "solved", "satisfaction": "satisfied"},
    "api:voice_item_merge": lambda w: {"into_id": _item_outside(w)},
    "api:voice_dispatch_reply": {"reply": "越界"},
    "api:voice_dispatch_return": {"reason": "越界"},
    "api:voice_dispatch_verify": {"accepted": True},
    "api:voice_event_items": {"rows": [{"text": "越界"}]},
    "api:voice_item_publish": {"public_text": "越界"},
    "api:voice_item_withdraw": {"reason": "越界"},
    "api:venue_bookings": {
        "starts_at": "2030-01-07T09:00:00+08:00",
        "ends_at": "2030-01-07T10:00:00+08:00",
        "purpose": "越界",
        "expected": 5,
        "organiser": "越界",
    },
    "api:booking_create": {
        "starts_at": "2030-01-07T09:00:00+08:00",
        "ends_at": "2030-01-07T10:00:00+08:00",
        "purpose": "越界",
        "expected": 5,
        "organiser": "越界",
    },
    "venues:book": {
        "day": "2030-01-07",
        "start": "09:00",
        "end": "10:00",
        "purpose": "越界",
        "expected": "5",
        "organiser": "越界",
    },
    "venues:refuse": {"reason": "越界", "confirm": "1"},
    "activities:cancel": {"reason": "越界", "confirm": "1"},
    "activities:finish": {"confirm": "1"},
    "activities:sign_up_cancel": {"confirm": "1"},
    "activities:check_in": lambda w: {"resident": w.residents["zhaoliu"].pk, "role": "attendee"},
    "api:activity_check_in": lambda w: {"resident_id": w.residents["zhaoliu"].pk},
    "api:points_redeem": {"key": "越界", "quantity": 1},
    "api:points_cancel": {"reason": "越界"},
    "venues:cancel": {"reason": "越界", "confirm": "1"},
    "api:exemplar_nominate": lambda w: {
        "category": "neighbour",
        "reasons": "越界",
        "resident_id": w.residents["wangwu"].pk,
    },
    "api:exemplar_nominations": lambda w: {
        "category": "neighbour",
        "reasons": "越界",
        "resident_id": w.residents["wangwu"].pk,
    },
    "exemplars:nomination_review": lambda w: {"nominee": w.residents["wangwu"].pk},
    "exemplars:nomination_decide": {"decision": "decline", "reason": "越界", "confirm": "1"},
    "exemplars:story_new": {"title": "越界", "text": "越界"},
    "exemplars:story_edit": {"title": "越界", "text": "越界"},
    "exemplars:consent_record": {"method": "in_person", "given_on": "2026-01-01", "note": "越界"},
    "exemplars:consent_withdraw": {"note": "越界", "confirm": "1"},
    "exemplars:story_publish": {"confirm": "1"},
    "exemplars:story_withdraw": {"note": "越界", "confirm": "1"},
    "mediation:party_add": {"side": "respondent", "name": "越界"},
    "mediation:session_add": {
        "day": "2026-01-02",
        "time": "09:00",
        "place": "越界",
        "notes": "越界",
    },
    "mediation:conclude": {"outcome": "failed", "confirm": "1"},
    "mediation:follow_up": {"kept": "no", "note": "越界", "confirm": "1"},
    "api:mediation_party_add": {"side": "respondent", "name": "越界"},
    "api:mediation_session_record": {
        "held_at": "2026-01-02T09:00:00+08:00",
        "place": "越界",
        "notes": "越界",
    },
    "api:mediation_case_conclude": {"outcome": "failed"},
    "api:mediation_follow_up_record": {"kept": False, "note": "越界"},
    "api:voice_reporter_reveal": {"reason": "home_visit"},
    "api:household_create": lambda w: {
        "entrance_id": w.b2.entrances.get().pk,
        "door_number": "909",
        "floor": 1,
    },
    "api:voice_item_withhold": {"reason": "越界"},
    "api:voice_item_supervise": {"message": "越界"},
    "api:voice_item_extension_request": {"days": 2, "reason": "越界"},
    "api:voice_item_extension_decide": {"approve": True, "note": "越界"},
    "voices:supervise": {"message": "越界", "confirm": "1"},
    "voices:extension_request": {"days": "2", "reason": "越界", "confirm": "1"},
    "voices:extension_decide": {"approve": "yes", "note": "越界", "confirm": "1"},
    "voices:dispatch_joint": lambda w: {
        "unit": w.partner.pk,
        "supporting_units": w.partner.pk,
        "confirm": "1",
    },
    "api:resident_reveal": {"field": "phone", "reason": "home_visit"},
    "api:resident_set_status": {"status": "moved_out", "reason": "x"},
    "api:resident_update": {"note": "越界"},
    "api:resident_detail": {"note": "越界"},
    "api:resident_create": lambda w: {"household_id": w.households["2-1-101"].pk, "name": "越界"},
    "api:residents": lambda w: {"household_id": w.households["2-1-101"].pk, "name": "越界"},
    "api:wishes": lambda w: {
        "resident_id": w.residents["wangwu"].pk,
        "category": "other",
        "text": "越界",
    },
    "api:wish_create": lambda w: {
        "resident_id": w.residents["wangwu"].pk,
        "category": "other",
        "text": "越界",
    },
    "api:wish_publish": {"public_text": "越界"},
    "api:renewal_project_create": lambda w: {
        "community_id": w.wj.pk,
        "kind": "elevator",
        "name": "越界",
    },
    "api:renewal_projects": lambda w: {"community_id": w.wj.pk, "kind": "elevator", "name": "越界"},
    "api:renewal_project_places": lambda w: {"building_ids": [w.b2.pk]},
    "api:renewal_project_units": lambda w: {
        "units": [{"unit_id": w.partner.pk, "role": "partner"}]
    },
    "api:renewal_rounds": {"title": "越界", "summary": "越界", "text": "越界"},
    "api:renewal_round_create": {"title": "越界", "summary": "越界", "text": "越界"},
    "api:renewal_opinions": lambda w: {"text": "越界", "resident_id": w.residents["wangwu"].pk},
    "api:renewal_opinion_create": lambda w: {
        "text": "越界",
        "resident_id": w.residents["wangwu"].pk,
    },
    "api:renewal_opinion_answer": {"answer": "adopted", "reason": "越界"},
    "api:wish_reject": {"reason": "越界"},
    "api:wish_fulfil": {"proof_text": "越界"},
    "api:matter_transition": {"to": "deliberate"},
    "api:matter_visit": lambda w: {
        "note": "越界",
        "household_ids": [w.households["2-1-101"].pk],
    },
    "api:matter_objection": {"text": "越界"},
    "api:matter_vote": {"choice": "satisfied"},
    "api:matter_task": lambda w: {
        "title": "越界",
        "owner_user_id": w.users["staff"].pk,
        "due_days": 3,
    },
    "api:task_complete": {"evidence": "越界"},
    "api:meeting_invite": lambda w: {
        "invitees": [{"kind": "household", "id": w.households["2-1-101"].pk}]
    },
    "api:meeting_sign_in": lambda w: {"resident_id": w.residents["wangwu"].pk},
    "api:meeting_minutes": {"minutes": "越界"},
    "api:meeting_decision": {"text": "越界"},
    "api:topic_review": {"approve": True, "public_text": "越界"},
    "api:talent_review": {"approve": True},
    "api:talent_consent": {"note": "越界"},
    "deliberation:matter_move": {"to": "deliberate", "confirm": "yes"},
    "deliberation:task_complete": {"evidence": "越界"},
    "deliberation:meeting_minutes": {"minutes": "越界"},
    "deliberation:objection": {"text": "越界"},
    "deliberation:vote": {"choice": "satisfied"},
    "wb-resident-new": {"name": "越界", "relation": "head", "residence": "both"},
    "wb-resident-edit": {"name": "越界", "relation": "head", "residence": "both"},
    "wb-resident-move-out": {"effective_on": "2026-01-01", "reason": "越界", "confirm": "1"},
    "wb-resident-death": {"effective_on": "2026-01-01", "confirm": "1"},
    "wb-resident-visit": {"visited_on": "2026-01-01", "method": "home_visit", "note": "越界"},
    "orgs:post_new": {"kind": "grid_worker", "holder_name": "越界", "action": "save"},
    "orgs:post_end": {"ended_on": "2025-01-01"},
    "orgs:post_hand_over": {"on": "2025-01-01", "holder_name": "越界", "action": "save"},
    "orgs:team_new": lambda w: {"community": w.ot.pk, "name": "越界", "kind": "service"},
    "orgs:team_member_add": lambda w: {"resident": w.residents["wangwu"].pk, "action": "save"},
    "orgs:team_member_role": {"role": "leader"},
    "orgs:partner_new": lambda w: {"name": "越界", "kind": "enterprise", "communities": w.ot.pk},
    "orgs:partner_edit": {"name": "越界", "kind": "enterprise"},
    "orgs:partner_contact_add": {"name": "越界"},
    "orgs:party_member_link": lambda w: {"household": w.households["2-1-101"].pk},
    "accounts:partner_user_new": {"username": "yuejie", "display_name": "越界"},
    "api:post_assign": lambda w: {
        "kind": "grid_worker",
        "node_level": "grid",
        "node_id": w.g2.pk,
        "holder_name": "越界",
    },
    "api:post_end": {"ended_on": "2025-01-01"},
    "api:post_hand_over": {"holder_name": "越界"},
    "api:team_member_add": lambda w: {"resident_id": w.residents["zhangsan"].pk},
    "api:team_members": lambda w: {"resident_id": w.residents["zhangsan"].pk},
    "api:team_member_role": {"role": "leader"},
    "api:team_member_remove": {"role": "leader"},
    "api:team_member": {"role": "leader"},
}

LISTS = {
    "deliberation:matters",
    "deliberation:matter_new",
    "deliberation:meetings",
    "deliberation:meeting_new",
    "deliberation:tasks",
    "deliberation:topics",
    "deliberation:talents",
    "deliberation:propose",
    "deliberation:recommend",
    "api:matters",
    "api:matter_create",
    "api:meetings",
    "api:meeting_create",
    "api:tasks",
    "api:corners",
    "api:corner_create",
    "api:topics",
    "api:topic_create",
    "api:talents",
    "api:talent_create",
    "api:survey_campaigns",
    "api:survey_campaign_create",
    "api:survey_sync",
    "api:survey_questionnaire_create",
    "api:survey_base_create",
    "surveys:campaigns",
    "surveys:campaign_new",
    "surveys:questionnaires",
    "surveys:base_survey_new",
    "surveys:base_surveys",
    "surveys:visit_logs",
    "surveys:mine",
    "accounts:tokens",
    "api:auth_tokens",
    "api:voice_items",
    "api:voice_item_create",
    "api:voice_similar",
    "api:household_create",
    "api:voice_measures",
    "api:figures",
    "api:voice_notifications",
    "api:voice_publication_queue",
    "api:voice_extension_queue",
    "home",
    "wb-search",
    "wb-care",
    "wb-care-export",
    "register:home",
    "register:template",
    "register:export",
    "api:me",
    "api:posts",
    "api:post_assign",
    "api:teams",
    "api:partners",
    "api:party_organisations",
    "api:communities",
    "api:grids",
    "api:buildings",
    "api:residents",
    "api:residents_search",
    "api:resident_create",
    "api:routing_suggest",
    "api:wishes",
    "api:wish_create",
    "wishes:mine",
    "wishes:new",
    "wishes:for_pick",
    "wishes:queue",
    "wishes:sponsor",
    "wishes:notifications_read",
    "voices:mine",
    "voices:new",
    "voices:for_pick",
    "voices:inbox",
    "voices:measures",
    "figures:dashboard",
    # The work report of the caller's reach (tests/reports walks the roles); its paragraphs
    # are written only for an area the caller holds whole.
    "reports:work",
    "reports:work_edit",
    "reports:work_print",
    "reports:work_docx",
    "reports:work_xlsx",
    "api:report_work",
    "voices:partner_inbox",
    "voices:notifications_read",
    "voices:event_sessions",
    "voices:event_session_new",
    "voices:publication_queue",
    "voices:extension_queue",
    "orgs:posts",
    "orgs:teams",
    "orgs:team_new",
    "orgs:partners",
    "orgs:partner_new",
    "orgs:party",
    "audit:log",
    "calendar:schedule",
    "venues:list",
    "venues:new",
    "venues:bookings",
    "api:exemplar_stories",
    "api:exemplar_nominate",
    "api:exemplar_nominations",
    "exemplars:stories",
    "exemplars:commendations",
    "exemplars:nominate",
    "exemplars:queue",
    "exemplars:nomination_new",
    "exemplars:commendations_manage",
    "points:mine",
    "points:shop",
    "points:redemptions",
    "points:manage",
    "points:item_new",
    "points:handover",
    "points:serve_pick",
    "points:rules",
    "api:points_balance",
    "api:points_statement",
    "api:points_shop",
    "api:points_redemptions",
    "api:points_staff_redemptions",
    "api:venue_list",
    "mediation:list",
    "mediation:new",
    "compounds:list",
    "compounds:stations",
    "compounds:on_duty",
    "api:compounds_list",
    "api:compounds_measures",
    "api:compounds_on_duty",
    "api:mediation_cases",
    "api:mediation_case_create",
    "api:mediation_figures",
    "activities:near",
    "activities:mine",
    "activities:qr",
    "activities:manage",
    "activities:new",
    "activities:groups",
    "activities:group_new",
    "api:activity_list",
    "api:activity_near",
    "api:activity_my_signups",
    "renewal:list",
    "renewal:new",
    "renewal:my_building",
    "api:renewal_projects",
    "api:renewal_project_create",
}

# Queries a list route is also asked, aimed at people outside grid 1.
SEARCHES = [
    {"q": "王五"},
    {"q": "赵六"},
    {"q": "13700002222"},
    {"q": "2222"},
    {"q": "ww"},
    {"q": "2栋"},
]
LIST_PARAMS = {
    "api:voice_items": [{}, {"grid": "WJ-G2"}, {"status": "submitted,accepted"}],
    "api:voice_measures": [
        {"month": f"{m:%Y-%m}", "group_by": g}
        for m in [dt.date.today()]
        for g in ["grid", "community", "unit"]
    ],
    "api:figures": [
        {},
        {"community": "510402001001"},
        {"community": "510402001002"},
        {"subdistrict": "510402001", "from": "2026-01-01"},
    ],
    "figures:dashboard": [
        {},
        {"community": "510402001001", "tile": "elderly"},
        {"community": "510402001001", "tile": "open"},
        {"community": "510402001002"},
        {"subdistrict": "510402001", "from": "2026-01-01"},
    ],
    **{
        name: [
            {},
            {"community": "510402001001"},
            {"community": "510402001002"},
            {"subdistrict": "510402001", "from": "2026-01-01"},
        ]
        for name in [
            "reports:work",
            "reports:work_edit",
            "reports:work_print",
            "reports:work_docx",
            "reports:work_xlsx",
            "api:report_work",
        ]
    },
    "wb-search": SEARCHES,
    "api:residents": [{**s, "include_inactive": "true"} for s in SEARCHES],
    "api:grids": [{}, {"community": "510402001002"}],
    "api:buildings": [{}, {"grid": "WJ-G2"}, {"community": "510402001002"}],
    "register:export": [{}, {"community": "510402001002"}],
    "wb-care": [{}, {"category": "advanced_age"}, {"category": "alone"}, {"page": "2"}],
    "wishes:for_pick": SEARCHES,
    "audit:log": [{}, {"object": "王五"}, {"action": "places.resident"}],
    "voices:for_pick": SEARCHES,
}

# What a grid chief of grid 1 must never be shown.
OUTSIDE = ["王五", "赵六", "137****2222", "136****3333", "13700002222", "13600003333"]


# --- discovery ----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the pattern itself for an unnamed one
    regex: str
    namespace: str

    @property
    def kwargs(self) -> list[str]:
        return sorted(normalize(self.regex)[0][1])

    def url(self, values: dict) -> str:
        for fmt, params in normalize(self.regex):
            if set(params) <= set(values):
                return "/" + fmt % {p: values[p] for p in params}
        raise AssertionError(f"cannot build a URL for {self.key} from {values}")


def discover() -> list[Route]:
    def walk(patterns, prefix, namespace):
        for p in patterns:
            regex = prefix + p.pattern.regex.pattern.lstrip("^")
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x)
                yield from walk(p.url_patterns, regex, ns)
            else:
                name = (
                    f"{namespace}:{p.name}"
                    if namespace and p.name
                    else (p.name or f"{namespace}:<{regex}>")
                )
                yield Route(name, regex, namespace)

    return list(walk(get_resolver().url_patterns, "", ""))


ROUTES = discover()


def category(route: Route) -> str | None:
    if route.key in PUBLIC or route.regex.startswith(PUBLIC_PREFIXES):
        return "public"
    if route.namespace == "admin":
        return "admin"
    if route.kwargs:
        if all((route.key, k) in OBJECT_KWARGS or k in OBJECT_KWARGS for k in route.kwargs):
            return "object"
        return None
    if route.key in LISTS:
        return "list"
    return None


def _ids(routes):
    return [r.key for r in routes]


OBJECT_ROUTES = [r for r in ROUTES if category(r) == "object"]
LIST_ROUTES = [r for r in ROUTES if category(r) == "list"]
ADMIN_ROUTES = [r for r in ROUTES if category(r) == "admin"]
PUBLIC_ROUTES = [r for r in ROUTES if category(r) == "public"]


def test_every_route_is_classified():
    unclassified = [f"{r.key}  ({r.regex})" for r in ROUTES if category(r) is None]
    assert unclassified == [], (
        "These routes are not classified in tests/test_route_scoping.py. Add each to PUBLIC "
        "(meant for anyone), to OBJECT_KWARGS (how to get an object outside grid 1 for each "
        "of its URL kwargs) or to LISTS (scoped lists), so that the suite checks it cannot "
        "escape scoping:\n  " + "\n  ".join(unclassified)
    )


def test_the_classification_lists_no_stale_routes():
    keys = {r.key for r in ROUTES}
    stale = sorted((PUBLIC | LISTS) - keys)
    stale += sorted({k[0] for k in OBJECT_KWARGS if isinstance(k, tuple)} - keys)
    assert stale == [], f"classified routes that no longer exist: {stale}"


def test_discovery_sees_the_api_and_the_admin():
    keys = {r.key for r in ROUTES}
    assert {"api:resident_reveal", "api:residents", "admin:index", "accounts:login"} <= keys


# --- checks -------------------------------------------------------------------------


def _text(response) -> str:
    """The response as text a person would read: JSON re-encoded without escapes, a
    spreadsheet flattened to its cell values."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    ctype = response.get("Content-Type", "")
    if "wordprocessingml" in ctype:
        from docx import Document

        document = Document(io.BytesIO(content))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if "spreadsheetml" in ctype or content[:2] == b"PK":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell
        )
    text = content.decode("utf-8", errors="replace")
    if "json" in ctype:
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return text


def _assert_nothing_outside(response, where, *, asked=()):
    # What the person typed is echoed back in the search box: that is not a leak.
    text = _text(response)
    for term in asked:
        text = text.replace(str(term), "")
    leaked = [s for s in OUTSIDE if s in text]
    assert leaked == [], f"{where} shows {leaked} to the grid chief of grid 1"


def _values(route, world):
    out = {}
    for k in route.kwargs:
        make = OBJECT_KWARGS.get((route.key, k)) or OBJECT_KWARGS[k]
        out[k] = make(world)
    return out


def _body(route, world):
    body = BODIES.get(route.key, {})
    return body(world) if callable(body) else body


def _request(client, method, url, body):
    if method == "GET":
        return client.get(url)
    return client.generic(method, url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=_ids(OBJECT_ROUTES))
def test_object_outside_reach_is_not_found(world, login, route):
    url = route.url(_values(route, world))
    client = login(world.users["grid"])
    wangwu = Resident.objects.get(pk=world.residents["wangwu"].pk)
    for method in ["GET", "POST", "PATCH", "PUT", "DELETE"]:
        response = _request(client, method, url, _body(route, world))
        assert response.status_code in (404, 405), (
            f"{method} {url} ({route.key}) answered {response.status_code} to the grid chief for an "
            "object outside grid 1; expected 404 (or 405). A 422 means BODIES needs a valid body."
        )
        _assert_nothing_outside(response, f"{method} {url}")
    after = Resident.objects.get(pk=wangwu.pk)
    assert (after.status, after.note, after.name) == (wangwu.status, wangwu.note, wangwu.name)
    assert not AuditEvent.objects.filter(action="places.resident.revealed").exists()


@pytest.mark.parametrize(
    "route", OBJECT_ROUTES + LIST_ROUTES, ids=_ids(OBJECT_ROUTES + LIST_ROUTES)
)
def test_anonymous_is_asked_to_log_in(world, client, route):
    url = route.url(_values(route, world)) if route.kwargs else route.url({})
    answers = {m: _request(client, m, url, _body(route, world)) for m in ["GET", "POST"]}
    taken = {m: r for m, r in answers.items() if r.status_code != 405}
    assert taken, f"{url} takes neither GET nor POST"
    for method, response in taken.items():
        if route.key.startswith("api:"):
            assert response.status_code == 401, (method, url)
        else:
            assert response.status_code == 302, (method, url)
            assert response.url.startswith("/accounts/login/"), response.url


@pytest.mark.parametrize("route", LIST_ROUTES, ids=_ids(LIST_ROUTES))
def test_list_shows_nothing_outside_reach(world, login, route):
    client = login(world.users["grid"])
    url = route.url({})
    for params in LIST_PARAMS.get(route.key, [{}]):
        response = client.get(url, params)
        assert response.status_code < 500, (url, params)
        _assert_nothing_outside(response, f"GET {url} {params}", asked=params.values())
    response = _request(client, "POST", url, _body(route, world))
    if route.key in BODIES:
        # A write aimed outside the reach.
        assert response.status_code == 404, (url, response.status_code)
    assert response.status_code < 500, (url, response.status_code)
    _assert_nothing_outside(response, f"POST {url}")
    assert Resident.objects.filter(name="越界").count() == 0


def _admin_values(world):
    return {
        "app_label": "places",
        "object_id": str(world.residents["wangwu"].pk),
        "id": str(world.users["secretary"].pk),
        "content_type_id": str(ContentType.objects.get_for_model(Resident).pk),
        "url": "places/resident/",
    }


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=_ids(ADMIN_ROUTES))
def test_grid_chief_cannot_enter_the_admin(world, login, route):
    url = route.url(_admin_values(world))
    response = login(world.users["grid"]).get(url, follow=True)
    # Whatever the route, the grid chief ends on the admin login form (which tells a
    # logged-in non-operator they lack access), never on an admin page.
    assert response.status_code == 200, (url, response.status_code)
    assert response.request["PATH_INFO"] == "/admin/login/", (url, response.redirect_chain)
    if route.key != "admin:login":
        assert response.redirect_chain, url
    _assert_nothing_outside(response, url)


@pytest.mark.parametrize("route", PUBLIC_ROUTES, ids=_ids(PUBLIC_ROUTES))
def test_public_routes_answer_anonymously_without_data(world, client, route):
    response = client.get(route.url(PUBLIC_KWARGS))
    assert response.status_code < 500
    _assert_nothing_outside(response, route.key)
