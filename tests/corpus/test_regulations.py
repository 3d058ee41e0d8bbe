"""User-supplied instruments (domain spec §10): parsed into 条/款/项, marked unverified, versioned,
and a malformed file is refused with the line named and nothing written."""
from __future__ import annotations

import hashlib
from datetime import date
import importlib.util
from pathlib import Path

import pytest

from assistant.errors import InputError
from corpus.regulations import (InstrumentMeta, collect_files, confirm_instrument, import_instrument,
                                import_instruments, parse_instrument)


def _snapshot(store):
    h = hashlib.sha256()
    for table in ("laws", "articles", "paragraphs", "aliases", "penalty_links"):
        for row in store.con.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
            h.update(repr(tuple(row)).encode())
    return store.counts(), h.hexdigest()


# -- parsing -----------------------------------------------------------------------------------------
def test_txt_with_toc_chapters_sections_zhiyi_items_and_inline_article_reference(regs_dir):
    p = parse_instrument(regs_dir / "示例市市容和环境卫生管理办法.txt")
    assert p.title == "示例市市容和环境卫生管理办法"
    assert [a.article_no for a in p.articles] == ["第一条", "第二条", "第三条", "第三条之一", "第四条", "第五条", "第六条", "第七条"]
    art3 = p.articles[2]
    assert art3.chapter == "第二章　市容管理" and art3.section == "第一节　一般规定"
    assert art3.text.splitlines()[1].startswith("（一）")
    # "第十条规定的标准…" at the start of a line is text of 第三条, not a new article
    assert art3.text.splitlines()[-1].startswith("第十条规定的标准")
    assert p.articles[4].section == "第二节　户外广告"
    assert p.articles[0].chapter == "第一章　总则"  # the 目录 did not swallow the first heading


def test_markdown_with_inline_items(regs_dir):
    p = parse_instrument(regs_dir / "示例省行政执法程序规定.md")
    assert p.title == "示例省行政执法程序规定"
    art4 = p.articles[3]
    assert art4.text.splitlines() == ["立案应当填写立案审批表，载明下列事项：", "(一)案由；", "(二)当事人；", "(三)案件来源。"]


def _flk_docx(path: Path) -> Path:
    """The layout flk.npc.gov.cn exports: centred title, date/issuer line, 目录, chapters, articles
    with a full-width space."""
    docx = pytest.importorskip("docx")
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = docx.Document()
    for text in ("示例管理条例",):
        d.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("（2010年1月1日国务院令第500号公布　根据2019年3月2日国务院令第709号修订）").alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("目　　录").alignment = WD_ALIGN_PARAGRAPH.CENTER
    for h in ("第一章　总　　则", "第二章　法律责任"):
        d.add_paragraph(h)
    d.add_paragraph("第一章　总　　则").alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("第一条　为了加强管理，制定本条例。")
    d.add_paragraph("第二条　经营者不得销售过期商品。")
    d.add_paragraph("经营者应当建立进货查验记录。")
    d.add_paragraph("第二章　法律责任").alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("第三条　违反本条例第二条第一款规定的，由市场监督管理部门没收违法所得，处二千元以上二万元以下罚款。")
    d.add_paragraph("第四条　本条例自公布之日起施行。")
    d.save(path)
    return path


def test_flk_style_docx_is_imported_as_an_administrative_regulation(writable_store, tmp_path):
    path = _flk_docx(tmp_path / "示例管理条例.docx")
    r = import_instrument(writable_store, path, InstrumentMeta(effective_date="2019-03-02"))
    assert r.action == "created" and r.articles == 4
    law = writable_store.law(r.law_id)
    assert law.level == "行政法规" and law.issuer == "国务院"  # from "国务院令第709号"
    assert law.publish_date == "2019-03-02" and law.source == "user" and not law.verified
    art2 = writable_store.find_article(r.law_id, 2)
    assert art2.chapter == "第一章　总　　则"
    assert [p.kuan for p in writable_store.paragraphs(art2.id)] == [1, 2]
    art3 = writable_store.find_article(r.law_id, 3)
    assert art3.is_liability
    links = writable_store.penalty_links_for(art2.id)
    assert links and links[0].penalty_id == art3.id and links[0].violated_kuan == 1


# -- metadata, versions, confirmation ----------------------------------------------------------------
def test_sidecar_metadata_and_aliases(writable_store, regs_dir):
    r = import_instrument(writable_store, regs_dir / "示例市市容和环境卫生管理办法.txt")
    law = writable_store.law(r.law_id)
    assert (law.level, law.issuer, law.effective_date, law.domain) == ("地方政府规章", "示例市人民政府", "2023-07-01", "城市管理")
    assert writable_store.resolve_lineage("市容办法") == law.lineage
    r2 = import_instrument(writable_store, regs_dir / "示例省行政执法程序规定.md")
    assert writable_store.law(r2.law_id).effective_date == "2024-01-01"  # from .meta.toml


def test_reimporting_the_same_file_changes_nothing(writable_store, regs_dir):
    import_instrument(writable_store, regs_dir / "示例市市容和环境卫生管理办法.txt")
    before = _snapshot(writable_store)
    r = import_instrument(writable_store, regs_dir / "示例市市容和环境卫生管理办法.txt")
    assert r.action == "unchanged" and _snapshot(writable_store) == before


def test_a_new_file_for_the_same_instrument_is_a_new_version(writable_store, regs_dir, tmp_path):
    first = import_instrument(writable_store, regs_dir / "示例市市容和环境卫生管理办法.txt")
    text = (regs_dir / "示例市市容和环境卫生管理办法.txt").read_text(encoding="utf-8").replace("五十元以下", "一百元以下")
    newer = tmp_path / "市容办法2025.txt"
    newer.write_text(text, encoding="utf-8")
    second = import_instrument(writable_store, newer, InstrumentMeta(level="地方政府规章", effective_date="2025-03-01"))
    assert second.action == "new_version"
    lineage = writable_store.law(first.law_id).lineage
    assert writable_store.law(first.law_id).in_force_until == "2025-03-01"
    old = writable_store.article_on(lineage, 5, 0, date(2024, 6, 1))
    new = writable_store.article_on(lineage, 5, 0, date(2025, 6, 1))
    assert "五十元以下" in old.article.text and "一百元以下" in new.article.text


def test_new_version_needs_a_later_effective_date(writable_store, regs_dir, tmp_path):
    import_instrument(writable_store, regs_dir / "示例市市容和环境卫生管理办法.txt")
    other = tmp_path / "x.txt"
    other.write_text((regs_dir / "示例市市容和环境卫生管理办法.txt").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    before = _snapshot(writable_store)
    with pytest.raises(InputError, match="施行日期"):
        import_instrument(writable_store, other, InstrumentMeta(level="地方政府规章", effective_date="2020-01-01"))
    assert _snapshot(writable_store) == before


def test_confirmation_marks_the_instrument_verified(writable_store, regs_dir):
    r = import_instrument(writable_store, regs_dir / "示例省行政执法程序规定.md")
    assert not writable_store.law(r.law_id).verified
    confirm_instrument(writable_store, r.law_id)
    assert writable_store.law(r.law_id).verified
    national = writable_store.current_version(writable_store.resolve_lineage("行政处罚法")).law_id
    with pytest.raises(InputError):
        confirm_instrument(writable_store, national)


def test_gb18030_text_is_read(writable_store, tmp_path):
    p = tmp_path / "gbk.txt"
    p.write_bytes("示例办法\n第一条　为了规范管理，制定本办法。\n第二条　本办法自公布之日起施行。\n".encode("gb18030"))
    r = import_instrument(writable_store, p, InstrumentMeta(level="规范性文件"))
    assert r.articles == 2 and r.name == "示例办法"


# -- the zcyclaw package: 16 real Markdown regulations ------------------------------------------------
def test_all_zcyclaw_regulations_import(writable_store):
    # located without importing it: the package's __init__ needs dependencies we install --no-deps
    spec = importlib.util.find_spec("zcyclaw")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("zcyclaw 未安装（make install 会以 --no-deps 安装）：无法测试真实法规文件")
    seed = Path(list(spec.submodule_search_locations)[0]) / "data" / "seed_data"
    files = collect_files(seed)
    assert len(files) == 16
    results = import_instruments(writable_store, files)
    by_action = {}
    for r in results:
        by_action.setdefault(r.action, []).append(r.name)
    # the two national laws are already in the national DB: the national text wins
    assert set(by_action["skipped_national"]) == {"中华人民共和国政府采购法", "中华人民共和国招标投标法"}
    assert len(by_action["created"]) == 14
    lineage = writable_store.resolve_lineage("政府采购法实施条例")
    law = writable_store.current_version(lineage)
    assert law.level == "行政法规" and law.source == "user"
    art = writable_store.article_on(lineage, 68, 0, date(2026, 1, 1)).article
    assert art.chapter == "第八章 法律责任" and "第七十一条" in art.text
    assert len([p for p in writable_store.paragraphs(art.id) if p.xiang]) >= 5


# -- malformed files: InputError naming the line, store unchanged -------------------------------------
BAD = {
    "no_title.txt": ("第一条　为了……\n第二条　……\n", "缺少标题", 1),
    "no_articles.txt": ("示例办法\n这里没有条文。\n", "没有找到任何条文", None),
    "backwards.txt": ("示例办法\n第一条　甲。\n第三条　乙。\n第二条　丙。\n", "条号倒序", 4),
    "duplicate.txt": ("示例办法\n\n第一条　甲。\n第二条　乙。\n第二条　丙。\n", "条号重复", 5),
    "empty.txt": ("  \n\n", "文件为空", None),
    "binary.txt": (b"\x00\x01\x02\xff\xfe", "编码", None),
    "slides.pdf": ("示例办法\n第一条　甲。\n", "不支持的文件类型", None),
    "broken.docx": (b"PK\x03\x04 not really a zip", "无法打开 .docx", None),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_malformed_file_is_refused_and_the_store_is_unchanged(writable_store, tmp_path, name):
    content, expected, line = BAD[name]
    p = tmp_path / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = _snapshot(writable_store)
    with pytest.raises(InputError) as info:
        import_instrument(writable_store, p, InstrumentMeta(level="部门规章"))
    assert expected in info.value.message and name in info.value.message
    if line:
        assert f"第{line}行" in info.value.message
    assert _snapshot(writable_store) == before


def test_one_bad_file_in_a_directory_writes_nothing(writable_store, regs_dir, tmp_path):
    for f in regs_dir.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / "zz_bad.txt").write_text("示例办法\n第二条　甲。\n第一条　乙。\n", encoding="utf-8")
    before = _snapshot(writable_store)
    with pytest.raises(InputError, match="zz_bad.txt 第3行"):
        import_instruments(writable_store, collect_files(tmp_path), InstrumentMeta(level="部门规章"))
    assert _snapshot(writable_store) == before


def test_missing_level_is_an_input_error(writable_store, tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("示例办法\n第一条　甲。\n", encoding="utf-8")
    with pytest.raises(InputError, match="效力级别"):
        import_instrument(writable_store, p)
