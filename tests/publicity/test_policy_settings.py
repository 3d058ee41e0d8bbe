"""The publicity policy (mask style, 7/20 working days, 3 working-day withdrawal, local rule) comes
from Settings (``ZHIFA_PUBLICITY_*``), every one documented in README, bad values refused in Chinese."""
from __future__ import annotations

from datetime import date

import pytest

from assistant.errors import ConfigError
from assistant.publicity import PublicityPolicy, preview, publication_due, withdrawal_due
from assistant.settings import load_settings

from tests.publicity.conftest import natural_person_decision


def _settings(tmp_path, **env):
    return load_settings(env={"ZHIFA_HOME": str(tmp_path), **env}, config_file=None)


def test_defaults_are_the_spec_policy(tmp_path):
    s = _settings(tmp_path)
    policy = PublicityPolicy.from_settings(s)
    assert policy == PublicityPolicy()  # 7 / 20 working days, 3 working days, local 1 day, 张三→张某
    assert publication_due(date(2026, 2, 12), "行政处罚", policy)[0] == date(2026, 2, 28)  # across 春节 2026


def test_settings_override_periods_mask_and_local_rule(tmp_path, session):
    s = _settings(tmp_path, ZHIFA_PUBLICITY_NAME_MASK="某", ZHIFA_PUBLICITY_PUBLISH_DAYS="5",
                  ZHIFA_PUBLICITY_PUBLISH_DAYS_OTHER="10", ZHIFA_PUBLICITY_WITHDRAW_LOCAL="none",
                  ZHIFA_PUBLICITY_LEGAL_REP="keep")
    policy = PublicityPolicy.from_settings(s)
    due, basis = publication_due(date(2026, 2, 12), "行政处罚", policy)
    assert due == date(2026, 2, 26) and "5个工作日" in basis and "本地配置" in basis
    # 13, Sat 14 (调休上班), 24, 25, 26, 27, Sat 28 (调休上班), 2, 3, 4 Mar
    assert publication_due(date(2026, 2, 12), "行政强制", policy)[0] == date(2026, 3, 4)
    # no local rule: the statute's 3 working days (revoked Wed 30 Sep 2026 → 8, 9, Sat 10 Oct 调休)
    assert withdrawal_due(date(2026, 9, 30), policy) == (date(2026, 10, 10), policy.withdraw_statutory_basis)
    pv = preview(session, natural_person_decision(), actor="liming", policy=policy)
    assert pv.fields["party_name"] == "张某"  # 张三丰 with the 某 style


def test_local_rule_in_working_days(tmp_path):
    policy = PublicityPolicy.from_settings(_settings(tmp_path, ZHIFA_PUBLICITY_WITHDRAW_LOCAL="1工作日"))
    # revoked Wed 30 Sep 2026: next working day is Thu 8 Oct (国庆), stricter than 10 Oct
    due, basis = withdrawal_due(date(2026, 9, 30), policy)
    assert due == date(2026, 10, 8) and "1个工作日" in basis


@pytest.mark.parametrize("env,words", [
    ({"ZHIFA_PUBLICITY_NAME_MASK": "xx"}, "姓名脱敏方式"),
    ({"ZHIFA_PUBLICITY_LEGAL_REP": "hide"}, "法定代表人"),
    ({"ZHIFA_PUBLICITY_PUBLISH_DAYS": "0"}, "ZHIFA_PUBLICITY_PUBLISH_DAYS 必须是正整数"),
    ({"ZHIFA_PUBLICITY_WITHDRAW_DAYS": "三"}, "ZHIFA_PUBLICITY_WITHDRAW_DAYS"),
    ({"ZHIFA_PUBLICITY_WITHDRAW_LOCAL": "明天"}, "地方撤回期限"),
])
def test_bad_policy_settings_are_refused_in_chinese(tmp_path, env, words):
    with pytest.raises(ConfigError, match=words):
        _settings(tmp_path, **env)


def test_every_publicity_setting_is_documented(tmp_path):
    from pathlib import Path

    from assistant.settings import SETTINGS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    envs = [s.env for s in SETTINGS if s.name.startswith("publicity_")]
    assert len(envs) == 6 and all(e in readme for e in envs)
