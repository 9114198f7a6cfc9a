from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
    UNKNOWN = "U", _("未知")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    GRANDPARENT = "grandparent", _("祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    OTHER_RELATIVE = "relative", _("其他亲属")
    TENANT = "tenant", _("租户")
    OTHER = "other", _("其他")


class Residence(models.TextChoices):
    """人户分离: whether the person is registered (户籍) where they actually live."""

    BOTH = "both", _("人户一致")
    LIVES_ONLY = "lives_only", _("人在户不在")
    REGISTERED_ONLY = "registered_only", _("户在人不在")


class ResidentStatus(models.TextChoices):
    LIVING = "living", _("在住")
    MOVED_OUT = "moved_out", _("已迁出")
    DECEASED = "deceased", _("已故")


# Allowed status transitions. A moved-out person may come back; death is final.
RESIDENT_TRANSITIONS = {
    ResidentStatus.LIVING: {ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED},
    ResidentStatus.MOVED_OUT: {ResidentStatus.LIVING, ResidentStatus.DECEASED},
    ResidentStatus.DECEASED: set(),
}

ELDERLY_AGE = 60
# 高龄: the care lists' "aged" group, counted from the birth date like ELDERLY_AGE.
ADVANCED_AGE = 80


class ContactMethod(models.TextChoices):
    """How a post holder reached a resident (走访记录)."""

    HOME_VISIT = "home_visit", _("入户走访")
    PHONE = "phone", _("电话联系")
    MET = "met", _("当面交谈")
    OTHER = "other", _("其他")
