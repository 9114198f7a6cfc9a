"""Every service that changes data is something a person can do: a page or an API route
calls it, or it is listed below as work done by a command, a job or another service, with
the reason.

A service is a public function of an app's ``services.py`` that runs in a transaction,
writes an audit event or saves, creates, updates or deletes rows. It is reachable when a
module serving a URL (a page, an API route, the operators' admin) calls it by name and
imports from its app.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pathlib
import re

from django.urls import URLPattern, URLResolver, get_resolver

SRC = pathlib.Path(__file__).resolve().parent.parent / "src" / "gongzhi"
# Writing rows: an audit event, a save, or a queryset or manager that creates, updates or
# deletes (a dict's ``.update`` is not a write).
WRITES = re.compile(
    r"audit\.record\(|\.save\(|\.objects\.\S*?(create|update|delete|bulk_create)\("
    r"|\.(filter|exclude)\(.*?\)\.(update|delete)\("
)

# (app, service) → why no page or route calls it.
NOT_ON_A_SCREEN = {
    ("surveys", "visit_record"): "the phone page queues visits and sends them to "
    "POST /api/v1/surveys/sync, whose sync_apply records each in its own savepoint",
    ("accounts", "login_failure_record"): "written by the login form and the token route "
    "through the authentication backend, never asked for by itself",
    ("register", "register_import_apply"): "the second half of an import, run by "
    "register_import_run after the upload page started the job",
    ("register", "register_import_sweep"): "the schedule's sweep (gongzhi.register."
    "import_sweep) re-queues or fails imports whose worker was lost",
    ("register", "register_export_run"): "the worker's half of a large export, queued by "
    "register_export_start from the export page",
    ("register", "register_export_purge"): "the schedule's sweep deletes exports a day old",
    ("voices", "item_warn"): "the warning before a deadline (临期提醒), sent once by "
    "manage.py voices_tick on a schedule",
    ("voices", "item_follow_up"): "the reminders, supervision and escalation of overdue "
    "items, sent by manage.py voices_tick on a schedule",
    ("deliberation", "tasks_remind"): "reminders of tasks due within a working day, sent "
    "by the schedule's deliberation tick",
    ("open311", "api_key_issue"): "an operator issues a client's key with manage.py "
    "open311_key; the key is shown once on the terminal",
    ("accounts", "api_token_user"): "the API's bearer authentication on every request "
    "(it notes when a token was last used)",
    ("accounts", "login_failures_clear_pair"): "a successful login clears its own failures, "
    "through the authentication backend",
    ("points", "award"): "the activities app gives points on check-in and quiz; the demo "
    "awards service hours with it",
    ("points", "ensure_default_rules"): "the migration seeds the rules; the demo's seed "
    "writes them again into a database emptied since",
    ("points", "expire"): "manage.py expire_points, on the schedule (gongzhi.points.expire)",
    ("points", "resident_account"): "a resident's account is opened by the first posting "
    "that needs it",
    ("points", "system_account"): "a community's issuance, shop and expiry accounts are "
    "opened by the first posting that needs them",
}


def services() -> dict[tuple[str, str], ast.FunctionDef]:
    found = {}
    for path in sorted(SRC.glob("*/services.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            decorators = [ast.unparse(d) for d in node.decorator_list]
            body = ast.unparse(node)
            if any("atomic" in d for d in decorators) or WRITES.search(body):
                found[(path.parent.name, node.name)] = node
    return found


def _callbacks(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _callbacks(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def entry_modules() -> set[str]:
    """The modules whose functions serve URLs (ninja's operations included), and the
    operators' admin modules."""
    modules = set()
    for callback in _callbacks(get_resolver().url_patterns):
        closure = getattr(callback, "__closure__", None) or ()
        path_views = [c.cell_contents for c in closure if hasattr(c.cell_contents, "operations")]
        for path_view in path_views:
            modules |= {op.view_func.__module__ for op in path_view.operations}
        target = inspect.unwrap(callback)
        modules.add(getattr(target, "__module__", ""))
        if hasattr(callback, "view_class"):
            modules.add(callback.view_class.__module__)
    modules |= {f"gongzhi.{p.parent.name}.admin" for p in SRC.glob("*/admin.py")}
    return {m for m in modules if m.startswith("gongzhi.")}


def calls_in(module: str) -> tuple[set[str], str]:
    source = inspect.getsource(importlib.import_module(module))
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").endswith("services"):
            # ``from .services import partner_user_disable as disable``: called under a name
            # of its own.
            names |= {alias.name for alias in node.names}
    return names, source


def _imports_app(module: str, source: str, app: str) -> bool:
    own_app = module.split(".")[1]
    return own_app == app or f"gongzhi.{app}" in source


def unreachable() -> list[str]:
    callers = {m: calls_in(m) for m in entry_modules()}
    missing = []
    for app, name in sorted(services()):
        if (app, name) in NOT_ON_A_SCREEN:
            continue
        if not any(
            name in names and _imports_app(module, source, app)
            for module, (names, source) in callers.items()
        ):
            missing.append(f"{app}.services.{name}")
    return missing


def test_every_service_that_changes_data_has_a_page_or_a_route():
    assert unreachable() == [], (
        "No page, API route or admin action calls these services. Give each a screen for "
        "the people who do it, or list it in NOT_ON_A_SCREEN with the reason."
    )


def test_the_exemptions_name_real_services():
    assert sorted(set(NOT_ON_A_SCREEN) - set(services())) == []


def test_the_check_finds_the_services_and_their_pages():
    found = services()
    assert ("voices", "item_accept") in found and ("orgs", "post_assign") in found
    # Pure helpers of a services module are not services.
    assert ("places", "clean_name") not in found
    modules = entry_modules()
    assert {"gongzhi.voices.views", "gongzhi.api.voices", "gongzhi.accounts.admin"} <= modules
