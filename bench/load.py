"""Load benchmark of the web UI: N concurrent sessions (default 20) through login → statute search
→ drafting a 决定书 (.docx) for a seeded case, against a Gradio app on 127.0.0.1 only.

Each session is a ``gradio_client.Client`` (its own Gradio session hash, so its own per-user state).
A single-session baseline runs first in the same process, then the concurrent phase; the report
gives p50/p95/p99 latency per operation, errors, throughput, and the concurrent/baseline ratios.
Bounded: ``--requests`` per session and ``--time-limit`` seconds per phase.

    .venv/bin/python bench/load.py                       # self-hosted: temp case DB + bench user
    .venv/bin/python bench/load.py --url http://127.0.0.1:7860 --user u --password p
    .venv/bin/python bench/load.py --json                # machine-readable report

Self-hosted mode uses the statute store and search index of the current settings (ZHIFA_HOME),
read-only, and a throw-away case database with one 承办人 account.
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import secrets
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

QUERIES = [
    "销售超过保质期的食品",
    "食品安全法第一百二十四条",
    "未取得许可从事食品生产经营",
    "虚假广告 罚款",
    "生产销售不符合安全标准的产品",
    "无证经营 没收违法所得",
    "价格欺诈",
    "拒绝接受监督检查",
    "违法排放污染物 按日连续处罚",
    "建设工程 未取得施工许可证",
]


@dataclass
class Phase:
    name: str
    sessions: int
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    wall: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, op: str, seconds: float | None, error: str | None = None) -> None:
        with self.lock:
            if error is None:
                self.latencies.setdefault(op, []).append(seconds)
            else:
                self.errors[op] = self.errors.get(op, 0) + 1
                if len(self.error_samples) < 5:
                    self.error_samples.append(f"{op}: {error[:200]}")

    def summary(self) -> dict:
        ops = {}
        for op in sorted(set(self.latencies) | set(self.errors)):
            xs = sorted(self.latencies.get(op, []))
            ops[op] = {"ok": len(xs), "errors": self.errors.get(op, 0), **percentiles(xs)}
        total_ok = sum(len(v) for v in self.latencies.values())
        return {"phase": self.name, "sessions": self.sessions, "wall_s": round(self.wall, 2),
                "throughput_per_s": round(total_ok / self.wall, 2) if self.wall else 0.0,
                "ops": ops, "error_samples": self.error_samples}


def percentiles(xs: list[float]) -> dict:
    if not xs:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "mean_ms": None}

    def pct(p: float) -> float:
        # nearest-rank on the sorted sample
        idx = max(0, min(len(xs) - 1, int(round(p / 100 * len(xs) + 0.5)) - 1))
        return round(xs[idx] * 1000, 1)

    return {"p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99), "mean_ms": round(statistics.fmean(xs) * 1000, 1)}


def check_loopback(url: str) -> None:
    host = urlparse(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        sys.exit(f"只对本机压测：地址必须是 127.0.0.1 / localhost，而不是 {host!r}")


def run_session(url: str, user: str, password: str, requests: int, deadline: float, phase: Phase,
                offset: int, with_drafting: bool, case_id: int | None = None) -> None:
    from gradio_client import Client

    t0 = time.perf_counter()
    try:
        client = Client(url, verbose=False, download_files=False, analytics_enabled=False)
        client.predict(user, password, api_name="/login")
    except Exception as exc:  # noqa: BLE001 - a benchmark counts errors, it does not stop
        phase.record("login", None, f"{type(exc).__name__}: {exc}")
        return
    phase.record("login", time.perf_counter() - t0)
    if with_drafting:
        try:
            client.predict(api_name="/cases")  # the case list, as the officer's page loads it
        except Exception as exc:  # noqa: BLE001
            phase.record("cases", None, f"{type(exc).__name__}: {exc}")
    for i in range(requests):
        if time.perf_counter() > deadline:
            break
        q = QUERIES[(offset + i) % len(QUERIES)]
        t = time.perf_counter()
        try:
            out = client.predict(q, 10, "", "（全部）", "（全部）", "", api_name="/search")
            status = out[0] if isinstance(out, (list, tuple)) else str(out)
            if "共找到" not in str(status) and "没有找到" not in str(status):
                raise RuntimeError(f"unexpected search status: {status!r}")
            phase.record("search", time.perf_counter() - t)
        except Exception as exc:  # noqa: BLE001
            phase.record("search", None, f"{type(exc).__name__}: {exc}")
        if with_drafting and time.perf_counter() <= deadline:
            t = time.perf_counter()
            try:
                out = client.predict(case_id, "决定书", 50000, api_name="/draft")
                if "草稿" not in str(out[0] if isinstance(out, (list, tuple)) else out):
                    raise RuntimeError("unexpected draft result")
                phase.record("draft", time.perf_counter() - t)
            except Exception as exc:  # noqa: BLE001
                phase.record("draft", None, f"{type(exc).__name__}: {exc}")
    try:
        client.close()
    except Exception:  # noqa: BLE001
        pass


def run_phase(name: str, url: str, user: str, password: str, sessions: int, requests: int, time_limit: float,
              with_drafting: bool, case_id: int | None = None) -> Phase:
    phase = Phase(name, sessions)
    start = time.perf_counter()
    deadline = start + time_limit
    with ThreadPoolExecutor(max_workers=sessions) as pool:
        futures = [pool.submit(run_session, url, user, password, requests, deadline, phase, i, with_drafting, case_id)
                   for i in range(sessions)]
        for f in futures:
            f.result()
    phase.wall = time.perf_counter() - start
    return phase


def self_host() -> tuple[str, str, str, object]:
    """Start the app in-process on a free loopback port with a temp case DB and one bench user."""
    from assistant import roles as R
    from assistant.auth import create_user
    from assistant.errors import ZhifaError
    from assistant.services import Services
    from assistant.settings import load_settings
    from ui.app import launch

    base = load_settings()
    tmp = tempfile.mkdtemp(prefix="zhifa-bench-")
    env = dict(os.environ)
    env.update({"ZHIFA_HOME": tmp, "ZHIFA_STATUTE_DB": str(base.statute_db), "ZHIFA_INDEX_DIR": str(base.index_dir),
                "ZHIFA_MODELS_DIR": str(base.models_dir), "ZHIFA_LOG_LEVEL": "WARNING"})
    settings = load_settings(env=env, config_file=None)
    services = Services(settings)
    services.db.migrate()
    user, password = "bench", secrets.token_urlsafe(12)
    with services.db.session() as s:
        from assistant.cases import create_agency

        agency_id = create_agency(s, name="压测单位", code="压测").id
        for name in (user, user + "2"):
            create_user(s, username=name, password=password, display_name="压测账号", roles=[R.HANDLER],
                        agency_id=agency_id, credential_no=f"压测{name}")
    case_id = _seed_case(services, user)
    try:
        services.searcher  # load the index once before timing  # noqa: B018
    except ZhifaError as exc:  # no index (or a stale one) beside the statute store: build BM25 only
        print(f"（{exc.message}；在临时目录建立关键词索引用于压测）", file=sys.stderr)
        from index.build import build_index

        idx = Path(tmp) / "index"
        env["ZHIFA_INDEX_DIR"] = str(idx)
        settings = load_settings(env=env, config_file=None)
        services = Services(settings)
        build_index(settings, services.statutes, progress=lambda _m: None, dense=False)
        services.searcher  # noqa: B018
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    demo, _ = launch(services, host="127.0.0.1", port=port, block=False, quiet=True)
    return f"http://127.0.0.1:{port}", user, password, demo, case_id


def _seed_case(services, user: str) -> int:
    """One case at 事先告知 with a violation, so that drafting a 决定书 has everything it needs."""
    from assistant import cases
    from assistant.parties import PartyInput

    with services.db.session() as s:
        agency_id = cases.get_agency(s, "压测单位").id
        c = cases.create_case(s, agency_id=agency_id, cause="销售超过保质期的食品", actor=user, handlers=[user, user + "2"],
                              party=PartyInput("法人", "压测食品经营有限公司"), violation_date="2026-01-15",
                              salt=services.settings.salt())
        cases.advance(s, c.id, "调查取证", actor=user)
        cases.add_violation(s, c.id, actor=user, description="销售超过保质期的预包装食品12袋，货值金额360元",
                            violated_provision="《中华人民共和国食品安全法》第三十四条第（十）项",
                            penalty_provision="《中华人民共和国食品安全法》第一百二十四条第一款第（五）项")
        cases.advance(s, c.id, "事先告知", actor=user, payload={
            "penalty": {"types": ["警告", "罚款"], "fine": 50000}, "facts": "销售超过保质期的预包装食品",
            "reasons": "违反食品安全法第三十四条第（十）项", "basis": "食品安全法第一百二十四条第一款第（五）项",
            "hearing_rights_stated": True})
        return c.id


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="网页界面并发压测（仅限本机）")
    ap.add_argument("--url", help="已启动的界面地址（必须是 127.0.0.1）；不给则在本进程内启动")
    ap.add_argument("--user", default=os.environ.get("ZHIFA_BENCH_USER"))
    ap.add_argument("--password", default=os.environ.get("ZHIFA_BENCH_PASSWORD"))
    ap.add_argument("--sessions", type=int, default=20, help="并发会话数（上限 50）")
    ap.add_argument("--requests", type=int, default=5, help="每个会话的检索次数（上限 50）")
    ap.add_argument("--time-limit", type=float, default=120.0, help="每个阶段的时间上限（秒，上限 600）")
    ap.add_argument("--case-id", type=int, help="与 --url 同用：用于起草压测的本单位案件编号（不给则只测检索）")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    sessions, requests = max(1, min(args.sessions, 50)), max(1, min(args.requests, 50))
    limit = max(1.0, min(args.time_limit, 600.0))

    demo, case_id = None, None
    if args.url:
        check_loopback(args.url)
        if not (args.user and args.password):
            sys.exit("使用 --url 时需要 --user 和 --password（或 ZHIFA_BENCH_USER / ZHIFA_BENCH_PASSWORD）")
        url, user, password = args.url, args.user, args.password
    else:
        url, user, password, demo, case_id = self_host()
    try:
        drafting = case_id is not None or args.case_id is not None
        case_id = case_id if case_id is not None else args.case_id
        # warm-up (not timed): first search loads lazy components
        run_phase("warmup", url, user, password, 1, 1, limit, False)
        base = run_phase("baseline", url, user, password, 1, requests, limit, drafting, case_id)
        conc = run_phase("concurrent", url, user, password, sessions, requests, limit, drafting, case_id)
    finally:
        if demo is not None:
            demo.close()
    b, c = base.summary(), conc.summary()
    ratios = {}
    for op, stats in c["ops"].items():
        bs = b["ops"].get(op, {})
        ratios[op] = {k: (round(stats[k] / bs[k], 2) if stats.get(k) and bs.get(k) else None)
                      for k in ("p50_ms", "p95_ms", "p99_ms")}
    report = {"url": url, "drafting_measured": drafting, "baseline": b, "concurrent": c,
              "ratio_concurrent_vs_baseline": ratios}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_report(report)
    return 0


def print_report(r: dict) -> None:
    print(f"目标：{r['url']}　起草接口：{'已测' if r['drafting_measured'] else '未提供，未测'}")
    for key in ("baseline", "concurrent"):
        ph = r[key]
        print(f"\n[{ph['phase']}] 会话 {ph['sessions']}，用时 {ph['wall_s']} s，吞吐 {ph['throughput_per_s']} 次/s")
        print(f"  {'操作':<8}{'成功':>6}{'错误':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
        for op, s in ph["ops"].items():
            print(f"  {op:<8}{s['ok']:>6}{s['errors']:>6}{str(s['p50_ms']):>10}{str(s['p95_ms']):>10}{str(s['p99_ms']):>10}")
        for e in ph["error_samples"]:
            print(f"  错误示例：{e}")
    print("\n并发 / 单会话 延迟比：")
    for op, rr in r["ratio_concurrent_vs_baseline"].items():
        print(f"  {op}: p50 ×{rr['p50_ms']}  p95 ×{rr['p95_ms']}  p99 ×{rr['p99_ms']}")


if __name__ == "__main__":
    raise SystemExit(main())
