"""The demo data: the Wangjiang community as the report describes it, counted through the
same ORM queries and API the application uses."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, override_settings

from gongzhi.accounts.models import User
from gongzhi.accounts.services import login_check
from gongzhi.core.identity import (
    birth_date_from_id,
    gender_from_id,
    validate_id_number,
    validate_mobile,
)
from gongzhi.core.text import chinese_numeral, name_keys
from gongzhi.demo.organisations import DEMO_USERS, TEAMS
from gongzhi.demo.seed import seed
from gongzhi.orgs.enums import POST_LEVEL, PartyOrgKind
from gongzhi.orgs.models import (
    PartnerContact,
    PartnerUnit,
    PartyMember,
    PartyOrganisation,
    Post,
    Team,
)
from gongzhi.places.models import (
    Area,
    Building,
    CareTag,
    Community,
    Compound,
    Grid,
    Household,
    Resident,
    ResidentStatusChange,
)
from tests.world import empty_database, settle_deferred_checks

from .test_history import FullYearChecks

SIX_TEAMS = ["牵手", "菩提", "金穗", "春雨", "守望", "远声"]


# One worker runs the whole class: a second would seed the same data again beside it.
@pytest.mark.xdist_group("WangjiangDemoTests")
class WangjiangDemoTests(FullYearChecks, TestCase):
    @classmethod
    def setUpTestData(cls):
        empty_database()
        out = io.StringIO()
        # The history ends on a fixed day (END) so that its figures read the same any day.
        call_command("seed_demo", "--seed", "7", "--history-end", "2026-11-30", stdout=out)
        cls.output = out.getvalue()
        cls.wj = Community.objects.get(name="望江街社区")
        settle_deferred_checks()

    def test_the_community_as_the_report_describes_it(self):
        residents = Resident.objects.filter(community=self.wj).living()
        assert Building.objects.filter(community=self.wj).count() == 102
        assert Household.objects.filter(community=self.wj).count() == 5040
        assert 12_100 <= residents.count() <= 12_400
        assert residents.elderly().count() / residents.count() >= 0.30
        assert str(self.wj.founded_on) == "2001-07-01"
        assert str(self.wj.area_km2) == "0.70"
        assert self.wj.subdistrict.name == "炳草岗街道"
        assert Community.objects.filter(subdistrict=self.wj.subdistrict).count() == 3

    def test_a_year_of_love_points_reconciles(self):
        from gongzhi.points import services as points
        from gongzhi.points.models import Redemption, Transaction

        assert points.reconcile() == []
        kinds = set(Transaction.objects.values_list("kind", flat=True))
        assert {"earn", "spend", "expire"} <= kinds
        assert Redemption.objects.filter(community=self.wj).count() >= 20

    def test_the_positions_and_their_bookings(self):
        from gongzhi.venues.enums import HOLDING, VenueKind
        from gongzhi.venues.models import Booking, Venue

        venues = Venue.objects.filter(community=self.wj)
        grids = Grid.objects.filter(community=self.wj).count()
        assert venues.filter(kind=VenueKind.CONSULTATION_CORNER).count() == 3
        assert venues.filter(kind=VenueKind.GRID_STATION).count() == grids
        assert venues.filter(kind=VenueKind.PARTY_POSITION).count() == 1
        assert all(v.periods.exists() for v in venues)
        bookings = list(
            Booking.objects.filter(status__in=HOLDING).order_by("venue_id", "starts_at")
        )
        assert len(bookings) > 100
        # No two holding bookings of one venue overlap, as the service and the database hold.
        for a, b in zip(bookings, bookings[1:], strict=False):
            if a.venue_id == b.venue_id:
                assert a.ends_at <= b.starts_at, (a.venue_id, a.starts_at, b.starts_at)
        assert {b.team.community_id for b in bookings} == {self.wj.pk}

    def test_a_year_of_activities_counted_from_check_ins(self):
        from django.db.models import Count, Q

        from gongzhi.activities.enums import ActivityStatus
        from gongzhi.activities.models import Activity, CheckIn, VolunteerGroup

        past = Activity.objects.filter(community=self.wj, status=ActivityStatus.FINISHED)
        kinds = dict(past.values_list("kind").annotate(n=Count("id")).order_by())
        assert kinds["outreach"] >= 110
        assert kinds["volunteer"] >= 70
        assert kinds["co_building"] >= 40
        assert kinds["micro_service"] >= 10
        heard = CheckIn.objects.filter(activity__kind="outreach", role="attendee").count()
        served = CheckIn.objects.filter(activity__kind="volunteer", role="served").count()
        assert heard >= 5000
        assert served >= 2600
        teams = set(past.filter(kind="outreach").values_list("team__name", flat=True))
        assert teams == {f"{n}宣讲队" for n in SIX_TEAMS}
        groups = VolunteerGroup.objects.filter(community=self.wj, kind="group")
        assert groups.count() == 5
        assert all(g.memberships.exists() for g in groups)
        assert CheckIn.objects.filter(role="volunteer", hours__gt=0).exists()
        coming = Activity.objects.filter(
            Q(status=ActivityStatus.PUBLISHED), community=self.wj
        ).count()
        assert coming >= 5

    def test_the_survey_figures_come_from_the_records(self):
        from gongzhi.surveys import selectors
        from gongzhi.surveys.models import BuildingSurvey, Campaign, VisitLog

        staff = User.objects.get(username="demo-staff")
        campaign = Campaign.objects.get(community=self.wj, area_name="望江片区")
        rates = selectors.rates(staff, campaign).overall
        assert (rates.households, rates.reached, rates.valid) == (1478, 1478, 1377)
        # 1,327 for and 42 against; 8 answered 无所谓 and take no side.
        assert (rates.support, rates.stated) == (1327, 1369)
        assert str(rates.support_rate) == "96.93"
        assert str(rates.coverage) == "100.00"
        assert str(rates.valid_rate) == "93.17"  # 93.2% to one decimal
        assert (campaign.ends_on - campaign.starts_on).days + 1 == 47
        series = selectors.daily_progress(staff, campaign)
        assert series[-1]["reached_total"] == 1478
        assert BuildingSurvey.objects.filter(community=self.wj).count() == 102
        assert VisitLog.objects.filter(community=self.wj).count() == 240

    def test_survey_area_holds_1478_households(self):
        area = Area.objects.get(community=self.wj, name="望江片区")
        assert Household.objects.filter(building__in=area.buildings.all()).count() == 1478

    def test_places_have_realistic_shape(self):
        assert Compound.objects.filter(community=self.wj, name="甘露园").exists()
        floors = list(Building.objects.filter(community=self.wj).values_list("floors", flat=True))
        assert sum(5 <= f <= 7 for f in floors) / len(floors) >= 0.85
        assert Building.objects.filter(community=self.wj, has_lift=True).count() < 20
        years = Building.objects.filter(community=self.wj, floors__lte=7).values_list(
            "year_built", flat=True
        )
        assert all(1980 <= y <= 1999 for y in years)
        household = (
            Household.objects.filter(community=self.wj)
            .select_related("building", "entrance")
            .first()
        )
        assert (household.address_label, household.address_code) == Household.labels_for(
            household.building.number, household.entrance.number, household.door_number
        )

    def test_residents_carry_the_keys_the_services_derive(self):
        sample = Resident.objects.filter(community=self.wj).order_by("?")[:600]
        for r in sample:
            assert (r.name_simplified, r.name_pinyin, r.name_initials) == name_keys(r.name)
            assert validate_id_number(r.id_number) == r.id_number
            assert birth_date_from_id(r.id_number) == r.birth_date
            assert gender_from_id(r.id_number) == r.gender
            assert r.household.community_id == r.community_id == self.wj.pk
            assert (r.entrance_id, r.building_id) == (
                r.household.entrance_id,
                r.household.building_id,
            )
            if r.phone:
                assert validate_mobile(r.phone) == r.phone
                assert r.phone_last4 == r.phone[-4:]
        adults = Resident.objects.filter(community=self.wj, birth_date__lte="1996-01-01").living()
        assert adults.exclude(phone_bidx="").count() / adults.count() >= 0.7

    def test_register_has_care_tags_and_status_history(self):
        for code in ("alone", "disabled", "low_income", "key_care"):
            assert CareTag.objects.get(code=code).residents.exists(), code
        alone = Resident.objects.filter(community=self.wj, care_tags__code="alone")
        assert alone.elderly().count() == alone.count() > 100
        for status in ("moved_out", "deceased"):
            departed = Resident.objects.filter(community=self.wj, status=status)
            assert departed.count() > 10
            person = departed.first()
            steps = list(person.status_changes.values_list("from_status", "to_status"))
            assert steps == [("", "living"), ("living", status)]
        assert (
            ResidentStatusChange.objects.filter(to_status="living", from_status="").count()
            == Resident.objects.count()
        )
        assert Resident.objects.filter(community=self.wj, residence="lives_only").exists()

    def test_party_chain_posts_and_teams(self):
        kinds = set(PartyOrganisation.objects.values_list("kind", flat=True))
        assert kinds == set(PartyOrgKind)
        top = PartyOrganisation.objects.get(kind=PartyOrgKind.COMPREHENSIVE)
        assert "城市更新" in top.name and top.subdistrict == self.wj.subdistrict
        household_org = PartyOrganisation.objects.filter(kind=PartyOrgKind.MEMBER_HOUSEHOLD).first()
        chain = [household_org.kind]
        node = household_org
        while node.parent_id:
            node = node.parent
            chain.append(node.kind)
        assert chain == [
            PartyOrgKind.MEMBER_HOUSEHOLD,
            PartyOrgKind.BUILDING_PIONEER,
            PartyOrgKind.COMPOUND_BRANCH,
            PartyOrgKind.COMMUNITY,
            PartyOrgKind.COMPREHENSIVE,
        ]
        member = PartyMember.objects.first()
        assert 3 <= member.linked_households.count() <= 8
        assert (
            Post.objects.filter(kind="grid_chief").count()
            == Post.objects.filter(kind="grid_worker").count()
            == 16
        )
        assert Post.objects.filter(kind="building_chief").count() >= 80
        assert Post.objects.filter(kind="entrance_chief", is_party_member=True).exists()
        names = set(Team.objects.filter(community=self.wj).values_list("name", flat=True))
        assert names == {name for name, *_ in TEAMS}
        for word in SIX_TEAMS:
            assert any(n.startswith(word) for n in names), word
        for team in Team.objects.all():
            assert team.memberships.filter(role="leader").count() == 1
            assert team.memberships.count() >= 5

    def test_grids_hold_a_few_hundred_households_and_count_in_order(self):
        grids = list(Grid.objects.filter(community=self.wj).order_by("sort_key"))
        assert [g.name for g in grids] == [f"第{chinese_numeral(n)}网格" for n in range(1, 17)]
        assert [g.sort_key for g in grids] == list(range(1, 17))
        sizes = [Household.objects.filter(grid=g).count() for g in grids]
        assert sum(sizes) == 5040
        assert all(270 <= n <= 360 for n in sizes), sizes
        # 望江片区 is the first five grids, along 望江路 and 民安巷.
        area = Area.objects.get(community=self.wj, name="望江片区")
        assert set(area.buildings.values_list("grid_id", flat=True)) == {g.pk for g in grids[:5]}
        assert sum(sizes[:5]) == 1478

    def test_one_secretary_of_the_community_and_of_its_party_organisation(self):
        secretary = User.objects.get(username="demo-secretary")
        post = Post.objects.get(kind="community_secretary", community=self.wj)
        party = PartyOrganisation.objects.get(kind=PartyOrgKind.COMMUNITY, community=self.wj)
        assert post.user == secretary and post.resident_id == secretary.resident_id
        assert secretary.resident.community_id == self.wj.pk
        assert secretary.display_name == post.holder_name == party.secretary_name
        assert secretary.resident.name == party.secretary_name
        assert secretary.resident.party_membership.organisation == party
        assert post.is_party_member is True
        pioneers = Team.objects.get(community=self.wj, kind="pioneer")
        assert pioneers.memberships.get(role="leader").resident_id == secretary.resident_id

    def test_posts_match_the_party_rolls_and_the_teams(self):
        members = set(PartyMember.objects.values_list("resident_id", flat=True))
        for post in (
            Post.objects.filter(community=self.wj)
            | Post.objects.filter(grid__community=self.wj)
            | Post.objects.filter(building__community=self.wj)
            | Post.objects.filter(entrance__community=self.wj)
        ):
            on_rolls = post.resident_id is not None and post.resident_id in members
            assert post.is_party_member == on_rolls, (post.kind, post.holder_name)
            if post.resident_id:
                assert post.holder_name == post.resident.name
        chiefs = Post.objects.filter(kind="grid_chief", grid__community=self.wj)
        assert chiefs.count() == 16
        for chief in chiefs.select_related("resident"):
            # A party member who lives in the grid they lead.
            assert chief.resident.grid_id == chief.grid_id
            assert chief.resident_id in members
        liaison = Team.objects.get(community=self.wj, kind="liaison")
        in_team = set(liaison.memberships.values_list("resident_id", flat=True))
        assert set(chiefs.values_list("resident_id", flat=True)) <= in_team
        demo_grid = User.objects.get(username="demo-grid")
        assert liaison.memberships.get(role="leader").resident_id == demo_grid.resident_id
        # A building chief on the party rolls is linked to households of their building.
        party_chiefs = Post.objects.filter(
            kind="building_chief", building__community=self.wj, is_party_member=True
        )
        assert party_chiefs.count() >= 30
        for post in party_chiefs.select_related("resident__party_membership")[:30]:
            linked = post.resident.party_membership.linked_households
            assert linked.filter(building_id=post.building_id).exists()
        # The leader of every party team is a party member.
        for team in Team.objects.filter(kind__in=["pioneer", "liaison", "volunteer"]):
            assert team.memberships.get(role="leader").resident_id in members

    def test_care_tags_and_categories_have_english_names(self):
        from gongzhi.voices.models import Category

        assert dict(CareTag.objects.values_list("code", "name_en")) == {
            "alone": "Lives alone",
            "disabled": "Disability",
            "low_income": "Subsistence allowance",
            "key_care": "Priority care",
        }
        assert not Category.objects.filter(name_en="").exists()

    def test_partner_units(self):
        shorts = set(PartnerUnit.objects.values_list("short_name", flat=True))
        assert {"市住建局", "市城管局", "攀路", "攀宾", "爱尔眼科", "炳草岗派出所"} <= shorts
        assert PartnerUnit.objects.filter(kind="utility").count() == 3
        assert PartnerUnit.objects.filter(name__contains="物业").count() == 2
        assert not PartnerUnit.objects.filter(offers="").exists()
        contact = PartnerContact.objects.first()
        assert validate_mobile(contact.phone) == contact.phone
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT phone FROM orgs_partnercontact LIMIT 1")
            assert not cursor.fetchone()[0].isdigit()

    def test_one_demo_user_per_role(self):
        users = {u.username: u for u in User.objects.filter(is_demo=True)}
        assert set(users) == {username for username, _r, _k in DEMO_USERS}
        for username, _role, kind in DEMO_USERS:
            user = users[username]
            posts = list(Post.objects.active().filter(user=user))
            if kind is None:
                assert posts == []
                continue
            assert [p.kind for p in posts] == [kind]
            assert posts[0].node is not None and POST_LEVEL[kind] == posts[0].level
        assert users["demo-resident"].resident.is_elderly
        assert users["demo-partner"].partner_unit.short_name == "市住建局"
        assert users["demo-staff"].posts.get().community == self.wj
        assert users["demo-grid"].posts.get().grid.community == self.wj

    def test_demo_logins_refused_outside_demo_mode(self):
        with override_settings(DEMO_MODE=False):
            result = login_check(None, login="demo-staff", password="gongzhi-demo")
        assert result.user is None
        assert result.error == "演示账号只能在演示模式下登录。"
        with override_settings(DEMO_MODE=True):
            assert (
                login_check(None, login="demo-staff", password="gongzhi-demo").user.username
                == "demo-staff"
            )

    def test_api_figures_as_demo_staff(self):
        response = self.client.post(
            "/api/v1/auth/token",
            {"username": "demo-staff", "password": "gongzhi-demo"},
            content_type="application/json",
        )
        assert response.status_code == 200
        token = response.json()["token"]
        response = self.client.get(
            "/api/v1/communities", headers={"authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200
        rows = response.json()
        assert [r["name"] for r in rows] == ["望江街社区"]
        row = rows[0]
        assert (row["buildings"], row["households"]) == (102, 5040)
        assert row["residents"] >= 12_000
        assert row["residents_60_plus"] / row["residents"] >= 0.30

    def test_the_articles_figures_counted_by_the_figures_api(self):
        # Issue 13: the article's figures, from the records, as the secretary reads them.
        self.client.force_login(User.objects.get(username="demo-secretary"))
        response = self.client.get("/api/v1/figures", {"community": self.wj.code})
        assert response.status_code == 200, response.content
        figures = response.json()["figures"]
        got = {f["key"]: f["value"] for f in figures}
        assert (got["buildings"], got["households"]) == (102, 5040)
        assert got["residents"] >= 12_000 and got["residents_60_plus_share"] >= 30
        assert (got["survey_households"], got["survey_days"], got["survey_valid"]) == (
            1478,
            47,
            1377,
        )
        assert (got["survey_coverage"], got["survey_valid_rate"]) == (100, 93.17)
        # Support over the valid questionnaires that take a side: 1,327 / 1,369.
        assert got["survey_support_rate"] == 96.93
        assert got["opinion_events"] >= 130 and got["opinions"] >= 1000
        assert got["outreach_talks"] >= 110 and got["outreach_audience"] >= 5000
        assert got["volunteer_services"] >= 70 and got["volunteer_served"] >= 2600
        assert got["cobuilding_activities"] >= 40 and got["coordination_meetings"] >= 30
        assert got["hard_problems_solved"] >= 50 and got["micro_services"] >= 10
        # Counting each figure's rows gives the figure (a rate's rows are its numerator).
        for figure in figures:
            if figure["unit"] != "%":
                rows = self.client.get(figure["drill"]).json()
                assert rows["count"] == figure["value"], figure["key"]

    def test_subdistrict_user_sees_all_three_communities(self):
        response = self.client.post(
            "/api/v1/auth/token",
            {"username": "demo-subdistrict", "password": "gongzhi-demo"},
            content_type="application/json",
        )
        token = response.json()["token"]
        rows = self.client.get(
            "/api/v1/communities", headers={"authorization": f"Bearer {token}"}
        ).json()
        assert [r["name"] for r in rows] == ["望江街社区", "人民街社区", "新华街社区"]
        assert all(r["households"] > 0 for r in rows)

    def test_if_empty_does_nothing_the_second_time(self):
        before = Resident.objects.count()
        out = io.StringIO()
        call_command("seed_demo", "--if-empty", stdout=out)
        assert Resident.objects.count() == before
        assert "跳过" in out.getvalue()

    def test_demo_logins_command(self):
        out = io.StringIO()
        call_command("demo_logins", stdout=out)
        text = out.getvalue()
        for username, _role, _kind in DEMO_USERS:
            assert username in text
        assert "GONGZHI_DEMO_PASSWORD" in text
        assert "http://127.0.0.1:" in text


def _digest() -> str:
    rows = Resident.objects.order_by("household__address_label", "name", "birth_date").values_list(
        "name", "birth_date", "household__address_label", "id_number_bidx", "phone_bidx"
    )
    h = hashlib.sha256()
    for row in rows:
        h.update(repr(row).encode())
    posts = Post.objects.order_by("kind", "holder_name").values_list("kind", "holder_name")
    h.update(repr(list(posts)).encode())
    return h.hexdigest()


def _seeded_digest(seed_value: int) -> str:
    with transaction.atomic():
        # The registry alone: the history's own sameness is tested with the history.
        seed(seed=seed_value, households=400, communities=2, history=False, log=lambda m: None)
        digest = _digest()
        counts = (Household.objects.count(), Resident.objects.count())
        transaction.set_rollback(True)
    assert Resident.objects.count() == 0
    return digest, counts


@pytest.mark.django_db
def test_same_seed_same_data_other_seed_other_data():
    first, counts = _seeded_digest(11)
    again, counts_again = _seeded_digest(11)
    other, _ = _seeded_digest(12)
    assert first == again
    assert counts == counts_again
    assert first != other


@pytest.mark.django_db
def test_small_variant_keeps_the_proportions():
    seed(seed=3, households=500, communities=1, history=False, log=lambda m: None)
    wj = Community.objects.get(name="望江街社区")
    residents = Resident.objects.filter(community=wj).living()
    assert Household.objects.filter(community=wj).count() == 500
    area = Area.objects.get(community=wj)
    assert Household.objects.filter(building__in=area.buildings.all()).count() == round(
        1478 * 500 / 5040
    )
    assert residents.elderly().count() / residents.count() >= 0.30
