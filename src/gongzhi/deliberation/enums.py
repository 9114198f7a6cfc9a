"""The vocabulary of deliberation: the five steps of a matter (摸 → 议 → 推 → 示 → 评), the
kinds and forms of meetings, tasks, consultation topics and the talent pool."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    INVESTIGATE = "investigate", _("摸")
    DELIBERATE = "deliberate", _("议")
    IMPLEMENT = "implement", _("推")
    NOTICE = "notice", _("示")
    EVALUATE = "evaluate", _("评")
    CLOSED = "closed", _("已办结")


STAGE_NAMES = {
    Stage.INVESTIGATE: _("摸（摸清情况）"),
    Stage.DELIBERATE: _("议（会议商定）"),
    Stage.IMPLEMENT: _("推（推进落实）"),
    Stage.NOTICE: _("示（结果公示）"),
    Stage.EVALUATE: _("评（群众评议）"),
    Stage.CLOSED: _("已办结"),
}

# The order of the five steps; a move forward goes exactly one step.
ORDER = [
    Stage.INVESTIGATE,
    Stage.DELIBERATE,
    Stage.IMPLEMENT,
    Stage.NOTICE,
    Stage.EVALUATE,
    Stage.CLOSED,
]

# The only moves a matter can make. Two go back: an objection during the notice sends the
# matter back to the meeting, and an evaluation below the threshold back to the work.
TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.INVESTIGATE: frozenset({Stage.DELIBERATE}),
    Stage.DELIBERATE: frozenset({Stage.IMPLEMENT}),
    Stage.IMPLEMENT: frozenset({Stage.NOTICE}),
    Stage.NOTICE: frozenset({Stage.EVALUATE, Stage.DELIBERATE}),
    Stage.EVALUATE: frozenset({Stage.CLOSED, Stage.IMPLEMENT}),
    Stage.CLOSED: frozenset(),
}

# What a caller may write for a stage besides its code: the step's own character.
STAGE_ALIASES = {
    "摸": Stage.INVESTIGATE,
    "议": Stage.DELIBERATE,
    "推": Stage.IMPLEMENT,
    "示": Stage.NOTICE,
    "评": Stage.EVALUATE,
    "办结": Stage.CLOSED,
}


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class MeetingKind(models.TextChoices):
    SOLICITATION = "solicitation", _("意见征集会")
    BRIEFING = "briefing", _("事前通气会")
    COORDINATION = "coordination", _("问题协调会")
    CONSULTATION = "consultation", _("微协商")
    LEADERS_HALL = "leaders_hall", _("头雁议事厅")
    CLASS = "class", _("能人微课堂")


class MeetingForm(models.TextChoices):
    PLAIN = "plain", _("常规会议")
    HEART_TO_HEART = "heart_to_heart", _("促膝恳谈会")
    BABA_LONGMENZHEN = "baba_longmenzhen", _("坝坝龙门阵")
    RENEWAL_FORUM = "renewal_forum", _("城市更新论坛")


class InviteeKind(models.TextChoices):
    HOUSEHOLD = "household", _("住户")
    RESIDENT = "resident", _("居民")
    PARTY_MEMBER = "party_member", _("党员")
    PARTNER = "partner", _("共建单位")


class TopicSource(models.TextChoices):
    RESIDENT = "resident", _("居民提出")
    STAFF = "staff", _("社区提出")


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审核")
    APPROVED = "approved", _("已采纳，待协商")
    REJECTED = "rejected", _("未采纳")
    DISCUSSED = "discussed", _("已协商")


TOPIC_TRANSITIONS: dict[str, frozenset[str]] = {
    TopicStatus.PROPOSED: frozenset({TopicStatus.APPROVED, TopicStatus.REJECTED}),
    TopicStatus.APPROVED: frozenset({TopicStatus.DISCUSSED}),
    TopicStatus.REJECTED: frozenset(),
    TopicStatus.DISCUSSED: frozenset(),
}


class CornerKind(models.TextChoices):
    CORNER = "corner", _("议事角")
    LIAISON = "liaison", _("人大代表联络站")


class TalentTitle(models.TextChoices):
    LEAD_GOOSE = "lead_goose", _("更新头雁")
    ALLEY_PREMIER = "alley_premier", _("小巷总理")
    SKILLED = "skilled", _("社区能人")


class TalentSource(models.TextChoices):
    RECOMMENDED = "recommended", _("居民推荐")
    SELF = "self", _("自我推荐")
    COMMUNITY = "community", _("社区发现")


class TalentStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审核")
    APPROVED = "approved", _("已入库")
    REJECTED = "rejected", _("未入库")


TALENT_TRANSITIONS: dict[str, frozenset[str]] = {
    TalentStatus.PROPOSED: frozenset({TalentStatus.APPROVED, TalentStatus.REJECTED}),
    TalentStatus.APPROVED: frozenset(),
    TalentStatus.REJECTED: frozenset(),
}
