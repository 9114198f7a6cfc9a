"""A work report's own words: the title and the paragraphs its authors wrote around the
figures, for one area (a community or a subdistrict) and one period.

The figures are not kept here: they are counted from the records each time the report is
shown or downloaded (``reports.builder``), so they cannot be typed over and the same
records always give the same figures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.places.models import Community, Subdistrict

TITLE_MAX = 100
PARAGRAPH_MAX = 2000


class WorkReport(models.Model):
    scope_columns = {"community": "community_id", "subdistrict": "subdistrict_id"}

    # Exactly one of the two: the area the report speaks for.
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    title = models.CharField(_("标题"), max_length=TITLE_MAX, blank=True)
    # {section key: the paragraph its authors wrote}; figures are never in here.
    paragraphs = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("工作报告")
        verbose_name_plural = _("工作报告")
        constraints = [
            models.CheckConstraint(
                condition=Q(community__isnull=False, subdistrict__isnull=True)
                | Q(community__isnull=True, subdistrict__isnull=False),
                name="report_one_area",
            ),
            models.UniqueConstraint(
                fields=["community", "start", "end"],
                condition=Q(community__isnull=False),
                name="report_community_period_unique",
            ),
            models.UniqueConstraint(
                fields=["subdistrict", "start", "end"],
                condition=Q(subdistrict__isnull=False),
                name="report_subdistrict_period_unique",
            ),
        ]

    def __str__(self) -> str:
        area = self.community or self.subdistrict
        return f"{area} {self.start:%Y-%m-%d}—{self.end:%Y-%m-%d}"
