from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    OPEN = "open", _("待调解")
    IN_MEDIATION = "in_mediation", _("调解中")
    AGREED = "agreed", _("达成协议")
    PARTIAL = "partial", _("部分达成")
    FAILED = "failed", _("调解不成")
    REFERRED = "referred", _("已移交")
    REOPENED = "reopened", _("协议未履行，重新调解")


# The only moves a case can make; ``services`` checks every change against this map. An
# agreement (full or partial) that a follow-up visit finds broken reopens the case.
TRANSITIONS: dict[str, set[str]] = {
    CaseStatus.OPEN: {CaseStatus.IN_MEDIATION, CaseStatus.REFERRED},
    CaseStatus.IN_MEDIATION: {
        CaseStatus.AGREED,
        CaseStatus.PARTIAL,
        CaseStatus.FAILED,
        CaseStatus.REFERRED,
    },
    CaseStatus.AGREED: {CaseStatus.REOPENED},
    CaseStatus.PARTIAL: {CaseStatus.REOPENED},
    CaseStatus.REOPENED: {CaseStatus.IN_MEDIATION, CaseStatus.REFERRED},
    CaseStatus.FAILED: set(),
    CaseStatus.REFERRED: set(),
}
# The outcomes a mediator records at the end of mediation.
OUTCOMES = (CaseStatus.AGREED, CaseStatus.PARTIAL, CaseStatus.FAILED, CaseStatus.REFERRED)
AGREEMENTS = (CaseStatus.AGREED, CaseStatus.PARTIAL)
# Where a session may be recorded: the case is being mediated (or about to be).
SESSION_STATUSES = (CaseStatus.OPEN, CaseStatus.IN_MEDIATION, CaseStatus.REOPENED)


class ReferredTo(models.TextChoices):
    JUDICIAL_OFFICE = "judicial_office", _("司法所")
    POLICE_STATION = "police_station", _("派出所")
    COURT = "court", _("人民法院")


class Side(models.TextChoices):
    APPLICANT = "applicant", _("申请方")
    RESPONDENT = "respondent", _("被申请方")


class FollowUpStatus(models.TextChoices):
    DUE = "due", _("待回访")
    KEPT = "kept", _("协议履行中")
    BROKEN = "broken", _("协议未履行")
    # A visit not needed any more: an earlier one found the agreement broken.
    CANCELLED = "cancelled", _("不再回访")


# Days after the agreement at which a mediator visits the parties.
FOLLOW_UP_DAYS = (7, 30, 90)
