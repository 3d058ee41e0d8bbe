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
