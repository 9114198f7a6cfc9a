"""The work report, written from the records of a period, section by section along the
model (一核引领, 二融共促, 三维并举, 五微).

Every figure in it is ``figures.registry``'s, over a ``figures.selectors.Window`` — the
same definitions, reach and period as the dashboard and ``/api/v1/figures`` — and a
subdistrict's or a city's calendar year comes from the same roll-ups. The sentences are
fixed text around the figures; the paragraphs the authors wrote (``WorkReport``) stand
after each section's sentences. Nothing here depends on the moment of writing, so two
generations from the same records are the same report.

Each figure in a sentence is a ``Part`` carrying its label, exact value, definition and
its drill (the page listing the records behind it): the web page links it, the print page
and the .docx give it a numbered note.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.exemplars.enums import StoryStatus
from gongzhi.exemplars.models import Story
from gongzhi.figures import registry, rollups
from gongzhi.figures.selectors import Window
from gongzhi.orgs.models import Team
from gongzhi.renewal.models import Opinion as RenewalOpinion
from gongzhi.renewal.models import PlanRound, Project
from gongzhi.voices.enums import DispatchStatus
from gongzhi.voices.models import Dispatch

from . import prose

# Counts written exactly: the register's and the survey's, which officials quote to the
# household ("1478户", "47天"). Every other count is written in the 余 convention.
EXACT = frozenset({"buildings", "households", "survey_households", "survey_days", "survey_valid"})
# At most this many names in a list of teams, partners, projects or stories.
NAMES_MAX = 8


@dataclass(frozen=True)
class SectionSpec:
    key: str
    label: Any
    # Sentences, each with {figure_key} where a figure stands.
    sentences: tuple[Any, ...]
    # The figures the section's ledger (.xlsx sheet) lists the records of.
    ledger: tuple[str, ...] = ()


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "overview",
        gettext_lazy("基本情况"),
        (
            gettext_lazy(
                "辖区共有居民楼栋{buildings}，住户{households}，居民{residents}，"
                "其中60岁及以上居民占{residents_60_plus_share}。"
            ),
        ),
    ),
    SectionSpec(
        "core",
        gettext_lazy("一核引领"),
        (
            gettext_lazy(
                "坚持党建引领，统计期内召开问题协调会{coordination_meetings}，"
                "联合共建单位开展共建活动{cobuilding_activities}，"
                "共同解决加装电梯、违建拆除、管线迁改、房屋拆除等难题{hard_problems_solved}。"
            ),
        ),
        ("coordination_meetings", "cobuilding_activities", "hard_problems_solved"),
    ),
    SectionSpec(
        "voice",
        gettext_lazy("二融共促"),
        (
            gettext_lazy(
                "问需于民，开展入户调查{survey_days}，调查住户{survey_households}，"
                "收回有效问卷{survey_valid}，覆盖率{survey_coverage}，"
                "有效率{survey_valid_rate}，支持率{survey_support_rate}。"
            ),
            gettext_lazy(
                "举办促膝恳谈会、坝坝龙门阵、城市更新论坛等民意征集活动{opinion_events}，"
                "收集意见建议{opinions}，按“摸、议、推、示、评”五步议事法办结议题"
                "{matters_closed}。"
            ),
        ),
        ("survey_households", "opinion_events", "opinions", "matters_closed"),
    ),
    SectionSpec(
        "reach",
        gettext_lazy("三维并举"),
        (
            gettext_lazy(
                "推动思想更新，开展宣讲{outreach_talks}，受众{outreach_audience}；"
                "开展志愿服务{volunteer_services}，服务群众{volunteer_served}。"
            ),
            gettext_lazy(
                "网格治理中回访居民诉求{return_visits}，居民表示满意{satisfied_visits}，"
                "回访满意率{satisfaction_rate}。"
            ),
        ),
        (
            "outreach_talks",
            "outreach_audience",
            "volunteer_services",
            "volunteer_served",
            "return_visits",
            "satisfied_visits",
        ),
    ),
    SectionSpec(
        "micro",
        gettext_lazy("五微"),
        (
            gettext_lazy(
                "聚焦居民身边小事，开展微服务{micro_services}，实现居民微心愿{wishes_fulfilled}。"
            ),
            gettext_lazy(
                "统计期内参与各项事务的居民{participants}，"
                "其中60岁及以上占{participants_60_plus_share}。"
            ),
        ),
        ("micro_services", "wishes_fulfilled"),
    ),
)
SECTION_KEYS = tuple(s.key for s in SECTIONS)
TOKEN = re.compile(r"\{([a-z0-9_]+)\}")


@dataclass
class Part:
    """One figure as it stands in a sentence."""

    key: str
    label: str
    unit: str
    value: int | Decimal
    text: str  # as written: "130余场", "96.93%"
    exact: str  # the exact value, for the note: "138场"
    definition: str
    drill: str  # the page listing the records, with the window's query
    note: int = 0  # its number among the report's notes


@dataclass
class Section:
    key: str
    label: str
    # Each sentence is a list of text and ``Part``s.
    sentences: list[list[str | Part]]
    highlights: list[str]
    paragraph: str

    def plain(self) -> list[str]:
        return [
            "".join(p if isinstance(p, str) else p.text for p in sentence)
            for sentence in self.sentences
        ]


@dataclass
class Report:
    title: str
    area: str
    window: Window
    sections: list[Section]
    notes: list[Part]
    as_of: dt.datetime
    query: str
    values: dict[str, int | Decimal] = field(default_factory=dict)

    @property
    def period(self) -> str:
        start = self.window.start
        end = self.window.end
        return _("%(start)s至%(end)s") % {
            "start": f"{start.year}年{start.month}月{start.day}日" if start else "",
            "end": f"{end.year}年{end.month}月{end.day}日",
        }

    def figures(self) -> dict[str, str]:
        """{figure key: as written} for every figure in the report."""
        return {p.key: p.text for p in self.notes}


def written(key: str, value: int | Decimal) -> tuple[str, str]:
    """(as written in the report, exact) for a figure's value, with its unit."""
    figure = registry.FIGURES[key]
    unit = str(figure.unit)
    if unit == "%":
        text = prose.rate(value)
        return text, text
    exact = f"{int(value)}{unit}"
    if key in EXACT:
        return exact, exact
    return f"{prose.approx(int(value))}{unit}", exact


def query_of(window: Window, asked: dict) -> str:
    names = {"community": "community", "subdistrict": "subdistrict", "start": "from", "end": "to"}
    params = {names[k]: v for k, v in asked.items() if v}
    params["from"] = window.start.isoformat() if window.start else ""
    params["to"] = window.end.isoformat()
    return urlencode({k: v for k, v in params.items() if v})


def counted(window: Window) -> tuple[dict[str, int | Decimal], dt.datetime]:
    """Every figure of the window, as the dashboard counts it: a subdistrict's or a city's
    calendar year from the kept roll-ups, anything else from the records now."""
    rolled = rollups.summed(window)
    if rolled is not None:
        return dict(rolled.values), rolled.counted_at
    return {f.key: v for f, v in registry.count_all(window)}, timezone.now()


def _names(names: list[str], total: int | None = None) -> str:
    """The first names, and how many there are in all when not every one is shown."""
    total = len(names) if total is None else total
    text = "、".join(names[:NAMES_MAX])
    if total > NAMES_MAX:
        text += _("等%(n)d个") % {"n": total}
    return text


def teams(window: Window) -> tuple[list[str], int]:
    """The first team names of the area, and how many teams it has."""
    found = window.scoped(Team.objects.all())
    names = list(found.order_by("name").values_list("name", flat=True)[:NAMES_MAX])
    return names, found.count()


def partners(window: Window) -> list[str]:
    """The partner units that organised a co-building activity held in the period or whose
    reply on a hard problem solved in the period was verified, by name."""
    held = registry.FIGURES["cobuilding_activities"].records(window)
    names = set(
        held.exclude(partner__isnull=True).order_by().values_list("partner__name", flat=True)
    )
    solved = registry.FIGURES["hard_problems_solved"].records(window)
    names |= set(
        Dispatch.objects.filter(item__in=solved.values("pk"), status=DispatchStatus.VERIFIED)
        .order_by()
        .values_list("unit__name", flat=True)
    )
    return sorted(names)


NUMERALS = "零一二三四五六七八九十"


def _numeral(n: int) -> str:
    return NUMERALS[n] if 0 <= n <= 10 else str(n)


def projects(window: Window) -> list[str]:
    """Renewal projects whose plan was out with residents during the period: how many
    times, by the period's end, it went down (下发) and came back up (意见收回) — the 三上三下
    of the article — and the opinions heard on its rounds. Each count is a subquery, so
    that the choice of projects does not narrow it."""
    active = PlanRound.objects.filter(
        project=OuterRef("pk"), published_at__isnull=False, published_at__lt=window.until
    )
    if window.since is not None:
        active = active.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=window.since))

    def counted(queryset) -> Subquery:
        return Subquery(
            queryset.order_by().values("project").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        )

    rounds = PlanRound.objects.filter(project=OuterRef("pk"))
    found = (
        window.scoped(Project.objects.filter(Exists(active)))
        .annotate(
            down=Coalesce(counted(rounds.filter(published_at__lt=window.until)), 0),
            up=Coalesce(counted(rounds.filter(closed_at__lt=window.until)), 0),
            heard=Coalesce(
                counted(
                    RenewalOpinion.objects.filter(
                        project=OuterRef("pk"),
                        round__isnull=False,
                        created_at__lt=window.until,
                    )
                ),
                0,
            ),
        )
        .order_by("name", "pk")[:NAMES_MAX]
    )
    return [
        _("“%(name)s”项目方案%(down)s下%(up)s上征求居民意见，收集意见%(heard)d条。")
        % {
            "name": p.name,
            "down": _numeral(p.down),
            "up": _numeral(p.up),
            "heard": p.heard,
        }
        for p in found
    ]


def stories(window: Window) -> list[str]:
    found = (
        window.scoped(
            Story.objects.filter(status=StoryStatus.PUBLISHED).filter(
                window.moments("published_at")
            )
        )
        .order_by("published_at", "pk")
        .values_list("title", flat=True)[:NAMES_MAX]
    )
    return [_("微典型故事《%(title)s》。") % {"title": t} for t in found]


def _highlights(key: str, window: Window) -> list[str]:
    if key == "core":
        out = []
        names, total = teams(window)
        if total > NAMES_MAX:
            out.append(
                _("依托%(names)s等%(n)d支队伍开展工作。") % {"names": "、".join(names), "n": total}
            )
        elif names:
            out.append(_("依托%(names)s开展工作。") % {"names": "、".join(names)})
        names = partners(window)
        if names:
            out.append(_("携手共建单位：%(names)s。") % {"names": _names(names)})
        return out
    if key == "voice":
        return projects(window)
    if key == "micro":
        return stories(window)
    return []


def build(
    window: Window,
    *,
    area: str,
    asked: dict,
    title: str = "",
    paragraphs: dict | None = None,
    values: dict | None = None,
) -> Report:
    """The report over ``window``. ``paragraphs`` are the authors' words by section key;
    ``values`` figures already counted for this window (else they are counted here)."""
    as_of = timezone.now()
    if values is None:
        values, as_of = counted(window)
    paragraphs = paragraphs or {}
    query = query_of(window, asked)
    notes: list[Part] = []
    sections = []
    for spec in SECTIONS:
        sentences = []
        for template in spec.sentences:
            parts: list[str | Part] = []
            text = str(template)
            last = 0
            for match in TOKEN.finditer(text):
                if match.start() > last:
                    parts.append(text[last : match.start()])
                key = match.group(1)
                figure = registry.FIGURES[key]
                shown, exact = written(key, values[key])
                part = Part(
                    key=key,
                    label=str(figure.label),
                    unit=str(figure.unit),
                    value=values[key],
                    text=shown,
                    exact=exact,
                    definition=str(figure.definition),
                    drill=f"{reverse('figures:rows', kwargs={'key': key})}?{query}",
                    note=len(notes) + 1,
                )
                notes.append(part)
                parts.append(part)
                last = match.end()
            if last < len(text):
                parts.append(text[last:])
            sentences.append(parts)
        sections.append(
            Section(
                key=spec.key,
                label=str(spec.label),
                sentences=sentences,
                highlights=_highlights(spec.key, window),
                paragraph=str(paragraphs.get(spec.key, "")),
            )
        )
    default_title = _("%(area)s%(year)s年共治工作报告") % {
        "area": area,
        "year": window.end.year,
    }
    return Report(
        title=title or default_title,
        area=area,
        window=window,
        sections=sections,
        notes=notes,
        as_of=as_of,
        query=query,
        values=values,
    )
