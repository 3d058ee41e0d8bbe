"""A broken benchmark file gives a clear Chinese InputError and stores nothing."""
from __future__ import annotations

import pytest

from assistant.discretion.repository import load_benchmarks
from assistant.errors import InputError
from corpus.benchmarks import import_benchmark_file

HEADER = "序号,违法行为,法律依据,类别,裁量情节,裁量标准,备注\n"
ROWS = ("1-1,拒绝现场检查,《中华人民共和国水污染防治法》第八十一条,1,拖延10分钟以上30分钟以下,处二万元以上五万元以下罚款,\n"
        ",,,2,超过30分钟,处五万元以上十万元以下罚款,\n")


def test_empty_file(tmp_path):
    f = tmp_path / "empty.xls"
    f.write_bytes(b"")
    with pytest.raises(InputError, match="空文件"):
        import_benchmark_file(f)


def test_corrupt_xls(tmp_path):
    f = tmp_path / "corrupt.xls"
    f.write_bytes(b"this is not an excel file" * 10)
    with pytest.raises(InputError, match="不是有效的 .xls"):
        import_benchmark_file(f)


def test_corrupt_xlsx(tmp_path):
    f = tmp_path / "corrupt.xlsx"
    f.write_bytes(b"PK\x03\x04 broken zip")
    with pytest.raises(InputError, match="不是有效的 .xlsx"):
        import_benchmark_file(f)


def test_wrong_columns_names_the_sheet(tmp_path):
    f = tmp_path / "wrong.csv"
    f.write_text("编号,名称,金额\n1,占道经营,500\n", encoding="utf-8")
    with pytest.raises(InputError, match="找不到表头"):
        import_benchmark_file(f)


def test_missing_standard_column(tmp_path):
    f = tmp_path / "nostandard.csv"
    f.write_text("序号,违法行为,法律依据\n1,占道经营,《中华人民共和国价格法》第四十二条\n", encoding="utf-8")
    with pytest.raises(InputError, match="缺少列：裁量标准"):
        import_benchmark_file(f)


def test_wrong_encoding(tmp_path):
    f = tmp_path / "latin.csv"
    f.write_bytes("序号,违法行为".encode("utf-16"))
    with pytest.raises(InputError, match="编码"):
        import_benchmark_file(f)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path, encoding, statute_store):
    f = tmp_path / f"ok-{encoding}.csv"
    f.write_bytes((HEADER + ROWS).encode(encoding))
    report = import_benchmark_file(f, store=statute_store, published_at="2021-01-01")
    assert report.violations == 1 and report.tiers == 2
    assert (report.benchmarks[0].bands[1].min, report.benchmarks[0].bands[1].max) == (50000, 100000)


def test_unreadable_band_is_reported_with_its_row(tmp_path):
    f = tmp_path / "bad-band.csv"
    f.write_text(HEADER + ROWS + ",,,3,情节严重,处罚款若干,\n", encoding="utf-8")
    report = import_benchmark_file(f)
    assert report.tiers == 2
    assert [(i.row, i.column) for i in report.unparsed] == [(4, "裁量标准")]
    assert "第4行" in str(report.unparsed[0])


def test_xlsx_with_merged_cells(tmp_path, statute_store):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "示例"
    ws.append(["一、示例"])
    ws.append(["序号", "违法行为", "法律依据", "类别", "裁量情节", "裁量标准", "备注"])
    ws.append(["1-1", "拒绝现场检查", "《中华人民共和国水污染防治法》第八十一条", 1, "10分钟以上30分钟以下", "处二万元以上五万元以下罚款", ""])
    ws.append([None, None, None, 2, "超过30分钟", "处五万元以上十万元以下罚款", ""])
    ws.append([None, None, None, None, "2次以上", None, ""])
    ws.merge_cells("A3:A5")
    ws.merge_cells("B3:B5")
    ws.merge_cells("D4:D5")
    ws.merge_cells("F4:F5")
    f = tmp_path / "merged.xlsx"
    wb.save(f)
    report = import_benchmark_file(f, store=statute_store)
    b = report.benchmarks[0]
    assert report.tiers == 2 and len(b.bands[1].conditions) == 2


def test_failed_import_leaves_the_store_unchanged(tmp_path, session):
    from assistant.discretion.repository import save_report

    f = tmp_path / "wrong.csv"
    f.write_text("编号,名称\n1,x\n", encoding="utf-8")
    with pytest.raises(InputError):
        save_report(session, import_benchmark_file(f))
    assert load_benchmarks(session) == []
