"""Fill the zh_Hant catalogue from the Simplified source strings with OpenCC.

Simplified Chinese is the source language, so every msgid already is the text; the
Traditional text is its conversion (``core.text.to_traditional``: OpenCC, Taiwan standard).
Entries a person has translated by hand are kept; empty ones, the guesses makemessages
marks fuzzy, and those made by the converter used before (OpenCC's own standard: 爲, 裏,
審覈) are (re)generated, so the catalogue never shows a reader Simplified text, a wrong
guess or two spellings of one word.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from opencc import OpenCC

from gongzhi.core.text import to_traditional

# The converter the catalogue was first generated with: its output is machine-made too.
_FORMER = OpenCC("s2t")
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")\s*$")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def quote(value: str) -> str:
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r")
    )
    lines = escaped.split("\n")
    if len(lines) == 1:
        return f'"{escaped}"'
    # Keep multi-line messages readable: one source line per quoted chunk.
    parts = [line + "\\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    return '""\n' + "\n".join(f'"{p}"' for p in parts)


class Entry:
    def __init__(self, block: list[str]):
        self.comments: list[str] = []
        self.fields: list[tuple[str, str]] = []  # (keyword, value) in file order
        current = None
        for line in block:
            if line.startswith("#"):
                self.comments.append(line)
                continue
            m = _KEYWORD.match(line)
            if m:
                current = [m.group(1), unquote(m.group(2))]
                self.fields.append(current)
            elif line.startswith('"') and current is not None:
                current[1] += unquote(line.strip())
            elif line.strip():
                raise CommandError(f"cannot read line: {line!r}")

    def get(self, key: str) -> str | None:
        for k, v in self.fields:
            if k == key:
                return v
        return None

    @property
    def is_header(self) -> bool:
        return self.get("msgid") == ""

    @property
    def obsolete(self) -> bool:
        return not self.fields

    @property
    def fuzzy(self) -> bool:
        return any(c.startswith("#,") and "fuzzy" in c for c in self.comments)

    def fill(self) -> bool:
        """Convert empty, fuzzy or formerly converted msgstr; True when something changed."""
        if self.is_header:
            return self.settle_header("zh_Hant")
        if self.obsolete:
            return False
        msgid, plural = self.get("msgid") or "", self.get("msgid_plural")
        fuzzy = self.fuzzy
        changed = False
        for field in self.fields:
            key = field[0]
            if not key.startswith("msgstr"):
                continue
            source = (
                plural if (plural is not None and key not in ("msgstr", "msgstr[0]")) else msgid
            )
            machine_made = field[1] == _FORMER.convert(source) != to_traditional(source)
            if field[1] and not fuzzy and not machine_made:
                continue
            field[1] = to_traditional(source)
            changed = True
        if fuzzy:
            self.comments = [self._unfuzz(c) for c in self.comments]
            self.comments = [c for c in self.comments if c.strip() != "#,"]
            # makemessages' note of the msgid it guessed from is stale with the guess gone.
            self.comments = [c for c in self.comments if not c.startswith("#|")]
            changed = True
        return changed

    def settle_header(self, language: str) -> bool:
        """msgfmt skips a fuzzy header, and with it the charset: make it a real one."""
        before = (list(self.comments), [tuple(f) for f in self.fields])
        self.comments = [c for c in (self._unfuzz(c) for c in self.comments) if c.strip() != "#,"]
        for field in self.fields:
            if field[0] == "msgstr":
                field[1] = re.sub(r"^Language: .*$", f"Language: {language}", field[1], flags=re.M)
        return before != (self.comments, [tuple(f) for f in self.fields])

    @staticmethod
    def _unfuzz(comment: str) -> str:
        if not comment.startswith("#,"):
            return comment
        flags = [f.strip() for f in comment[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
        return "#, " + ", ".join(flags) if flags else "#,"

    def render(self) -> str:
        lines = list(self.comments)
        for key, value in self.fields:
            lines.append(f"{key} {quote(value)}")
        return "\n".join(lines)


def read_entries(text: str) -> list[Entry]:
    # Entries are usually separated by blank lines, but not always (makemessages writes the
    # first entry right under the header): a comment or msgid after a msgstr starts anew.
    blocks: list[list[str]] = []
    block: list[str] = []
    seen_msgstr = False
    for line in text.splitlines():
        starts_entry = line.startswith(("#", "msgctxt ", "msgid "))
        if line.strip() == "" or (starts_entry and seen_msgstr):
            if block:
                blocks.append(block)
            block, seen_msgstr = [], False
            if line.strip() == "":
                continue
        block.append(line)
        if line.startswith("msgstr"):
            seen_msgstr = True
    if block:
        blocks.append(block)
    return [Entry(b) for b in blocks]


def fill_catalogue(path: Path) -> int:
    entries = read_entries(path.read_text(encoding="utf-8"))
    changed = sum(1 for e in entries if e.fill())
    if changed:
        path.write_text("\n\n".join(e.render() for e in entries) + "\n", encoding="utf-8")
    return changed


def empty_msgstrs(path: Path) -> list[str]:
    """The msgids whose translation is missing or fuzzy (used by the tests)."""
    out = []
    for e in read_entries(path.read_text(encoding="utf-8")):
        if e.is_header or e.obsolete:
            continue
        if e.fuzzy or any(not v for k, v in e.fields if k.startswith("msgstr")):
            out.append(e.get("msgid") or "")
    return out


class Command(BaseCommand):
    help = "Fill empty, fuzzy and formerly converted entries of the zh_Hant catalogue with OpenCC (s2tw) conversions of the msgids."

    def add_arguments(self, parser):
        parser.add_argument(
            "--path",
            help="the .po file (default: zh_Hant/LC_MESSAGES/django.po under LOCALE_PATHS)",
        )

    def handle(self, *args, path=None, **options):
        po = (
            Path(path)
            if path
            else Path(settings.LOCALE_PATHS[0]) / "zh_Hant" / "LC_MESSAGES" / "django.po"
        )
        if not po.exists():
            raise CommandError(f"{po} does not exist; run makemessages -l zh_Hant first.")
        changed = fill_catalogue(po)
        self.stdout.write(f"zh_Hant: {changed} entries filled")
