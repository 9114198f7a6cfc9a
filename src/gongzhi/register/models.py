"""An import of the household register is a job: the upload is checked in the request and
stored (sealed) on the job, the rows are validated and written by a worker, and the job
row records where it got to. Progress between phase changes lives in the cache (see ``services``), because the
import transaction holds SQLite's write lock and the job row cannot be updated meanwhile."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedTextField
from gongzhi.places.models import Community


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    VALIDATING = "validating", _("正在检查")
    IMPORTING = "importing", _("正在导入")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未导入")


IMPORT_TRANSITIONS = {
    ImportStatus.QUEUED: {ImportStatus.VALIDATING, ImportStatus.FAILED},
    # Back to QUEUED only from the sweep, when the worker running it was lost (its lease
    # lapsed); the import's one transaction had written nothing.
    ImportStatus.VALIDATING: {ImportStatus.IMPORTING, ImportStatus.FAILED, ImportStatus.QUEUED},
    ImportStatus.IMPORTING: {ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.QUEUED},
    ImportStatus.DONE: set(),
    ImportStatus.FAILED: set(),
}

FINISHED = {ImportStatus.DONE, ImportStatus.FAILED}


class ImportJob(models.Model):
    scope_columns = {"community": "community_id"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("数据行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增居民"), default=0)
    updated_count = models.PositiveIntegerField(_("更新居民"), default=0)
    unchanged_count = models.PositiveIntegerField(_("无变化居民"), default=0)
    households_created = models.PositiveIntegerField(_("新增住户"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    # [{"row": 12, "column": "身份证号", "message": "..."}]: no personal data, only where and why.
    error_report = models.JSONField(_("错误报告"), default=list, blank=True)
    # The cells of the rows that failed, for the downloadable error sheet; these hold ID
    # numbers and phones, so they are sealed like any other personal data.
    error_rows = EncryptedTextField(blank=True, default="")
    message = models.CharField(_("说明"), max_length=300, blank=True)
    # The uploaded file until the job ends, sealed with core.crypto (it holds ID numbers),
    # so that any worker can run the job, and run it again after a crash. Not an
    # EncryptedTextField: only the worker opens it, never a page that lists jobs.
    upload = models.TextField(blank=True, default="", editable=False)
    runs = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "-created_at"], name="importjob_comm_created")]

    def __str__(self):
        return self.file_name

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("正在导出")
    DONE = "done", _("已完成")
    FAILED = "failed", _("导出失败")


class ExportJob(models.Model):
    """A large export, written by a worker. The file is sealed with core.crypto (it holds
    names, and ID numbers and phones when revealed), readable only by the person who asked
    for it, and deleted ``EXPORT_KEEP`` after it is written (the sweep)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("导出人"),
    )
    building = models.ForeignKey(
        "places.Building", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    grid = models.ForeignKey(
        "places.Grid", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reveal = models.BooleanField(default=False)
    reason = models.CharField(max_length=30, blank=True)
    reason_note = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    row_count = models.PositiveIntegerField(_("导出人数"), default=0)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    file = models.TextField(blank=True, default="", editable=False)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("删除时间"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.file_name or str(self.pk)

    @property
    def finished(self) -> bool:
        return self.status in {ExportStatus.DONE, ExportStatus.FAILED}
