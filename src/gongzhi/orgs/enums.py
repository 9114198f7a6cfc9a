from django.db import models
from django.utils.translation import gettext_lazy as _


class PostKind(models.TextChoices):
    SUBDISTRICT_STAFF = "subdistrict_staff", _("街道工作人员")
    COMMUNITY_SECRETARY = "community_secretary", _("社区书记")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    GRID_CHIEF = "grid_chief", _("网格长")
    GRID_WORKER = "grid_worker", _("网格员")
    BUILDING_CHIEF = "building_chief", _("楼栋长")
    ENTRANCE_CHIEF = "entrance_chief", _("单元长")


# The level of the place tree each post kind sits on.
POST_LEVEL = {
    PostKind.SUBDISTRICT_STAFF: "subdistrict",
    PostKind.COMMUNITY_SECRETARY: "community",
    PostKind.COMMUNITY_STAFF: "community",
    PostKind.GRID_CHIEF: "grid",
    PostKind.GRID_WORKER: "grid",
    PostKind.BUILDING_CHIEF: "building",
    PostKind.ENTRANCE_CHIEF: "entrance",
}


# Posts one person holds at a time on a node: a building has one 楼栋长, an entrance one
# 单元长, a grid one 网格长, a community one 社区书记. The others (网格员, 社区工作人员,
# 街道工作人员) are held by as many people as the work needs.
SINGLE_HOLDER_KINDS = (
    PostKind.COMMUNITY_SECRETARY,
    PostKind.GRID_CHIEF,
    PostKind.BUILDING_CHIEF,
    PostKind.ENTRANCE_CHIEF,
)


class PartyOrgKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合党委")
    COMMUNITY = "community", _("社区党组织")
    COMPOUND_BRANCH = "compound_branch", _("小区党支部")
    BUILDING_PIONEER = "building_pioneer", _("楼栋先锋")
    MEMBER_HOUSEHOLD = "member_household", _("党员中心户")


# Each kind's parent kind: the chain 综合党委 → 社区党组织 → 小区党支部 → 楼栋先锋 → 党员中心户.
PARTY_ORG_PARENT = {
    PartyOrgKind.COMPREHENSIVE: None,
    PartyOrgKind.COMMUNITY: PartyOrgKind.COMPREHENSIVE,
    PartyOrgKind.COMPOUND_BRANCH: PartyOrgKind.COMMUNITY,
    PartyOrgKind.BUILDING_PIONEER: PartyOrgKind.COMPOUND_BRANCH,
    PartyOrgKind.MEMBER_HOUSEHOLD: PartyOrgKind.BUILDING_PIONEER,
}


class TeamKind(models.TextChoices):
    PIONEER = "pioneer", _("党员先锋攻坚队")
    LIAISON = "liaison", _("党群连心工作队")
    VOLUNTEER = "volunteer", _("党员志愿服务队")
    OUTREACH = "outreach", _("宣讲队")
    VOLUNTEER_GROUP = "volunteer_group", _("志愿服务组织")
    MEDIATION = "mediation", _("调解队")
    SERVICE = "service", _("服务队")


class TeamRole(models.TextChoices):
    LEADER = "leader", _("队长")
    MEMBER = "member", _("队员")


class PartnerKind(models.TextChoices):
    GOVERNMENT = "government", _("党政职能部门")
    ENTERPRISE = "enterprise", _("企业")
    SOCIAL_ORG = "social_org", _("社会组织")
    PUBLIC_UTILITY = "utility", _("公共事业单位")
