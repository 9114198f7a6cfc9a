"""知道了: a person marks their own voices notifications read, and nobody else's."""

from __future__ import annotations

from gongzhi.voices import services
from gongzhi.voices.enums import Channel, ItemKind
from gongzhi.voices.models import Notification

LIGHT = "1栋门口的路灯不亮了，晚上很黑。"


def own_item(world):
    """张三's item: he is told it was received, the grid's handlers that it waits."""
    return services.item_submit(
        actor=world.users["resident"], kind=ItemKind.PROBLEM, text=LIGHT, channel=Channel.ONLINE
    )


def unread(**filters):
    return Notification.objects.filter(read_at__isnull=True, **filters).count()


def test_a_resident_marks_their_notifications_read(world, categories):
    own_item(world)
    zhangsan = world.residents["zhangsan"]
    assert unread(resident=zhangsan) == 1

    marked = services.notifications_mark_read(actor=world.users["resident"])

    assert marked == 1
    assert unread(resident=zhangsan) == 0
    # The grid chief's notice about the same item is theirs to read.
    assert unread(user=world.users["grid"]) == 1


def test_staff_mark_their_own_notifications_read(world, categories):
    own_item(world)
    marked = services.notifications_mark_read(actor=world.users["grid"])
    assert marked == 1
    assert unread(user=world.users["grid"]) == 0
    assert unread(resident=world.residents["zhangsan"]) == 1


def test_ids_of_someone_elses_notifications_are_ignored(world, categories):
    own_item(world)
    theirs = Notification.objects.get(user=world.users["grid"])
    mine = Notification.objects.get(resident=world.residents["zhangsan"])

    marked = services.notifications_mark_read(
        actor=world.users["resident"], ids=[theirs.pk, mine.pk]
    )

    assert marked == 1
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.read_at is None
    assert mine.read_at is not None


def test_ids_limit_it_to_what_was_shown(world, categories):
    own_item(world)
    services.item_submit(
        actor=world.users["resident"], kind=ItemKind.PROBLEM, text="楼道堆满杂物", channel="online"
    )
    first, second = Notification.objects.filter(resident=world.residents["zhangsan"]).order_by("pk")
    assert services.notifications_mark_read(actor=world.users["resident"], ids=[first.pk]) == 1
    assert list(
        Notification.objects.filter(
            resident=world.residents["zhangsan"], read_at__isnull=True
        ).values_list("pk", flat=True)
    ) == [second.pk]


def test_nobody_marks_nothing(world, categories):
    own_item(world)
    assert services.notifications_mark_read(actor=world.users["nobody"]) == 0
    assert services.notifications_mark_read(actor=None) == 0
    assert unread() == 2


def test_the_button_on_my_items_marks_what_it_showed(world, categories, login):
    own_item(world)
    client = login(world.users["resident"])
    page = client.get("/voices/")
    shown = Notification.objects.get(resident=world.residents["zhangsan"])
    text = page.content.decode()
    assert "知道了" in text
    assert f'name="ids" value="{shown.pk}"' in text

    response = client.post("/voices/notifications/read/", {"ids": [str(shown.pk)]})

    assert response.status_code == 302
    assert response.url == "/voices/"
    shown.refresh_from_db()
    assert shown.read_at is not None
    again = client.get("/voices/").content.decode()
    assert "知道了" not in again
    assert "最新消息" not in again


def test_the_button_cannot_reach_a_neighbours_notifications(world, categories, login):
    services.item_submit(
        actor=world.users["admin"],
        kind=ItemKind.PROBLEM,
        text="2楼楼道灯坏了",
        channel=Channel.VISIT,
        on_behalf_of=world.residents["lisi"],
    )
    lisi = Notification.objects.get(resident=world.residents["lisi"])
    response = login(world.users["resident"]).post(
        "/voices/notifications/read/", {"ids": [str(lisi.pk)]}
    )
    assert response.status_code == 302
    lisi.refresh_from_db()
    assert lisi.read_at is None


def test_the_button_takes_only_a_post(world, login):
    client = login(world.users["resident"])
    assert client.get("/voices/notifications/read/").status_code == 405
