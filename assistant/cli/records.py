"""CLI for transcription, full-process records, audit verification, 一户式 and 调阅.

    zhifa transcribe AUDIO [--case ID] [--json] [--vocab 词 ...] [--bias] [--no-correct] [--save]
    zhifa transcribe --setup                      # assemble the default Whisper base model
    zhifa record add CASE_ID FILE --meta captured_at=2024-05-01T09:30 location=… collector=… proof_object=…
    zhifa record list CASE_ID | zhifa record check CASE_ID
    zhifa audit verify [CASE_ID]
    zhifa party dossier ID                        # 统一社会信用代码 or 身份证号 (hashed, never logged)
    zhifa access request --records 3,4 --scope 内部 --purpose … [--mode view] --unit 2
    zhifa access approve REQ --as 用户名 [--days 7]   # 审批角色以用户库为准，不接受命令行声明
    zhifa access issue REQ | return REQ [--check 完好]

Every command here that acts names its user with ``--as`` and authenticates that user first
(``ZHIFA_PASSWORD`` or a prompt; :mod:`assistant.cli.identity`).
"""
from __future__ import annotations

import argparse
import sys
import threading

from assistant.cli import db_session, print_json
from assistant.cli.identity import acting_user
from assistant.errors import InputError


# --------------------------------------------------------------------------- helpers




def _actor(args) -> str:
    """The authenticated acting user (``--as``; see assistant.cli.identity)."""
    return acting_user(args)


def _fmt_ts(t: float) -> str:
    m, s = divmod(t, 60)
    h, m = divmod(int(m), 60)
    return f"{h:02d}:{m:02d}:{s:05.2f}"


# --------------------------------------------------------------------------- transcribe
def _transcribe(args, settings) -> int:
    from assistant.adapters.whisper import WhisperTranscriber, ensure_whisper_model
    from assistant.transcription import DecodeOptions, Vocabulary, split_turns, transcribe_file

    if args.setup:
        ensure_whisper_model(settings, progress=lambda m: print(m, file=sys.stderr, end="\r"))
        print(file=sys.stderr)
        if not args.audio:
            return 0
    if not args.audio:
        raise InputError("请指定音频文件", field="audio")
    from assistant.audio import probe

    probe(args.audio, max_bytes=settings.max_upload_mb << 20)  # refuse bad uploads before loading the model
    model_dir = ensure_whisper_model(settings, progress=lambda m: print(m, file=sys.stderr, end="\r"))
    names: list[str] = []
    if args.case is not None:
        names = _case_names(settings, args.case)
    vocab = None
    if args.vocab or names or args.bias or not args.no_correct:
        vocab = Vocabulary.for_case(names=names, extra=args.vocab or ())
    from tqdm import tqdm

    bar = tqdm(total=1000, unit="‰", desc="转写", file=sys.stderr, disable=args.json)
    cancel = threading.Event()

    def progress(frac: float) -> None:
        bar.update(int(frac * 1000) - bar.n)

    try:
        transcript = transcribe_file(args.audio, WhisperTranscriber(model_dir), max_bytes=settings.max_upload_mb << 20,
                                     options=DecodeOptions(vad=not args.no_vad), vocab=vocab, bias=args.bias,
                                     correct=not args.no_correct, progress=progress, cancel=cancel)
    except KeyboardInterrupt:
        cancel.set()
        raise
    finally:
        bar.close()
    saved = None
    if args.save:
        if args.case is None:
            raise InputError("保存转写稿须指定 --case", field="case")
        from assistant.records import save_transcript

        with db_session(settings) as s:
            saved = save_transcript(s, case_id=args.case, transcript=transcript, actor=_actor(args),
                                    audio_record_id=args.record).id
    turns = split_turns(transcript.segments)
    if args.json:
        print_json({"duration": transcript.duration, "elapsed": transcript.elapsed, "rtf": round(transcript.rtf, 3),
                    "model": transcript.model, "corrected": transcript.corrected, "transcript_id": saved,
                    "segments": [s.__dict__ for s in transcript.segments],
                    "turns": [t.__dict__ for t in turns]})
        return 0
    for seg in transcript.segments:
        print(f"[{_fmt_ts(seg.start)} → {_fmt_ts(seg.end)}] {seg.text}" + (f"　⚠ {seg.flag}" if seg.flag else ""))
    if transcript.flagged:
        print(f"\n注意：{len(transcript.flagged)} 段疑似语音识别循环，已折叠或标记，请核听录音后校对。")
    print(f"\n音频 {transcript.duration:.1f} 秒，用时 {transcript.elapsed:.1f} 秒，实时率 RTF {transcript.rtf:.3f}"
          f"（模型 {transcript.model}）" + (f"；已保存为转写稿 {saved}" if saved else ""))
    return 0


def _case_names(settings, case_id: int) -> list[str]:
    """Party names of the case (vocabulary bias/correction)."""
    from sqlalchemy import select

    from assistant.store.case_tables import CaseParty, Party

    with db_session(settings, readonly=True) as s:
        return list(s.execute(select(Party.name).join(CaseParty, CaseParty.party_id == Party.id)
                              .where(CaseParty.case_id == case_id)).scalars())


# --------------------------------------------------------------------------- records
def _parse_meta(pairs: list[str]) -> dict[str, str]:
    out = {}
    for item in pairs or []:
        if "=" not in item:
            raise InputError(f"元数据“{item}”应写成 key=value", field="meta")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _record_add(args, settings) -> int:
    from assistant.records import FileStore, RecordMeta, ingest_record, record_dict

    meta = RecordMeta.parse({**_parse_meta(args.meta), "case_id": str(args.case_id)})
    with db_session(settings) as s:
        res = ingest_record(s, FileStore(settings.files_dir), args.file, meta, actor=_actor(args),
                            max_bytes=settings.max_upload_mb << 20)
        data = record_dict(res.record)
    if args.json:
        print_json({**data, "warnings": list(res.warnings), "deduplicated": res.deduplicated})
    else:
        print(f"已入库记录 {data['id']}（{data['kind']}，SHA-256 {data['sha256']}）" + ("，内容与已有文件相同，未重复存储" if res.deduplicated else ""))
        for w in res.warnings:
            print(f"警告：{w}")
    return 0


def _record_list(args, settings) -> int:
    from assistant.records import case_records, record_dict

    with db_session(settings, readonly=True) as s:
        rows = [record_dict(r) for r in case_records(s, args.case_id)]
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            print(f"{r['id']:>5} {r['kind']:<6} {r['captured_at']} {r['title']} {r['sha256'][:12]}…")
    return 0


def _record_check(args, settings) -> int:
    from assistant.records import check_av_coverage, load_default_av_rules

    with db_session(settings) as s:
        load_default_av_rules(s)
        warns = check_av_coverage(s, args.case_id, agency_id=args.agency)
    for w in warns:
        print(f"警告：{w.message}（依据：{w.source}）")
    if not warns:
        print("音像记录齐全。")
    return 1 if warns else 0


# --------------------------------------------------------------------------- audit
def _audit_verify(args, settings) -> int:
    from assistant.audit import verify_all, verify_chain

    with db_session(settings, readonly=True) as s:
        reports = [verify_chain(s, args.case_id)] if args.case_id is not None else verify_all(s)
    if args.json:
        print_json([r.__dict__ for r in reports])
    else:
        for r in reports:
            if r.ok:
                print(f"✓ {r.chain}：{r.entries} 条，完整")
            else:
                where = f"第 {r.first_broken_seq} 条" if r.first_broken_seq is not None else "链头"
                if r.first_broken_id is not None:
                    where += f"（id={r.first_broken_id}）"
                print(f"✗ {r.chain}：{where}{r.problem}")
        if not reports:
            print("审计日志为空。")
    return 0 if all(r.ok for r in reports) else 1


# --------------------------------------------------------------------------- dossier / access
def _dossier(args, settings) -> int:
    from assistant.dossier import classify_key, party_dossier

    kind = classify_key(args.party)
    with db_session(settings) as s:
        d = party_dossier(s, actor=_actor(args), salt=settings.salt(),
                          **({"credit_code": args.party} if kind == "credit" else {"id_number": args.party}))
        data = d.to_dict()
    if args.json:
        print_json(data)
    else:
        print(f"一户式：{'、'.join(data['names'])}（{data['key']}）")
        for c in data["cases"]:
            print(f"  案件 {c['case_id']} {c['case_number'] or ''} {c['cause']} [{c['state']}]")
        for r in data["records"]:
            print(f"  记录 {r['record_id']} 案件 {r['case_id']} {r['kind']} {r['captured_at']} {r['title']}")
    return 0


def _access(args, settings) -> int:
    from assistant import access

    with db_session(settings) as s:
        if args.access_cmd == "request":
            ids = [int(x) for x in args.records.replace("，", ",").split(",") if x.strip()]
            req = access.request_access(s, requester=_actor(args), requester_unit=args.unit, scope=args.scope,
                                        purpose=args.purpose, record_ids=ids, mode=args.mode, letter_ref=args.letter)
        elif args.access_cmd == "approve":
            req = access.approve_access(s, args.request_id, approver=_actor(args), days=args.days)
        elif args.access_cmd == "issue":
            req = access.issue_access(s, args.request_id, actor=_actor(args))
        else:
            req = access.return_access(s, args.request_id, checked_by=_actor(args), check=args.check)
        data = {c.name: getattr(req, c.name) for c in req.__table__.columns}
    if args.json:
        print_json(data)
    else:
        print(f"调阅申请 {data['id']}：{data['status']}" + (f"，有效期至 {data['expires_at']}" if data["expires_at"] else ""))
    return 0


# --------------------------------------------------------------------------- parser
def register(subparsers: argparse._SubParsersAction) -> None:
    def common(p, *, acts: bool = True):
        p.add_argument("--json", action="store_true", help="输出 JSON")
        if acts:  # the acting user is authenticated (ZHIFA_PASSWORD or a prompt): assistant.cli.identity
            p.add_argument("--as", dest="actor", default=None,
                           help="操作人用户名（必填；须验证密码，见 ZHIFA_PASSWORD）")

    t = subparsers.add_parser("transcribe", help="询问录音转写（带时间戳、问/答分段）")
    t.add_argument("audio", nargs="?", help="音频文件：wav / mp3 / m4a / amr")
    t.add_argument("--setup", action="store_true", help="只组装默认语音模型")
    t.add_argument("--case", type=int, help="案件 id：用当事人姓名作词表，并可 --save 保存")
    t.add_argument("--record", type=int, help="对应的音像记录 id（与 --save 一起用）")
    t.add_argument("--vocab", nargs="*", help="额外词语（人名、地名）")
    t.add_argument("--bias", action="store_true", help="用词表引导解码（hotwords；实测未提升，默认关）")
    t.add_argument("--no-correct", action="store_true", help="关闭词表纠错")
    t.add_argument("--no-vad", action="store_true", help="关闭静音检测")
    t.add_argument("--save", action="store_true", help="把转写稿保存到案件")
    common(t)
    t.set_defaults(func=_transcribe, acts_when=lambda a: a.save)

    r = subparsers.add_parser("record", help="全过程记录：入库、列表、音像记录检查")
    rs = r.add_subparsers(dest="record_cmd", metavar="操作", required=True)
    a = rs.add_parser("add", help="入库一份记录（文件按内容寻址保存，只增不改）")
    a.add_argument("case_id", type=int)
    a.add_argument("file")
    a.add_argument("--meta", nargs="*", default=[], help="key=value：captured_at location collector proof_object "
                   "[kind party_id agency_id title activity device gps public retention text_record_id]")
    common(a)
    a.set_defaults(func=_record_add)
    ls = rs.add_parser("list", help="列出案件的记录")
    ls.add_argument("case_id", type=int)
    common(ls, acts=False)
    ls.set_defaults(func=_record_list)
    ck = rs.add_parser("check", help="按音像记录事项清单检查是否缺少音像记录")
    ck.add_argument("case_id", type=int)
    ck.add_argument("--agency", type=int, help="机关 id（使用本机关清单）")
    common(ck, acts=False)
    ck.set_defaults(func=_record_check)

    au = subparsers.add_parser("audit", help="审计日志")
    aus = au.add_subparsers(dest="audit_cmd", metavar="操作", required=True)
    v = aus.add_parser("verify", help="校验哈希链：发现修改、删除、重排并指出第一条异常记录")
    v.add_argument("case_id", nargs="?", type=int)
    common(v, acts=False)
    v.set_defaults(func=_audit_verify)

    p = subparsers.add_parser("party", help="当事人")
    ps = p.add_subparsers(dest="party_cmd", metavar="操作", required=True)
    d = ps.add_parser("dossier", help="一户式：按统一社会信用代码或身份证号汇总全部记录")
    d.add_argument("party", help="统一社会信用代码或身份证号")
    common(d)
    d.set_defaults(func=_dossier)

    ac = subparsers.add_parser("access", help="调阅：申请、审批、发放、归还")
    acs = ac.add_subparsers(dest="access_cmd", metavar="操作", required=True)
    rq = acs.add_parser("request", help="提交调阅申请")
    rq.add_argument("--records", required=True, help="记录 id，逗号分隔")
    rq.add_argument("--scope", default="内部", choices=("内部", "外部"))
    rq.add_argument("--purpose", required=True)
    rq.add_argument("--mode", default="view", choices=("view", "copy", "loan"))
    rq.add_argument("--unit", type=int, help="申请人所在单位（机关 id）")
    rq.add_argument("--letter", help="调阅函编号（外部调阅必填）")
    ap = acs.add_parser("approve", help="审批调阅申请")
    ap.add_argument("request_id", type=int)
    ap.add_argument("--days", type=int, default=7)
    iss = acs.add_parser("issue", help="登记发放")
    iss.add_argument("request_id", type=int)
    rt = acs.add_parser("return", help="登记归还并检查")
    rt.add_argument("request_id", type=int)
    rt.add_argument("--check", default="完好")
    for sp in (rq, ap, iss, rt):
        common(sp)
        sp.set_defaults(func=_access)
