"""Writes for the household register import and export.

An import is all or nothing: ``register_import_validate`` reads every row and collects
every error without writing; ``register_import_apply`` writes a clean validation in one
transaction. Both use the same field helpers as the single-record path
(``places.services.apply_name``, ``apply_identity``, ``place_resident``), so a value
refused at the desk is refused in a spreadsheet too. Residents are matched by the blind
index of their ID number, which makes importing the same file twice a no-op.

An export hands out masked ID numbers and phones unless the user asks for them in full
and holds ``reveal_pii`` over the residents; each such export is one audit event listing
the residents revealed.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import logging
import re
import tempfile
import threading
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, Value
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from gongzhi.core import audit, crypto
from gongzhi.core.bulk import bulk_insert
from gongzhi.core.exports import Workbook, export_notice, unquote_cell
from gongzhi.core.identity import mask_id_number, mask_phone
from gongzhi.core.reasons import clean_reveal_reason
from gongzhi.core.scoping import require, scope_for
from gongzhi.core.tasks import enqueue
from gongzhi.places.enums import Relation, Residence, ResidentStatus
from gongzhi.places.models import (
    Building,
    CareTag,
    Community,
    Entrance,
    Grid,
    Household,
    Resident,
    ResidentStatusChange,
)
from gongzhi.places.selectors import resident_list_visible_to
from gongzhi.places.services import apply_identity, apply_name, place_resident

from .models import (
    FINISHED,
    IMPORT_TRANSITIONS,
    ExportJob,
    ExportStatus,
    ImportJob,
    ImportStatus,
)

logger = logging.getLogger(__name__)

# The file format. Headers are data, not UI: a file filled in under any UI language must
# import the same, so they are not translated.
COL_BUILDING = "楼栋号"
COL_ENTRANCE = "单元号"
COL_DOOR = "门牌号"
COL_FLOOR = "楼层"
COL_NAME = "姓名"
COL_ID = "身份证号"
COL_PHONE = "手机号"
COL_RELATION = "与户主关系"
COL_RESIDENCE = "人户状态"
COL_ADDRESS = "户籍地址"
COL_TAGS = "关爱标签"
COL_NOTE = "备注"
COLUMNS = [
    COL_BUILDING,
    COL_ENTRANCE,
    COL_DOOR,
    COL_FLOOR,
    COL_NAME,
    COL_ID,
    COL_PHONE,
    COL_RELATION,
    COL_RESIDENCE,
    COL_ADDRESS,
    COL_TAGS,
    COL_NOTE,
]
REQUIRED_COLUMNS = [COL_BUILDING, COL_ENTRANCE, COL_DOOR, COL_FLOOR, COL_NAME, COL_ID]
# Columns kept as text in the template so that spreadsheets do not turn an ID number into
# 5.10402E+17 or drop a leading zero.
TEXT_COLUMNS = {COL_BUILDING, COL_DOOR, COL_ID, COL_PHONE}
COL_ERRORS = "错误说明"
COL_STATUS = "状态"
SHEET_DATA = "居民登记"
SHEET_HELP = "填写说明"
HEADER_SEARCH_ROWS = 3

TAG_SEPARATORS = re.compile(r"[,，、;；\s]+")
ZIP_MAGIC = b"PK\x03\x04"
BATCH = 500
PROGRESS_EVERY = 500
# Errors kept on the job for display and download; validation still counts them all.
ERROR_LIMIT = 2000


def max_rows() -> int:
    return getattr(settings, "GONGZHI_REGISTER_MAX_ROWS", 200_000)


def max_unzipped_bytes() -> int:
    # A 200,000-row sheet unpacks to well under this; a zip bomb does not.
    return getattr(settings, "GONGZHI_REGISTER_MAX_UNZIPPED_BYTES", 400 * 1024 * 1024)


class UploadRejected(Exception):
    """The file cannot be read as a register at all. The message is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ImportConflict(Exception):
    """The database changed between validation and import; nothing was written."""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ParsedRow:
    row: int
    entrance: Entrance
    door_number: str
    floor: int
    # A resident not yet saved, carrying the validated name, identity and phone.
    resident: Resident
    phone_given: bool
    relation: str | None
    residence: str | None
    registered_address: str | None
    note: str | None
    tag_ids: list[int] | None
    cells: list[str]


@dataclass
class Validation:
    community: Community
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Cells (as text, in COLUMNS order) of rows with errors, for the error sheet.
    error_cells: dict[int, list[str]] = field(default_factory=dict)
    rows_total: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    households_created: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "households_created": self.households_created,
        }


Progress = Callable[[str, int, int], None]


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


# --------------------------------------------------------------------------- reading


def _filesize(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{max(n, 1) // 1024 or 1} KB"


def check_upload_size(size: int) -> None:
    if not size:
        raise UploadRejected(_("上传的文件是空的，请选择填写好的登记表。"))
    limit = settings.GONGZHI_MAX_UPLOAD_BYTES
    if size > limit:
        raise UploadRejected(
            _("文件太大（%(size)s），最大允许 %(max)s。请分成几个文件导入。")
            % {"size": _filesize(size), "max": _filesize(limit)}
        )


def _open_workbook(data: bytes):
    """Open an upload as a read-only workbook, refusing anything that is not a sound .xlsx
    before the spreadsheet library spends time or memory on it."""
    check_upload_size(len(data))
    not_xlsx = _(
        "文件不是 Excel 工作簿（.xlsx）。旧版 .xls 或 CSV 文件请先在 Excel 或 WPS 中“另存为” .xlsx 格式再上传。"
    )
    if not data.startswith(ZIP_MAGIC):
        raise UploadRejected(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadRejected(not_xlsx) from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise UploadRejected(not_xlsx)
    if sum(info.file_size for info in infos) > max_unzipped_bytes():
        raise UploadRejected(
            _("表格内容过大，请分成几个文件导入（每个文件不超过%(n)d行）。") % {"n": max_rows()}
        )
    try:
        # calamine (Rust) reads a 12,000-row register about 15 times faster than
        # openpyxl's read-only mode; openpyxl still writes the template and exports.
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:
        # Whatever the library trips over, the person needs the same answer.
        raise UploadRejected(
            _("无法读取该文件，可能已损坏或不是居民登记表。请下载导入模板重新填写。")
        ) from None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    # Our exports quote text that would start a formula; the quote is not part of it.
    return unquote_cell(str(value).strip())


@dataclass
class _Sheet:
    columns: dict[str, int]
    rows: Iterator[tuple[int, list[str]]]
    estimated_rows: int


def _header_columns(values) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, value in enumerate(values):
        text = _cell_text(value).replace(" ", "").replace("*", "")
        if text in COLUMNS and text not in columns:
            columns[text] = index
    return columns


def _read_sheet(workbook) -> _Sheet:
    if not workbook.sheet_names:
        raise UploadRejected(_("表格中没有工作表。"))
    try:
        sheet = workbook.get_sheet_by_index(0)
        height = sheet.total_height
        if height - 1 > max_rows():
            raise UploadRejected(
                _("表格超过%(n)d行的上限，请分成几个文件导入。") % {"n": max_rows()}
            )
        table = sheet.to_python(skip_empty_area=False)
    except UploadRejected:
        raise
    except Exception:
        raise UploadRejected(
            _("无法读取该文件，可能已损坏或不是居民登记表。请下载导入模板重新填写。")
        ) from None
    # An unmasked export begins with a row naming who exported it; the column names are
    # the first row that has any, so that an edited export imports as it is.
    header_at, columns = 0, {}
    for number, candidate in enumerate(table[:HEADER_SEARCH_ROWS]):
        columns = _header_columns(candidate)
        if columns:
            header_at = number
            break
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise UploadRejected(
            _("表格缺少必填列：%(cols)s。请使用导入模板，第一行为列名。")
            % {"cols": "、".join(missing)}
        )

    order = [columns.get(c) for c in COLUMNS]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, values in enumerate(table[header_at + 1 :], start=header_at + 2):
            if not values or all(
                v is None or (isinstance(v, str) and not v.strip()) for v in values
            ):
                continue
            width = len(values)
            yield (
                number,
                [_cell_text(values[i]) if i is not None and i < width else "" for i in order],
            )

    return _Sheet(columns=columns, rows=rows(), estimated_rows=max(len(table) - header_at - 1, 0))


def register_upload_check(*, data: bytes) -> int:
    """Refuse an upload that is not a readable register (size, format, required columns).
    Returns the number of data rows the sheet declares (0 when it does not say)."""
    workbook = _open_workbook(data)
    return _read_sheet(workbook).estimated_rows


# --------------------------------------------------------------------------- validating


def _choices_by_label(choices) -> dict[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        return {str(label): value for value, label in choices}


def relation_labels() -> dict[str, str]:
    return _choices_by_label(Relation.choices)


def residence_labels() -> dict[str, str]:
    return _choices_by_label(Residence.choices)


def _first_message(exc: ValidationError, key: str) -> str | None:
    messages = exc.message_dict.get(key)
    return messages[0] if messages else None


def register_import_validate(
    *, community: Community, data: bytes, progress: Progress = _no_progress
) -> Validation:
    """Read every row of an uploaded register and check it against the community's
    buildings, entrances, labels and the residents already registered. Writes nothing.
    Raises ``UploadRejected`` when the file itself cannot be used."""
    workbook = _open_workbook(data)
    sheet = _read_sheet(workbook)
    return _validate_rows(community, sheet, progress)


def _validate_rows(community: Community, sheet: _Sheet, progress: Progress) -> Validation:
    result = Validation(community=community)
    buildings = {b.number: b for b in Building.objects.filter(community=community)}
    entrances = {
        (e.building_id, e.number): e
        for e in Entrance.objects.filter(community=community).select_related("building")
    }
    tags = {t.name: t.pk for t in CareTag.objects.all()}
    relations, residences = relation_labels(), residence_labels()
    relation_hint, residence_hint = "、".join(relations), "、".join(residences)
    tag_hint = "、".join(tags)
    seen_ids: dict[str, int] = {}
    rows_by_bidx: dict[str, ParsedRow] = {}
    limit = max_rows()
    total = sheet.estimated_rows

    count = 0
    for number, cells in sheet.rows:
        count += 1
        if count > limit:
            raise UploadRejected(_("表格超过%(n)d行的上限，请分成几个文件导入。") % {"n": limit})
        if count % PROGRESS_EVERY == 0:
            progress(ImportStatus.VALIDATING, count, max(total, count))
        (
            building_no,
            entrance_no,
            door,
            floor_text,
            name,
            id_number,
            phone,
            relation_text,
            residence_text,
            address,
            tags_text,
            note,
        ) = cells
        row_errors: list[RowError] = []

        def err(column: str, message: str, _row=number, _errs=row_errors) -> None:
            _errs.append(RowError(_row, column, message))

        building = entrance = None
        if not building_no:
            err(COL_BUILDING, _("请填写楼栋号。"))
        else:
            building = buildings.get(building_no)
            if building is None:
                err(COL_BUILDING, _("本社区没有“%(b)s”号楼栋，请核对楼栋号。") % {"b": building_no})
        if not entrance_no:
            err(COL_ENTRANCE, _("请填写单元号。"))
        elif not entrance_no.isdigit():
            err(COL_ENTRANCE, _("单元号应为数字，例如 1。"))
        elif building is not None:
            entrance = entrances.get((building.pk, int(entrance_no)))
            if entrance is None:
                err(
                    COL_ENTRANCE, _("%(b)s栋没有%(e)s单元。") % {"b": building_no, "e": entrance_no}
                )
        if not door:
            err(COL_DOOR, _("请填写门牌号。"))
        elif len(door) > 20:
            err(COL_DOOR, _("门牌号不能超过20个字。"))
        floor = 0
        try:
            floor = int(floor_text)
        except ValueError:
            err(
                COL_FLOOR,
                _("请填写楼层（整数）。") if not floor_text else _("楼层应为整数，例如 5。"),
            )
        else:
            if building is not None and not (1 <= floor <= building.floors):
                err(COL_FLOOR, _("楼层应在1到%(n)d之间。") % {"n": building.floors})

        resident = Resident()
        try:
            apply_name(resident, name)
        except ValidationError as exc:
            err(COL_NAME, _first_message(exc, "name") or exc.messages[0])
        if not id_number:
            err(COL_ID, _("请填写身份证号。"))
        try:
            apply_identity(resident, id_number=id_number or None, phone=phone or None)
        except ValidationError as exc:
            if message := _first_message(exc, "id_number"):
                err(COL_ID, message)
            if message := _first_message(exc, "phone"):
                err(COL_PHONE, message)
        bidx = resident.id_number_bidx
        if bidx:
            first = seen_ids.get(bidx)
            if first is not None:
                err(COL_ID, _("与第%(row)d行的身份证号重复，同一人只能填写一行。") % {"row": first})
            else:
                seen_ids[bidx] = number

        relation = residence = None
        if relation_text:
            relation = relations.get(relation_text)
            if relation is None:
                err(
                    COL_RELATION,
                    _("无法识别“%(v)s”，可填写：%(all)s。")
                    % {"v": relation_text, "all": relation_hint},
                )
        if residence_text:
            residence = residences.get(residence_text)
            if residence is None:
                err(
                    COL_RESIDENCE,
                    _("无法识别“%(v)s”，可填写：%(all)s。")
                    % {"v": residence_text, "all": residence_hint},
                )
        if len(address) > 200:
            err(COL_ADDRESS, _("户籍地址不能超过200个字。"))
        tag_ids = None
        if tags_text:
            names = [t for t in TAG_SEPARATORS.split(tags_text) if t]
            unknown = [t for t in names if t not in tags]
            if unknown:
                err(
                    COL_TAGS,
                    _("无法识别的关爱标签“%(v)s”，可填写：%(all)s。")
                    % {"v": "、".join(unknown), "all": tag_hint},
                )
            else:
                tag_ids = sorted({tags[t] for t in names})

        if row_errors:
            _keep_error(result, number, cells, row_errors)
            continue
        parsed = ParsedRow(
            row=number,
            entrance=entrance,
            door_number=door,
            floor=floor,
            resident=resident,
            phone_given=bool(phone),
            relation=relation,
            residence=residence,
            registered_address=address or None,
            note=note or None,
            tag_ids=tag_ids,
            cells=cells,
        )
        result.rows.append(parsed)
        rows_by_bidx[bidx] = parsed
    result.rows_total = count
    progress(ImportStatus.VALIDATING, count, count)

    # One person, one record, across the whole city: an ID number registered in another
    # community is refused without saying where.
    elsewhere = _("该身份证号已登记在其他住户中，请核对或联系社区办理迁移。")
    for bidx, community_id in _existing_communities(list(rows_by_bidx)):
        if community_id != community.pk:
            parsed = rows_by_bidx[bidx]
            _keep_error(result, parsed.row, parsed.cells, [RowError(parsed.row, COL_ID, elsewhere)])
    if result.errors:
        result.errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column)))
        failed = {e.row for e in result.errors}
        result.rows = [r for r in result.rows if r.row not in failed]
    return result


def _keep_error(result: Validation, row: int, cells: list[str], row_errors: list[RowError]) -> None:
    result.errors.extend(row_errors)
    if len(result.error_cells) < ERROR_LIMIT:
        result.error_cells[row] = cells


def _existing_communities(bidxs: list[str]) -> Iterator[tuple[str, int]]:
    for start in range(0, len(bidxs), BATCH):
        chunk = bidxs[start : start + BATCH]
        yield from Resident.objects.filter(id_number_bidx__in=chunk).values_list(
            "id_number_bidx", "community_id"
        )


# --------------------------------------------------------------------------- importing

UPDATE_FIELDS = [
    "name",
    "name_simplified",
    "name_pinyin",
    "name_initials",
    "name_tail",
    "phone",
    "phone_bidx",
    "phone_last4",
    "relation",
    "residence",
    "registered_address",
    "note",
    "household",
    "entrance",
    "building",
    "compound",
    "grid",
    "community",
    "updated_at",
]
_COMPARED = [
    f
    for f in UPDATE_FIELDS
    if f not in {"household", "entrance", "building", "compound", "grid", "community", "updated_at"}
]


@transaction.atomic
def register_import_apply(
    *,
    actor,
    validation: Validation,
    job: ImportJob | None = None,
    progress: Progress = _no_progress,
) -> ImportResult:
    """Write a clean validation in one transaction: create the missing households, create
    the new residents (with their first status-history row), update the residents matched
    by ID number, set care tags, and record one ``register.import.completed`` event.
    Raises ``ImportConflict`` (and writes nothing) if the data changed since validation."""
    community = validation.community
    if actor is not None:
        require(actor, "import_register", community)
    if not validation.ok:
        raise ValueError("register_import_apply needs a validation without errors")
    rows = validation.rows
    total = len(rows)
    now = timezone.now()
    result = ImportResult()
    progress(ImportStatus.IMPORTING, 0, total)

    households = {
        (h.entrance_id, h.door_number): h for h in Household.objects.filter(community=community)
    }
    new_households: list[Household] = []
    for row in rows:
        key = (row.entrance.pk, row.door_number)
        if key not in households:
            entrance = row.entrance
            label, code = Household.labels_for(
                entrance.building.number, entrance.number, row.door_number
            )
            household = Household(
                entrance_id=entrance.pk,
                building_id=entrance.building_id,
                compound_id=entrance.compound_id,
                grid_id=entrance.grid_id,
                community_id=entrance.community_id,
                door_number=row.door_number,
                floor=row.floor,
                address_label=label,
                address_code=code,
            )
            households[key] = household
            new_households.append(household)
    bulk_insert(Household, new_households)
    if new_households:
        households = {
            (h.entrance_id, h.door_number): h for h in Household.objects.filter(community=community)
        }
    result.households_created = len(new_households)

    existing: dict[str, Resident] = {}
    bidxs = [row.resident.id_number_bidx for row in rows]
    for start in range(0, len(bidxs), BATCH):
        qs = Resident.objects.filter(id_number_bidx__in=bidxs[start : start + BATCH])
        if connection.features.has_select_for_update:
            qs = qs.select_for_update()
        for resident in qs:
            if resident.community_id != community.pk:
                raise ImportConflict(resident.id_number_bidx)
            existing[resident.id_number_bidx] = resident
    current_tags: dict[int, list[int]] = {}
    through = Resident.care_tags.through
    if existing:
        ids = [r.pk for r in existing.values()]
        for start in range(0, len(ids), BATCH):
            for resident_id, tag_id in through.objects.filter(
                resident_id__in=ids[start : start + BATCH]
            ).values_list("resident_id", "caretag_id"):
                current_tags.setdefault(resident_id, []).append(tag_id)

    to_create: list[Resident] = []
    to_update: list[Resident] = []
    tag_rows: list[tuple[Resident, list[int]]] = []
    retag_ids: list[int] = []
    for index, row in enumerate(rows, start=1):
        household = households[(row.entrance.pk, row.door_number)]
        found = existing.get(row.resident.id_number_bidx)
        if found is None:
            resident = row.resident
            resident.relation = row.relation or Relation.HEAD
            resident.residence = row.residence or Residence.BOTH
            resident.registered_address = row.registered_address or ""
            resident.note = row.note or ""
            place_resident(resident, household)
            to_create.append(resident)
            if row.tag_ids:
                tag_rows.append((resident, row.tag_ids))
        else:
            before = [getattr(found, name) for name in _COMPARED] + [found.household_id]
            source = row.resident
            # Blank cells keep what is on record: a register sheet often lacks the phone
            # that a grid worker has since added.
            found.name, found.name_simplified = source.name, source.name_simplified
            found.name_pinyin, found.name_initials = source.name_pinyin, source.name_initials
            found.name_tail = source.name_tail
            if row.phone_given:
                found.phone, found.phone_bidx, found.phone_last4 = (
                    source.phone,
                    source.phone_bidx,
                    source.phone_last4,
                )
            if row.relation is not None:
                found.relation = row.relation
            if row.residence is not None:
                found.residence = row.residence
            if row.registered_address is not None:
                found.registered_address = row.registered_address
            if row.note is not None:
                found.note = row.note
            place_resident(found, household)
            changed = before != [getattr(found, name) for name in _COMPARED] + [found.household_id]
            if row.tag_ids is not None and sorted(current_tags.get(found.pk, [])) != row.tag_ids:
                changed = True
                retag_ids.append(found.pk)
                tag_rows.append((found, row.tag_ids))
            if changed:
                found.updated_at = now
                to_update.append(found)
            else:
                result.unchanged += 1
        if index % PROGRESS_EVERY == 0:
            progress(ImportStatus.IMPORTING, index // 2, total)

    bulk_insert(Resident, to_create)
    if to_create:
        # Read the new ids back by the unique ID-number index; the whole community is
        # one indexed scan, cheaper than thousands of bound parameters.
        by_bidx = dict(
            Resident.objects.filter(community=community)
            .exclude(id_number_bidx="")
            .values_list("id_number_bidx", "pk")
        )
        for resident in to_create:
            resident.pk = by_bidx[resident.id_number_bidx]
    progress(ImportStatus.IMPORTING, total * 3 // 4, total)
    _update_rows(to_update, UPDATE_FIELDS)
    for start in range(0, len(retag_ids), BATCH):
        through.objects.filter(resident_id__in=retag_ids[start : start + BATCH]).delete()
    through.objects.bulk_create(
        [
            through(resident_id=resident.pk, caretag_id=tag_id)
            for resident, tag_ids in tag_rows
            for tag_id in tag_ids
        ],
        batch_size=BATCH,
    )
    actor_user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    today = timezone.localdate()
    bulk_insert(
        ResidentStatusChange,
        [
            ResidentStatusChange(
                resident_id=resident.pk,
                from_status="",
                to_status=ResidentStatus.LIVING,
                effective_on=today,
                reason=_("登记表导入"),
                actor=actor_user,
            )
            for resident in to_create
        ],
    )
    result.created, result.updated = len(to_create), len(to_update)
    changes: dict[str, Any] = {**result.as_dict(), "rows": total}
    if job is not None:
        changes.update(job=job.pk, file_name=job.file_name)
    audit.record(actor=actor, action="register.import.completed", obj=community, changes=changes)
    progress(ImportStatus.IMPORTING, total, total)
    return result


def _update_rows(objects: list[Resident], names: list[str]) -> None:
    """Write ``names`` of each object with one prepared UPDATE run over all of them.
    ``bulk_update`` builds a CASE per column per batch, which SQLite evaluates for every
    row in the batch: thousands of updates took half a minute that way."""
    if not objects:
        return
    meta = Resident._meta
    fields = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(meta.pk.column),
    )
    params = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH):
            cursor.executemany(sql, params[start : start + BATCH])


# --------------------------------------------------------------------------- jobs


def _progress_key(job_id: int) -> str:
    return f"register:import:{job_id}:progress"


def import_progress(job: ImportJob) -> dict[str, Any]:
    """Where a running job got to: phase, rows done, rows in total, percent overall
    (checking is the first half, writing the second)."""
    state = cache.get(_progress_key(job.pk)) or {
        "phase": job.status,
        "done": 0,
        "total": job.rows_total,
    }
    if job.status == ImportStatus.DONE:
        percent = 100
    else:
        total = state["total"] or 0
        share = (state["done"] / total) if total else 0
        base = 50 if state["phase"] == ImportStatus.IMPORTING else 0
        percent = min(99, int(base + 50 * min(share, 1)))
    return {**state, "percent": percent}


def _progress_for(job_id: int) -> Progress:
    key = _progress_key(job_id)

    def report(phase: str, done: int, total: int) -> None:
        cache.set(key, {"phase": str(phase), "done": done, "total": total}, timeout=6 * 3600)

    return report


def _job_move(job_id: int, status: ImportStatus, **fields) -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if status not in IMPORT_TRANSITIONS[ImportStatus(job.status)]:
            raise ValueError(f"import job {job_id}: {job.status} → {status} is not allowed")
        job.status = status
        for name, value in fields.items():
            setattr(job, name, value)
        job.save()
    return job


def _job_fail(job_id: int, message: str, **fields) -> None:
    status = ImportJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
    if status is None or status in FINISHED:
        return
    _job_move(
        job_id,
        ImportStatus.FAILED,
        message=message[:300],
        finished_at=timezone.now(),
        upload="",
        **fields,
    )


def _lease_key(job_id: int) -> str:
    return f"register:import:{job_id}:lease"


def import_lease_held(job_id: int) -> bool:
    return cache.get(_lease_key(job_id)) is not None


class _Lease:
    """The running import's claim on its job, kept alive by a heartbeat thread: a worker
    killed mid-import stops renewing it, and the sweep sees it lapse. The lease lives in
    the cache because the import's transaction may hold the database's write lock."""

    def __init__(self, job_id: int) -> None:
        self.key = _lease_key(job_id)
        self.ttl = settings.GONGZHI_IMPORT_LEASE_SECONDS
        self.token = uuid.uuid4().hex
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def take(self) -> None:
        cache.set(self.key, self.token, timeout=self.ttl)
        self._thread = threading.Thread(
            target=self._beat, name=f"{self.key}:heartbeat", daemon=True
        )
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            cache.set(self.key, self.token, timeout=self.ttl)

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        cache.delete(self.key)


def _seal_upload(data: bytes) -> str:
    return crypto.encrypt(base64.b64encode(data).decode("ascii"))


def _open_upload(sealed: str) -> bytes:
    return base64.b64decode(crypto.decrypt(sealed))


def register_import_start(*, actor, community: Community, file_name: str, data: bytes) -> ImportJob:
    """Store the upload, sealed, on a new job and queue the import once the job row is
    committed (inline when there is no broker); tests run it at once."""
    require(actor, "import_register", community)
    with transaction.atomic():
        job = ImportJob.objects.create(
            community=community,
            uploaded_by=actor,
            file_name=(file_name or "")[:200],
            upload=_seal_upload(data),
        )
    _progress_for(job.pk)(ImportStatus.QUEUED, 0, 0)
    if settings.GONGZHI_TASKS_EAGER:
        register_import_run(job_id=job.pk)
        job.refresh_from_db()
    else:
        from .tasks import register_import_task

        enqueue(register_import_task, job.pk)
    return job


def _job_claim(job_id: int, lease: _Lease) -> ImportJob | None:
    """QUEUED → VALIDATING, one run more, lease taken; None when the job is not QUEUED (a
    second delivery of the same task, or a job already finished or running)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportStatus.QUEUED:
            return None
        # Taken before the job shows as running, so the sweep never sees it leaseless.
        lease.take()
        try:
            job.status = ImportStatus.VALIDATING
            job.runs += 1
            job.started_at = timezone.now()
            job.save(update_fields=["status", "runs", "started_at"])
        except BaseException:
            lease.release()
            raise
    return job


def register_import_run(*, job_id: int) -> None:
    """The job body: claim the job, validate, then either record the errors or import.
    Never raises; a failure of any kind ends the job as failed with a message for the
    uploader. A job that is not QUEUED is left alone (the task was delivered twice)."""
    progress = _progress_for(job_id)
    lease = _Lease(job_id)
    job = _job_claim(job_id, lease)
    if job is None:
        return
    try:
        data = _open_upload(job.upload)
        community = Community.objects.get(pk=job.community_id)
        validation = register_import_validate(community=community, data=data, progress=progress)
        if not validation.rows_total:
            _job_fail(job_id, _("表格中没有居民数据，请从第2行开始填写。"))
            return
        if not validation.ok:
            rows_with_errors = sorted({e.row for e in validation.errors})
            _job_fail(
                job_id,
                _("发现%(n)d处错误（涉及%(rows)d行），未导入任何数据。请改正后重新上传。")
                % {"n": len(validation.errors), "rows": len(rows_with_errors)},
                rows_total=validation.rows_total,
                error_count=len(validation.errors),
                error_report=[e.as_dict() for e in validation.errors[:ERROR_LIMIT]],
                error_rows=json.dumps(
                    {str(row): cells for row, cells in validation.error_cells.items() if cells},
                    ensure_ascii=False,
                ),
            )
            return
        job = _job_move(job_id, ImportStatus.IMPORTING, rows_total=validation.rows_total)
        result = register_import_apply(
            actor=job.uploaded_by, validation=validation, job=job, progress=progress
        )
        _job_move(
            job_id,
            ImportStatus.DONE,
            created_count=result.created,
            updated_count=result.updated,
            unchanged_count=result.unchanged,
            households_created=result.households_created,
            finished_at=timezone.now(),
            upload="",
        )
    except UploadRejected as exc:
        _job_fail(job_id, exc.message)
    except ImportConflict:
        _job_fail(job_id, _("导入期间登记信息发生了变化，未导入任何数据。请重新上传。"))
    except Exception:
        logger.exception("register import job %s failed", job_id)
        _job_fail(job_id, _("导入时发生意外错误，未导入任何数据。请稍后重试或联系管理员。"))
    finally:
        lease.release()
        cache.delete(_progress_key(job_id))


RUNNING = (ImportStatus.VALIDATING, ImportStatus.IMPORTING)
# A QUEUED job this old whose task never came (a broker that lost it) is queued again; a
# second delivery is harmless, since only a QUEUED job is claimed.
QUEUED_TOO_LONG = dt.timedelta(minutes=15)


def register_import_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Find imports whose worker was lost: RUNNING with no lease. Nothing of theirs was
    written (the import is one transaction), so each is queued again, and after
    ``GONGZHI_IMPORT_MAX_RUNS`` runs failed with a message for the uploader. Run by the
    schedule; safe to run twice at once (each job is re-checked under its row lock)."""
    now = now or timezone.now()
    outcome = {"requeued": 0, "failed": 0, "nudged": 0}
    running = ImportJob.objects.filter(status__in=RUNNING).values_list("pk", flat=True)
    from .tasks import register_import_task

    for job_id in list(running):
        if import_lease_held(job_id):
            continue
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
            if job is None or job.status not in RUNNING or import_lease_held(job_id):
                continue
            gave_up = job.runs >= settings.GONGZHI_IMPORT_MAX_RUNS
            if gave_up:
                job.status = ImportStatus.FAILED
                job.message = _("导入进程意外中断，未导入任何数据。请重新上传。")
                job.finished_at = now
                job.upload = ""
            else:
                job.status = ImportStatus.QUEUED
            job.save(update_fields=["status", "message", "finished_at", "upload"])
            audit.record(
                actor=None,
                action="register.import.interrupted",
                obj=job.community,
                changes={
                    "job": job.pk,
                    "file_name": job.file_name,
                    "runs": job.runs,
                    "outcome": "failed" if gave_up else "requeued",
                },
            )
            if gave_up:
                cache.delete(_progress_key(job_id))
            else:
                # Before the task is queued: inline, it runs at commit and clears this.
                _progress_for(job_id)(ImportStatus.QUEUED, 0, 0)
                enqueue(register_import_task, job.pk)
        outcome["failed" if gave_up else "requeued"] += 1
    stale = ImportJob.objects.filter(
        status=ImportStatus.QUEUED, created_at__lt=now - QUEUED_TOO_LONG
    ).values_list("pk", flat=True)
    for job_id in list(stale):
        enqueue(register_import_task, job_id)
        outcome["nudged"] += 1
    return outcome


# --------------------------------------------------------------------------- spreadsheets


def register_template_workbook() -> bytes:
    """The blank register with its header row and a sheet explaining every column."""
    workbook = Workbook(write_only=False)
    sheet = workbook.sheet(
        SHEET_DATA,
        widths=[22 if c in {COL_ID, COL_ADDRESS, COL_NOTE} else 12 for c in COLUMNS],
        freeze_header=True,
    )
    sheet.write_row(COLUMNS, bold=True)
    for index, header in enumerate(COLUMNS, start=1):
        if header in TEXT_COLUMNS:
            # Text format on the empty cells below, so that typed ID numbers stay text.
            sheet.format_as_text(index, 2, 1001)

    help_sheet = workbook.sheet(SHEET_HELP, widths=(14, 10, 70, 50))
    help_sheet.write_row([_("列名"), _("是否必填"), _("说明"), _("可填写的值")], bold=True)
    required, optional = _("必填"), _("选填")
    tags = "、".join(CareTag.objects.order_by("sort_order", "code").values_list("name", flat=True))
    explanations = [
        (COL_BUILDING, required, _("本社区已登记的楼栋号，例如 3 或 12A。"), ""),
        (COL_ENTRANCE, required, _("单元号，数字，例如 1。"), ""),
        (
            COL_DOOR,
            required,
            _("门牌号，例如 501。同一单元同一门牌号为同一住户，没有的住户会自动新建。"),
            "",
        ),
        (COL_FLOOR, required, _("所在楼层，1到该楼栋的层数。"), ""),
        (COL_NAME, required, _("居民姓名，不超过50个字。"), ""),
        (
            COL_ID,
            required,
            _(
                "18位身份证号，最后一位可以是X。按身份证号识别居民：已登记的居民会被更新，不会重复新建。"
            ),
            "",
        ),
        (COL_PHONE, optional, _("11位手机号。留空则保留原有手机号。"), ""),
        (
            COL_RELATION,
            optional,
            _("留空时新居民记为“户主”，已登记居民保持不变。"),
            "、".join(relation_labels()),
        ),
        (
            COL_RESIDENCE,
            optional,
            _("留空时新居民记为“人户一致”，已登记居民保持不变。"),
            "、".join(residence_labels()),
        ),
        (COL_ADDRESS, optional, _("户口登记地址，不超过200个字。"), ""),
        (
            COL_TAGS,
            optional,
            _("多个标签用逗号分隔，例如：独居,低保。填写后替换原有标签，留空则保持不变。"),
            tags,
        ),
        (COL_NOTE, optional, _("其他需要说明的情况。留空则保留原有备注。"), ""),
    ]
    for row in explanations:
        help_sheet.write_row(list(row))
    help_sheet.write_row([])
    help_sheet.write_row(
        [
            _("注意"),
            "",
            _(
                "整个文件检查无误才会导入；只要有一处错误，就不会导入任何数据，并列出每处错误所在的行和列。"
            ),
        ]
    )
    return workbook.save()


def register_error_workbook(job: ImportJob) -> bytes:
    """The rows that failed, as uploaded, with a column saying what to correct."""
    workbook = Workbook()
    sheet = workbook.sheet(SHEET_DATA)
    sheet.write_row([_("行号"), *COLUMNS, COL_ERRORS])
    cells = json.loads(job.error_rows) if job.error_rows else {}
    by_row: dict[int, list[str]] = {}
    for error in job.error_report:
        by_row.setdefault(error["row"], []).append(f"{error['column']}：{error['message']}")
    for row, messages in sorted(by_row.items()):
        values = cells.get(str(row)) or [""] * len(COLUMNS)
        sheet.write_row([row, *values, "；".join(messages)])
    return workbook.save()


# --------------------------------------------------------------------------- export


@dataclass
class ExportFile:
    file: Any
    filename: str
    count: int
    revealed: int


def _reveal_expression(actor):
    scope = scope_for(actor, "reveal_pii")
    if scope.everything:
        return Value(True)
    if scope.empty:
        return Value(False)
    return ExpressionWrapper(scope.q_for(Resident), output_field=BooleanField())


def register_export_queryset(
    *, actor, building: Building | None = None, grid: Grid | None = None, reveal: bool = False
):
    qs = resident_list_visible_to(actor, "export")
    if building is not None:
        qs = qs.filter(building=building)
    if grid is not None:
        qs = qs.filter(grid=grid)
    qs = qs.annotate(may_reveal=_reveal_expression(actor) if reveal else Value(False))
    return (
        qs.select_related("household", "building", "entrance")
        .prefetch_related("care_tags")
        .order_by(
            "community_id",
            "building__sort_key",
            "building__number",
            "entrance__number",
            "household__floor",
            "household__door_number",
            "pk",
        )
    )


def register_export(
    *,
    actor,
    building: Building | None = None,
    grid: Grid | None = None,
    reveal: bool = False,
    reason: str | None = None,
    reason_note: str = "",
) -> ExportFile:
    """Write the residents ``actor`` may export (optionally one building or grid) to an
    .xlsx in a temporary file. ID numbers and phones are masked except, when ``reveal`` is
    asked, for residents within the actor's ``reveal_pii`` reach; those reveals are recorded
    in one ``register.export.revealed`` event, with the reason (查看事由) the actor gave —
    an unmasked export without a reason is refused before anything is read. Every export
    records ``register.export.completed`` and carries the exporter's name and the time on
    every sheet; an unmasked one also in its first row."""
    reveal = reveal and not scope_for(actor, "reveal_pii").empty
    why = clean_reveal_reason(reason, reason_note) if reveal else None
    qs = register_export_queryset(actor=actor, building=building, grid=grid, reveal=reveal)
    relations = dict(Relation.choices)
    residences = dict(Residence.choices)
    statuses = dict(ResidentStatus.choices)
    workbook = Workbook(notice=export_notice(actor), notice_row=reveal)
    sheet = workbook.sheet(SHEET_DATA, freeze_header=reveal)
    sheet.write_row([*COLUMNS, COL_STATUS])
    count = 0
    revealed: list[int] = []
    for resident in qs.iterator(chunk_size=2000):
        count += 1
        if resident.may_reveal:
            id_number, phone = resident.id_number, resident.phone
            revealed.append(resident.pk)
        else:
            id_number, phone = mask_id_number(resident.id_number), mask_phone(resident.phone)
        sheet.write_row(
            [
                resident.building.number,
                resident.entrance.number,
                resident.household.door_number,
                resident.household.floor,
                resident.name,
                id_number,
                phone,
                str(relations.get(resident.relation, resident.relation)),
                str(residences.get(resident.residence, resident.residence)),
                resident.registered_address,
                ",".join(tag.name for tag in resident.care_tags.all()),
                resident.note,
                str(statuses.get(resident.status, resident.status)),
            ]
        )
    # Handed to the response, which closes it once sent.
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)

    where = {"building": building.pk if building else None, "grid": grid.pk if grid else None}
    with transaction.atomic():
        if revealed:
            audit.record(
                actor=actor,
                action="register.export.revealed",
                object_type="places.resident",
                object_repr=_("导出完整信息（%(n)d人）") % {"n": len(revealed)},
                changes={
                    "count": len(revealed),
                    "fields": ["id_number", "phone"],
                    "residents": revealed,
                    **where,
                    **why.as_audit(),
                },
            )
        audit.record(
            actor=actor,
            action="register.export.completed",
            object_type="places.resident",
            object_repr=_("导出居民登记表（%(n)d人）") % {"n": count},
            changes={
                "count": count,
                "revealed": len(revealed),
                **where,
                **(why.as_audit() if why else {}),
            },
        )
    filename = f"居民登记_{timezone.localdate():%Y%m%d}.xlsx"
    return ExportFile(file=output, filename=filename, count=count, revealed=len(revealed))


# --------------------------------------------------------------------------- export jobs

# How long a written export stays downloadable before the sweep deletes it.
EXPORT_KEEP = dt.timedelta(hours=24)


def register_export_needs_job(*, actor, building=None, grid=None) -> bool:
    """Whether this export is large enough (over GONGZHI_EXPORT_INLINE_MAX residents) to be
    written by a worker instead of inside the request."""
    qs = resident_list_visible_to(actor, "export")
    if building is not None:
        qs = qs.filter(building=building)
    if grid is not None:
        qs = qs.filter(grid=grid)
    return qs.count() > settings.GONGZHI_EXPORT_INLINE_MAX


def register_export_start(
    *,
    actor,
    building: Building | None = None,
    grid: Grid | None = None,
    reveal: bool = False,
    reason: str | None = None,
    reason_note: str = "",
) -> ExportJob:
    """Queue an export for a worker. The reveal reason is checked now, so that a refused
    one is said on the form, not later on the job page. The export itself
    (``register_export``, with its audit events) runs in the worker as ``actor``."""
    reveal = reveal and not scope_for(actor, "reveal_pii").empty
    if reveal:
        clean_reveal_reason(reason, reason_note)
    with transaction.atomic():
        job = ExportJob.objects.create(
            requested_by=actor,
            building=building,
            grid=grid,
            reveal=reveal,
            reason=(reason or "") if reveal else "",
            reason_note=(reason_note or "") if reveal else "",
        )
        from .tasks import register_export_task

        enqueue(register_export_task, job.pk)
    return job


def register_export_run(*, job_id: int) -> None:
    """The export job's body: claim it (QUEUED → RUNNING, once), write the file, seal it on
    the job. Never raises; a failure ends the job FAILED with a message. A worker lost
    mid-way leaves it RUNNING; the person asks again (nothing was handed out)."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ExportStatus.QUEUED:
            return
        job.status = ExportStatus.RUNNING
        job.save(update_fields=["status"])
    try:
        result = register_export(
            actor=job.requested_by,
            building=job.building,
            grid=job.grid,
            reveal=job.reveal,
            reason=job.reason or None,
            reason_note=job.reason_note,
        )
        with result.file as handle:
            sealed = _seal_upload(handle.read())
        now = timezone.now()
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.DONE,
            file=sealed,
            file_name=result.filename,
            row_count=result.count,
            finished_at=now,
            expires_at=now + EXPORT_KEEP,
        )
    except Exception:
        logger.exception("register export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED,
            message=_("导出时发生意外错误，请稍后重试或联系管理员。"),
            finished_at=timezone.now(),
        )


def register_export_file(job: ExportJob) -> bytes:
    return _open_upload(job.file)


def register_export_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the export jobs (and their files) past their time. Run by the sweep."""
    deleted, _per_model = ExportJob.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted
