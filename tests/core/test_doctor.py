"""`zhifa doctor` reports every resource and says how to fix what is missing — never crashes."""
from assistant.prepare import doctor, prepare_database
from tests.conftest import copy_store


def test_doctor_on_a_fresh_home_names_the_fix_for_everything_missing(settings):
    checks = doctor(settings)
    names = {c.name for c in checks}
    assert {"法条库", "句向量模型", "语音识别模型", "检索索引", "案件库"} <= names
    for c in checks:
        assert c.ok or c.fix, f"{c.name} is not ready but no fix is given: {c.detail}"
    assert not next(c for c in checks if c.name == "检索索引").ok


def test_doctor_sees_a_prepared_store_and_database(settings, statute_store):
    copy_store(statute_store, settings.statute_db)
    prepare_database(settings, lambda msg: None)
    by_name = {c.name: c for c in doctor(settings)}
    assert by_name["法条库"].ok, by_name["法条库"].detail
    assert by_name["案件库"].ok, by_name["案件库"].detail


def test_doctor_reports_the_learned_retrieval_parts_and_a_broken_one(settings, monkeypatch, tmp_path):
    import index.adapter

    learned = next(c for c in doctor(settings) if c.name == "检索学习参数")
    assert learned.ok and "训练于" in learned.detail
    broken = tmp_path / "adapter.npz"
    broken.write_bytes(b"not numpy")
    monkeypatch.setattr(index.adapter, "ADAPTER_FILE", broken)
    learned = next(c for c in doctor(settings) if c.name == "检索学习参数")
    assert not learned.ok and "不是可用的查询适配矩阵" in learned.detail and "index.rerank_train" in learned.fix


def test_doctor_reports_the_optional_question_bank_and_refuses_a_broken_one(settings, monkeypatch, tmp_path):
    import numpy as np

    import index.bank

    monkeypatch.setattr(index.bank, "BANK_FILE", tmp_path / "missing.npz")
    learned = next(c for c in doctor(settings) if c.name == "检索学习参数")
    assert learned.ok and "未启用问题库" in learned.detail  # opt-in (python -m index.rerank_train --bank)
    index.bank.make_bank(np.ones((1, 384), dtype=np.float32) / np.sqrt(384), [[("某法", "第一条")]],
                         "multilingual-e5-small").save(tmp_path / "bank.npz")
    monkeypatch.setattr(index.bank, "BANK_FILE", tmp_path / "bank.npz")
    learned = next(c for c in doctor(settings) if c.name == "检索学习参数")
    assert learned.ok and "问题库 1 题" in learned.detail
    (tmp_path / "bank.npz").write_bytes(b"not numpy")
    learned = next(c for c in doctor(settings) if c.name == "检索学习参数")
    assert not learned.ok and "不是可用的问题库" in learned.detail
