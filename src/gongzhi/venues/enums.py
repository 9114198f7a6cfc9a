from django.db import models
from django.utils.translation import gettext_lazy as _


class VenueKind(models.TextChoices):
    """The positions (阵地 / 微阵地) the article names."""

    PARTY_POSITION = "party_position", _("党群服务阵地")
    GRID_STATION = "grid_station", _("网格驿站")
    CONSULTATION_CORNER = "consultation_corner", _("议事角")
    POCKET_PARK = "pocket_park", _("口袋公园")
    WALKWAY = "walkway", _("彩虹步道")
    SHARED_SPACE = "shared_space", _("全龄共享空间")
    OTHER = "other", _("其他场地")


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已预约")
    REFUSED = "refused", _("未批准")
    CANCELLED = "cancelled", _("已取消")


# A requested booking holds its slot as an approved one does: first come, first served;
# a refusal or a cancellation frees it.
HOLDING = (BookingStatus.REQUESTED, BookingStatus.APPROVED)

# Allowed moves; anything else is refused in Chinese by ``services``.
TRANSITIONS = {
    BookingStatus.REQUESTED: {
        BookingStatus.APPROVED,
        BookingStatus.REFUSED,
        BookingStatus.CANCELLED,
    },
    BookingStatus.APPROVED: {BookingStatus.CANCELLED},
    BookingStatus.REFUSED: set(),
    BookingStatus.CANCELLED: set(),
}

WEEKDAYS = [
    (0, _("周一")),
    (1, _("周二")),
    (2, _("周三")),
    (3, _("周四")),
    (4, _("周五")),
    (5, _("周六")),
    (6, _("周日")),
]
