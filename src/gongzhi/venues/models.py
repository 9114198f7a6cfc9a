"""Venues (阵地 / 微阵地): the party activity position, grid stations, consultation corners,
pocket parks, the rainbow walkway and shared spaces for all ages — what each is for, when
it is open, and who has booked it.

A venue belongs to a community (and, for a grid station, to its grid) and is scoped by
``core.scoping`` through those columns. Bookings never overlap: the service checks under a
lock on the venue row, and on PostgreSQL an exclusion constraint over the booked time
range says the same thing to anything that writes around the service (see the migration).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AppendOnlyModel
from gongzhi.orgs.models import Team
from gongzhi.places.models import Community, Grid

from .enums import HOLDING, WEEKDAYS, BookingStatus, VenueKind

NAME_MAX = 80
PURPOSE_MAX = 200
REASON_MAX = 200


class Venue(models.Model):
    scope_columns = {"community": "community_id", "grid": "grid_id"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="venues", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        Grid,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="venues",
        verbose_name=_("网格"),
    )
    kind = models.CharField(_("类别"), max_length=30, choices=VenueKind.choices)
    name = models.CharField(_("名称"), max_length=NAME_MAX)
    address = models.CharField(_("位置"), max_length=120, blank=True)
    purposes = models.CharField(_("用途"), max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField(_("可容纳人数"), default=20)
    needs_approval = models.BooleanField(_("预约需社区审批"), default=True)
    is_active = models.BooleanField(_("开放预约"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("场地")
        verbose_name_plural = _("场地")
        ordering = ["community_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="venue_unique_name")
        ]

    def __str__(self):
        return self.name


class OpeningPeriod(models.Model):
    """One open period on one weekday (a venue may open morning and afternoon)."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=WEEKDAYS)
    opens = models.TimeField(_("开放"))
    closes = models.TimeField(_("关闭"))

    class Meta:
        ordering = ["venue_id", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__lt=models.F("closes")), name="period_opens_first"
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Booking(models.Model):
    scope_columns = {"community": "community_id", "grid": "grid_id"}

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="bookings")
    # The venue's place columns, copied: the scoping filter needs no join.
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    purpose = models.CharField(_("用途"), max_length=PURPOSE_MAX)
    # Who holds the booking: a team, or a group or residents' representatives by name.
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    organiser = models.CharField(_("组织方"), max_length=NAME_MAX)
    expected = models.PositiveSmallIntegerField(_("预计人数"))
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="venue_bookings"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.REQUESTED
    )
    reason = models.CharField(_("说明"), max_length=REASON_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(
                fields=["venue", "starts_at"],
                condition=Q(status__in=HOLDING),
                name="booking_holding_by_venue",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="booking_starts_first"
            )
        ]

    def __str__(self):
        return f"{self.venue} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


class BookingEvent(AppendOnlyModel):
    """A booking's history: requested, approved, refused, cancelled — who and when."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12, choices=BookingStatus.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.CharField(max_length=REASON_MAX, blank=True)

    class Meta:
        ordering = ["at", "pk"]
