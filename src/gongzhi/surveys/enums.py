"""The vocabulary of surveys: question kinds, visit outcomes, how an answer came in, the
states of a response, and what the building base survey (摸排) records."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    TEXT = "text", _("文字")
    NUMBER = "number", _("数字")
    YES_NO = "yes_no", _("是/否")
    PHOTO = "photo", _("签字页照片")


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class VisitorKind(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员")
    PARTY_MEMBER = "party_member", _("党员")
    VOLUNTEER = "volunteer", _("志愿者")


class Outcome(models.TextChoices):
    ANSWERED = "answered", _("已答卷")
    NOT_HOME = "not_home", _("不在家（需再访）")
    REFUSED = "refused", _("拒绝")
    MOVED_OUT = "moved_out", _("已搬离")
    EMPTY = "empty", _("空房")


# Outcomes that settle a household: it counts as reached. Not at home means come again.
REACHED_OUTCOMES = (Outcome.ANSWERED, Outcome.REFUSED, Outcome.MOVED_OUT, Outcome.EMPTY)


class Channel(models.TextChoices):
    VISIT = "visit", _("入户（手机）")
    PAPER = "paper", _("纸质问卷")
    ONLINE = "online", _("居民线上")


class ResponseStatus(models.TextChoices):
    VALID = "valid", _("有效")
    INVALID = "invalid", _("无效")
    # A second answer for a household that already has a valid one: kept, shown for review.
    REVIEW = "review", _("重复待核")


class Pipeline(models.TextChoices):
    UNDERGROUND = "underground", _("入地")
    OVERHEAD = "overhead", _("架空")
    NONE = "none", _("无")


class Structure(models.TextChoices):
    BRICK_CONCRETE = "brick_concrete", _("砖混")
    FRAME = "frame", _("框架")
    SHEAR_WALL = "shear_wall", _("剪力墙")
    BRICK_WOOD = "brick_wood", _("砖木")
    OTHER = "other", _("其他")


class VisitAim(models.TextChoices):
    """四访四促."""

    SENTIMENT = "sentiment", _("访民情")
    OPINION = "opinion", _("集民意")
    WORRY = "worry", _("解民忧")
    HEART = "heart", _("聚民心")
