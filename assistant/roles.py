"""Roles (domain-spec §8). Stored by their Chinese names; identifiers for code."""
from __future__ import annotations

HANDLER = "承办人"
REVIEWER = "法制审核人员"
HEAD = "机关负责人"
TRAINER = "培训员"
ADMIN = "管理员"
RECORDS_KEEPER = "记录管理员"
HEARING_HOST = "听证主持人"
SUPERVISOR = "监督"

ALL_ROLES = (HANDLER, REVIEWER, HEAD, TRAINER, ADMIN, RECORDS_KEEPER, HEARING_HOST, SUPERVISOR)
