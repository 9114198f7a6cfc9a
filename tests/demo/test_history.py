"""The demo's year of residents' voice: counted from records, checked for a consistent
timeline per item, and shown to be something the services can pick up where it stops.

Most tests run on a small community with a fraction of the history; one class seeds the
whole demo once for the article's figures. The history ends on the day it is seeded; the
tests fix that day (``END``) so that they read the same whenever they run."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test import TestCase
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.demo.history import HARD, history_end
from gongzhi.demo.seed import seed
from gongzhi.voices import deadlines, services
from gongzhi.voices.enums import (
    OPEN_STATUSES,
    Channel,
    DispatchStatus,
    EventType,
    Level,
    Solved,
    Stage,
    Status,
)
from gongzhi.voices.models import (
    Dispatch,
    EventSession,
    Item,
    ItemEvent,
    ItemNumberCounter,
    ItemReporter,
    Notification,
    ReturnVisit,
)
from tests.world import empty_database, settle_deferred_checks

# The history's "now" in these tests: close of business on Friday 27 November 2026, as a
# seed run on Monday the 30th would have it.
END = timezone.make_aware(dt.datetime(2026, 11, 27, 17, 30))
SMALL = {
    "households": 400,
    "communities": 1,
    "history_scale": 0.15,
    "history_end": END,
    "log": lambda m: None,
}


def _solved_with_partner():
    verified = Dispatch.objects.filter(status=DispatchStatus.VERIFIED)
    return Item.objects.filter(status=Status.CLOSED, pk__in=verified.values("item_id")).distinct()


class FullYearChecks:
    """The default seed: the article's 130+ events, 1,000+ opinions, 50+ hard problems.

    Run by ``test_seed_demo.WangjiangDemoTests`` on the full demo it seeds once (with its
    history ending on ``END``): a second full seed for these alone cost minutes."""

    def test_the_articles_figures_from_records(self):
        assert EventSession.objects.count() >= 130
        assert Item.objects.count() >= 1000
        assert (
            Item.objects.filter(channel=Channel.EVENT, event_session__isnull=False).count() >= 500
        )
        assert _solved_with_partner().count() >= 50
        assert _solved_with_partner().filter(category__code__in=HARD).count() >= 50
        assert "民意历史" in self.output
        from gongzhi.wishes.models import Wish

        assert Wish.objects.filter(status="confirmed").count() >= 10

    def test_every_channel_level_and_lifecycle_state_occurs(self):
        channels = set(Item.objects.values_list("channel", flat=True))
        assert {Channel.EVENT, Channel.ONLINE, Channel.VISIT, Channel.PHONE, Channel.PAPER} <= (
            channels
        )
        levels = dict(Item.objects.values_list("level").annotate(n=Count("id")))
        assert levels[Level.GRID] > levels[Level.COMMUNITY] > levels[Level.SUBDISTRICT] > 0
        statuses = dict(Item.objects.values_list("status").annotate(n=Count("id")))
        total = sum(statuses.values())
        assert statuses[Status.CLOSED] / total > 0.85
        assert sum(statuses.get(s, 0) for s in OPEN_STATUSES) >= 20
        assert statuses.get(Status.MERGED) and statuses.get(Status.WITHDRAWN)
        # Some still within their time limit at the end, a few past it.
        still_open = Item.objects.filter(status__in=OPEN_STATUSES)
        overdue = deadlines.overdue(Item.objects.all(), END).count()
        assert 5 <= overdue <= still_open.count() / 2
        assert still_open.filter(due_at__gte=END).count() >= 10
        confirmed = Item.objects.filter(category_confirmed=True).count()
        assert confirmed / total > 0.9

    def test_satisfaction_is_mostly_good(self):
        last = {}
        for item_id, satisfaction in ReturnVisit.objects.order_by("visited_at", "id").values_list(
            "item_id", "satisfaction"
        ):
            last[item_id] = satisfaction
        shares = {k: sum(v == k for v in last.values()) / len(last) for k in set(last.values())}
        assert shares["satisfied"] > 0.65
        assert 0.05 < shares["basically"] < 0.3
        assert 0 < shares["dissatisfied"] < 0.1
        reopened = ItemEvent.objects.filter(type=EventType.REOPENED).values("item_id")
        assert Item.objects.filter(pk__in=reopened, status=Status.CLOSED).count() >= 5

    def test_texts_are_varied_and_read_like_residents(self):
        texts = list(Item.objects.values_list("text", flat=True))
        assert len(set(texts)) / len(texts) >= 0.9
        joined = "".join(texts)
        for phrase in ("电梯", "单元", "飞线", "停车", "广场舞", "下水道", "路灯", "助餐", "建议"):
            assert phrase in joined, phrase
        # Some written in Traditional characters, some short.
        assert any("電梯" in t or "樓" in t for t in texts)
        assert sum(len(t) < 20 for t in texts) >= 10

    def test_sessions_span_the_year_with_places_and_attendance(self):
        months = {d.month for d in EventSession.objects.values_list("held_on", flat=True)}
        assert len(months) == 12
        assert not EventSession.objects.filter(Q(place="") | Q(attendance=0)).exists()
        assert (
            EventSession.objects.filter(held_on__lte=END.date() - dt.timedelta(days=365)).count()
            == EventSession.objects.filter(held_on__gt=END.date()).count()
            == 0
        )
        formats = set(EventSession.objects.values_list("format", flat=True))
        assert {"heart_to_heart", "baba_longmenzhen", "renewal_forum", "solicitation"} <= formats


def test_no_history_flag_and_if_empty(db):
    call_command(
        "seed_demo",
        "--households",
        "300",
        "--communities",
        "1",
        "--no-history",
        stdout=io.StringIO(),
    )
    assert Item.objects.count() == EventSession.objects.count() == 0
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert Item.objects.count() == 0 and "跳过" in out.getvalue()


def _digest() -> str:
    h = hashlib.sha256()
    rows = Item.objects.order_by("number").values_list(
        "number",
        "title",
        "text",
        "channel",
        "status",
        "level",
        "category__code",
        "submitted_at",
        "due_at",
        "household__address_label",
        "event_session__title",
    )
    h.update(repr(list(rows)).encode())
    events = ItemEvent.objects.order_by("item__number", "at", "id").values_list(
        "item__number", "type", "at", "note", "actor_label"
    )
    h.update(repr(list(events)).encode())
    h.update(
        repr(
            list(
                Dispatch.objects.order_by("item__number", "sent_at").values_list(
                    "item__number", "unit__short_name", "status", "reply"
                )
            )
        ).encode()
    )
    h.update(
        repr(
            list(
                ReturnVisit.objects.order_by("item__number", "visited_at").values_list(
                    "item__number", "solved", "satisfaction", "comment"
                )
            )
        ).encode()
    )
    return h.hexdigest()


def _content() -> list:
    """What the history says, without its dates: who reported what, how it was filed, how
    it stands at the end and how its residents judged it."""
    visits: dict[int, list] = {}
    for item_id, satisfaction in ReturnVisit.objects.order_by("visited_at", "id").values_list(
        "item_id", "satisfaction"
    ):
        visits.setdefault(item_id, []).append(satisfaction)
    rows = Item.objects.values_list(
        "pk",
        "title",
        "text",
        "channel",
        "kind",
        "status",
        "level",
        "category__code",
        "event_session__title",
        "reporters__resident__name",
    ).filter(reporters__is_original=True)
    return sorted((*row[1:], visits.get(row[0], [])) for row in rows)


def _seeded(seed_value: int, end: dt.datetime = END, what=_digest):
    # A twentieth of a year still holds items in every state; each test here seeds 2–3 times.
    with transaction.atomic():
        seed(seed=seed_value, **(SMALL | {"history_end": end, "history_scale": 0.05}))
        result = what()
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
def test_same_seed_same_history_other_seed_other_history():
    first = _seeded(21)
    assert _seeded(21) == first
    assert _seeded(22) != first


@pytest.mark.django_db
def test_the_day_moves_the_dates_not_the_content():
    # The end moved by months, over National Day and the Spring Festival.
    here = _seeded(21, what=_content)
    assert _seeded(21, timezone.make_aware(dt.datetime(2026, 4, 3, 17, 30)), _content) == here


def test_the_end_is_the_last_close_of_business_before_the_day():
    at = timezone.make_aware
    # Monday: Friday's close, whatever the time of day.
    assert history_end(at(dt.datetime(2026, 11, 30, 8, 0))) == END
    assert history_end(at(dt.datetime(2026, 11, 30, 23, 0))) == END
    # After National Day and its make-up working Saturday.
    assert history_end(at(dt.datetime(2025, 10, 9, 10, 0))) == at(dt.datetime(2025, 9, 30, 17, 30))
    assert history_end(at(dt.datetime(2025, 10, 12, 10, 0))) == at(
        dt.datetime(2025, 10, 11, 17, 30)
    )


# One worker runs the whole class: a second would seed the same data again beside it.
@pytest.mark.xdist_group("SmallHistoryTests")
class SmallHistoryTests(TestCase):
    """A small community with a fraction of the year, seeded once for the class (each test
    runs in a savepoint of it): seeding it for every test was most of the suite's time."""

    @classmethod
    def setUpTestData(cls):
        # The session's committed world would collide with the seed's codes.
        empty_database()
        cls.small = seed(seed=3, **SMALL)
        settle_deferred_checks()

    def test_timelines_are_ordered_and_match_the_status(self):
        events: dict[int, list] = {}
        # Publication is reviewed after the item's own life (tested below), not part of it.
        for item_id, type_, at in (
            ItemEvent.objects.exclude(type=EventType.PUBLISHED)
            .order_by("item_id", "id")
            .values_list("item_id", "type", "at")
        ):
            events.setdefault(item_id, []).append((type_, at))
        items = list(Item.objects.all())
        assert len(items) >= 100
        for item in items:
            timeline = events[item.pk]
            times = [at for _t, at in timeline]
            types = [t for t, _at in timeline]
            assert times == sorted(times), item.number
            assert types[0] == EventType.SUBMITTED and times[0] == item.submitted_at
            assert self.small.history.start <= timezone.localdate(item.submitted_at)
            assert times[-1] <= END
            if item.status == Status.CLOSED:
                assert types[-1] == EventType.CLOSED and times[-1] == item.closed_at
                last = item.return_visits.order_by("visited_at", "id").last()
                assert last.solved in (Solved.SOLVED, Solved.PARTLY)
                assert item.category_confirmed and item.resolved_at <= item.closed_at
            if item.status in (Status.ACCEPTED, Status.DISPATCHED, Status.RESOLVED, Status.CLOSED):
                assert EventType.ACCEPTED in types and item.accepted_at is not None
                assert item.responded_on_time is not None
            if item.status == Status.SUBMITTED:
                assert item.category is None and item.stage == Stage.RESPOND
            if item.status == Status.DISPATCHED:
                assert (
                    item.dispatches.filter(
                        status__in=[
                            DispatchStatus.SENT,
                            DispatchStatus.ACCEPTED,
                            DispatchStatus.REPLIED,
                        ]
                    ).count()
                    == 1
                )
            if EventType.DISPATCHED in types:
                assert item.dispatches.count() == types.count(EventType.DISPATCHED)
            if item.status == Status.MERGED:
                assert item.merged_into.status != Status.MERGED and types[-1] == EventType.MERGED
            if item.status == Status.WITHDRAWN:
                assert types[-1] == EventType.WITHDRAWN
            if item.level == Level.SUBDISTRICT:
                assert EventType.ESCALATED in types or item.accepted_at is not None
            # The current stage's deadline is the one the services compute.
            assert item.due_at == deadlines.due_at(
                category=item.category or item.suggested_category,
                stage=item.stage,
                start=item.stage_started_at,
                urgent=item.urgent,
            ), item.number

    def test_dispatches_move_as_the_services_move_them(self):
        for d in Dispatch.objects.select_related("item"):
            assert d.sent_at <= d.accept_due_at
            if d.status in (
                DispatchStatus.ACCEPTED,
                DispatchStatus.REPLIED,
                DispatchStatus.VERIFIED,
            ):
                assert d.sent_at <= d.accepted_at and d.reply_due_at is not None
            if d.status in (
                DispatchStatus.REPLIED,
                DispatchStatus.VERIFIED,
                DispatchStatus.REJECTED,
            ):
                assert d.reply and d.accepted_at <= d.replied_at
            if d.status == DispatchStatus.VERIFIED:
                # Later than the verification only when the item was reopened after it.
                assert d.item.resolved_at >= d.verified_at
                if d.item.resolved_at == d.verified_at:
                    assert d.item.resolved_on_time == (d.replied_at <= d.reply_due_at)
            if d.status == DispatchStatus.RETURNED:
                assert d.return_reason and d.returned_at
        assert _solved_with_partner().exists()

    def test_on_time_flags_follow_the_deadlines(self):
        escalated_early = set(
            ItemEvent.objects.filter(type=EventType.ESCALATED).values_list("item_id", flat=True)
        )
        for item in Item.objects.exclude(accepted_at=None).select_related("suggested_category"):
            if item.pk in escalated_early:
                continue
            due = deadlines.due_at(
                category=item.suggested_category,
                stage=Stage.RESPOND,
                start=item.submitted_at,
                urgent=item.urgent,
            )
            assert item.responded_on_time == (item.accepted_at <= due), item.number

    def test_places_are_the_reporters_household(self):
        originals = ItemReporter.objects.filter(is_original=True).select_related("resident", "item")
        assert originals.count() == Item.objects.count()
        for r in originals:
            item, person = r.item, r.resident
            assert person.community_id == item.community_id
            assert (item.grid_id, item.compound_id, item.building_id, item.entrance_id) == (
                person.grid_id,
                person.compound_id,
                person.building_id,
                person.entrance_id,
            )
            assert item.household_id == person.household_id
            assert r.joined_at == item.submitted_at
            if item.channel == Channel.EVENT:
                assert item.event_session.held_on <= item.submitted_at.date()
                assert r.entered_by is not None
        for r in ItemReporter.objects.filter(is_original=False).select_related("resident", "item"):
            assert r.resident.building_id == r.item.building_id
            assert r.item.submitted_at <= r.joined_at <= END

    def test_numbers_notifications_and_the_counter(self):
        numbers = list(Item.objects.order_by("submitted_at", "id").values_list("number", flat=True))
        assert numbers[0] == f"WJ{self.small.history.start.year}-000001"
        assert numbers[-1].startswith(f"WJ{END.year}-")
        assert len(set(numbers)) == len(numbers)
        counters = ItemNumberCounter.objects.filter(prefix="WJ")
        assert sum(c.last for c in counters) == len(numbers)
        assert Notification.objects.filter(created_at__gt=END).count() == 0
        first = Item.objects.order_by("submitted_at").first()
        note = Notification.objects.filter(item=first).order_by("created_at").first()
        assert first.number in note.text and note.created_at == first.submitted_at

    def test_the_services_carry_on_where_the_history_stops(self):
        # Nothing the periodic job would still have to send at the history's "now".
        assert deadlines.tick(now=END).total == 0
        staff = User.objects.get(username="demo-staff")
        item = Item.objects.filter(status=Status.ACCEPTED, level=Level.COMMUNITY).first()
        if item is None:
            pytest.skip("no open community item in this small history")
        services.item_resolve(actor=staff, item=item, note="已协调处理。", now=END)
        services.item_return_visit(
            actor=staff, item=item, solved=Solved.SOLVED, satisfaction="satisfied", now=END
        )
        item.refresh_from_db()
        assert item.status == Status.CLOSED
        new = Item.objects.filter(submitted_at__gte=END).count()
        assert new == 0

    def test_the_year_ends_on_the_day_it_is_seeded(self):
        assert self.small.history.end == END
        newest = Item.objects.order_by("submitted_at").last().submitted_at
        assert END - dt.timedelta(days=7) < newest < END
        assert END.date() - dt.timedelta(days=365) < self.small.history.start
        # The month of the end has items in several states, and figures for the measures.
        month = timezone.make_aware(dt.datetime(2026, 11, 1))
        states = Counter(
            Item.objects.filter(submitted_at__gte=month).values_list("status", flat=True)
        )
        assert states[Status.CLOSED] and states[Status.ACCEPTED], states
        assert len(states) >= 3, states
        assert Item.objects.filter(accepted_at__gte=month).exists()
        assert Item.objects.filter(resolved_at__gte=month).exists()
        assert ReturnVisit.objects.filter(visited_at__gte=month).exists()
        # Open items: the newest still within their time limit.
        assert Item.objects.filter(status__in=OPEN_STATUSES, due_at__gte=END).exists()

    def test_micro_wishes_through_their_services(self):
        from gongzhi.wishes.models import Wish

        wishes = Wish.objects.all()
        assert wishes.count() == self.small.history.wishes >= 3
        statuses = set(wishes.values_list("status", flat=True))
        assert "confirmed" in statuses or "claimed" in statuses or "fulfilled" in statuses
        for wish in wishes:
            assert wish.events.filter(kind="submitted").exists()
            assert wish.community.name == "望江街社区"

    def test_some_closed_items_are_published_and_some_reports_private(self):
        from gongzhi.core.redact import identifiers
        from gongzhi.voices.enums import Publication
        from gongzhi.voices.selectors import register_names

        published = list(Item.objects.filter(publication=Publication.PUBLISHED))
        private = list(Item.objects.filter(private=True))
        assert (self.small.history.published, self.small.history.private) == (
            len(published),
            len(private),
        )
        assert len(published) >= 20 and len(private) >= 3
        names = register_names(published[0].community_id)
        for item in published:
            assert item.status == Status.CLOSED and not item.private
            assert item.public_text and identifiers(item.public_text, names=names) == []
            assert item.closed_at < item.published_at <= END
            assert item.published_by is not None
            assert item.events.filter(type=EventType.PUBLISHED, at=item.published_at).count() == 1
        for item in private:
            assert (item.publication, item.public_text) == (Publication.WITHHELD, "")
            assert item.events.get(type=EventType.SUBMITTED).data["private"] is True
        # What Open311 lists is exactly what was published.
        newest = max(i.submitted_at for i in published)
        start = timezone.localtime(newest - dt.timedelta(days=89)).isoformat()
        listed = self.client.get(
            "/open311/v2/requests.json",
            {"start_date": start, "end_date": timezone.localtime(newest).isoformat()},
        ).json()
        assert listed and {r["service_request_id"] for r in listed} <= {i.number for i in published}
        by_number = {i.number: i.public_text for i in published}
        assert all(r["description"] == by_number[r["service_request_id"]] for r in listed)
