"""Catalogues: zh_Hant generated from the Simplified source and complete; en by hand;
switching language changes what the pages say."""

import re
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
    # Places are data, converted as they are shown; people's names are never converted.
    assert "望江街社區" in html
    assert "望江街社区" not in html


def test_switching_to_english(world, login, compiled_locale):
    client = login(world.users["resident"])
    html = client.post(
        "/i18n/setlang/", {"language": "en", "next": reverse("home")}, follow=True
    ).content.decode()
    assert "My home" in html and "Log out" in html and "Make a wish" in html


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


# --- data in the reader's language ------------------------------------------------------


def _in(client, language):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return client


def _item_in(world, category_name, name_en=""):
    """张三's item, accepted by community staff under a category of that name."""
    from gongzhi.voices import services as voices
    from gongzhi.voices.models import Category

    category = Category.objects.create(code="service", name=category_name, name_en=name_en)
    item = voices.item_submit(
        actor=world.users["resident"], kind="problem", text="楼道灯坏了", channel="online"
    )
    voices.item_accept(actor=world.users["staff"], item=item, category=category)
    return item


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_traditional_pages_show_categories_care_tags_and_places_in_traditional(
    world, login, compiled_locale
):
    item = _item_in(world, "为老服务")
    client = _in(login(world.users["staff"]), "zh-hant")
    inbox = _text(client.get("/voices/inbox/"))
    assert "為老服務" in inbox
    assert "为老服务" not in inbox and "爲老服務" not in inbox
    assert "第一網格" in inbox
    detail = _text(client.get(f"/voices/{item.pk}/"))
    assert "望江街社區 · 第一網格 · 甘露園 · 1棟" in detail
    resident = _text(client.get(f"/resident/{world.residents['zhangsan'].pk}/"))
    assert "獨居" in resident and "独居" not in resident
    assert "甘露園 1棟1單元101" in resident
    # A person's name is written as they registered it.
    assert "张三" in resident


def test_english_pages_show_english_categories_and_care_tags(world, login, compiled_locale):
    from gongzhi.places.models import CareTag

    CareTag.objects.filter(code="alone").update(name_en="Lives alone")
    item = _item_in(world, "为老服务", name_en="Help for the elderly")
    client = _in(login(world.users["staff"]), "en")
    inbox = _text(client.get("/voices/inbox/"))
    assert "Help for the elderly" in inbox and "为老服务" not in inbox
    assert "Grid 1" in inbox
    detail = _text(client.get(f"/voices/{item.pk}/"))
    assert "Help for the elderly" in detail
    assert ">Help for the elderly</option>" in client.get("/voices/inbox/").content.decode()
    care = client.get("/care/").content.decode()
    assert ">Lives alone<" in care
    resident = _text(client.get(f"/resident/{world.residents['zhangsan'].pk}/"))
    assert "Lives alone" in resident and "独居" not in resident
    assert "甘露园 1-1-101" in resident
    # Without an English name, the name as it is.
    assert "望江街社区" in resident


def test_the_timeline_reads_levels_answers_and_the_system_in_the_readers_language(
    world, login, compiled_locale
):
    from gongzhi.voices import services as voices
    from gongzhi.voices.models import ItemEvent

    item = _item_in(world, "为老服务")
    voices.item_escalate(actor=world.users["grid"], item=item, reason="需要社区协调")
    assert ItemEvent.objects.filter(item=item, actor=None).exists()
    page = _text(_in(login(world.users["staff"]), "en").get(f"/voices/{item.pk}/"))
    assert "Escalate · Escalated to Community · 需要社区协调" in page
    assert "上报至" not in page
    assert "Category · System" in page and "系统" not in page


def _grids(world):
    from gongzhi.places.models import Grid

    for n, name in [(12, "第十二网格"), (3, "第三网格"), (10, "第十网格")]:
        Grid.objects.create(community=world.wj, code=f"WJ-G{n}", name=name)


def test_grids_sort_by_their_number_everywhere(world, login, compiled_locale):
    _grids(world)
    client = login(world.users["secretary"])
    order = ["第一网格", "第二网格", "第三网格", "第十网格", "第十二网格"]

    def positions(text):
        return [text.find(name) for name in order]

    community = client.get(f"/community/{world.wj.pk}/").content.decode()
    assert positions(community) == sorted(positions(community)) and -1 not in positions(community)
    care = client.get("/care/").content.decode()
    assert positions(care) == sorted(positions(care)) and -1 not in positions(care)
    grids = [g["name"] for g in client.get("/api/v1/grids").json()]
    assert grids == order
    english = _in(client, "en").get(f"/community/{world.wj.pk}/").content.decode()
    named = ["Grid 1<", "Grid 2<", "Grid 3<", "Grid 10<", "Grid 12<"]
    found = [english.find(name) for name in named]
    assert -1 not in found and found == sorted(found)


def test_grid_numbers_are_read_from_names_and_codes():
    from gongzhi.core.text import chinese_numeral, grid_number

    assert [grid_number(n) for n in ["第一网格", "第十网格", "第十二网格", "第二十一网格"]] == [
        1,
        10,
        12,
        21,
    ]
    assert grid_number("其他网格", "510402001001-G07") == 7
    assert grid_number("网格", "WJ-G12") == 12
    assert grid_number("甘露园网格", "") == 0
    assert [chinese_numeral(n) for n in (1, 10, 16, 20, 99)] == [
        "一",
        "十",
        "十六",
        "二十",
        "九十九",
    ]
    assert all(grid_number(f"第{chinese_numeral(n)}网格") == n for n in range(1, 100))
