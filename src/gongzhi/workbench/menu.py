"""The main navigation: one list of entries per kind of user, each entry shown only to
those who hold its capability somewhere, so that a menu never offers a page that answers
404 or 403. The templates render whatever ``menu_for`` returns (``workbench/_nav.html``);
no template decides on its own which links a role sees.

A new page is one line here: ``MenuEntry(_("审计日志"), "audit:log", "view_audit")``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.rules import CAPABILITIES, RESIDENT_CAPABILITIES
from gongzhi.orgs.models import Post


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    # Shown to whoever holds this capability over at least one place; None: to everyone
    # the menu is for.
    capability: str | None = None


# Post holders (and administrators). Entries sharing a label are alternatives: the first
# one the user may open is shown (居民登记 opens the import for those who may import, the
# export for those who may only export).
STAFF_MENU: list[MenuEntry] = [
    MenuEntry(_("工作台"), "home"),
    MenuEntry(_("查找居民"), "wb-search", "view"),
    MenuEntry(_("关爱名单"), "wb-care", "view"),
    MenuEntry(_("居民登记"), "register:home", "import_register"),
    MenuEntry(_("居民登记"), "register:export", "export"),
    MenuEntry(_("诉求待办"), "voices:inbox", "handle_items"),
    MenuEntry(_("待公开审核"), "voices:publication_queue", "handle_items"),
    # Extensions are decided above the grid: by those who also dispatch.
    MenuEntry(_("延期审批"), "voices:extension_queue", "dispatch"),
    MenuEntry(_("代居民反映"), "voices:for_pick", "submit_on_behalf"),
    MenuEntry(_("心愿审核"), "wishes:queue", "edit_registry"),
    MenuEntry(_("代居民许愿"), "wishes:for_pick", "submit_on_behalf"),
    MenuEntry(_("办理统计"), "voices:measures", "view_measures"),
    MenuEntry(_("数据看板"), "figures:dashboard", "view_measures"),
    MenuEntry(_("工作报告"), "reports:work", "view_measures"),
    MenuEntry(_("入户调查"), "surveys:campaigns", "view"),
    MenuEntry(_("民情日志"), "surveys:visit_logs", "submit_on_behalf"),
    MenuEntry(_("议事活动"), "voices:event_sessions", "enter_event_opinions"),
    MenuEntry(_("阵地预约"), "venues:list", "view"),
    MenuEntry(_("人民调解"), "mediation:list", "handle_items"),
    MenuEntry(_("小区自治"), "compounds:list", "view"),
    MenuEntry(_("活动"), "activities:manage", "view"),
    MenuEntry(_("爱心积分"), "points:manage", "view"),
    MenuEntry(_("城市更新"), "renewal:list", "view"),
    MenuEntry(_("议题"), "deliberation:matters", "view"),
    MenuEntry(_("会议"), "deliberation:meetings", "view"),
    MenuEntry(_("任务"), "deliberation:tasks", "view"),
    MenuEntry(_("微协商"), "deliberation:topics", "handle_items"),
    MenuEntry(_("能人库"), "deliberation:talents", "handle_items"),
    MenuEntry(_("微典型"), "exemplars:queue", "handle_items"),
    MenuEntry(_("组织管理"), "orgs:posts", "manage_orgs"),
    MenuEntry(_("审计日志"), "audit:log", "view_audit"),
    MenuEntry(_("节假日安排"), "calendar:schedule", "manage_calendar"),
]

# A partner unit's user: the work dispatched to the unit is their home.
PARTNER_MENU: list[MenuEntry] = [
    MenuEntry(_("派单"), "voices:partner_inbox"),
    MenuEntry(_("爱心认领"), "wishes:sponsor"),
    MenuEntry(_("任务"), "deliberation:tasks"),
    MenuEntry(_("办理统计"), "voices:measures"),
]

# A resident's login: the large-type pages of their own household.
RESIDENT_MENU: list[MenuEntry] = [
    MenuEntry(_("首页"), "home"),
    MenuEntry(_("我要反映"), "voices:new"),
    MenuEntry(_("我的诉求"), "voices:mine"),
    MenuEntry(_("我的心愿"), "wishes:mine"),
    MenuEntry(_("心愿墙"), "wishes:wall"),
    MenuEntry(_("我的楼栋"), "renewal:my_building"),
]
# The survey, 有4说事 and 推荐能人 pages are linked from the resident's home page below the
# two main tasks: the menu stays short enough that 我要反映 and 许个心愿 fit a phone's first
# screen (tests/browser/test_phone.py).

# A login with no post, household or unit yet: the home page says whom to ask.
NOBODY_MENU: list[MenuEntry] = [MenuEntry(_("首页"), "home")]

# Not logged in: the public wall and the way in.
ANONYMOUS_MENU: list[MenuEntry] = [
    MenuEntry(_("心愿墙"), "wishes:wall"),
    MenuEntry(_("登录"), "accounts:login"),
]


def capabilities_held(user) -> frozenset[str]:
    """The capabilities ``user`` holds over at least one place — exactly those for which
    ``core.scoping.scope_for(user, capability)`` is not empty (a test holds them equal),
    in one query over the user's active posts instead of one per capability."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(CAPABILITIES)
    cache = user.__dict__.setdefault("_gongzhi_menu", {})
    if "capabilities" not in cache:
        kinds = set(Post.objects.active().filter(user=user).values_list("kind", flat=True))
        held = {cap for cap, granting in CAPABILITIES.items() if kinds & granting}
        if user.resident_id:
            held |= RESIDENT_CAPABILITIES
        cache["capabilities"] = frozenset(held)
        cache["has_post"] = bool(kinds)
    return cache["capabilities"]


def audience(user) -> str:
    """Whose menu ``user`` gets: ``staff`` (a post, or an administrator), ``partner``,
    ``resident``, ``nobody`` (logged in, nothing yet) or ``anonymous``. A person who is
    several of these works with the first."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return "anonymous"
    capabilities_held(user)
    if user.is_superuser or user.__dict__["_gongzhi_menu"]["has_post"]:
        return "staff"
    if user.partner_unit_id:
        return "partner"
    if user.resident_id:
        return "resident"
    return "nobody"


MENUS = {
    "staff": STAFF_MENU,
    "partner": PARTNER_MENU,
    "resident": RESIDENT_MENU,
    "nobody": NOBODY_MENU,
    "anonymous": ANONYMOUS_MENU,
}


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str
    # aria-current: "page" on the entry's own page, "true" below it, "" elsewhere.
    current: str = ""


def entries_for(user) -> list[MenuEntry]:
    held = capabilities_held(user)
    shown: list[MenuEntry] = []
    labels: set[str] = set()
    for entry in MENUS[audience(user)]:
        if entry.capability is not None and entry.capability not in held:
            continue
        if str(entry.label) in labels:
            continue
        labels.add(str(entry.label))
        shown.append(entry)
    return shown


def menu_for(user, path: str = "") -> list[MenuLink]:
    """The links of ``user``'s menu, the one for ``path`` marked current: the entry whose
    address is the page's, else the one with the longest address the page lies under."""
    links = [(str(e.label), reverse(e.url_name)) for e in entries_for(user)]
    current = ""
    for _label, url in links:
        if url == path:
            current = url
            break
        if url != "/" and path.startswith(url) and len(url) > len(current):
            current = url
    return [
        MenuLink(label, url, ("page" if url == path else "true") if url == current else "")
        for label, url in links
    ]
