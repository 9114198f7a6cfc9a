"""The vocabulary of micro-wishes: what a wish is about, how it came in, who may sponsor
it, and the states it moves through."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    DAILY_GOODS = "daily_goods", _("生活用品")
    COMPANIONSHIP = "companionship", _("助老陪伴")
    REPAIR = "repair", _("家电维修")
    STUDY = "study", _("学习用品")
    HEALTH = "health", _("医疗健康")
    OTHER = "other", _("其他")


class Channel(models.TextChoices):
    ONLINE = "online", _("居民线上")
    VISIT = "visit", _("上门走访")
    PHONE = "phone", _("电话")
    PAPER = "paper", _("纸质")


# What a leader may record when entering a wish for a resident.
ON_BEHALF_CHANNELS = (Channel.VISIT, Channel.PHONE, Channel.PAPER)


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    PUBLISHED = "published", _("待认领")
    CLAIMED = "claimed", _("已认领")
    FULFILLED = "fulfilled", _("待确认")
    CONFIRMED = "confirmed", _("已实现")
    REJECTED = "rejected", _("未通过")


# The only moves a wish can make; every service checks its change against this map.
# Verification publishes: a verified wish goes straight onto the wall.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({Status.PUBLISHED, Status.REJECTED}),
    Status.PUBLISHED: frozenset({Status.CLAIMED}),
    # A sponsor who gives up sends the wish back to the wall.
    Status.CLAIMED: frozenset({Status.FULFILLED, Status.PUBLISHED}),
    Status.FULFILLED: frozenset({Status.CONFIRMED}),
    Status.CONFIRMED: frozenset(),
    Status.REJECTED: frozenset(),
}

# Shown on the public wall: waiting for a sponsor, or taken by one.
WALL_STATUSES = (Status.PUBLISHED, Status.CLAIMED, Status.FULFILLED)


class SponsorKind(models.TextChoices):
    PARTNER = "partner", _("共建单位")
    PARTY_MEMBER = "party_member", _("党员")
    TEAM = "team", _("志愿队伍")


class ClaimStatus(models.TextChoices):
    ACTIVE = "active", _("认领中")
    FULFILLED = "fulfilled", _("已完成")
    RELEASED = "released", _("已放弃")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交心愿")
    PUBLISHED = "published", _("审核通过，发布到心愿墙")
    REJECTED = "rejected", _("审核未通过")
    CLAIMED = "claimed", _("爱心人士认领")
    RELEASED = "released", _("认领人放弃认领，心愿重新发布")
    FULFILLED = "fulfilled", _("心愿已送达，等待确认")
    CONFIRMED = "confirmed", _("确认心愿已实现")
    THANKED = "thanked", _("写下感谢的话")
