from django.db import models
from django.utils.translation import gettext_lazy as _


class CommitteePost(models.TextChoices):
    CHAIR = "chair", _("主任")
    VICE_CHAIR = "vice_chair", _("副主任")
    MEMBER = "member", _("委员")


class BodyKind(models.TextChoices):
    """Which governing body of a compound held a meeting or posted a notice."""

    COMMITTEE = "committee", _("业主委员会")
    PROPERTY = "property", _("物业服务企业")
    SELF_MANAGEMENT = "self", _("自治管理小组")


class Governance(models.TextChoices):
    """How a compound is governed on a given day (derived, never stored)."""

    PROPERTY = "property", _("物业服务企业管理")
    SELF_MANAGED = "self", _("居民自治管理")
    NONE = "none", _("暂无管理主体")


# The voices categories whose cases are the property company's (or the stewards').
PROPERTY_CATEGORY_CODES = ("property_service",)
