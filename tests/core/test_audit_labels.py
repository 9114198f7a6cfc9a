"""Every action the code records reads as Chinese in the audit log, and every event is filed
under the region it belongs to."""

import re
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings

from gongzhi.core import audit
from gongzhi.core.models import AuditEvent
from gongzhi.wishes.enums import EventKind

SRC = Path(settings.BASE_DIR)
# Every app of the project: a new app's actions are scanned without anyone adding it here.
APPS = "|".join(
    sorted(a.label for a in django_apps.get_app_configs() if a.name.startswith("gongzhi."))
)
# A dotted action as the services write it: "places.resident.created".
ACTION = re.compile(rf"""["']((?:{APPS})\.[a-z_]+\.[a-z_]+)["']""")


def recorded_actions() -> set[str]:
    found = set()
    for path in SRC.rglob("*.py"):
        # The labels themselves are not a recording of anything.
        if "migrations" in path.parts or path == SRC / "core" / "audit.py":
            continue
        found |= set(ACTION.findall(path.read_text(encoding="utf-8")))
    # wishes.services writes f"wishes.wish.{kind}" for each kind of wish event.
    found |= {f"wishes.wish.{kind}" for kind in EventKind.values}
    return found


def test_the_scan_finds_the_actions_of_every_app():
    actions = recorded_actions()
    assert {a.split(".")[0] for a in actions} == {
        "core",
        "places",
        "orgs",
        "accounts",
        "voices",
        "wishes",
        "register",
        "open311",
        "venues",
        "exemplars",
        "mediation",
        "compounds",
        "points",
        "activities",
        "renewal",
        "deliberation",
        "surveys",
        "reports",
    }
    assert {"orgs.post.handed_over", "voices.item.reopened", "wishes.wish.thanked"} <= actions


def test_every_recorded_action_has_a_label():
    missing = sorted(recorded_actions() - set(audit.ACTION_LABELS))
    assert missing == [], f"add these to core.audit.ACTION_LABELS: {missing}"


def test_no_label_for_an_action_nobody_records():
    stale = sorted(set(audit.ACTION_LABELS) - recorded_actions())
    assert stale == []


def test_describe_reads_as_a_sentence(world):
    event = AuditEvent.objects.filter(action="places.resident.created").order_by("id").first()
    assert audit.describe(event) == "系统 登记居民：张三"
    assert audit.action_label("places.thing.created") == "新建"
    assert audit.action_label("places.thing.frobbed") == "places.thing.frobbed"


def test_an_event_is_filed_under_its_community(world):
    created = AuditEvent.objects.filter(action="places.resident.created")
    assert {(e.object_repr, e.subdistrict_id, e.community_id) for e in created} == {
        ("张三", None, world.wj.pk),
        ("李四", None, world.wj.pk),
        ("王五", None, world.wj.pk),
        ("赵六", None, world.ot.pk),
    }


def test_place_nodes_and_records_without_a_place(world):
    on_community = audit.record(actor=None, action="register.import.completed", obj=world.ot)
    on_subdistrict = audit.record(actor=None, action="orgs.post.assigned", obj=world.sd)
    on_grid = audit.record(actor=None, action="orgs.post.assigned", obj=world.g2)
    on_user = audit.record(actor=None, action="accounts.user.locked", obj=world.users["grid"])
    # A partner unit serves several communities: it names no single one by itself.
    on_unit = audit.record(actor=None, action="orgs.partner_unit.updated", obj=world.partner)
    assert [
        (e.subdistrict_id, e.community_id)
        for e in (on_community, on_subdistrict, on_grid, on_user, on_unit)
    ] == [
        (None, world.ot.pk),
        (world.sd.pk, None),
        (None, world.wj.pk),
        (None, None),
        (None, None),
    ]
