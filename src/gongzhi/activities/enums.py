from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    OUTREACH = "outreach", _("宣讲")
    VOLUNTEER = "volunteer", _("志愿服务")
    CO_BUILDING = "co_building", _("共建活动")
    MICRO_SERVICE = "micro_service", _("微服务")


class OutreachFormat(models.TextChoices):
    """The three formats of the six teams' talks."""

    CENTRAL = "central", _("集中宣讲+流动课堂")
    MICRO = "micro", _("微宣讲+志愿服务")
    CLOUD = "cloud", _("云宣讲+有奖竞答")


class ServiceArea(models.TextChoices):
    """The five volunteer services."""

    IDEAS = "ideas", _("思想更新")
    ENVIRONMENT = "environment", _("环境焕新")
    SAFETY = "safety", _("平安建设")
    NEIGHBOURS = "neighbours", _("文化睦邻")
    CARE = "care", _("与爱同行")


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("报名中")
    RUNNING = "running", _("进行中")
    FINISHED = "finished", _("已结束")
    CANCELLED = "cancelled", _("已取消")


# Allowed moves; ``services._move`` refuses anything else in Chinese. The first check-in
# moves a published activity to running; one nobody came to may be finished straight away.
TRANSITIONS = {
    ActivityStatus.DRAFT: {ActivityStatus.PUBLISHED, ActivityStatus.CANCELLED},
    ActivityStatus.PUBLISHED: {
        ActivityStatus.RUNNING,
        ActivityStatus.FINISHED,
        ActivityStatus.CANCELLED,
    },
    ActivityStatus.RUNNING: {ActivityStatus.FINISHED},
    ActivityStatus.FINISHED: set(),
    ActivityStatus.CANCELLED: set(),
}

# Residents see and sign up for these; drafts are the organisers' own.
OPEN = (ActivityStatus.PUBLISHED, ActivityStatus.RUNNING)
SHOWN = (ActivityStatus.PUBLISHED, ActivityStatus.RUNNING, ActivityStatus.FINISHED)


class CheckInRole(models.TextChoices):
    ATTENDEE = "attendee", _("参加")
    VOLUNTEER = "volunteer", _("志愿者")
    SERVED = "served", _("服务对象")


class CheckInMethod(models.TextChoices):
    QR = "qr", _("扫码")
    NAME = "name", _("按姓名")
    SELF = "self", _("本人")


class GroupKind(models.TextChoices):
    GROUP = "group", _("志愿服务组织")
    BRAND = "brand", _("志愿服务品牌")
