"""Posts: one chief per place, hand-over in one step, bad dates refused in Chinese with
nothing half-written, and each change filed in the audit log under its community."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from gongzhi.core.models import AuditEvent
from gongzhi.orgs import services
from gongzhi.orgs.enums import PostKind
from gongzhi.orgs.models import Post
from tests.world import make_user

D = dt.date


def building_chief(world):
    return Post.objects.get(kind=PostKind.BUILDING_CHIEF, building=world.b1)


def test_a_second_building_chief_is_refused_naming_the_sitting_one(world):
    with pytest.raises(ValidationError) as exc:
        services.post_assign(
            actor=world.users["secretary"],
            kind=PostKind.BUILDING_CHIEF,
            node=world.b1,
            resident=world.residents["lisi"],
        )
    assert exc.value.message_dict == {
        "kind": [
            "1栋已有楼栋长：wj-building1（2020-01-01起任职）。"
            "同一时间只能有一位楼栋长，请先办理离任，或用“交接”换人。"
        ]
    }
    assert Post.objects.filter(kind=PostKind.BUILDING_CHIEF, building=world.b1).count() == 1
    assert not AuditEvent.objects.filter(action="orgs.post.assigned").exists()


@pytest.mark.parametrize(
    ("kind", "node", "holder"),
    [
        (PostKind.GRID_CHIEF, "g1", "wj-grid1"),
        (PostKind.ENTRANCE_CHIEF, "entrance", "wj-entrance1-2"),
        (PostKind.COMMUNITY_SECRETARY, "wj", "wj-secretary"),
    ],
)
def test_every_single_holder_post_is_refused_twice(world, kind, node, holder):
    place = world.b1.entrances.get(number=2) if node == "entrance" else getattr(world, node)
    with pytest.raises(ValidationError) as exc:
        services.post_assign(
            actor=world.users["subdistrict"], kind=kind, node=place, holder_name="新人"
        )
    [message] = exc.value.message_dict["kind"]
    assert message.startswith(f"{place}已有{kind.label}：{holder}（")


def test_grid_workers_may_be_several(world):
    post = services.post_assign(
        actor=world.users["secretary"],
        kind=PostKind.GRID_WORKER,
        node=world.g2,
        holder_name="第二位网格员",
    )
    assert Post.objects.active().filter(kind=PostKind.GRID_WORKER, grid=world.g2).count() == 2
    assert post.holder_name == "第二位网格员"


def test_the_database_refuses_a_second_open_chief_too(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(kind=PostKind.BUILDING_CHIEF, building=world.b1, holder_name="直接写入")


def test_a_successor_may_start_the_day_the_chief_leaves(world):
    services.post_end(
        actor=world.users["staff"], post=building_chief(world), ended_on=D(2025, 6, 1)
    )
    with pytest.raises(ValidationError):
        services.post_assign(
            actor=world.users["staff"],
            kind=PostKind.BUILDING_CHIEF,
            node=world.b1,
            holder_name="早到者",
            started_on=D(2025, 5, 31),
        )
    post = services.post_assign(
        actor=world.users["staff"],
        kind=PostKind.BUILDING_CHIEF,
        node=world.b1,
        resident=world.residents["lisi"],
        started_on=D(2025, 6, 1),
    )
    assert (post.holder_name, post.started_on) == ("李四", D(2025, 6, 1))


def test_ending_twice_is_refused_and_changes_nothing(world):
    post = building_chief(world)
    services.post_end(actor=world.users["staff"], post=post, ended_on=D(2024, 1, 31))
    with pytest.raises(ValidationError) as exc:
        services.post_end(actor=world.users["staff"], post=post, ended_on=D(2024, 3, 1))
    assert exc.value.message_dict == {"ended_on": ["该岗位已于2024-01-31离任，不能再次离任。"]}
    assert Post.objects.get(pk=post.pk).ended_on == D(2024, 1, 31)
    assert AuditEvent.objects.filter(action="orgs.post.ended").count() == 1


@pytest.mark.parametrize("day", [D(9999, 12, 31), D(1800, 1, 1)])
def test_a_date_outside_the_calendar_is_refused(world, day):
    with pytest.raises(ValidationError) as exc:
        services.post_end(actor=world.users["staff"], post=building_chief(world), ended_on=day)
    assert exc.value.message_dict == {"ended_on": ["日期须在1900年至2100年之间。"]}
    with pytest.raises(ValidationError) as exc:
        services.post_assign(
            actor=world.users["staff"],
            kind=PostKind.GRID_WORKER,
            node=world.g1,
            holder_name="x",
            started_on=day,
        )
    assert exc.value.message_dict == {"started_on": ["日期须在1900年至2100年之间。"]}


def test_a_holder_name_over_its_limit_is_refused_not_cut(world):
    with pytest.raises(ValidationError) as exc:
        services.post_assign(
            actor=world.users["staff"],
            kind=PostKind.GRID_WORKER,
            node=world.g1,
            holder_name="长" * 51,
        )
    assert exc.value.message_dict == {"holder_name": ["不能超过50字（现有51字）。"]}


def test_a_partner_or_disabled_account_holds_no_post(world):
    for user in (world.users["partner"], make_user("gone", is_active=False)):
        with pytest.raises(ValidationError) as exc:
            services.post_assign(
                actor=world.users["staff"], kind=PostKind.GRID_WORKER, node=world.g1, user=user
            )
        assert exc.value.message_dict == {"user": ["该账号已停用或属于共建单位，不能担任岗位。"]}
    assert not Post.objects.filter(user=world.users["partner"]).exists()


def test_the_same_resident_is_not_appointed_twice(world):
    args = dict(
        actor=world.users["staff"],
        kind=PostKind.GRID_WORKER,
        node=world.g1,
        resident=world.residents["lisi"],
    )
    services.post_assign(**args)
    with pytest.raises(ValidationError) as exc:
        services.post_assign(**args)
    assert exc.value.message_dict == {"resident": ["该居民已担任此岗位。"]}


# --- hand-over -----------------------------------------------------------------------


def test_hand_over_ends_one_and_appoints_the_successor(world):
    old = building_chief(world)
    successor = services.post_hand_over(
        actor=world.users["secretary"],
        post=old,
        on=D(2025, 3, 1),
        resident=world.residents["lisi"],
    )
    old.refresh_from_db()
    assert old.ended_on == D(2025, 3, 1)
    assert (successor.kind, successor.building, successor.holder_name, successor.started_on) == (
        PostKind.BUILDING_CHIEF,
        world.b1,
        "李四",
        D(2025, 3, 1),
    )
    handed, assigned = AuditEvent.objects.filter(action__startswith="orgs.post.").order_by("id")
    assert (handed.action, handed.object_id, handed.changes) == (
        "orgs.post.handed_over",
        str(old.pk),
        {"ended_on": "2025-03-01", "successor_post_id": successor.pk, "successor": "李四"},
    )
    assert (assigned.action, assigned.object_id, assigned.changes["handed_over_from"]) == (
        "orgs.post.assigned",
        str(successor.pk),
        old.pk,
    )
    assert {handed.community_id, assigned.community_id} == {world.wj.pk}


def test_the_old_chief_loses_reach_and_the_new_one_gains_it(world):
    from gongzhi.core.scoping import scope_for

    newcomer = make_user("new-building-chief")
    services.post_hand_over(
        actor=world.users["secretary"], post=building_chief(world), user=newcomer
    )
    old_user = world.users["building"]
    old_user.__dict__.pop("_gongzhi_scopes", None)
    assert scope_for(old_user).empty
    assert scope_for(newcomer).held["building"] == {world.b1.pk}


@pytest.mark.parametrize(
    ("on", "successor", "field", "message"),
    [
        (
            D(2019, 12, 31),
            {"holder_name": "新人"},
            "ended_on",
            "离任日期不能早于任职日期（2020-01-01）。",
        ),
        (D(2025, 1, 1), {"holder_name": ""}, "holder_name", "请填写任职人姓名。"),
        (D(2025, 1, 1), {"holder_name": "长" * 51}, "holder_name", "不能超过50字（现有51字）。"),
    ],
)
def test_a_refused_hand_over_writes_nothing(world, on, successor, field, message):
    old = building_chief(world)
    before = Post.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.post_hand_over(actor=world.users["secretary"], post=old, on=on, **successor)
    assert exc.value.message_dict == {field: [message]}
    assert (Post.objects.count(), AuditEvent.objects.count()) == before
    assert Post.objects.get(pk=old.pk).ended_on is None


def test_an_ended_post_is_not_handed_over(world):
    old = building_chief(world)
    services.post_end(actor=world.users["secretary"], post=old, ended_on=D(2024, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.post_hand_over(actor=world.users["secretary"], post=old, holder_name="新人")
    assert exc.value.message_dict == {"ended_on": ["该岗位已于2024-01-01离任，不能再次离任。"]}


@pytest.mark.parametrize(
    ("role", "error"),
    [
        ("subdistrict", None),
        ("secretary", None),
        ("staff", None),
        ("grid", PermissionDenied),
        ("grid_worker", Http404),
        ("building", PermissionDenied),
        ("entrance", PermissionDenied),
        # 张三 lives in building 1: it is visible to him as the container of his home.
        ("resident", PermissionDenied),
        ("partner", Http404),
        ("other_staff", Http404),
        ("nobody", Http404),
    ],
)
def test_who_may_hand_over_the_building_chief(world, role, error):
    old = building_chief(world)
    call = dict(actor=world.users[role], post=old, on=D(2025, 1, 1), holder_name="接任者")
    if error is None:
        assert services.post_hand_over(**call).holder_name == "接任者"
        return
    with pytest.raises(error):
        services.post_hand_over(**call)
    assert Post.objects.get(pk=old.pk).ended_on is None
    assert not Post.objects.filter(holder_name="接任者").exists()


# --- where events are filed ---------------------------------------------------------


def test_post_events_carry_their_community_or_subdistrict(world):
    grid_post = services.post_assign(
        actor=world.users["staff"], kind=PostKind.GRID_WORKER, node=world.g1, holder_name="甲"
    )
    sd_post = services.post_assign(
        actor=world.users["subdistrict"],
        kind=PostKind.SUBDISTRICT_STAFF,
        node=world.sd,
        holder_name="乙",
    )
    regions = {
        e.object_id: (e.subdistrict_id, e.community_id)
        for e in AuditEvent.objects.filter(action="orgs.post.assigned")
    }
    assert regions == {str(grid_post.pk): (None, world.wj.pk), str(sd_post.pk): (world.sd.pk, None)}
