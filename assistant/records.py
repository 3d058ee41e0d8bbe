"""全过程记录 (process records, spec §6): content-addressed WORM file store, record metadata,
24-hour hand-over check, 音像记录事项清单 (av_rules) check, interview transcripts with tracked
edits, and the logged actions on records (create, view, download, export).

Every action goes through :func:`assistant.audit.log_action` in the caller's transaction; callers
commit. Bad input raises :class:`InputError` before anything is written.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.audit import log_action
from assistant.errors import InputError, IntegrityError, NotFoundError
from assistant.store.record_tables import AvRule, ProcessRecord, TranscriptEdit, TranscriptRow
from assistant.transcription import EditableTranscript, Edit, Transcript, Turn

log = logging.getLogger(__name__)

KINDS = ("text", "audio", "video", "photo")
HANDOVER_LIMIT = timedelta(hours=24)
HANDOVER_SOURCE = "[004] 晋江市自然资源局 2021：音像记录“24小时内移交储存”"
AV_REQUIREMENTS = ("全程", "根据实际", "可不录")
_EXT_KIND = {
    **dict.fromkeys(("txt", "docx", "doc", "pdf", "json", "md"), "text"),
    **dict.fromkeys(("wav", "mp3", "m4a", "amr"), "audio"),
    **dict.fromkeys(("mp4", "mov", "avi", "mkv", "3gp"), "video"),
    **dict.fromkeys(("jpg", "jpeg", "png", "heic", "bmp", "tif", "tiff"), "photo"),
}


# --------------------------------------------------------------------------- file store
class FileStore:
    """Write-once, content-addressed files: ``{root}/ab/cd/abcd…`` named by SHA-256.

    Files are written to a temporary file in ``{root}/tmp``, fsynced, made read-only (0444) and
    atomically renamed into place; identical content is stored once. Nothing is ever modified."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise InputError(f"无效的文件哈希“{sha256}”", field="sha256")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def put(self, src: Path | str) -> tuple[str, int, bool]:
        """Store ``src``; return ``(sha256, size, created)`` (``created`` False on dedup)."""
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        h = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="ingest-")
        try:
            with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
                while chunk := inp.read(1 << 20):
                    h.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            digest = h.hexdigest()
            final = self.path(digest)
            if final.exists():
                os.unlink(tmp_name)
                return digest, size, False
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp_name, 0o444)
            os.replace(tmp_name, final)
            return digest, size, True
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def verify(self, sha256: str) -> bool:
        path = self.path(sha256)
        if not path.exists():
            return False
        h = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        return h.hexdigest() == sha256

    def discard(self, sha256: str) -> None:
        """Remove a blob written by a transaction that then failed (never used otherwise)."""
        path = self.path(sha256)
        if path.exists():
            os.chmod(path, 0o644)
            path.unlink()


# --------------------------------------------------------------------------- metadata
@dataclass(frozen=True)
class RecordMeta:
    case_id: int
    captured_at: datetime
    location: str
    collector: str
    proof_object: str
    kind: str | None = None
    party_id: int | None = None
    agency_id: int | None = None
    title: str = ""
    activity: str | None = None
    captured_end: datetime | None = None
    device: str | None = None
    gps: str | None = None
    public: bool = False
    retention: str = "永久"
    text_record_id: int | None = None

    @classmethod
    def parse(cls, raw: Mapping[str, object]) -> RecordMeta:
        """Build from ``key=value`` strings (CLI, forms); Chinese messages name the bad field."""
        known = set(cls.__dataclass_fields__)
        unknown = set(raw) - known
        if unknown:
            raise InputError(f"未知的元数据字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0])
        labels = {"case_id": "案件编号", "captured_at": "采集时间", "location": "采集地点",
                  "collector": "采集人", "proof_object": "证明对象"}
        missing = [labels[k] for k in labels if not str(raw.get(k, "") or "").strip()]
        if missing:
            raise InputError(f"记录缺少必填元数据：{'、'.join(missing)}", field="meta")
        vals: dict[str, object] = {}
        for key, value in raw.items():
            if value is None or value == "":
                continue
            if key in ("case_id", "party_id", "agency_id", "text_record_id"):
                vals[key] = _int(key, value)
            elif key in ("captured_at", "captured_end"):
                vals[key] = _dt(key, value)
            elif key == "public":
                vals[key] = value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "是")
            elif key == "gps":
                vals[key] = _gps(str(value))
            else:
                vals[key] = str(value).strip()
        if vals.get("kind") and vals["kind"] not in KINDS:
            raise InputError(f"记录类型“{vals['kind']}”无效，可选：{'、'.join(KINDS)}", field="kind")
        return cls(**vals)


def _int(key: str, value: object) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"字段 {key} 应为整数，实为“{value}”", field=key) from None


def _dt(key: str, value: object) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    try:
        return datetime.fromisoformat(str(value).strip()).replace(tzinfo=None)
    except ValueError:
        raise InputError(f"字段 {key} 的时间“{value}”格式错误，应为 2024-05-01T09:30", field=key) from None


def _gps(value: str) -> str:
    try:
        lat, lon = (float(x) for x in value.split(","))
    except ValueError:
        raise InputError(f"GPS“{value}”格式错误，应为 纬度,经度", field="gps") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InputError(f"GPS“{value}”超出范围", field="gps")
    return f"{lat:.6f},{lon:.6f}"


@dataclass(frozen=True)
class Ingested:
    record: ProcessRecord
    warnings: tuple[str, ...] = ()
    deduplicated: bool = False


def handover_warning(captured_at: datetime, ingested_at: datetime) -> str | None:
    """Spec §6: A/V must be handed over for storage within 24 h of capture."""
    late = ingested_at - captured_at
    if late > HANDOVER_LIMIT:
        hours = late.total_seconds() / 3600
        return f"采集后 {hours:.1f} 小时才移交储存，超过 24 小时（{HANDOVER_SOURCE}）"
    return None


def ingest_record(session: Session, files: FileStore, path: Path | str, meta: RecordMeta, *,
                  actor: str, max_bytes: int, now: datetime | None = None) -> Ingested:
    """Validate, store the file (content-addressed) and add the record + audit entry."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"文件“{path.name}”不存在", field="file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"文件“{path.name}”是空文件（0 字节）", field="file")
    if size > max_bytes:
        raise InputError(f"文件“{path.name}”超过上传上限 {max_bytes / 1048576:.0f} MB", field="file")
    ext = path.suffix.lower().lstrip(".")
    kind = meta.kind or _EXT_KIND.get(ext)
    if kind is None:
        raise InputError(f"无法判断文件“{path.name}”的记录类型，请用 kind=text|audio|video|photo 指明", field="kind")
    duration = None
    fmt = ext or "bin"
    if kind == "audio":
        from assistant.audio import probe

        info = probe(path, max_bytes=max_bytes)  # raises InputError before anything is written
        duration, fmt = info.duration, info.format
    elif kind == "video":
        from assistant.audio import probe_video

        duration = probe_video(path, max_bytes=max_bytes)
    if meta.text_record_id is not None:
        text = session.get(ProcessRecord, meta.text_record_id)
        if text is None or text.kind != "text" or text.case_id != meta.case_id:
            raise InputError(f"关联的文字记录 {meta.text_record_id} 不存在或不属于本案", field="text_record_id")
    now = (now or datetime.now()).replace(tzinfo=None)
    if meta.captured_at > now + timedelta(minutes=5):
        raise InputError("采集时间晚于当前时间", field="captured_at")
    warnings = []
    late = handover_warning(meta.captured_at, now) if kind in ("audio", "video", "photo") else None
    if late:
        warnings.append(late)
    digest, size, created = files.put(path)
    try:
        rec = ProcessRecord(
            case_id=meta.case_id, party_id=meta.party_id, agency_id=meta.agency_id, kind=kind,
            title=meta.title or path.stem, activity=meta.activity, captured_at=meta.captured_at,
            captured_end=meta.captured_end, location=meta.location, collector=meta.collector,
            proof_object=meta.proof_object, device=meta.device, format=fmt, duration=duration,
            gps=meta.gps, public=meta.public, retention=meta.retention, sha256=digest,
            size_bytes=size, original_name=path.name, text_record_id=meta.text_record_id,
            ingested_at=now, ingested_by=actor, handover_late=bool(late))
        session.add(rec)
        session.flush()
        log_action(session, case_id=meta.case_id, actor=actor, action="record.create",
                   detail={"record_id": rec.id, "kind": kind, "sha256": digest, "size": size,
                           "format": fmt, "duration": duration, "handover_late": bool(late),
                           "deduplicated": not created}, at=now)
    except BaseException:
        if created:
            files.discard(digest)
        raise
    for w in warnings:
        log.warning("record %s of case %s: %s", rec.id, meta.case_id, w)
    return Ingested(rec, tuple(warnings), not created)


def get_record(session: Session, record_id: int) -> ProcessRecord:
    rec = session.get(ProcessRecord, record_id)
    if rec is None:
        raise NotFoundError(f"记录 {record_id} 不存在")
    return rec


def link_text_record(session: Session, av_record_id: int, text_record_id: int, *, actor: str) -> None:
    """音像记录与文字记录衔接 ([000]): the only field of a record that may be set after ingest."""
    av, text = get_record(session, av_record_id), get_record(session, text_record_id)
    if text.kind != "text" or text.case_id != av.case_id:
        raise InputError(f"记录 {text_record_id} 不是本案的文字记录", field="text_record_id")
    if av.text_record_id not in (None, text_record_id):
        raise InputError(f"记录 {av_record_id} 已关联文字记录 {av.text_record_id}", field="text_record_id")
    av.text_record_id = text_record_id
    log_action(session, case_id=av.case_id, actor=actor, action="record.link",
               detail={"record_id": av.id, "text_record_id": text_record_id})


def _authorize(session: Session, rec: ProcessRecord, actor: str, actor_unit: int | None, mode: str,
               now: datetime | None):
    from assistant.access import authorize

    return authorize(session, rec, actor=actor, actor_unit=actor_unit, mode=mode, now=now)


def view_record(session: Session, files: FileStore, record_id: int, *, actor: str,
                actor_unit: int | None = None, now: datetime | None = None) -> tuple[ProcessRecord, bytes]:
    """Return the record and its bytes (hash re-checked); logged as ``record.view``."""
    rec = get_record(session, record_id)
    grant = _authorize(session, rec, actor, actor_unit, "view", now)
    data = _read_checked(files, rec)
    log_action(session, case_id=rec.case_id, actor=actor, action="record.view",
               detail={"record_id": rec.id, "access_request": grant})
    return rec, data


def download_record(session: Session, files: FileStore, record_id: int, dest: Path | str, *,
                    actor: str, actor_unit: int | None = None, now: datetime | None = None,
                    action: str = "record.download") -> Path:
    rec = get_record(session, record_id)
    grant = _authorize(session, rec, actor, actor_unit, "copy", now)
    data = _read_checked(files, rec)
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / f"{rec.id}_{rec.original_name or rec.sha256}"
    tmp = dest.with_name(dest.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, dest)
    log_action(session, case_id=rec.case_id, actor=actor, action=action,
               detail={"record_id": rec.id, "sha256": rec.sha256, "access_request": grant})
    return dest


def export_case_records(session: Session, files: FileStore, case_id: int, dest_dir: Path | str, *,
                        actor: str, actor_unit: int | None = None) -> Path:
    """Copy every record of a case plus a manifest (metadata + SHA-256) into ``dest_dir``."""
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    manifest = []
    for rec in case_records(session, case_id):
        out = download_record(session, files, rec.id, dest_dir, actor=actor, actor_unit=actor_unit,
                              action="record.export")
        manifest.append({**record_dict(rec), "file": out.name})
    path = dest_dir / "manifest.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return path


def _read_checked(files: FileStore, rec: ProcessRecord) -> bytes:
    path = files.path(rec.sha256)
    if not path.exists():
        raise IntegrityError(f"记录 {rec.id} 的文件缺失（{rec.sha256[:12]}…）")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != rec.sha256:
        raise IntegrityError(f"记录 {rec.id} 的文件已被改动：哈希与入库时不符")
    return data


def case_records(session: Session, case_id: int) -> list[ProcessRecord]:
    return list(session.execute(select(ProcessRecord).where(ProcessRecord.case_id == case_id)
                                .order_by(ProcessRecord.captured_at, ProcessRecord.id)).scalars())


def record_dict(rec: ProcessRecord) -> dict:
    return {c.name: getattr(rec, c.name) for c in ProcessRecord.__table__.columns}


# --------------------------------------------------------------------------- av rules
AV_RULES_FILE = Path(__file__).with_name("av_rules.json")


def load_default_av_rules(session: Session, agency_id: int | None = None, path: Path | None = None) -> int:
    """Load the bundled (or an agency's) 音像记录事项清单; existing activities are kept."""
    data = json.loads((path or AV_RULES_FILE).read_text(encoding="utf-8"))
    have = {r.activity for r in session.execute(select(AvRule).where(AvRule.agency_id.is_(agency_id)
                                                                     if agency_id is None else AvRule.agency_id == agency_id)).scalars()}
    added = 0
    for i, rule in enumerate(data["rules"], start=1):
        if rule.get("requirement") not in AV_REQUIREMENTS or not rule.get("source") or not rule.get("activity"):
            raise InputError(f"音像记录事项清单第{i}条无效：需要 activity、requirement（{'/'.join(AV_REQUIREMENTS)}）和 source",
                             field="av_rules", line=i)
        if rule["activity"] not in have:
            session.add(AvRule(agency_id=agency_id, activity=rule["activity"],
                               requirement=rule["requirement"], source=rule["source"]))
            added += 1
    session.flush()
    return added


def av_requirement(session: Session, activity: str, agency_id: int | None = None) -> AvRule | None:
    """The agency's rule for an activity, falling back to the default list."""
    if agency_id is not None:
        rule = session.execute(select(AvRule).where(AvRule.agency_id == agency_id,
                                                    AvRule.activity == activity)).scalar_one_or_none()
        if rule:
            return rule
    return session.execute(select(AvRule).where(AvRule.agency_id.is_(None),
                                                AvRule.activity == activity)).scalar_one_or_none()


@dataclass(frozen=True)
class AvWarning:
    activity: str
    text_record_id: int | None
    message: str
    source: str


def check_av_coverage(session: Session, case_id: int, *, agency_id: int | None = None,
                      activities: tuple[str, ...] = ()) -> list[AvWarning]:
    """Warn for each activity whose rule is 全程 but has no audio/video record attached.

    Activities come from the case's text records (``activity`` field) plus ``activities``. An A/V
    record counts when it is linked to that text record or carries the same activity."""
    recs = case_records(session, case_id)
    av = [r for r in recs if r.kind in ("audio", "video")]
    todo: list[tuple[str, int | None]] = [(r.activity, r.id) for r in recs if r.kind == "text" and r.activity]
    todo += [(a, None) for a in activities]
    out = []
    for activity, text_id in todo:
        rule = av_requirement(session, activity, agency_id)
        if rule is None or rule.requirement != "全程":
            continue
        covered = any(r.text_record_id == text_id and text_id is not None or r.activity == activity for r in av)
        if not covered:
            what = f"文字记录 {text_id}" if text_id else "该环节"
            out.append(AvWarning(activity, text_id,
                                 f"“{activity}”应全程音像记录，但{what}没有附音像记录", rule.source))
    return out


# --------------------------------------------------------------------------- transcripts
def save_transcript(session: Session, *, case_id: int, transcript: Transcript, actor: str,
                    audio_record_id: int | None = None, initial: list[Turn] | None = None) -> TranscriptRow:
    """Persist a finished machine transcript (immutable) and its machine-split turns."""
    raw = transcript.to_json()
    et = EditableTranscript(transcript, initial=initial)
    row = TranscriptRow(case_id=case_id, audio_record_id=audio_record_id, model=transcript.model,
                        machine_json=raw, machine_sha256=hashlib.sha256(raw.encode()).hexdigest(),
                        initial_turns=[t.__dict__ for t in et.initial], created_at=datetime.now(),
                        created_by=actor)
    session.add(row)
    session.flush()
    log_action(session, case_id=case_id, actor=actor, action="transcript.create",
               detail={"transcript_id": row.id, "audio_record_id": audio_record_id,
                       "machine_sha256": row.machine_sha256, "segments": len(transcript.segments),
                       "model": transcript.model})
    return row


def load_transcript(session: Session, transcript_id: int) -> EditableTranscript:
    row = session.get(TranscriptRow, transcript_id)
    if row is None:
        raise NotFoundError(f"转写稿 {transcript_id} 不存在")
    if hashlib.sha256(row.machine_json.encode()).hexdigest() != row.machine_sha256:
        raise IntegrityError(f"转写稿 {transcript_id} 的机器转写原文已被改动")
    edits = session.execute(select(TranscriptEdit).where(TranscriptEdit.transcript_id == transcript_id)
                            .order_by(TranscriptEdit.seq)).scalars()
    return EditableTranscript(
        Transcript.from_json(row.machine_json),
        [Edit(e.op, e.turn_index, e.actor, e.at, e.before, e.after, e.position) for e in edits],
        initial=[Turn(**t) for t in row.initial_turns])


def edit_transcript(session: Session, transcript_id: int, op: str, index: int, *, actor: str,
                    text: str | None = None, position: int | None = None) -> Edit:
    """Apply one officer correction (text | flip | merge | split) and log it."""
    et = load_transcript(session, transcript_id)
    if op == "text":
        edit = et.edit_text(index, text or "", actor=actor)
    elif op == "flip":
        edit = et.flip_speaker(index, actor=actor)
    elif op == "merge":
        edit = et.merge(index, actor=actor)
    elif op == "split":
        edit = et.split(index, position if position is not None else -1, actor=actor)
    else:
        raise InputError(f"未知的修改类型“{op}”（可选 text、flip、merge、split）", field="op")
    row = session.get(TranscriptRow, transcript_id)
    session.add(TranscriptEdit(transcript_id=transcript_id, seq=len(et.edits), op=edit.op,
                               turn_index=edit.index, position=edit.position, before=edit.before,
                               after=edit.after, actor=actor, at=edit.at))
    log_action(session, case_id=row.case_id, actor=actor, action="transcript.edit",
               detail={"transcript_id": transcript_id, "seq": len(et.edits), "op": op, "turn": index,
                       "before_sha256": hashlib.sha256(edit.before.encode()).hexdigest(),
                       "after_sha256": hashlib.sha256(edit.after.encode()).hexdigest()}, at=edit.at)
    session.flush()
    return edit
