"""文号: per agency, 类别字 and year; gap-free; voided numbers never reused; safe under concurrency."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select

from assistant.cases import create_agency
from assistant.errors import InputError, NotFoundError
from assistant.numbering import allocate, normalize_number, register_gaps, render_number, void_number
from assistant.store.case_tables import IssuedNumber, VoidedNumber


@pytest.mark.parametrize("raw", ["兖综执罚﹝2019﹞32号", "兖综执罚[2019]32号", "兖综执罚【2019】32号",
                                 "兖综执罚(2019)32号", "兖综执罚（2019）32号", "兖综执罚〔2019〕32号"])
def test_brackets_around_the_year_are_normalised_to_the_hexagonal_form(raw):
    assert normalize_number(raw) == "兖综执罚〔2019〕32号"


def test_the_default_template_and_a_padded_agency_template():
    assert render_number("{机关代字}{类别字}〔{YYYY}〕{序号}号", agency_code="某市监", kind="罚", year=2026,
                         serial=7) == "某市监罚〔2026〕7号"
    assert render_number("{机关代字}{类别字}[{YYYY}]{序号:04d}号", agency_code="兖综执", kind="立", year=2026,
                         serial=12) == "兖综执立〔2026〕0012号"


def test_serials_run_per_agency_kind_and_year(db, world):
    with db.session() as s:
        other = create_agency(s, name="某县城管局", code="某城管")
        got = [allocate(s, world.agency_id, "罚", actor="t", year=2026).number,
               allocate(s, world.agency_id, "罚", actor="t", year=2026).number,
               allocate(s, world.agency_id, "告", actor="t", year=2026).number,
               allocate(s, world.agency_id, "罚", actor="t", year=2027).number,
               allocate(s, other.id, "罚", actor="t", year=2026).number]
    assert got == ["某市监罚〔2026〕1号", "某市监罚〔2026〕2号", "某市监告〔2026〕1号", "某市监罚〔2027〕1号",
                   "某城管罚〔2026〕1号"]


def test_an_allocation_in_a_rolled_back_transaction_leaves_no_gap(db, world):
    with pytest.raises(RuntimeError):
        with db.session() as s:
            allocate(s, world.agency_id, "封", actor="t", year=2026)
            raise RuntimeError("document failed")
    with db.session() as s:
        assert allocate(s, world.agency_id, "封", actor="t", year=2026).serial == 1


def test_a_voided_number_is_logged_and_never_issued_again(db, world):
    with db.session() as s:
        first = allocate(s, world.agency_id, "扣", actor="t", year=2026)
        void_number(s, "某市监扣[2026]1号", reason="打印错误", actor="zhang3")
        second = allocate(s, world.agency_id, "扣", actor="t", year=2026)
    assert (first.serial, second.serial) == (1, 2)
    with db.session() as s:
        assert s.execute(select(VoidedNumber.number)).scalars().all() == [first.number]
        with pytest.raises(InputError, match="已作废"):
            void_number(s, first.number, reason="再次", actor="zhang3")
        with pytest.raises(NotFoundError):
            void_number(s, "某市监扣〔2026〕99号", reason="x", actor="zhang3")
        with pytest.raises(InputError, match="理由"):
            void_number(s, second.number, reason=" ", actor="zhang3")
        assert register_gaps(s, world.agency_id, "扣", 2026) == []


def test_unknown_kinds_are_refused(db, world):
    with db.session() as s, pytest.raises(InputError, match="类别字"):
        allocate(s, world.agency_id, "乱", actor="t")


def test_threads_hammering_the_allocator_get_distinct_gap_free_numbers(db, world):
    threads, per_thread = 8, 10
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work():
        try:
            for _ in range(per_thread):
                with db.session() as s:
                    n = allocate(s, world.agency_id, "送", actor="t", year=2026)
                with lock:
                    results.append(n.serial)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    assert sorted(results) == list(range(1, threads * per_thread + 1))
    assert not [k for k, v in Counter(results).items() if v > 1]
    with db.session(readonly=True) as s:
        assert register_gaps(s, world.agency_id, "送", 2026) == []
        assert len(s.execute(select(IssuedNumber).where(IssuedNumber.kind == "送")).scalars().all()) == 80


_WORKER = """
import sys
from assistant.numbering import allocate
from assistant.store.db import Database

url, agency_id, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
db = Database(url)
for _ in range(count):
    with db.session() as s:
        print(allocate(s, agency_id, "催", actor="proc", year=2026).serial, flush=True)
db.dispose()
"""


@pytest.mark.slow
def test_processes_sharing_one_database_get_distinct_gap_free_numbers(db, world):
    """Separate OS processes (own engines, own connections) on one SQLite file / PostgreSQL database."""
    import subprocess
    import sys

    procs, per_proc = 4, 8
    url = db.url.render_as_string(hide_password=False)
    running = [subprocess.Popen([sys.executable, "-c", _WORKER, url, str(world.agency_id), str(per_proc)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(procs)]
    serials: list[int] = []
    for p in running:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        serials += [int(line) for line in out.split()]
    assert sorted(serials) == list(range(1, procs * per_proc + 1))
    with db.session(readonly=True) as s:
        assert register_gaps(s, world.agency_id, "催", 2026) == []
