"""The vocabulary of urban renewal: kinds of project, the five phases, the 三上三下 plan
rounds, the channels an opinion comes up by and the answers staff give it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ELEVATOR = "elevator", _("加装电梯")
    ILLEGAL_REMOVAL = "illegal_removal", _("违建拆除")
    PIPELINE = "pipeline", _("管线迁改")
    DEMOLITION = "demolition", _("楼栋拆除")
    MICRO = "micro", _("空间微更新")
    FACADE = "facade", _("外立面改造")
    PARKING = "parking", _("停车设施改造")
    OTHER = "other", _("其他")


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("进行中")
    COMPLETED = "completed", _("已完成")
    STOPPED = "stopped", _("已终止")


class PhaseKind(models.TextChoices):
    DESIGN = "design", _("方案设计")
    ADJUST = "adjust", _("细节调整")
    BUILD = "build", _("工程实施")
    MANAGE = "manage", _("后期管理")
    OPERATE = "operate", _("长效运营")


# The order every project goes through; a phase opens only when the one before closes.
PHASE_ORDER: tuple[str, ...] = tuple(PhaseKind.values)


class PhaseStatus(models.TextChoices):
    PENDING = "pending", _("未开始")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已完成")


PHASE_TRANSITIONS: dict[str, frozenset[str]] = {
    PhaseStatus.PENDING: frozenset({PhaseStatus.OPEN}),
    PhaseStatus.OPEN: frozenset({PhaseStatus.CLOSED}),
    PhaseStatus.CLOSED: frozenset(),
}


class UnitRole(models.TextChoices):
    PARTNER = "partner", _("共建单位")
    DESIGN = "design", _("设计单位")
    CONSTRUCTION = "construction", _("施工单位")


class FundingKind(models.TextChoices):
    GOVERNMENT = "government", _("财政资金")
    RESIDENTS = "residents", _("居民自筹")
    MAINTENANCE_FUND = "maintenance_fund", _("住宅专项维修资金")
    PARTNER = "partner", _("共建单位出资")
    UTILITY = "utility", _("管线单位出资")
    OTHER = "other", _("其他")


class DocumentKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    DOCUMENT = "document", _("文件")


# 三上三下: three rounds of a plan going down to residents and opinions coming back up.
MAX_ROUNDS = 3


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("待发布")
    OPEN = "open", _("征求意见中")
    CLOSED = "closed", _("意见征集结束")
    DECIDED = "decided", _("已形成决定")


ROUND_TRANSITIONS: dict[str, frozenset[str]] = {
    RoundStatus.DRAFT: frozenset({RoundStatus.OPEN}),
    RoundStatus.OPEN: frozenset({RoundStatus.CLOSED}),
    # Only the third round ends in a decision (``services.round_decide`` checks it).
    RoundStatus.CLOSED: frozenset({RoundStatus.DECIDED}),
    RoundStatus.DECIDED: frozenset(),
}


class Decision(models.TextChoices):
    APPROVED = "approved", _("方案通过，进入实施")
    DEFERRED = "deferred", _("暂缓实施")
    REJECTED = "rejected", _("不予实施")


class OpinionChannel(models.TextChoices):
    ONLINE = "online", _("居民线上")
    PAPER = "paper", _("纸质意见")
    VISIT = "visit", _("上门走访")
    PHONE = "phone", _("电话")
    MEETING = "meeting", _("会议")
    VOICES = "voices", _("民意诉求")


# What staff may record when entering an opinion for a resident.
STAFF_CHANNELS = (
    OpinionChannel.PAPER,
    OpinionChannel.VISIT,
    OpinionChannel.PHONE,
    OpinionChannel.MEETING,
)


class Answer(models.TextChoices):
    PENDING = "pending", _("待答复")
    ADOPTED = "adopted", _("采纳")
    PARTLY = "partly", _("部分采纳")
    NOT_ADOPTED = "not_adopted", _("不采纳")


ANSWERED = (Answer.ADOPTED, Answer.PARTLY, Answer.NOT_ADOPTED)
# The answers that can cause a change in the next version.
TAKEN = (Answer.ADOPTED, Answer.PARTLY)


class EventKind(models.TextChoices):
    CREATED = "created", _("立项")
    EDITED = "edited", _("修改项目信息")
    BUILDINGS = "buildings", _("调整涉及楼栋")
    UNITS = "units", _("调整参与单位")
    FUNDING = "funding", _("登记资金来源")
    MILESTONE = "milestone", _("登记节点")
    MILESTONE_DONE = "milestone_done", _("节点完成")
    DOCUMENT = "document", _("上传资料")
    PHASE_OPENED = "phase_opened", _("阶段开始")
    PHASE_CLOSED = "phase_closed", _("阶段完成")
    VERSION = "version", _("形成方案版本")
    ROUND_PUBLISHED = "round_published", _("方案下发征求意见")
    ROUND_CLOSED = "round_closed", _("意见征集结束")
    ROUND_DECIDED = "round_decided", _("形成决定")
    OPINION = "opinion", _("收到居民意见")
    ANSWERED = "answered", _("答复居民意见")
    COMPLETED = "completed", _("项目完成")
