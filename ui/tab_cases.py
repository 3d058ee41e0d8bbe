"""我的案件 tab (承办人), assembled from one module per part, in display order:

- :mod:`ui.case_list` — the agency's cases with running deadlines; 立案 / 新建案件;
- :mod:`ui.case_page` — the case page following the lifecycle (next legal steps, blocked steps with
  the reason and the article), 陈述申辩/听证, facts and evidence;
- :mod:`ui.case_push` — the push panel (articles with 违法依据/处罚依据 roles, benchmark tier,
  similar cases, missing evidence);
- :mod:`ui.case_interview` — interview recording → transcription → correction → 询问笔录 .docx;
- :mod:`ui.case_draft` — draft generation with .docx download; submission to 法制审核.

No domain logic here.
"""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from ui import case_draft, case_interview, case_list, case_page, case_push
from ui.case_page import CaseContext


@dataclass
class CasesTab:
    on_login: tuple


def build(services, sess: gr.State) -> CasesTab:
    ctx = CaseContext(services, sess)
    form = case_list.build(ctx)
    case_page.build(ctx)
    case_push.build(ctx)
    case_interview.build(ctx)
    case_draft.build(ctx)
    on_login = case_list.wire(ctx, form)
    return CasesTab(on_login=(on_login, [ctx.cases_table, ctx.case_pick]))
