"""Logins for partner units: opened by the community's staff with an initial password shown
once, closed for good by them; who may do either; what is refused, in Chinese."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongzhi.accounts.models import User
from gongzhi.accounts.services import (
    api_token_issue,
    api_token_user,
    partner_user_create,
    partner_user_disable,
)
from gongzhi.core.models import AuditEvent
from gongzhi.orgs import services as orgs


def create(world, role="staff", **kwargs):
    args = {"username": "zjj-wang", "display_name": "王工", "phone": "139 0000 7777"}
    return partner_user_create(actor=world.users[role], unit=world.partner, **(args | kwargs))


def test_a_new_login_belongs_to_the_unit_and_its_password_works(world):
    new = create(world)
    user = User.objects.get(username="zjj-wang")
    assert (user.partner_unit, user.display_name, user.phone, user.is_active) == (
        world.partner,
        "王工",
        "13900007777",
        True,
    )
    assert len(new.password) == 14 and user.check_password(new.password)
    [event] = AuditEvent.objects.filter(action="accounts.partner_user.created")
    assert event.changes == {
        "unit": "攀枝花市住房和城乡建设局",
        "username": "zjj-wang",
        "display_name": "王工",
        "phone": "139****7777",
    }
    assert new.password not in str(event.changes)
    # The unit serves Wangjiang only: the event is in Wangjiang's log.
    assert event.community_id == world.wj.pk


def test_each_login_gets_its_own_password(world):
    first = create(world, username="a1", phone="")
    second = create(world, username="a2", phone="")
    assert first.password != second.password


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"username": ""}, {"username": ["请填写登录用户名。"]}),
        (
            {"username": "王 工"},
            {"username": ["用户名只能由字母、数字和 @ . + - _ 组成，不能有空格。"]},
        ),
        (
            {"username": "13900007777"},
            {"username": ["用户名不能全是数字；手机号请填在“手机号”一栏。"]},
        ),
        ({"username": "WJ-Secretary"}, {"username": ["用户名“WJ-Secretary”已被使用，请换一个。"]}),
        ({"display_name": " "}, {"display_name": ["请填写使用人姓名。"]}),
        ({"phone": "12345"}, {"phone": ["手机号应为11位，以1开头，例如 13812345678。"]}),
        ({"phone": "138-1234-5678"}, None),  # 张三's resident phone: not a login's
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(world, kwargs, errors):
    before = User.objects.count()
    if errors is None:
        create(world, **kwargs)
        assert User.objects.count() == before + 1
        return
    with pytest.raises(ValidationError) as exc:
        create(world, **kwargs)
    assert exc.value.message_dict == errors
    assert User.objects.count() == before
    assert not AuditEvent.objects.filter(action="accounts.partner_user.created").exists()


def test_a_phone_already_bound_to_a_login_is_refused(world):
    create(world, username="first")
    with pytest.raises(ValidationError) as exc:
        create(world, username="second")
    assert exc.value.message_dict == {"phone": ["该手机号已绑定其他账号。"]}


@pytest.mark.parametrize(
    ("role", "error"),
    [
        ("admin", None),
        ("subdistrict", None),
        ("secretary", None),
        ("staff", None),
        ("grid", Http404),  # partner units sit on communities: grid posts do not see them
        ("building", Http404),
        ("resident", Http404),
        ("partner", Http404),
        ("other_staff", Http404),
        ("nobody", Http404),
    ],
)
def test_who_may_open_a_login(world, role, error):
    if error is None:
        assert create(world, role=role).user.partner_unit == world.partner
        return
    with pytest.raises(error):
        create(world, role=role)
    assert not User.objects.filter(username="zjj-wang").exists()


def test_a_unit_shared_with_another_community_is_filed_under_the_actors(world):
    world.partner.communities.add(world.ot)
    create(world, role="secretary", username="by-secretary", phone="")
    create(world, role="subdistrict", username="by-subdistrict", phone="")
    regions = {
        e.changes["username"]: (e.subdistrict_id, e.community_id)
        for e in AuditEvent.objects.filter(action="accounts.partner_user.created")
    }
    assert regions == {"by-secretary": (None, world.wj.pk), "by-subdistrict": (world.sd.pk, None)}


def test_disabling_ends_logins_and_tokens_for_good(world):
    user = world.users["partner"]
    key = api_token_issue(user=user, name="手机")
    assert api_token_user(key) == user
    partner_user_disable(actor=world.users["staff"], unit=world.partner, user=user)
    user.refresh_from_db()
    assert user.is_active is False
    assert api_token_user(key) is None
    [event] = AuditEvent.objects.filter(action="accounts.partner_user.disabled")
    assert (event.object_id, event.community_id) == (str(user.pk), world.wj.pk)
    with pytest.raises(ValidationError) as exc:
        partner_user_disable(actor=world.users["staff"], unit=world.partner, user=user)
    assert exc.value.message_dict == {"user": ["该账号已经停用。"]}


def test_only_the_units_own_logins_are_disabled_through_it(world):
    other = orgs.partner_unit_create(
        actor=None, name="望江供电所", kind="utility", communities=[world.wj]
    )
    with pytest.raises(ValidationError) as exc:
        partner_user_disable(actor=world.users["staff"], unit=other, user=world.users["partner"])
    assert exc.value.message_dict == {"user": ["该账号不属于这个共建单位。"]}
    with pytest.raises(ValidationError):
        partner_user_disable(actor=world.users["staff"], unit=other, user=world.users["grid"])
    assert User.objects.get(pk=world.users["grid"].pk).is_active


@pytest.mark.parametrize(
    ("role", "error"), [("grid", Http404), ("other_staff", Http404), ("partner", Http404)]
)
def test_who_may_not_disable(world, role, error):
    with pytest.raises(error):
        partner_user_disable(
            actor=world.users[role], unit=world.partner, user=world.users["partner"]
        )
    assert User.objects.get(pk=world.users["partner"].pk).is_active


def test_a_partner_login_is_refused_as_a_post_holder_too(world):
    new = create(world)
    with pytest.raises(ValidationError):
        orgs.post_assign(
            actor=world.users["staff"], kind="grid_worker", node=world.g1, user=new.user
        )
    with pytest.raises(PermissionDenied):
        # Seen, not managed: a grid chief sees grid 1 but hands out none of its posts.
        orgs.post_assign(
            actor=world.users["grid"], kind="grid_worker", node=world.g1, holder_name="x"
        )
