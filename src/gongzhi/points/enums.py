from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    RESIDENT = "resident", _("居民")
    # Where earned points come from (one per community): its balance is minus what the
    # community has ever handed out.
    ISSUANCE = "issuance", _("积分发放")
    # Where spent points go (one per community's shop).
    SHOP = "shop", _("积分超市")
    # Where expired points go (one per community).
    EXPIRY = "expiry", _("积分过期")


class TxnKind(models.TextChoices):
    EARN = "earn", _("获得")
    SPEND = "spend", _("兑换")
    EXPIRE = "expire", _("过期")
    REVERSE = "reverse", _("冲销")
    CORRECT = "correct", _("更正")


class Relation(models.TextChoices):
    """Who placed a redemption for the resident whose points it spends."""

    SELF = "self", _("本人")
    FAMILY = "family", _("家人代办")
    VOLUNTEER = "volunteer", _("志愿者代办")


class RedemptionStatus(models.TextChoices):
    PLACED = "placed", _("待领取")
    HANDED_OVER = "handed_over", _("已领取")
    CANCELLED = "cancelled", _("已取消")


# Allowed moves; anything else is refused in Chinese by ``services``.
TRANSITIONS = {
    RedemptionStatus.PLACED: {RedemptionStatus.HANDED_OVER, RedemptionStatus.CANCELLED},
    RedemptionStatus.HANDED_OVER: set(),
    RedemptionStatus.CANCELLED: set(),
}
