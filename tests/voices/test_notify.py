"""Notifications and the SMS backends; who sees which item."""

from __future__ import annotations

import pytest

from gongzhi.voices import notify, selectors, services
from gongzhi.voices.enums import Channel, ItemKind
from gongzhi.voices.models import Notification

from .conftest import at


def submit(world, actor=None, **kwargs):
    args = {
        "actor": actor,
        "kind": ItemKind.PROBLEM,
        "text": "楼下路灯不亮",
        "channel": Channel.PHONE,
        "reporter_resident": world.residents["zhangsan"],
        "now": at(2026, 6, 9, 9),
    }
    args.update(kwargs)
    return services.item_submit(**args)


def test_sms_leaves_only_after_commit(world, categories, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = submit(world)
    assert sms == []  # a rolled-back step would have sent nothing
    for callback in callbacks:
        callback()
    assert [m.to for m in sms] == ["13812345678"]
    assert Notification.objects.get(item=item, resident=world.residents["zhangsan"]).sms_sent


def test_a_person_is_told_once(world, categories):
    item = submit(world)
    resident_user = world.users["resident"]
    count = notify.notify(
        item=item,
        text="测试",
        residents=[world.residents["zhangsan"], world.residents["zhangsan"]],
        users=[resident_user, world.users["grid"], world.users["grid"]],
    )
    assert count == 2  # 张三 (and his login) once, the grid chief once


def test_console_backend_masks_the_number(capsys):
    notify.ConsoleSMSBackend().send_messages([notify.SMSMessage(to="13812345678", text="你好")])
    assert capsys.readouterr().out == "SMS to 138****5678: 你好\n"


def test_a_failing_gateway_does_not_undo_the_step(
    world, categories, settings, django_capture_on_commit_callbacks
):
    settings.GONGZHI_SMS_BACKEND = "tests.voices.test_notify.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        item = submit(world)
    assert not Notification.objects.get(item=item, resident=world.residents["zhangsan"]).sms_sent


class BrokenBackend(notify.BaseSMSBackend):
    def send_messages(self, messages):
        raise ConnectionError("gateway down")


# --- who sees what ------------------------------------------------------------------


def test_a_resident_sees_what_they_reported_not_their_household(world, categories):
    own = submit(
        world, actor=world.users["resident"], reporter_resident=None, channel=Channel.ONLINE
    )
    # Entered by the building chief for the same household, but for nobody in particular.
    neighbour = services.item_submit(
        actor=world.users["building"],
        kind=ItemKind.PROBLEM,
        text="楼道堆物",
        channel=Channel.VISIT,
        household=world.households["1-1-101"],
        reporter_name="路过的居民",
    )
    assert neighbour.household == own.household
    assert list(selectors.item_list_visible_to(world.users["resident"])) == [own]
    assert list(selectors.items_reported_by(world.users["resident"])) == [own]


def test_the_entrance_chief_sees_their_entrance(world, categories):
    lisi_item = submit(world, reporter_resident=world.residents["lisi"])
    submit(world)  # 张三, entrance 1
    assert list(selectors.item_list_visible_to(world.users["entrance"])) == [lisi_item]


@pytest.mark.parametrize(("role", "internal"), [("grid", True), ("resident", False)])
def test_internal_notes_are_for_staff(world, categories, role, internal):
    item = submit(world)
    services.item_comment(actor=world.users["grid"], item=item, note="住户白天不在家")
    types = [e.type for e in selectors.item_timeline(world.users[role], item)]
    assert ("comment" in types) is internal
