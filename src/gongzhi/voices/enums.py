"""The vocabulary of residents' voice: what an item is, where it came from, the level
that handles it, and the states it moves through."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    PROBLEM = "problem", _("反映问题")
    SUGGESTION = "suggestion", _("意见建议")


class Channel(models.TextChoices):
    ONLINE = "online", _("居民线上")
    VISIT = "visit", _("上门走访")
    PHONE = "phone", _("电话")
    PAPER = "paper", _("纸质")
    EVENT = "event", _("议事活动")
    OPEN311 = "open311", _("开放接口")
    STAFF = "staff", _("工作人员录入")


class EventFormat(models.TextChoices):
    """Opinion-gathering events named in the article."""

    HEART_TO_HEART = "heart_to_heart", _("促膝恳谈会")
    BABA_LONGMENZHEN = "baba_longmenzhen", _("坝坝龙门阵")
    RENEWAL_FORUM = "renewal_forum", _("城市更新论坛")
    SOLICITATION = "solicitation", _("意见征集会")
    OTHER = "other", _("其他")


class Level(models.TextChoices):
    """小事不出网格, 难事不出社区, 急事不出街道."""

    GRID = "grid", _("网格")
    COMMUNITY = "community", _("社区")
    SUBDISTRICT = "subdistrict", _("街道")


LEVEL_ORDER = [Level.GRID, Level.COMMUNITY, Level.SUBDISTRICT]


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    RESOLVED = "resolved", _("待回访")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已合并")
    WITHDRAWN = "withdrawn", _("已撤回")


# The only moves an item can make; services check every change against this map.
TRANSITIONS: dict[str, set[str]] = {
    Status.SUBMITTED: {Status.ACCEPTED, Status.MERGED, Status.WITHDRAWN},
    Status.ACCEPTED: {Status.DISPATCHED, Status.RESOLVED, Status.MERGED, Status.WITHDRAWN},
    Status.DISPATCHED: {Status.ACCEPTED, Status.RESOLVED},
    # A return visit that finds the problem not solved sends it back to work.
    Status.RESOLVED: {Status.CLOSED, Status.ACCEPTED},
    Status.CLOSED: set(),
    Status.MERGED: set(),
    Status.WITHDRAWN: set(),
}
OPEN_STATUSES = {Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.RESOLVED}


class Stage(models.TextChoices):
    """The clock that is running on an item; each has its own time limit."""

    RESPOND = "respond", _("受理")
    HANDLE = "handle", _("办理")
    PARTNER_ACCEPT = "partner_accept", _("单位签收")
    PARTNER_HANDLE = "partner_handle", _("单位办理")
    VERIFY = "verify", _("核实回访")


class DispatchStatus(models.TextChoices):
    SENT = "sent", _("待签收")
    ACCEPTED = "accepted", _("办理中")
    REPLIED = "replied", _("已答复")
    RETURNED = "returned", _("已退回")
    VERIFIED = "verified", _("已核实")
    REJECTED = "rejected", _("答复未通过")
    # A supporting unit's part ends with the lead's: its reply (if any) stays on record.
    CLOSED = "closed", _("已结束")


class DispatchRole(models.TextChoices):
    """联合派单: one lead unit (主办), whose verified reply resolves the item, and any
    supporting units (协办), each with its own accept and reply."""

    LEAD = "lead", _("主办")
    SUPPORT = "support", _("协办")


DISPATCH_TRANSITIONS: dict[str, set[str]] = {
    DispatchStatus.SENT: {DispatchStatus.ACCEPTED, DispatchStatus.RETURNED, DispatchStatus.CLOSED},
    DispatchStatus.ACCEPTED: {
        DispatchStatus.REPLIED,
        DispatchStatus.RETURNED,
        DispatchStatus.CLOSED,
    },
    DispatchStatus.REPLIED: {
        DispatchStatus.VERIFIED,
        DispatchStatus.REJECTED,
        DispatchStatus.CLOSED,
    },
    DispatchStatus.RETURNED: set(),
    DispatchStatus.VERIFIED: set(),
    DispatchStatus.REJECTED: set(),
    DispatchStatus.CLOSED: set(),
}


class Solved(models.TextChoices):
    SOLVED = "solved", _("已解决")
    PARTLY = "partly", _("部分解决")
    NOT_SOLVED = "not_solved", _("未解决")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class TimeUnit(models.TextChoices):
    HOURS = "hours", _("工作小时")
    DAYS = "days", _("工作日")


class Supervision(models.IntegerChoices):
    """How far past its deadline an item has gone, and what has been sent about it."""

    NONE = 0, _("正常")
    REMINDED = 1, _("已提醒")
    SUPERVISED = 2, _("已督办")
    ESCALATED = 3, _("已升级")


class EventType(models.TextChoices):
    SUBMITTED = "submitted", _("提交")
    JOINED = "joined", _("附议")
    ACCEPTED = "accepted", _("受理")
    CATEGORISED = "categorised", _("分类")
    ESCALATED = "escalated", _("上报")
    DISPATCHED = "dispatched", _("派单")
    PARTNER_ACCEPTED = "partner_accepted", _("单位签收")
    PARTNER_REPLIED = "partner_replied", _("单位答复")
    PARTNER_RETURNED = "partner_returned", _("单位退回")
    DISPATCH_CLOSED = "dispatch_closed", _("协办结束")
    VERIFIED = "verified", _("核实")
    RESOLVED = "resolved", _("办结待回访")
    RETURN_VISIT = "return_visit", _("回访")
    REOPENED = "reopened", _("重新办理")
    CLOSED = "closed", _("办结")
    MERGED = "merged", _("合并")
    REMINDED = "reminded", _("超时提醒")
    WARNED = "warned", _("临期提醒")
    SUPERVISED = "supervised", _("督办")
    COMMENT = "comment", _("备注")
    WITHDRAWN = "withdrawn", _("撤回")
    PUBLISHED = "published", _("审核公开")
    WITHHELD = "withheld", _("不予公开")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_APPROVED = "extension_approved", _("同意延期")
    EXTENSION_REFUSED = "extension_refused", _("不同意延期")
    EXTENSION_LAPSED = "extension_lapsed", _("延期申请失效")


class ExtensionOutcome(models.TextChoices):
    """How a request for more time (延期申请) ended. A request without a decision is
    pending; one whose stage ended first (escalated, dispatched, resolved) has lapsed."""

    APPROVED = "approved", _("同意")
    REFUSED = "refused", _("不同意")
    LAPSED = "lapsed", _("环节已结束，申请失效")


class Publication(models.TextChoices):
    """Whether an item may be read by the public (Open311 and every public page). Nothing
    is public until staff approve a reviewed ``public_text``; a private item never is."""

    PENDING = "pending", _("待公开审核")
    PUBLISHED = "published", _("已公开")
    WITHHELD = "withheld", _("不公开")


PUBLICATION_TRANSITIONS: dict[str, set[str]] = {
    Publication.PENDING: {Publication.PUBLISHED, Publication.WITHHELD},
    # Published again: the public text is corrected; withheld: taken down.
    Publication.PUBLISHED: {Publication.PUBLISHED, Publication.WITHHELD},
    # A second review may publish what was held back (never a private item).
    Publication.WITHHELD: {Publication.PUBLISHED},
}
# Merged items live on in the item they joined; withdrawn ones were taken back.
PUBLISHABLE_STATUSES = {
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.DISPATCHED,
    Status.RESOLVED,
    Status.CLOSED,
}
