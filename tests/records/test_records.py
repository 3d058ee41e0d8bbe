"""Full-process records: content-addressed write-once storage with dedup and hash check on read,
required metadata, the 24-hour hand-over warning, the 音像记录事项清单 check, and every action
(create, view, download, export) in the audit chain of the case."""
from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from assistant.audit import verify_chain
from assistant.errors import InputError, IntegrityError
from assistant.records import (HANDOVER_SOURCE, RecordMeta, check_av_coverage, download_record,
                               export_case_records, handover_warning, ingest_record, link_text_record,
                               load_default_av_rules, view_record)
from assistant.store.audit_tables import AuditEntry
from assistant.store.record_tables import ProcessRecord

from tests.records.records_helpers import meta

MB = 1 << 20


def _ingest(db, files, path, **over):
    with db.session() as s:
        res = ingest_record(s, files, path, RecordMeta.parse(meta(**over)), actor="zhang", max_bytes=10 * MB)
        return res.record.id, res.record.sha256, res.warnings, res.deduplicated


def test_files_are_content_addressed_read_only_and_deduplicated(db, files, clip, tmp_path):
    rid, sha, warnings, dedup = _ingest(db, files, clip, title="询问录音", device="DSJ-01", gps="31.2304,121.4737")
    assert not warnings and not dedup
    stored = files.path(sha)
    assert stored == files.root / sha[:2] / sha[2:4] / sha and stored.read_bytes() == clip.read_bytes()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o444
    assert not list((files.root / "tmp").iterdir())  # temp file renamed away
    copy = tmp_path / "copy.wav"
    copy.write_bytes(clip.read_bytes())
    rid2, sha2, _, dedup2 = _ingest(db, files, copy)
    assert sha2 == sha and dedup2 and rid2 != rid
    assert len([p for p in files.root.rglob("*") if p.is_file()]) == 1
    with db.session(readonly=True) as s:
        rec = s.get(ProcessRecord, rid)
        assert (rec.kind, rec.format, rec.gps, rec.device) == ("audio", "wav", "31.230400,121.473700", "DSJ-01")
        assert rec.duration == pytest.approx(4.2, abs=0.05) and rec.size_bytes == clip.stat().st_size
        assert rec.ingested_at >= rec.captured_at


def test_a_modified_file_is_detected_on_view(db, files, clip):
    rid, sha, *_ = _ingest(db, files, clip)
    path = files.path(sha)
    os.chmod(path, 0o644)
    path.write_bytes(clip.read_bytes()[:-10] + b"0123456789")
    with db.session() as s, pytest.raises(IntegrityError, match="已被改动"):
        view_record(s, files, rid, actor="zhang")
    assert not files.verify(sha)


@pytest.mark.parametrize("over,words", [
    ({"location": ""}, "采集地点"), ({"proof_object": ""}, "证明对象"),
    ({"captured_at": "昨天"}, "captured_at"), ({"gps": "north"}, "GPS"), ({"colour": "red"}, "未知")])
def test_metadata_is_validated_before_anything_is_written(db, files, clip, over, words):
    with pytest.raises(InputError, match=words):
        _ingest(db, files, clip, **over)
    assert not files.root.exists()


def test_handover_after_24_hours_warns(db, files, clip):
    late = datetime.now().replace(microsecond=0) - timedelta(hours=30)
    rid, _, warnings, _ = _ingest(db, files, clip, captured_at=late.isoformat())
    assert len(warnings) == 1 and "超过 24 小时" in warnings[0] and HANDOVER_SOURCE in warnings[0]
    with db.session(readonly=True) as s:
        assert s.get(ProcessRecord, rid).handover_late
        entry = s.execute(select(AuditEntry)).scalar_one()
        assert entry.detail["handover_late"] is True
    now = datetime(2024, 5, 2, 9, 0)
    assert handover_warning(now - timedelta(hours=23, minutes=59), now) is None
    assert handover_warning(now - timedelta(hours=24, minutes=1), now)


def test_activity_requiring_full_av_without_av_record_warns(db, files, clip, tmp_path):
    note = tmp_path / "扣押笔录.txt"
    note.write_text("扣押笔录正文", encoding="utf-8")
    with db.session() as s:
        assert load_default_av_rules(s) > 10
        assert load_default_av_rules(s) == 0  # idempotent
    tid, *_ = _ingest(db, files, note, activity="查封扣押", kind="text")
    _ingest(db, files, note, activity="调查取证", kind="text",
         title="询问笔录")
    with db.session(readonly=True) as s:
        warns = check_av_coverage(s, 1)
    assert [w.activity for w in warns] == ["查封扣押"] and "全程" in warns[0].message and "[002]" in warns[0].source
    rid, *_ = _ingest(db, files, clip, text_record_id=tid)
    with db.session(readonly=True) as s:
        assert check_av_coverage(s, 1) == []
    with pytest.raises(InputError, match="不存在或不属于本案"):
        _ingest(db, files, clip, text_record_id=rid)


def test_every_action_is_in_the_audit_chain(db, files, clip, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("现场检查笔录", encoding="utf-8")
    tid, *_ = _ingest(db, files, note, kind="text")
    rid, sha, *_ = _ingest(db, files, clip)
    with db.session() as s:
        link_text_record(s, rid, tid, actor="zhang")
        rec, data = view_record(s, files, rid, actor="li4")
        assert data == clip.read_bytes()
        out = download_record(s, files, rid, tmp_path, actor="li4")
        assert out.read_bytes() == clip.read_bytes()
        manifest = export_case_records(s, files, 1, tmp_path / "export", actor="li4")
    items = json.loads(manifest.read_text(encoding="utf-8"))
    assert {i["sha256"] for i in items} == {sha, files.path(sha).name} | {items[0]["sha256"]}
    with db.session(readonly=True) as s:
        actions = [e.action for e in s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()]
        assert actions == ["record.create", "record.create", "record.link", "record.view", "record.download",
                           "record.export", "record.export"]
        assert verify_chain(s, 1).ok


def test_video_records_are_probed_and_stored(db, files, tmp_path):
    import subprocess

    video = tmp_path / "执法记录仪.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5",
                    "-t", "2", "-pix_fmt", "yuv420p", str(video)], check=True)
    rid, sha, *_ = _ingest(db, files, video, activity="查封扣押")
    with db.session(readonly=True) as s:
        rec = s.get(ProcessRecord, rid)
        assert rec.kind == "video" and rec.duration == pytest.approx(2.0, abs=0.3) and rec.format == "mp4"
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00" * 100)
    with pytest.raises(InputError, match="视频"):
        _ingest(db, files, broken)


def _default_rules() -> list[dict]:
    from pathlib import Path

    import assistant

    return json.loads((Path(assistant.__file__).with_name("av_rules.json")).read_text(encoding="utf-8"))["rules"]


@pytest.mark.parametrize("rule", _default_rules(), ids=lambda r: r["activity"])
def test_every_spec_6_activity_gets_its_av_rule(db, rule):
    """domain-spec §6: 全程 activities warn without an A/V record; 根据实际 / 可不录 never do."""
    with db.session() as s:
        load_default_av_rules(s)
        warns = check_av_coverage(s, 1, activities=(rule["activity"],))
    if rule["requirement"] == "全程":
        assert [w.activity for w in warns] == [rule["activity"]] and "全程" in warns[0].message
        assert warns[0].source == rule["source"]
    else:
        assert warns == []


def test_the_spec_6_full_recording_activities_are_all_in_the_default_list():
    full = {r["activity"] for r in _default_rules() if r["requirement"] == "全程"}
    assert {"罚没财物处置", "执法办案场所", "查封扣押", "强制拆除", "涉及人身自由", "涉及生命健康",
            "涉及重大财产权益", "易引发争议"} <= full


def test_handover_within_24_hours_does_not_warn(db, files, clip):
    on_time = datetime.now().replace(microsecond=0) - timedelta(hours=23)
    rid, _, warnings, _ = _ingest(db, files, clip, captured_at=on_time.isoformat())
    assert not warnings
    with db.session(readonly=True) as s:
        assert not s.get(ProcessRecord, rid).handover_late
