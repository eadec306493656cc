"""Writes to cases: start, fill, hand in, sign, submit, and the window's accept / supplement / refuse."""

from __future__ import annotations

import hashlib
import uuid
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

import filetype
from django.conf import settings
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import FileField
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role, User
from onewindow.bundles.models import Bundle
from onewindow.bundles.planner import AnswersInvalid, Plan
from onewindow.cases.errors import CaseConflict, CaseError, CaseInvalid, CaseNotFound, CaseUnavailable
from onewindow.cases.formcheck import (
    case_form_problems,
    holder_problem,
    holder_values,
    text_limit,
    value_cap,
)
from onewindow.cases.models import (
    Case,
    CaseCounter,
    CaseEvent,
    CaseMaterial,
    CaseStatus,
    Channel,
    CommitmentSignature,
    Submission,
    SupplementRequest,
)
from onewindow.catalog.models import Material
from onewindow.centers.models import ServiceCenter
from onewindow.integrations.elicense.adapter import LibraryUnavailable, get_library
from onewindow.lib.bulk import rows_update
from onewindow.lib.counters import counter_next
from onewindow.lib.hashchain import GENESIS, chain_hash, normalize_payload
from onewindow.lib.idcheck import mask_id_number
from onewindow.notifications.services import notify_case_applicant

ALLOWED_UPLOADS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
EDITABLE_STATUSES = (CaseStatus.DRAFT, CaseStatus.SUPPLEMENT)
# The longest supplement reason a material row keeps: a longer one is refused, never cut.
SUPPLEMENT_REASON_MAX = cast(int, CaseMaterial._meta.get_field("supplement_reason").max_length)


# ---------------------------------------------------------------- timeline


# What a new event's hash covers. Version 1 (rows written before it) left out actor_name, which the
# timelines show; a row keeps the version it was hashed with, so old rows still verify.
EVENT_PAYLOAD_VERSION = 2


def _event_payload(event: CaseEvent) -> dict[str, Any]:
    payload = {
        "case": event.case_id,
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_role": event.actor_role,
        "action": event.action,
        "before": event.before,
        "after": event.after,
        "comment": event.comment,
        "data": event.data,
    }
    if event.payload_version >= 2:
        # The version is hashed too: a row set back to version 1 no longer matches its hash.
        payload["v"] = event.payload_version
        payload["actor_name"] = event.actor_name
    return payload


def event_append(
    *,
    case: Case,
    actor: User | None,
    action: str,
    before: str = "",
    after: str = "",
    comment: str = "",
    data: dict[str, Any] | None = None,
    case_fields: Sequence[str] = (),
) -> CaseEvent:
    """Append one hash-chained event. Call inside the transaction that holds the case row lock.

    The chain's end (seq and hash) is kept on the case row, so the case the caller locked already
    says where the new event goes. It is moved with a compare-and-set on the old seq: a stale copy of
    the case costs one read of the row under its lock, never a broken chain. `case_fields` are
    saved from `case` in the same statement, as `case.save(update_fields=case_fields)` would.
    """
    if "updated_at" in case_fields:
        case.updated_at = timezone.now()
    changes = {name: getattr(case, name) for name in case_fields}
    prev_seq, prev_hash = case.last_event_seq, case.last_event_hash
    event = _event_build(case, actor, action, before, after, comment, data or {}, prev_seq, prev_hash)
    moved = Case.objects.filter(pk=case.pk, last_event_seq=prev_seq, last_event_hash=prev_hash).update(
        last_event_seq=event.seq, last_event_hash=event.hash, **changes
    )
    if not moved:
        prev_seq, prev_hash = _chain_end(case.pk)
        event = _event_build(case, actor, action, before, after, comment, data or {}, prev_seq, prev_hash)
        Case.objects.filter(pk=case.pk).update(
            last_event_seq=event.seq, last_event_hash=event.hash, **changes
        )
    event.save(force_insert=True)
    case.last_event_seq, case.last_event_hash = event.seq, event.hash
    return event


def _event_build(
    case: Case,
    actor: User | None,
    action: str,
    before: str,
    after: str,
    comment: str,
    data: dict[str, Any],
    prev_seq: int,
    prev_hash: str,
) -> CaseEvent:
    now = timezone.now()
    event = CaseEvent(
        case=case,
        seq=prev_seq + 1,
        # Milliseconds, as a JSON dump (dumpdata) writes times: a restored row keeps its hash.
        at=now.replace(microsecond=now.microsecond // 1000 * 1000),
        actor=actor,
        actor_name=actor.name if actor else "系统",
        actor_role=actor.role if actor else "system",
        action=action,
        before=before,
        after=after,
        comment=comment,
        # Hashed as the database gives it back, so that reading the row can recompute the hash.
        data=normalize_payload(data),
        prev_hash=prev_hash or GENESIS,
        payload_version=EVENT_PAYLOAD_VERSION,
    )
    event.hash = chain_hash(event.prev_hash, _event_payload(event))
    return event


def _chain_end(case_id: int) -> tuple[int, str]:
    """The case's last event seq and hash, read under the case's row lock."""
    seq, end = (
        Case.objects.select_for_update(of=("self",))
        .values_list("last_event_seq", "last_event_hash")
        .get(pk=case_id)
    )
    if seq and not end:
        # A row written before the chain's end was kept on the case: take it from the event itself.
        end = CaseEvent.objects.filter(case_id=case_id, seq=seq).values_list("hash", flat=True).first() or ""
    return seq, end


def event_payload(event: CaseEvent) -> dict[str, Any]:
    """The hashed content of an event row (used by the audit check)."""
    return _event_payload(event)


def _lock(case_id: int, *related: str) -> Case:
    """The case read under its row lock, with its bundle, applicant and the `related` rows."""
    try:
        # Lock the case row only: PostgreSQL would otherwise also lock the joined bundle and
        # applicant rows, making every write to any case of a bundle wait for every other.
        return (
            Case.objects.select_for_update(of=("self",))
            .select_related("bundle", "applicant", *related)
            .get(pk=case_id)
        )
    except Case.DoesNotExist:
        raise CaseNotFound("case_not_found", _("没有找到这个办件，请确认办件编号。")) from None


# ---------------------------------------------------------------- intake


def plan_snapshot(plan: Plan) -> dict[str, Any]:
    """The plan as stored on the case: later catalogue edits do not change a submitted case."""
    return {
        "bundle": plan.bundle.code,
        "items": [
            {
                "code": p.item.code,
                "name": p.item.name,
                "department": p.item.department.code,
                "department_name": p.item.department.short_name,
                "promised_limit_days": p.item.promised_limit_days,
                "statutory_limit_days": p.item.statutory_limit_days,
                # The limit the branch runs on: the commitment route's own where it applies. Snapshots
                # from before it was kept run on the promised limit.
                "limit_days": p.limit_days,
                "prerequisites": [i.code for i in p.prerequisites],
                "commitment": p.commitment,
                "site_check_required": p.item.site_check_required,
            }
            for p in plan.items
        ],
        "form": [
            {
                "code": f.field.code,
                "label": f.field.label,
                "type": f.field.field_type,
                "required": f.required,
                "choices": f.field.choices,
                "max_length": f.field.max_length,
                "min": str(f.field.min_value) if f.field.min_value is not None else None,
                "max": str(f.field.max_value) if f.field.max_value is not None else None,
                "help": f.field.help_text_zh,
                "items": [i.code for i in f.items],
            }
            for f in plan.form
        ],
        "materials": [
            {
                "code": m.material.code,
                "name": m.material.name,
                "disposition": m.disposition,
                "shared_licence_type": m.material.shared_licence_type,
                "items": [i.code for i in m.items],
                # Why it is needed is worded when shown, in the reader's language (material_reason);
                # snapshots from before keep the sentence as "reason", in the language of that day.
                "conditions": [c.as_data() for c in m.conditions],
            }
            for m in plan.materials
        ],
        "bundle_name": plan.bundle.name,
        "commitment": [
            {
                "item": c.item.name if c.item else "",
                "material": c.material.name if c.material else "",
                "text": c.text,
            }
            for c in plan.commitment
        ],
        "summary": plan.summary.as_dict(),
    }


def _default_center() -> ServiceCenter:
    center = ServiceCenter.objects.filter(kind=ServiceCenter.Kind.MUNICIPAL).order_by("code").first()
    if center is None:
        raise CaseError("no_service_center", _("系统尚未配置政务服务中心，请联系管理员。"))
    return center


def case_start(
    *,
    bundle_code: str,
    applicant: User,
    answers: dict[str, Any],
    channel: str = Channel.ONLINE,
    assisted_by: User | None = None,
    service_center: ServiceCenter | None = None,
) -> Case:
    """A draft case from a plan: the checklist rows are created with their dispositions."""
    if applicant.role != Role.APPLICANT:
        raise CaseInvalid("not_an_applicant", _("只有申请人账号可以作为办件的申请人。"))
    if channel not in Channel.values:
        message = _("申请渠道不正确。")
        raise CaseInvalid("unknown_channel", message, fields={"channel": message})
    if channel == Channel.WINDOW and (assisted_by is None or assisted_by.role != Role.CLERK):
        raise CaseInvalid("assisted_by_required", _("窗口帮办代办必须记录办理的窗口人员。"))
    if channel == Channel.GUIDANCE and (assisted_by is None or assisted_by.role != Role.AGENT):
        raise CaseInvalid("assisted_by_required", _("云端导办代填必须记录导办人员。"))
    from onewindow.bundles.api import plan_for_case

    try:
        plan = plan_for_case(bundle_code, answers)
    except Bundle.DoesNotExist:
        raise CaseNotFound(
            "bundle_not_found", _("没有找到编码为“%(code)s”的一业一证主题。") % {"code": bundle_code}
        ) from None
    except AnswersInvalid as exc:
        raise CaseInvalid(
            "invalid_answers",
            _("情形回答有误，请按提示修改。"),
            fields={p.question: p.message for p in exc.problems},
        ) from None
    if not plan.items:
        raise CaseInvalid("empty_plan", _("按您的回答没有需要办理的事项。"))
    with transaction.atomic():
        return _case_create(plan, applicant, channel, assisted_by, service_center)


def _case_create(
    plan: Plan, applicant: User, channel: str, assisted_by: User | None, service_center: ServiceCenter | None
) -> Case:
    center = service_center or (assisted_by.service_center if assisted_by else None) or _default_center()
    enterprise = applicant.enterprise
    form_data: dict[str, Any] = {}
    if enterprise is not None:
        form_data = {
            "enterprise_name": enterprise.name,
            "uscc": enterprise.uscc,
            "legal_representative": enterprise.legal_representative,
            "business_address": enterprise.address,
        }
    case = Case.objects.create(
        bundle=plan.bundle,
        applicant=applicant,
        enterprise=enterprise,
        channel=channel,
        assisted_by=assisted_by,
        service_center=center,
        answers={k: (str(v) if not isinstance(v, bool) else v) for k, v in plan.answers.items()},
        form_data={k: v for k, v in form_data.items() if v},
        plan=plan_snapshot(plan),
        holder_name=enterprise.name if enterprise else applicant.name,
        holder_code=enterprise.uscc if enterprise else applicant.id_number,
    )
    materials = {
        m.code: m for m in Material.objects.filter(code__in=[m["code"] for m in case.plan["materials"]])
    }
    CaseMaterial.objects.bulk_create(
        [
            CaseMaterial(
                case=case,
                material=materials[m["code"]],
                disposition=m["disposition"],
                provided_at=timezone.now()
                if m["disposition"] == CaseMaterial.Disposition.COMMITMENT
                else None,
            )
            for m in case.plan["materials"]
        ]
    )
    event_append(
        case=case,
        actor=assisted_by or applicant,
        action="created",
        after=CaseStatus.DRAFT,
        data={"channel": channel, "items": [i["code"] for i in case.plan["items"]]},
    )
    return case


def _typed(value: Any) -> bool:
    """Whether a form value is something a person types: text or a number, or nothing."""
    # bool is an int in Python, but no one types True into a form.
    return value is None or (isinstance(value, (str, int, float, Decimal)) and not isinstance(value, bool))


def case_form_save(*, case: Case, user: User, data: dict[str, Any]) -> dict[str, str]:
    """Save what was typed, valid or not (a draft is never lost); return the problems per field.

    Refused, with nothing saved: a value that is not text or a number at all (a list, an object,
    true), which stored as its Python spelling would look like something the applicant typed; and a
    value longer than any field takes, which is not cut. An enterprise's holder fields keep the case
    holder's name and code whatever is sent; a different value is answered with a problem.
    """
    specs = {spec["code"]: spec for spec in case.plan["form"]}
    wrong = {k: _("请填写文字或数字。") for k, v in data.items() if k in specs and not _typed(v)}
    if wrong:
        raise CaseInvalid(
            "field_type", _("申请表中有内容不是文字或数字，没有保存。请按提示修改。"), fields=wrong
        )
    cleaned = {k: "" if v is None else str(v).strip() for k, v in data.items() if k in specs}
    too_long = {
        code: _("“%(label)s”最多 %(limit)s 个字，当前 %(count)s 个字，没有保存。请精简后重新填写。")
        % {"label": specs[code]["label"], "limit": _field_limit(specs[code]), "count": len(value)}
        for code, value in cleaned.items()
        if len(value) > value_cap(specs[code])
    }
    if too_long:
        raise CaseInvalid("text_too_long", _("申请表中有内容过长，没有保存。请按提示精简。"), fields=too_long)
    with transaction.atomic():
        locked = _lock(case.pk, "enterprise")
        if locked.status not in EDITABLE_STATUSES:
            raise CaseConflict("not_editable", _("办件已提交，不能再修改申请表。如需修改请联系窗口。"))
        holder = holder_values(locked)
        kept = {
            code: holder[code] for code, value in cleaned.items() if code in holder and value != holder[code]
        }
        # Saving also puts back a holder field a draft from before the lock may have changed.
        locked.form_data = {**locked.form_data, **cleaned, **holder}
        locked.save(update_fields=["form_data", "updated_at"])
    case.form_data = locked.form_data
    problems = case_form_problems(locked)
    for code, value in kept.items():
        problems[code] = holder_problem(specs[code], value)
    return problems


def _field_limit(spec: dict[str, Any]) -> int:
    """The limit a person is told when a value is too long: the field's own, else the cap."""
    return text_limit(spec) or value_cap(spec)


def _material_row(case: Case, material_code: str) -> CaseMaterial:
    row = case.materials.select_related("material").filter(material__code=material_code).first()
    if row is None:
        raise CaseNotFound("material_not_in_case", _("这份材料不在本办件的材料清单中。"))
    return row


def _upload_refused(code: str, message: str) -> CaseInvalid:
    # Named by the upload endpoint's field; callers handing in several files name each their own way.
    return CaseInvalid(code, message, fields={"file": message})


def upload_check(upload: UploadedFile) -> tuple[bytes, str]:
    """The file's content and type, checked by content and size; refused with a reason otherwise."""
    if upload.size is None or upload.size == 0:
        raise _upload_refused("upload_empty", _("上传的文件是空的，请重新选择文件。"))
    if upload.size > settings.UPLOAD_MAX_BYTES:
        limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        raise _upload_refused(
            "upload_too_large", _("文件超过 %(limit)s MB，请压缩或分页扫描后再上传。") % {"limit": limit}
        )
    content = upload.read()
    kind = filetype.guess(content)
    mime = kind.mime if kind else ""
    if mime not in ALLOWED_UPLOADS:
        raise _upload_refused(
            "upload_type",
            _("只能上传 PDF、JPEG 或 PNG 文件（按文件内容判断，而非扩展名），请转换格式后再上传。"),
        )
    if mime == "application/pdf" and b"%%EOF" not in content[-2048:]:
        raise _upload_refused("upload_damaged", _("PDF 文件不完整或已损坏，请重新导出后上传。"))
    if mime.startswith("image/"):
        _image_check(content)
    return content, mime


def _image_check(content: bytes) -> None:
    """Refuse an image that does not open whole: damaged, cut off, or of more pixels than can be shown."""
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Above Pillow's pixel limit it only warns (twice the limit is an error): both are refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(content)) as image:
                image.verify()
            # verify() checks a PNG's chunks (CRCs, the end chunk) but nothing of a JPEG: only decoding
            # every row shows a photo whose transfer broke off. A JPEG is decoded at an eighth of its
            # size, which reads all of it without holding the full-size picture in memory; a PNG is
            # not decoded, as a small file may unpack to hundreds of megabytes.
            with Image.open(BytesIO(content)) as image:
                if image.format == "JPEG":
                    image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
                    image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _upload_refused(
            "upload_too_many_pixels",
            _("图片像素过多（超过约 %(limit)s 万像素），无法打开。请缩小图片尺寸或降低扫描分辨率后再上传。")
            % {"limit": (Image.MAX_IMAGE_PIXELS or 0) // 10000},
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _upload_refused(
            "upload_damaged", _("图片文件已损坏或不完整，无法打开，请重新拍照或扫描后上传。")
        ) from None


STORED_MATERIAL_FIELDS = [
    "file",
    "original_name",
    "content_type",
    "size",
    "sha256",
    "provided_at",
    "needs_supplement",
    "disposition",
    "shared_reference",
]


ORIGINAL_NAME_MAX = cast(int, CaseMaterial._meta.get_field("original_name").max_length)


def _name_shortened(name: str, limit: int) -> str:
    """A file name of at most `limit` characters that keeps its extension: downloaded, it still opens."""
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) >= limit // 2:
        return name[:limit]
    return f"{stem[: limit - len(extension) - 1]}.{extension}"


@dataclass(frozen=True)
class StoredFile:
    """A checked upload already written to storage, not yet attached to the row that will hold it."""

    storage: Storage
    name: str  # the storage name
    original_name: str
    mime: str
    size: int
    sha256: str


def file_store(
    upload: UploadedFile, content: bytes, mime: str, *, field: FileField | None = None
) -> StoredFile:
    """Write a checked upload under a new name, before any lock is taken.

    `field`: the file field whose storage and folder take it (a case material's unless given).
    """
    from django.core.files.base import ContentFile

    if field is None:
        material_field = CaseMaterial._meta.get_field("file")
        assert isinstance(material_field, FileField)
        field = material_field
    name = field.generate_filename(None, f"{uuid.uuid4().hex}.{ALLOWED_UPLOADS[mime]}")
    return StoredFile(
        storage=field.storage,
        name=field.storage.save(name, ContentFile(content)),
        original_name=_name_shortened(upload.name or "", ORIGINAL_NAME_MAX),
        mime=mime,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


@contextmanager
def removed_on_failure(files: Iterable[StoredFile]) -> Iterator[None]:
    """Delete the stored `files` (read when it fails) if the block fails: no row ever points at them."""
    try:
        yield
    except BaseException:
        for stored in list(files):
            stored.storage.delete(stored.name)
        raise


def _shared_in_place(row: CaseMaterial) -> bool:
    """A licence taken from the library that still stands: no upload may replace it.

    One the window asked to supplement may be replaced by a scan.
    """
    return (
        row.disposition == CaseMaterial.Disposition.SHARED and bool(row.shared_reference) and row.is_provided
    )


def _file_drop(row: CaseMaterial) -> None:
    """Detach a row's file; the file itself goes only once the change is committed."""
    if row.file:
        # A rollback keeps the row pointing at the old file, so it must still be there.
        storage, old_name = row.file.storage, row.file.name
        transaction.on_commit(lambda: storage.delete(old_name))
    row.file.name = ""
    row.original_name = ""
    row.content_type = ""
    row.size = 0
    row.sha256 = ""


def _material_attach(row: CaseMaterial, stored: StoredFile) -> None:
    """Point a material row at a stored file (inside the transaction holding the case's lock)."""
    if _shared_in_place(row):
        raise CaseConflict(
            "already_shared", _("“%(names)s”已从电子证照库调取，无需上传。") % {"names": row.material.name}
        )
    _file_drop(row)
    row.file.name = stored.name
    row.original_name = stored.original_name
    row.content_type = stored.mime
    row.size = stored.size
    row.sha256 = stored.sha256
    row.provided_at = timezone.now()
    row.needs_supplement = False
    # The row is the scan from now on: every page shows the file, none a licence no longer relied on.
    # A shared row stays shared, so the library can still be asked instead.
    row.shared_reference = ""
    if row.disposition == CaseMaterial.Disposition.COMMITMENT:
        row.disposition = CaseMaterial.Disposition.UPLOAD


def case_material_upload(*, case: Case, user: User, material_code: str, upload: UploadedFile) -> CaseMaterial:
    stored = file_store(upload, *upload_check(upload))
    with removed_on_failure([stored]), transaction.atomic():
        locked = _lock(case.pk)
        if locked.status not in EDITABLE_STATUSES:
            raise CaseConflict("not_editable", _("办件已提交，不能再更换材料。"))
        row = _material_row(locked, material_code)
        _material_attach(row, stored)
        row.save(update_fields=STORED_MATERIAL_FIELDS)
        event_append(
            case=locked,
            actor=user,
            action="material_uploaded",
            data={"material": material_code, "sha256": stored.sha256, "size": stored.size},
        )
    return row


def case_materials_upload(*, case: Case, user: User, uploads: dict[str, UploadedFile]) -> list[CaseMaterial]:
    """Hand in several materials at once (a scanned set): every file is checked first, then all are
    kept together, or none is and each problem is named by its material."""
    if not uploads:
        raise CaseInvalid("upload_none", _("请至少选择一份材料文件。"))
    # The plan lists the case's materials: their rows are read only under the lock.
    names = {m["code"]: m["name"] for m in case.plan["materials"]}
    checked: dict[str, tuple[bytes, str]] = {}
    problems: dict[str, str] = {}
    for code, upload in uploads.items():
        if code not in names:
            problems[f"material:{code}"] = _("这份材料不在本办件的材料清单中。")
            continue
        try:
            checked[code] = upload_check(upload)
        except CaseInvalid as exc:
            problems[f"material:{code}"] = _("“%(name)s”：%(problem)s") % {
                "name": names[code],
                "problem": exc.message,
            }
    if problems:
        raise CaseInvalid(
            "uploads_invalid",
            _("有文件没有通过检查，本次上传的文件都没有保存。请按提示更换这些文件后重新上传。"),
            fields=problems,
        )
    stored: dict[str, StoredFile] = {}
    with removed_on_failure(stored.values()):
        for code, (content, mime) in checked.items():
            stored[code] = file_store(uploads[code], content, mime)
        with transaction.atomic():
            locked = _lock(case.pk)
            if locked.status not in EDITABLE_STATUSES:
                raise CaseConflict("not_editable", _("办件已提交，不能再更换材料。"))
            # Read again under the lock: a concurrent request may have changed them.
            rows = {
                row.material.code: row
                for row in locked.materials.select_related("material").filter(material__code__in=list(stored))
            }
            shared = [rows[code].material.name for code in stored if _shared_in_place(rows[code])]
            if shared:
                raise CaseConflict(
                    "already_shared",
                    _("“%(names)s”已从电子证照库调取，无需上传。") % {"names": "”“".join(shared)},
                )
            for code, file in stored.items():
                _material_attach(rows[code], file)
            rows_update(list(rows.values()), STORED_MATERIAL_FIELDS)
            event_append(
                case=locked,
                actor=user,
                action="materials_uploaded",
                data={
                    "materials": [
                        {"material": code, "sha256": file.sha256, "size": file.size}
                        for code, file in stored.items()
                    ]
                },
            )
    return [rows[code] for code in stored]


@dataclass(frozen=True)
class SharedFetch:
    """What one look in the e-licence library gave: the rows taken, and why others were not."""

    taken: list[CaseMaterial]
    missing: dict[str, str]  # material code → what to do instead


def case_material_fetch_shared(*, case: Case, user: User, material_code: str) -> CaseMaterial:
    """Take one material the government already holds from the e-licence library."""
    fetched = case_materials_fetch_shared(case=case, user=user, codes=[material_code])
    if fetched.missing:
        raise CaseInvalid("shared_not_found", fetched.missing[material_code])
    return fetched.taken[0]


def case_materials_fetch_shared(*, case: Case, user: User, codes: Sequence[str] | None = None) -> SharedFetch:
    """Take materials the government already holds from the e-licence library, in one lookup.

    `codes`: the materials to take; without them, every shared material not yet handed in. What the
    library holds is kept; what it does not is named in `missing`, to be uploaded instead.
    """
    # Checked without the lock first: the library is asked outside any transaction, and the
    # checks are made again under the lock before anything is written.
    if case.status not in EDITABLE_STATUSES:
        raise CaseConflict("not_editable", _("办件已提交，不能再更换材料。"))
    rows = _shared_rows(case, codes)
    if not rows:
        return SharedFetch(taken=[], missing={})
    if not case.holder_code:
        raise CaseInvalid("holder_code_missing", _("请先在申请表中填写统一社会信用代码或身份证号码。"))
    try:
        records = get_library().lookup(holder_code=case.holder_code)
    except LibraryUnavailable:
        raise CaseUnavailable(
            "library_unavailable", _("电子证照库暂时无法访问，请稍后再试，或先上传材料的扫描件。")
        ) from None
    found: dict[str, str] = {}  # material code → the newest valid licence's identifier
    missing: dict[str, str] = {}
    # Staff filing for a person read this too: his ID number is masked, as everywhere it is shown.
    shown_code = case.holder_code if case.enterprise_id else mask_id_number(case.holder_code)
    today = timezone.localdate()
    for row in rows:
        licence_type = row.material.shared_licence_type or row.material.name
        standing = [r for r in records if r.licence_type == licence_type and r.status == "01"]
        # A library often still marks a licence 01 (valid) after its term has ended.
        valid = [r for r in standing if r.valid_until is None or r.valid_until >= today]
        newest = max(valid, key=lambda r: r.issued_on).identifier if valid else ""
        if newest and _refused_again(row, newest):
            missing[row.material.code] = _refused_again_message(row)
        elif newest:
            found[row.material.code] = newest
        elif standing:
            ended = max(r.valid_until for r in standing if r.valid_until is not None)
            missing[row.material.code] = _(
                "电子证照库中代码为 %(code)s 的“%(licence)s”已于 %(date)s 到期，不能作为有效证照调取。"
                "请上传在有效期内的“%(licence)s”扫描件。"
            ) % {"code": shown_code, "licence": licence_type, "date": ended.strftime("%Y-%m-%d")}
        else:
            missing[row.material.code] = _(
                "电子证照库中没有找到代码为 %(code)s 的有效“%(licence)s”，请上传扫描件。"
            ) % {"code": shown_code, "licence": licence_type}
    if not found:
        return SharedFetch(taken=[], missing=missing)
    with transaction.atomic():
        locked = _lock(case.pk)
        if locked.status not in EDITABLE_STATUSES or locked.holder_code != case.holder_code:
            raise CaseConflict("case_changed", _("办件刚刚已被修改，请刷新页面后重新调取。"))
        taken = [
            row
            for row in _shared_rows(locked, list(found))
            if not _refused_again(row, found[row.material.code])
        ]
        if not taken:
            raise CaseConflict("case_changed", _("办件刚刚已被修改，请刷新页面后重新调取。"))
        now = timezone.now()
        for row in taken:
            if row.disposition == CaseMaterial.Disposition.SHARED:
                # The licence replaces a scan handed in instead: the row is one or the other, never both.
                _file_drop(row)
            row.shared_reference = found[row.material.code]
            row.provided_at = now
            row.needs_supplement = False
        rows_update(taken, STORED_MATERIAL_FIELDS)
        shared = [{"material": row.material.code, "identifier": row.shared_reference} for row in taken]
        if len(shared) == 1:
            event_append(case=locked, actor=user, action="material_shared", data=shared[0])
        else:
            event_append(case=locked, actor=user, action="materials_shared", data={"materials": shared})
    return SharedFetch(taken=taken, missing=missing)


def _refused_again(row: CaseMaterial, identifier: str) -> bool:
    """The window asked for this material again (补正) and the library would give the very licence
    it refused: taking it again would clear the request with nothing changed."""
    return row.needs_supplement and row.shared_reference == identifier


def _refused_again_message(row: CaseMaterial) -> str:
    return _(
        "窗口要求补正的“%(name)s”就是电子证照库中的这份证照，重新调取不能解决补正问题。"
        "请按补正通知上传扫描件；如证照信息有误，请先到发证部门更正。"
    ) % {"name": row.material.name}


def _shared_rows(case: Case, codes: Sequence[str] | None) -> list[CaseMaterial]:
    """The named material rows (each must be on the case), or every shared one not yet handed in."""
    rows = case.materials.select_related("material").order_by("pk")
    if codes is None:
        return [
            row for row in rows.filter(disposition=CaseMaterial.Disposition.SHARED) if not row.is_provided
        ]
    chosen = list(rows.filter(material__code__in=list(codes)))
    if len(chosen) != len(set(codes)):
        raise CaseNotFound("material_not_in_case", _("这份材料不在本办件的材料清单中。"))
    # A row is a licence from the library or a file, never both: only shared materials are fetched.
    others = [row.material.name for row in chosen if row.disposition != CaseMaterial.Disposition.SHARED]
    if others:
        raise CaseInvalid(
            "not_shared",
            _("“%(names)s”不能从电子证照库调取，请按材料清单上传或以承诺代替。")
            % {"names": "、".join(others)},
        )
    return chosen


def commitment_text(case: Case) -> str:
    """The exact commitment letter the applicant signs for this case."""
    # A person's ID number is masked: the letter is shown on pages and printed.
    code = case.holder_code if case.enterprise_id else mask_id_number(case.holder_code)
    # The bundle's name as the case started: renaming the bundle does not change a letter being signed.
    bundle_name = case.plan.get("bundle_name") or case.bundle.name
    lines = [
        f"告知承诺书（{bundle_name}）",
        f"申请人：{case.holder_name}（{code}）",
        "本申请人已阅读并知晓一单告知中的审批条件和材料要求，现郑重承诺：",
        "一、所填报的信息和提交的材料真实、准确、完整，复印件与原件一致；",
        "二、已经符合下列条件，愿意接受审批部门的事后核查；",
    ]
    for index, clause in enumerate(case.plan.get("commitment", []), start=1):
        # Older snapshots name no material: their letters read as they were signed.
        if clause.get("item"):
            prefix = f"{clause['item']}："
        elif clause.get("material"):
            prefix = f"免交《{clause['material']}》："
        else:
            prefix = ""
        lines.append(f"（{index}）{prefix}{clause['text']}")
    lines.append("三、如承诺不实，愿意承担撤销许可等法律责任，并记入信用记录。")
    return "\n".join(lines)


def commitment_sha256(text: str) -> str:
    """The digest a signature keeps of the letter's text, and a signing page sends of the text it showed."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def case_commitment_sign(*, case: Case, user: User, shown_sha256: str | None = None) -> CommitmentSignature:
    """Sign the case's commitment letter as it reads now.

    `shown_sha256`: the digest of the text the signer read; when given and the letter has changed
    since, nothing is signed (the signature would cover a text he never saw).
    """
    with transaction.atomic():
        locked = _lock(case.pk)
        if locked.status not in EDITABLE_STATUSES:
            raise CaseConflict("not_editable", _("办件已提交，承诺书已签署。"))
        text = commitment_text(locked)
        digest = commitment_sha256(text)
        if shown_sha256 is not None and shown_sha256.strip().lower() != digest:
            raise CaseConflict(
                "commitment_changed",
                _("告知承诺书的内容已更新，与您阅读的不同，本次没有签署。请重新阅读承诺书后再签署。"),
            )
        # Under the case's lock no one else signs meanwhile.
        signature = CommitmentSignature.objects.filter(case=locked).first()
        if signature is not None and signature.signer_id == user.pk and signature.text_sha256 == digest:
            # The same person signing the same text again: it stands as signed, with its first time.
            return signature
        signer_name = locked.applicant.name
        if user.pk != locked.applicant_id:
            signer_name = f"{locked.applicant.name}（由{user.name}代为确认）"
        values = {
            "signer": user,
            "signer_name": signer_name,
            "signed_at": timezone.now(),
            "text": text,
            "text_sha256": digest,
        }
        if signature is None:
            signature = CommitmentSignature.objects.create(case=locked, **values)
        else:
            for name, value in values.items():
                setattr(signature, name, value)
            signature.save(update_fields=list(values))
        event_append(case=locked, actor=user, action="commitment_signed", data={"sha256": digest})
    return signature


def _next_number(center: ServiceCenter, today: date) -> str:
    seq = counter_next(CaseCounter, day=today)
    return f"{center.region.code[:6]}{today:%Y%m%d}{seq:05d}"


def submission_problems(case: Case, materials: Iterable[CaseMaterial] | None = None) -> dict[str, str]:
    """Everything that still stops a submit, by field code or material code.

    `materials`: the case's material rows with their catalogue material, if already read.
    """
    problems = case_form_problems(case)
    if materials is None:
        materials = case.materials.select_related("material")
    for row in materials:
        if row.needs_supplement:
            # Whatever its disposition: a commitment the window did not accept no longer covers it.
            problems[f"material:{row.material.code}"] = _(
                "窗口要求补正“%(name)s”，请按补正原因上传这份材料。"
            ) % {"name": row.material.name}
        elif row.disposition != CaseMaterial.Disposition.COMMITMENT and not row.is_provided:
            if row.disposition == CaseMaterial.Disposition.SHARED:
                problems[f"material:{row.material.code}"] = _("请从电子证照库调取或上传“%(name)s”。") % {
                    "name": row.material.name
                }
            else:
                problems[f"material:{row.material.code}"] = _("请上传“%(name)s”。") % {
                    "name": row.material.name
                }
    if case.plan.get("commitment"):
        signature = getattr(case, "commitment_signature", None)
        if signature is None:
            problems["commitment"] = _("请阅读并签署告知承诺书。")
        elif signature.text != commitment_text(case):
            problems["commitment"] = _("告知承诺书的内容在签署后已发生变化，请重新阅读并签署。")
    return problems


def case_submit(*, case: Case, user: User, key: str) -> Case:
    """Submit once: a repeated request with the same key returns the same case unchanged."""
    if not key or len(key) > 64:
        raise CaseInvalid("submission_key", _("提交令牌缺失或无效，请刷新页面后重新提交。"))
    try:
        with transaction.atomic():
            locked = _lock(case.pk, "service_center__region", "commitment_signature", "enterprise")
            # Read under the lock: a request with the same key may have committed while we waited.
            earlier = Submission.objects.filter(key=key).values_list("case_id", flat=True).first()
            if earlier is not None:
                return _submitted_again(locked, earlier)
            if locked.status not in EDITABLE_STATUSES:
                raise CaseConflict("already_submitted", _("办件已提交，无需重复提交。"))
            problems = submission_problems(locked)
            if problems:
                raise CaseInvalid(
                    "incomplete", _("还有内容没有填写或提交，请按提示补充后再提交。"), fields=problems
                )
            Submission.objects.create(key=key, case=locked)
            before = locked.status
            now = timezone.now()
            if locked.number is None:
                locked.number = _next_number(locked.service_center, timezone.localdate(now))
            locked.status = CaseStatus.SUBMITTED
            locked.submitted_at = now
            if before == CaseStatus.SUPPLEMENT:
                SupplementRequest.objects.filter(case=locked, resolved_at__isnull=True).update(
                    resolved_at=now
                )
            event_append(
                case=locked,
                actor=user,
                action="resubmitted" if before == CaseStatus.SUPPLEMENT else "submitted",
                before=before,
                after=CaseStatus.SUBMITTED,
                case_fields=("number", "status", "submitted_at", "updated_at"),
            )
            notify_case_applicant(
                locked,
                "办件已提交",
                f"您的办件 {locked.number}（{locked.bundle.name}）已提交，等待窗口受理。",
            )
    except IntegrityError:
        # A concurrent request with the same key won: return what it created.
        existing = Submission.objects.filter(key=key).values_list("case_id", flat=True).first()
        if existing is None:
            raise
        return _submitted_again(case, existing)
    return locked


def _submitted_again(case: Case, submitted_case_id: int) -> Case:
    """A submit repeated with a key already used: the same case unchanged, or a conflict.

    A key answers only the submit it was used for: once the case is back with the applicant (a
    supplement was asked for since), the key belongs to an earlier round and submits nothing.
    """
    if submitted_case_id != case.pk:
        raise CaseConflict("submission_key_reused", _("提交令牌已用于其他办件，请刷新页面后重新提交。"))
    current = Case.objects.select_related("bundle", "applicant").get(pk=case.pk)
    if current.status in EDITABLE_STATUSES:
        raise CaseConflict(
            "submission_key_stale",
            _(
                "这个提交页面已过期（它属于办件上一次的提交），本次没有提交。请在刷新后的页面上核对后重新提交。"
            ),
        )
    return current


# ---------------------------------------------------------------- the window


def _window_transition(case: Case, clerk: User, allowed: tuple[str, ...]) -> Case:
    if clerk.role != Role.CLERK:
        raise CaseError("not_a_clerk", _("只有综合窗口人员可以办理受理。"))
    locked = _lock(case.pk)
    if locked.service_center_id != clerk.service_center_id:
        raise CaseNotFound("case_not_found", _("没有找到这个办件，请确认办件编号。"))
    if locked.status not in allowed:
        raise CaseConflict(
            "status_changed",
            _("办件当前状态为“%(status)s”，不能执行此操作。请刷新后查看。")
            % {"status": locked.get_status_display()},
        )
    return locked


def case_accept(*, case: Case, clerk: User) -> Case:
    """受理: the case fans out into one branch per item, each in its department's queue at once."""
    from onewindow.approvals.services import branches_open

    with transaction.atomic():
        locked = _window_transition(case, clerk, (CaseStatus.SUBMITTED,))
        locked.status = CaseStatus.IN_APPROVAL
        locked.accepted_at = timezone.now()
        event_append(
            case=locked,
            actor=clerk,
            action="accepted",
            before=CaseStatus.SUBMITTED,
            after=CaseStatus.IN_APPROVAL,
            case_fields=("status", "accepted_at", "updated_at"),
        )
        branches_open(case=locked, actor=clerk)
        notify_case_applicant(locked, "办件已受理", f"您的办件 {locked.number} 已受理，各部门正在并联审批。")
    return locked


def case_request_supplement(
    *, case: Case, clerk: User, entries: list[dict[str, str]], note: str = ""
) -> SupplementRequest:
    """补正一次告知: one notice with everything to add or correct; the case returns to the applicant."""
    if not entries:
        raise CaseInvalid("supplement_empty", _("请至少列出一项需要补正的材料或内容，并写明原因。"))
    with transaction.atomic():
        locked = _window_transition(case, clerk, (CaseStatus.SUBMITTED,))
        rows = {r.material.code: r for r in locked.materials.select_related("material")}
        clean_entries = []
        problems: dict[str, str] = {}
        too_long: dict[str, str] = {}
        for index, entry in enumerate(entries):
            code = str(entry.get("material", "")).strip()
            reason = str(entry.get("reason", "")).strip()
            if code and code not in rows:
                problems[f"entries[{index}].material"] = _("这份材料不在本办件的材料清单中。")
            if not reason:
                problems[f"entries[{index}].reason"] = _("请写明需要补正的原因。")
            elif len(reason) > SUPPLEMENT_REASON_MAX:
                too_long[f"entries[{index}].reason"] = _("补正原因最多 %(limit)s 个字，请精简。") % {
                    "limit": SUPPLEMENT_REASON_MAX
                }
            clean_entries.append(
                {
                    "material": code,
                    "name": rows[code].material.name if code in rows else "",
                    "reason": reason,
                }
            )
        if problems:
            raise CaseInvalid(
                "supplement_invalid", _("补正清单有误，请按提示修改。"), fields={**problems, **too_long}
            )
        if too_long:
            raise CaseInvalid("text_too_long", _("补正原因过长，请精简后再发出补正告知。"), fields=too_long)
        _supplement_told_once(locked, clean_entries)
        for entry in clean_entries:
            if entry["material"]:
                row = rows[entry["material"]]
                row.needs_supplement = True
                row.supplement_reason = entry["reason"]
                row.save(update_fields=["needs_supplement", "supplement_reason"])
        # The notice answers this submission; a resubmission moves the case's time, not this one.
        assert locked.submitted_at is not None, "a case waiting for acceptance has been submitted"
        request = SupplementRequest.objects.create(
            case=locked,
            requested_by=clerk,
            requested_at=timezone.now(),
            submitted_at=locked.submitted_at,
            entries=clean_entries,
            note=note,
        )
        locked.status = CaseStatus.SUPPLEMENT
        event_append(
            case=locked,
            actor=clerk,
            action="supplement_requested",
            before=CaseStatus.SUBMITTED,
            after=CaseStatus.SUPPLEMENT,
            comment=note,
            data={"entries": clean_entries},
            case_fields=("status", "updated_at"),
        )
        notify_case_applicant(
            locked,
            "请补正材料",
            f"您的办件 {locked.number} 需补正 {len(clean_entries)} 项，请登录查看补正告知并一次补齐。",
        )
    return request


@dataclass(frozen=True)
class SupplementTold:
    """What the window already told in its supplement notice, which the applicant has answered."""

    notice: SupplementRequest  # the first notice: the one that had to list everything
    materials: frozenset[str]  # material codes listed
    lines: tuple[str, ...]  # the other lines listed, as written


def supplement_told(case: Case) -> SupplementTold | None:
    """The supplement notice(s) the applicant has answered, or None before any."""
    notices = list(
        SupplementRequest.objects.filter(case=case, resolved_at__isnull=False).order_by("requested_at", "pk")
    )
    if not notices:
        return None
    lines: list[str] = []
    for entry in (e for notice in notices for e in notice.entries):
        if not entry.get("material") and entry["reason"] not in lines:
            lines.append(entry["reason"])
    return SupplementTold(
        notice=notices[0],
        materials=frozenset(e["material"] for n in notices for e in n.entries if e.get("material")),
        lines=tuple(lines),
    )


def _supplement_told_once(case: Case, entries: list[dict[str, str]]) -> None:
    """补正一次告知 (行政许可法 Art. 32): the first notice told everything to add or correct. Once the
    applicant has answered it, a later notice may only repeat what it listed and is still not right:
    its materials (with a new reason) and its other lines (as written); anything new is refused.
    """
    told = supplement_told(case)
    if told is None:
        return
    new: dict[str, str] = {}
    names: list[str] = []
    for index, entry in enumerate(entries):
        if entry["material"] and entry["material"] not in told.materials:
            names.append(f"“{entry['name']}”")
            new[f"entries[{index}].material"] = _("补正材料通知书没有列出这份材料，不能再要求补正。")
        elif not entry["material"] and entry["reason"] not in told.lines:
            names.append(f"“{entry['reason']}”")
            new[f"entries[{index}].reason"] = _("补正材料通知书没有列出这一项，不能再要求补正。")
    if new:
        raise CaseInvalid(
            "supplement_not_told",
            _(
                "补正应一次告知：已于 %(date)s 发出的补正材料通知书没有列出%(names)s，不能再要求补正。"
                "只能就原通知书所列、仍未补正的内容再次告知；否则请作出受理或不予受理决定。"
            )
            % {
                "date": timezone.localtime(told.notice.requested_at).strftime("%Y-%m-%d %H:%M"),
                "names": _("、").join(names),
            },
            fields=new,
        )


def case_refuse(*, case: Case, clerk: User, reason: str) -> Case:
    if not reason.strip():
        message = _("不予受理必须写明理由和依据。")
        raise CaseInvalid("reason_required", message, fields={"reason": message})
    with transaction.atomic():
        locked = _window_transition(case, clerk, (CaseStatus.SUBMITTED,))
        locked.status = CaseStatus.REFUSED
        locked.outcome_note = reason.strip()
        locked.completed_at = timezone.now()
        event_append(
            case=locked,
            actor=clerk,
            action="refused",
            before=CaseStatus.SUBMITTED,
            after=CaseStatus.REFUSED,
            comment=reason,
            case_fields=("status", "outcome_note", "completed_at", "updated_at"),
        )
        notify_case_applicant(locked, "不予受理", f"您的办件 {locked.number} 不予受理：{reason.strip()}")
    return locked


# ---------------------------------------------------------------- corrections by an administrator


def case_correct(*, case: Case, admin: User, fields: Sequence[str]) -> Case:
    """An administrator's correction in the Django admin (the holder's name or code, the centre),
    recorded on the timeline like every other change.

    Only `fields` are written, with the values `case` carries; the rest of the row is left as the
    database has it, so a form opened before the window moved the case on puts nothing back.
    """
    if not fields:
        return case
    with transaction.atomic():
        locked = _lock(case.pk)
        for name in fields:
            setattr(locked, name, getattr(case, name))
        event_append(
            case=locked,
            actor=admin,
            action="corrected",
            data={"fields": list(fields)},
            case_fields=(*fields, "updated_at"),
        )
    return locked
