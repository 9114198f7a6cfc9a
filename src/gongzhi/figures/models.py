from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.places.models import Community


class Rollup(models.Model):
    """One community's figures for one calendar year, as the worker last counted them
    (``figures.rollups``): the parts every figure of a subdistrict or a city is summed
    from, and the month-by-month counts of the trends. Derived data, recounted whole from
    the records; never edited."""

    scope_columns = {"community": "community_id"}

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("社区")
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    # The last day counted: the year's end, or the day of the count in the current year.
    through = models.DateField(_("统计截至"))
    parts = models.JSONField(default=dict)
    monthly = models.JSONField(default=dict)
    counted_at = models.DateTimeField(_("统计时间"))

    class Meta:
        verbose_name = _("年度数字汇总")
        verbose_name_plural = _("年度数字汇总")
        constraints = [
            models.UniqueConstraint(fields=["community", "year"], name="figures_rollup_unique")
        ]

    def __str__(self):
        return f"{self.community_id}/{self.year}"
