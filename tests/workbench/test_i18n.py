"""Catalogues: zh_Hant generated from the Simplified source and complete; en by hand;
switching language changes what the pages say."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from gongzhi.core.text import to_traditional
from gongzhi.workbench.management.commands.build_zh_hant import (
    empty_msgstrs,
    fill_catalogue,
    read_entries,
)

SRC = Path(settings.BASE_DIR)
LOCALE = SRC / "locale"


@pytest.fixture
def compiled_locale(tmp_path, settings):
    """Our catalogues compiled into a temporary directory, so the tests neither depend on
    nor write compiled files in the source tree."""
    for po in LOCALE.glob("*/LC_MESSAGES/django.po"):
        target = tmp_path / po.relative_to(LOCALE)
        target.parent.mkdir(parents=True)
        shutil.copy(po, target)
        subprocess.run(["msgfmt", "-o", str(target.with_suffix(".mo")), str(target)], check=True)
    settings.LOCALE_PATHS = [tmp_path]
    return tmp_path


def test_zh_hant_catalogue_has_no_empty_msgstr():
    assert empty_msgstrs(LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po") == []


def test_zh_hant_catalogue_is_the_opencc_conversion():
    entries = read_entries(
        (LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    )
    pairs = {e.get("msgid"): e.get("msgstr") for e in entries if not e.is_header and not e.obsolete}
    assert pairs["退出登录"] == to_traditional("退出登录") == "退出登錄"
    assert pairs["查找居民"] == "查找居民"


def test_zh_hant_is_written_as_taiwan_writes_it():
    """為 not 爲, 裡 not 裏, 審核 not 審覈: OpenCC's Taiwan standard, in the catalogue and
    in the converter the data goes through."""
    text = (LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert to_traditional("为了关爱独居老人，审核在这里") == "為了關愛獨居老人，審核在這裡"
    msgstrs = "\n".join(line for line in text.splitlines() if line.startswith(("msgstr", '"')))
    assert [c for c in "爲裏覈啓" if c in msgstrs] == []
    assert 'msgstr "為%(unit)s開通賬號"' in text


def test_build_zh_hant_redoes_what_the_former_converter_made(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        "\n".join(
            [
                'msgid ""',
                'msgstr ""',
                '"Content-Type: text/plain; charset=UTF-8\\n"',
                '"Language: zh_Hant\\n"',
                "",
                'msgid "为%(unit)s开通账号"',
                'msgstr "爲%(unit)s開通賬號"',
                "",
                'msgid "审核"',
                'msgstr "核准"',
                "",
            ]
        ),
        encoding="utf-8",
    )
    assert fill_catalogue(po) == 1
    entries = {e.get("msgid"): e for e in read_entries(po.read_text(encoding="utf-8"))}
    assert entries["为%(unit)s开通账号"].get("msgstr") == "為%(unit)s開通賬號"
    # A translation a person made is theirs.
    assert entries["审核"].get("msgstr") == "核准"


def _strings_in(paths):
    return "\n".join(p.read_text(encoding="utf-8") for p in paths)


def test_en_catalogue_covers_the_pages_and_the_error_messages():
    sources = _strings_in(
        [
            *sorted((SRC / "templates").rglob("*.html")),
            *sorted((SRC / "accounts" / "templates").rglob("*.html")),
            SRC / "core" / "identity.py",
            SRC / "places" / "services.py",
            SRC / "accounts" / "services.py",
            SRC / "accounts" / "forms.py",
            SRC / "workbench" / "forms.py",
        ]
    )
    entries = read_entries(
        (LOCALE / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    )
    missing = [
        e.get("msgid")
        for e in entries
        if not e.is_header
        and not e.obsolete
        and e.get("msgid") in sources
        and (e.fuzzy or not e.get("msgstr"))
    ]
    assert missing == []


def test_switching_to_traditional_shows_traditional_text(world, login, compiled_locale):
    client = login(world.users["grid"])
    response = client.post(
        "/i18n/setlang/", {"language": "zh-hant", "next": reverse("home")}, follow=True
    )
    html = response.content.decode()
    assert '<html lang="zh-hant">' in html
    assert "退出登錄" in html
    assert "退出登录" not in html
    assert to_traditional("我负责的社区") in html
    # Names are data, not UI: they stay as registered.
    assert "望江街社区" in html


def test_switching_to_english(world, login, compiled_locale):
    client = login(world.users["resident"])
    html = client.post(
        "/i18n/setlang/", {"language": "en", "next": reverse("home")}, follow=True
    ).content.decode()
    assert "My home" in html and "Log out" in html and "Coming soon" in html


def test_default_language_is_simplified(world, login, compiled_locale):
    html = login(world.users["grid"]).get(reverse("home")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "退出登录" in html


def test_build_zh_hant_fills_empty_and_fuzzy_keeps_hand_made(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        "\n".join(
            [
                "#, fuzzy",
                'msgid ""',
                'msgstr ""',
                '"Content-Type: text/plain; charset=UTF-8\\n"',
                '"Language: \\n"',
                'msgid "退出登录"',
                'msgstr ""',
                "",
                "#, fuzzy, python-format",
                '#| msgid "旧的"',
                'msgid "%(n)s个网格"',
                'msgstr "猜的"',
                "",
                'msgid "登录"',
                'msgstr "登入"',
                "",
                'msgid "一位居民"',
                'msgid_plural "%(n)s位居民"',
                'msgstr[0] ""',
                "",
                'msgid ""',
                '"第一行\\n"',
                '"第二行"',
                'msgstr ""',
                "",
            ]
        ),
        encoding="utf-8",
    )
    assert fill_catalogue(po) == 5
    entries = {e.get("msgid"): e for e in read_entries(po.read_text(encoding="utf-8"))}
    assert entries["退出登录"].get("msgstr") == "退出登錄"
    assert entries["%(n)s个网格"].get("msgstr") == "%(n)s個網格"
    assert entries["%(n)s个网格"].comments == ["#, python-format"]
    assert entries["登录"].get("msgstr") == "登入"
    assert entries["一位居民"].get("msgstr[0]") == "一位居民"
    assert entries["第一行\n第二行"].get("msgstr") == "第一行\n第二行"
    assert "Language: zh_Hant" in entries[""].get("msgstr")
    assert empty_msgstrs(po) == []
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(tmp_path / "django.mo"), str(po)], check=True
    )


def test_build_zh_hant_command_runs_on_a_given_file(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: \\n"\n\nmsgid "网格"\nmsgstr ""\n', encoding="utf-8"
    )
    call_command("build_zh_hant", path=str(po))
    assert 'msgstr "網格"' in po.read_text(encoding="utf-8")
