from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("This history is append-only.")

    def delete(self):
        raise TypeError("This history is append-only.")


class AppendOnlyModel(models.Model):
    """Rows are written once. Corrections are new rows; PostgreSQL enforces this with a
    trigger too (see the core migrations), so a stray UPDATE from a shell fails."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("This history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("This history is append-only.")


class AuditEvent(AppendOnlyModel):
    """Who did what to which record, when. ``action`` is dotted: ``places.resident.created``,
    ``places.resident.revealed``. Rendered to text in ``core.audit.describe``."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=80, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    # Field names that changed, with old/new values; personal data is never written here
    # in clear (the service passes masked values).
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    # Where the event happened, so that a reader sees the log of their own region
    # (``core.scoping``). Plain ids, not foreign keys: ``core`` knows no place model, and a
    # history must outlive what it names. An event about one community carries its id; one
    # about a subdistrict as a whole (a subdistrict post) carries the subdistrict's; an
    # event about a person's login or token carries neither and is read by operators only.
    subdistrict_id = models.BigIntegerField(null=True, blank=True, editable=False)
    community_id = models.BigIntegerField(null=True, blank=True, editable=False)

    scope_columns = {"subdistrict": "subdistrict_id", "community": "community_id"}

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["community_id", "-at"], name="auditevent_community_at"),
            models.Index(fields=["subdistrict_id", "-at"], name="auditevent_subdistrict_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class HolidaySchedule(models.Model):
    """One year's public holidays and make-up working days (调休), as the State Council
    publishes them each November or December for the year after. ``core.workcal`` uses an
    entered schedule for its year before the ``chinese_calendar`` package, so operators can
    enter a year the package does not know yet, or correct one it has wrong. Written only
    through ``core.holidays.holiday_schedule_save``."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    # Where the dates come from: the notice's title or number (国办发明电〔…〕…号).
    source = models.CharField(_("依据"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("更新人"),
    )

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["-year"]

    def __str__(self):
        return str(_("%(year)d年节假日安排") % {"year": self.year})


class HolidayPeriod(models.Model):
    """Days off in a row (a holiday with the weekend days it is joined to)."""

    schedule = models.ForeignKey(HolidaySchedule, on_delete=models.CASCADE, related_name="periods")
    name = models.CharField(_("节日"), max_length=20)
    first_day = models.DateField(_("放假第一天"))
    last_day = models.DateField(_("放假最后一天"))

    class Meta:
        verbose_name = _("放假安排")
        verbose_name_plural = _("放假安排")
        ordering = ["first_day", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_day__lte=models.F("last_day")),
                name="holiday_period_in_order",
            )
        ]

    def __str__(self):
        return f"{self.name} {self.first_day:%Y-%m-%d}–{self.last_day:%Y-%m-%d}"


class MakeUpDay(models.Model):
    """A Saturday or Sunday worked in exchange for a day of a holiday (调休上班)."""

    schedule = models.ForeignKey(
        HolidaySchedule, on_delete=models.CASCADE, related_name="make_up_days"
    )
    day = models.DateField(_("调休上班日"))
    name = models.CharField(_("对应节日"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("调休上班日")
        verbose_name_plural = _("调休上班日")
        ordering = ["day", "id"]
        constraints = [models.UniqueConstraint(fields=["schedule", "day"], name="make_up_day_once")]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.name}"
