from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Who put the person forward (the article's three ways)."""

    RECOMMENDED = "recommended", _("群众推荐")
    SELF = "self", _("居民自荐")
    COMMUNITY = "community", _("社区发现")


class Category(models.TextChoices):
    VOLUNTEER = "volunteer", _("最美志愿者")
    NEIGHBOUR = "neighbour", _("好邻居")
    FILIAL = "filial", _("孝老爱亲")
    HELPFUL = "helpful", _("助人为乐")
    DEDICATED = "dedicated", _("敬业奉献")
    PARTY_MEMBER = "party_member", _("优秀党员")


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", _("已推荐")
    UNDER_REVIEW = "under_review", _("审核中")
    ACCEPTED = "accepted", _("已采纳")
    DECLINED = "declined", _("未采纳")


# Staff first confirm who is meant (the nominee as the register knows them), which opens the
# review; only then is a nomination accepted or declined.
NOMINATION_TRANSITIONS = {
    NominationStatus.NOMINATED: {NominationStatus.UNDER_REVIEW, NominationStatus.DECLINED},
    NominationStatus.UNDER_REVIEW: {NominationStatus.ACCEPTED, NominationStatus.DECLINED},
    NominationStatus.ACCEPTED: set(),
    NominationStatus.DECLINED: set(),
}


class StoryStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤下")


# A withdrawn story may be taken up again as a draft; it is published again only with a
# new consent on record.
STORY_TRANSITIONS = {
    StoryStatus.DRAFT: {StoryStatus.PUBLISHED, StoryStatus.WITHDRAWN},
    StoryStatus.PUBLISHED: {StoryStatus.WITHDRAWN},
    StoryStatus.WITHDRAWN: {StoryStatus.DRAFT},
}


class ConsentMethod(models.TextChoices):
    SIGNED_FORM = "signed_form", _("签字同意书（拍照留存）")
    IN_PERSON = "in_person", _("当面口头同意")
