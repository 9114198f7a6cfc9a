"""The place tree — subdistrict → community → grid → compound → building → entrance →
household — and the residents who live in it.

Nodes below the community carry the ids of all their ancestors (``community``, ``grid``,
``compound``...). That denormalisation is what makes scoping one indexed ``IN`` per level
instead of a chain of joins; ``places.services`` keeps it true when a node moves.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedTextField
from gongzhi.core.identity import mask_id_number, mask_phone
from gongzhi.core.models import AppendOnlyModel
from gongzhi.core.text import grid_number

from .enums import (
    ADVANCED_AGE,
    ELDERLY_AGE,
    ContactMethod,
    Gender,
    Relation,
    Residence,
    ResidentStatus,
)


class Subdistrict(models.Model):
    scope_level = "subdistrict"
    scope_columns = {"subdistrict": "id"}

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    district = models.CharField(_("所属区县"), max_length=100, blank=True)
    city = models.CharField(_("所属城市"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("街道")
        verbose_name_plural = _("街道")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def ancestor_ids(self) -> dict[str, int]:
        return {}


class Community(models.Model):
    scope_level = "community"
    scope_columns = {"community": "id"}

    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, related_name="communities", verbose_name=_("街道")
    )
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    founded_on = models.DateField(_("成立时间"), null=True, blank=True)
    area_km2 = models.DecimalField(
        _("面积（平方公里）"), max_digits=6, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def ancestor_ids(self) -> dict[str, int]:
        return {"subdistrict": self.subdistrict_id}


class Grid(models.Model):
    scope_level = "grid"
    scope_columns = {"community": "community_id", "grid": "id"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="grids", verbose_name=_("社区")
    )
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    # The grid's number (第十二网格 → 12), so that 第二 comes before 第十二 and WJ-G2 before
    # WJ-G10 (``core.text.grid_number``).
    sort_key = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["community_id", "sort_key", "code"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.sort_key = grid_number(self.name, self.code)
        super().save(*args, **kwargs)

    def ancestor_ids(self) -> dict[str, int]:
        return {"subdistrict": self.community.subdistrict_id, "community": self.community_id}


class Compound(models.Model):
    """小区: a residential compound, often with its own party branch and self-governance body."""

    scope_level = "compound"
    scope_columns = {"community": "community_id", "grid": "grid_id", "compound": "id"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="compounds", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, related_name="compounds", verbose_name=_("网格")
    )
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["community_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="compound_unique_name")
        ]

    def __str__(self):
        return self.name

    def ancestor_ids(self) -> dict[str, int]:
        return {
            "subdistrict": self.community.subdistrict_id,
            "community": self.community_id,
            "grid": self.grid_id,
        }


class Building(models.Model):
    scope_level = "building"
    scope_columns = {
        "community": "community_id",
        "grid": "grid_id",
        "compound": "compound_id",
        "building": "id",
    }

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("网格")
    )
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("小区")
    )
    number = models.CharField(_("楼栋号"), max_length=20, help_text=_("例如 3 或 12A"))
    floors = models.PositiveSmallIntegerField(_("层数"))
    has_lift = models.BooleanField(_("有电梯"), default=False)
    year_built = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # The digits of ``number``, so that 2栋 sorts before 10栋.
    sort_key = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["community_id", "sort_key", "number"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="building_unique_number")
        ]

    def __str__(self):
        return _("%(number)s栋") % {"number": self.number}

    def save(self, *args, **kwargs):
        digits = "".join(ch for ch in self.number if ch.isdigit())
        self.sort_key = int(digits) if digits else 0
        super().save(*args, **kwargs)

    def ancestor_ids(self) -> dict[str, int]:
        return {
            "subdistrict": self.community.subdistrict_id,
            "community": self.community_id,
            "grid": self.grid_id,
            "compound": self.compound_id,
        }


class Entrance(models.Model):
    """单元: one stairwell of a building."""

    scope_level = "entrance"
    scope_columns = {
        "community": "community_id",
        "grid": "grid_id",
        "compound": "compound_id",
        "building": "building_id",
        "entrance": "id",
    }

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="entrances", verbose_name=_("楼栋")
    )
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(_("单元号"))

    class Meta:
        verbose_name = _("单元")
        verbose_name_plural = _("单元")
        ordering = ["building_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="entrance_unique_number")
        ]

    def __str__(self):
        return _("%(building)s%(number)s单元") % {"building": self.building, "number": self.number}

    def ancestor_ids(self) -> dict[str, int]:
        return {
            "subdistrict": self.building.community.subdistrict_id,
            "community": self.community_id,
            "grid": self.grid_id,
            "compound": self.compound_id,
            "building": self.building_id,
        }


class Household(models.Model):
    scope_level = "household"
    scope_columns = {
        "community": "community_id",
        "grid": "grid_id",
        "compound": "compound_id",
        "building": "building_id",
        "entrance": "entrance_id",
        "household": "id",
    }

    entrance = models.ForeignKey(
        Entrance, on_delete=models.PROTECT, related_name="households", verbose_name=_("单元")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="households", verbose_name=_("楼栋")
    )
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="households")
    door_number = models.CharField(_("门牌号"), max_length=20, help_text=_("例如 501"))
    floor = models.SmallIntegerField(_("楼层"))
    # "3栋2单元501": what people say and type; kept for search and display.
    address_label = models.CharField(_("地址"), max_length=80, db_index=True, editable=False)
    # "3-2-501": the short form desks use.
    address_code = models.CharField(max_length=40, db_index=True, editable=False)

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        ordering = ["building_id", "entrance_id", "floor", "door_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["entrance", "door_number"], name="household_unique_door"
            )
        ]

    def __str__(self):
        return self.address_label

    def ancestor_ids(self) -> dict[str, int]:
        return {
            "subdistrict": Community.objects.values_list("subdistrict_id", flat=True).get(
                pk=self.community_id
            ),
            "community": self.community_id,
            "grid": self.grid_id,
            "compound": self.compound_id,
            "building": self.building_id,
            "entrance": self.entrance_id,
        }

    @staticmethod
    def labels_for(building_number: str, entrance_number: int, door_number: str) -> tuple[str, str]:
        return (
            f"{building_number}栋{entrance_number}单元{door_number}",
            f"{building_number}-{entrance_number}-{door_number}",
        )


class Area(models.Model):
    """片区: a named group of buildings used for a campaign, e.g. the 望江片区 survey area."""

    scope_columns = {"community": "community_id"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="areas", verbose_name=_("社区")
    )
    name = models.CharField(_("名称"), max_length=100)
    buildings = models.ManyToManyField(Building, related_name="areas", verbose_name=_("楼栋"))

    class Meta:
        verbose_name = _("片区")
        verbose_name_plural = _("片区")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="area_unique_name")
        ]

    def __str__(self):
        return self.name


class CareTag(models.Model):
    """关爱标签: lives alone, disabled, low income, key care... Age 60+ is not a tag: it is
    computed from the birth date so that it never goes stale."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    # Shown to readers of the English pages; empty: the name as it is.
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("关爱标签")
        verbose_name_plural = _("关爱标签")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class ResidentQuerySet(models.QuerySet):
    def living(self):
        return self.filter(status=ResidentStatus.LIVING)

    def elderly(self, on: dt.date | None = None):
        return self.filter(birth_date__lte=elderly_cutoff(on))

    def advanced_age(self, on: dt.date | None = None):
        return self.filter(birth_date__lte=elderly_cutoff(on, age=ADVANCED_AGE))


def elderly_cutoff(on: dt.date | None = None, *, age: int = ELDERLY_AGE) -> dt.date:
    """Born on or before this date means aged ``age`` (60 unless said) or over on ``on``."""
    on = on or timezone.localdate()
    try:
        return on.replace(year=on.year - age)
    except ValueError:  # 29 February
        return on.replace(year=on.year - age, day=28)


PATTERN_OPS = "varchar_pattern_ops"
NAME_KEYS = (
    ("name_simplified", "name"),
    ("name_tail", "tail"),
    ("name_pinyin", "pinyin"),
    ("name_initials", "initials"),
)


class Resident(models.Model):
    scope_columns = {
        "community": "community_id",
        "grid": "grid_id",
        "compound": "compound_id",
        "building": "building_id",
        "entrance": "entrance_id",
        "household": "household_id",
    }

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="residents", verbose_name=_("住户")
    )
    entrance = models.ForeignKey(Entrance, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="residents")

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(
        _("性别"), max_length=1, choices=Gender.choices, default=Gender.UNKNOWN
    )
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = EncryptedTextField(_("身份证号"), blank=True, default="")
    id_number_bidx = models.CharField(max_length=40, blank=True, default="", editable=False)
    phone = EncryptedTextField(_("手机号"), blank=True, default="")
    phone_bidx = models.CharField(max_length=40, blank=True, default="", editable=False)
    # The last four digits are shown by the mask anyway; kept clear for "尾号" search.
    phone_last4 = models.CharField(max_length=4, blank=True, default="", editable=False)
    relation = models.CharField(
        _("与户主关系"), max_length=20, choices=Relation.choices, default=Relation.HEAD
    )
    residence = models.CharField(
        _("人户状态"), max_length=20, choices=Residence.choices, default=Residence.BOTH
    )
    registered_address = models.CharField(_("户籍地址"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ResidentStatus.choices, default=ResidentStatus.LIVING
    )
    care_tags = models.ManyToManyField(
        CareTag, blank=True, related_name="residents", verbose_name=_("关爱标签")
    )
    note = models.TextField(_("备注"), blank=True)

    # Search keys, derived from the name on every write (see places.services).
    name_simplified = models.CharField(max_length=50, editable=False, default="")
    name_pinyin = models.CharField(max_length=120, editable=False, default="")
    name_initials = models.CharField(max_length=20, editable=False, default="")
    # The name after its first character: "三丰" of 张三丰, so that a given name is found
    # by an indexed prefix match instead of a scan for a substring.
    name_tail = models.CharField(max_length=50, editable=False, default="")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResidentQuerySet.as_manager()

    # Encrypted field → (blind-index column, purpose); read by `manage.py rotate_keys --reindex`.
    BLIND_INDEXES = {"id_number": ("id_number_bidx", "id_number"), "phone": ("phone_bidx", "phone")}

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["household_id", "id"]
        # Name keys are matched by prefix (LIKE 'x%'). On PostgreSQL the pattern operator
        # class lets the index serve LIKE under any database collation; elsewhere the
        # opclasses are ignored. (community, key) serves staff of one or a few
        # communities and the bare key a city-wide search; a grid is small enough for
        # its foreign-key index.
        indexes = [
            models.Index(fields=["id_number_bidx"], name="resident_id_bidx"),
            models.Index(fields=["phone_bidx"], name="resident_phone_bidx"),
            *[
                models.Index(
                    fields=["community", key],
                    name=f"resident_comm_{short}",
                    opclasses=["int8_ops", PATTERN_OPS],
                )
                for key, short in NAME_KEYS
            ],
            *[
                models.Index(fields=[key], name=f"resident_{short}", opclasses=[PATTERN_OPS])
                for key, short in NAME_KEYS
            ],
            models.Index(fields=["community", "phone_last4"], name="resident_comm_phone4"),
            models.Index(fields=["community", "birth_date"], name="resident_comm_birth"),
        ]
        constraints = [
            # One person, one record: the blind index of a given ID number appears once.
            models.UniqueConstraint(
                fields=["id_number_bidx"],
                condition=~Q(id_number_bidx=""),
                name="resident_unique_id_number",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def age(self, on: dt.date | None = None) -> int | None:
        if not self.birth_date:
            return None
        on = on or timezone.localdate()
        return (
            on.year
            - self.birth_date.year
            - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))
        )

    @property
    def is_elderly(self) -> bool:
        return bool(self.birth_date and self.birth_date <= elderly_cutoff())

    @property
    def is_advanced_age(self) -> bool:
        return bool(self.birth_date and self.birth_date <= elderly_cutoff(age=ADVANCED_AGE))


class ResidentStatusChange(AppendOnlyModel):
    """History of a resident's status: moved in, moved out, deceased. Never edited."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=ResidentStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ResidentStatus.choices)
    effective_on = models.DateField(_("生效日期"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("居民状态变更")
        verbose_name_plural = _("居民状态变更")


class ContactLog(AppendOnlyModel):
    """走访记录: a post holder visited, phoned or met a resident. Never edited. Read only
    through a resident one may see (like the status history), so it carries no place
    columns of its own; the care lists show the latest as the resident's last contact."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="contacts")
    visited_on = models.DateField(_("走访日期"))
    method = models.CharField(
        _("方式"), max_length=20, choices=ContactMethod.choices, default=ContactMethod.HOME_VISIT
    )
    note = models.TextField(_("情况记录"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        indexes = [models.Index(fields=["resident", "visited_on"], name="contact_resident_day")]

    def __str__(self):
        return f"{self.resident_id} {self.visited_on:%Y-%m-%d}"
