"""Exemplars (微典型): nominations, the stories staff write from them, the person's consent,
and the community's commendations by year.

What a resident wrote (a nomination's ``reasons``) stays with staff; the public sees only
a story's ``title`` and ``text`` as staff wrote and checked them, and only while the story
is published with the person's consent on record. Nominations, stories and commendations
carry the nominee's community and grid, so ``core.scoping`` filters them without a join.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AppendOnlyModel
from gongzhi.deliberation.models import Talent
from gongzhi.places.models import Community, Grid, Resident

from .enums import Category, ConsentMethod, NominationStatus, Source, StoryStatus

NAME_MAX = 40
HINT_MAX = 80
REASONS_MAX = 800
REASON_MAX = 200
TITLE_MAX = 60
TEXT_MAX = 3000
CITATION_MAX = 300
NOTE_MAX = 200


class Nomination(models.Model):
    scope_columns = {"community": "community_id", "grid": "grid_id"}

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    # The nominee's grid once known; until then the nominator's.
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    # As the nominator wrote it; staff confirm who is meant (``nominee``) before review.
    nominee_name = models.CharField(_("被推荐人"), max_length=NAME_MAX)
    nominee_hint = models.CharField(_("住在哪里"), max_length=HINT_MAX, blank=True)
    nominee = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    talent = models.ForeignKey(
        Talent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Never public: staff read it to decide and to write the story.
    reasons = models.TextField(_("推荐理由"), max_length=REASONS_MAX)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    nominator = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=NominationStatus.choices,
        default=NominationStatus.NOMINATED,
    )
    decision_reason = models.CharField(_("说明"), max_length=REASON_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("微典型推荐")
        verbose_name_plural = _("微典型推荐")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "status"], name="nomination_by_status")]

    def __str__(self):
        return _("微典型推荐%(pk)s") % {"pk": self.pk}


class NominationEvent(AppendOnlyModel):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=NominationStatus.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.CharField(max_length=REASON_MAX, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class Story(models.Model):
    scope_columns = {"community": "community_id", "grid": "grid_id"}

    nomination = models.OneToOneField(Nomination, on_delete=models.PROTECT, related_name="story")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    text = models.TextField(_("正文"), max_length=TEXT_MAX)
    status = models.CharField(
        _("状态"), max_length=12, choices=StoryStatus.choices, default=StoryStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.CharField(max_length=REASON_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("微典型故事")
        verbose_name_plural = _("微典型故事")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(
                fields=["community", "-published_at"],
                condition=Q(status="published"),
                name="story_published",
            )
        ]

    def __str__(self):
        return self.title


class StoryPhoto(models.Model):
    """A photo of a story, written anew without its EXIF block (``core.uploads``)."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="exemplars/%Y/%m/")
    thumbnail = models.FileField(upload_to="exemplars/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return _("照片%(pk)s") % {"pk": self.pk}


class Consent(models.Model):
    """The person's consent to a story being public: who recorded it, when, how. Written
    once; a withdrawal is noted on it (once) and unpublishes the story at once. A later
    consent is a new row."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="consents")
    method = models.CharField(_("同意方式"), max_length=20, choices=ConsentMethod.choices)
    note = models.CharField(_("说明"), max_length=NOTE_MAX, blank=True)
    # The signed form, photographed; seen only by staff.
    form_photo = models.FileField(upload_to="exemplars/consent/%Y/%m/", blank=True)
    given_on = models.DateField(_("同意日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdraw_note = models.CharField(max_length=NOTE_MAX, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["story"], condition=Q(withdrawn_at__isnull=True), name="one_live_consent"
            )
        ]

    def __str__(self):
        return _("本人同意%(pk)s") % {"pk": self.pk}

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class Commendation(models.Model):
    """A commendation of the community (e.g. 2025年度最美志愿者), public with the person's
    consent, recorded with it."""

    scope_columns = {"community": "community_id", "grid": "grid_id"}

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("称号"), max_length=20, choices=Category.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    citation = models.CharField(_("事迹简介"), max_length=CITATION_MAX)
    story = models.ForeignKey(
        Story, on_delete=models.SET_NULL, null=True, blank=True, related_name="commendations"
    )
    consent_method = models.CharField(
        _("本人同意方式"), max_length=20, choices=ConsentMethod.choices
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("表彰")
        verbose_name_plural = _("表彰")
        ordering = ["-year", "title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "year", "title", "resident"], name="commendation_once"
            )
        ]

    def __str__(self):
        return f"{self.year} {self.get_title_display()}"
