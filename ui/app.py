"""The Gradio application: ``create_ui(services)`` builds the Blocks; each tab lives in its own
module and receives the services and the per-user session state.

Layout: a login panel; after login, a header (user, agency, roles, 退出) and the tabs the user's
roles allow (domain-spec §8). A timer logs the page out when the session expires.
"""
from __future__ import annotations

import logging
from pathlib import Path

import gradio as gr

from assistant.errors import ZhifaError
from ui import tab_admin, tab_cases, tab_records, tab_review, tab_search, tab_teaching
from ui.common import to_gr_error
from ui.session import EXPIRED_MESSAGE, login

log = logging.getLogger(__name__)

TITLE = "执法 · 行政执法办案辅助"

# (key, label, module) in display order; visibility per role is ui.session.TAB_ROLES
TABS = (
    ("search", "法条检索", tab_search),
    ("cases", "我的案件", tab_cases),
    ("review", "法制审核", tab_review),
    ("teaching", "案例教学", tab_teaching),
    ("records", "记录管理", tab_records),
    ("admin", "系统管理", tab_admin),
)

CSS = """
#app-header {align-items: center;}
#login-panel {max-width: 420px; margin: 2em auto;}
.zf-blocked {color: #b42318;}
footer {display: none !important;}
"""


def create_ui(services) -> gr.Blocks:
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        sess = gr.State(None)
        gr.Markdown(f"## {TITLE}")

        with gr.Column(visible=True, elem_id="login-panel") as login_panel:
            gr.Markdown("### 登录\n请使用本单位分配的账号登录。")
            username = gr.Textbox(label="用户名", elem_id="login-username")
            password = gr.Textbox(label="密码", type="password", elem_id="login-password")
            login_btn = gr.Button("登录", variant="primary", elem_id="login-btn")
            login_status = gr.Markdown(elem_id="login-status")

        with gr.Column(visible=False, elem_id="main-panel") as main_panel:
            with gr.Row(elem_id="app-header"):
                who = gr.Markdown(elem_id="current-user")
                logout_btn = gr.Button("退出登录", size="sm", scale=0, elem_id="logout-btn")
            tabs: dict[str, gr.Tab] = {}
            parts: dict[str, object] = {}
            with gr.Tabs(elem_id="main-tabs"):
                for key, label, module in TABS:
                    with gr.Tab(label, id=key, visible=False, elem_id=f"tab-{key}") as tab:
                        parts[key] = module.build(services, sess)
                    tabs[key] = tab

        tab_list = [tabs[k] for k, _, _ in TABS]

        def _layout(s):
            logged_in = s is not None
            return [gr.update(visible=not logged_in), gr.update(visible=logged_in),
                    s.label() if logged_in else ""] + \
                   [gr.update(visible=bool(s and s.sees(k))) for k, _, _ in TABS]

        layout_outputs = [login_panel, main_panel, who, *tab_list]

        def do_login(user, pwd):
            try:
                s = login(services, user, pwd)
            except ZhifaError as exc:
                return [None, f"<span class='zf-blocked'>{exc.message}</span>", ""] + _layout(None)
            except Exception:
                log.exception("login failed")
                return [None, f"<span class='zf-blocked'>{to_gr_error(RuntimeError()).message}</span>", ""] + _layout(None)
            return [s, "", ""] + _layout(s)

        login_event = login_btn.click(do_login, [username, password], [sess, login_status, password, *layout_outputs],
                                      api_name="login")
        password.submit(do_login, [username, password], [sess, login_status, password, *layout_outputs],
                        api_visibility="private")

        def do_logout(s):
            if s is not None:
                log.info("logout: %s", s.username)
            return [None, "已退出登录。"] + _layout(None)

        logout_btn.click(do_logout, sess, [sess, login_status, *layout_outputs], api_name="logout")

        def check_expiry(s):
            if s is not None and s.expired():
                log.info("session expired: %s", s.username)
                return [None, EXPIRED_MESSAGE] + _layout(None)
            return [gr.skip()] * (2 + len(layout_outputs))

        timer = gr.Timer(30)
        timer.tick(check_expiry, sess, [sess, login_status, *layout_outputs], api_visibility="private",
                   show_progress="hidden", queue=False)

        # tabs that show agency data refresh after login
        for key, _, _ in TABS:
            refresh = getattr(parts[key], "on_login", None)
            if refresh is not None:
                fn, outputs = refresh
                login_event.then(fn, sess, outputs, api_visibility="private", show_progress="hidden")
    return demo


# Gradio 6's zh-CN table lacks a few of its own keys; untranslated, the key itself is shown or read
# out ("common.complete" is announced by the status tracker's screen-reader region after each event).
BUILTIN_ZH = gr.I18n(**{"zh-CN": {"common.complete": "已完成"}, "zh": {"common.complete": "已完成"}})


def launch(services, *, host: str | None = None, port: int | None = None, block: bool = True, quiet: bool = False):
    """Start the app on ``settings.host`` (127.0.0.1 by default). Returns (app, local_url)."""
    settings = services.settings
    downloads = downloads_dir(settings)
    demo = create_ui(services)
    demo.queue(default_concurrency_limit=8, max_size=200)
    app, url, _ = demo.launch(
        server_name=host or settings.host,
        server_port=port or settings.port,
        prevent_thread_lock=not block,
        show_error=False,
        quiet=quiet,
        max_file_size=f"{settings.max_upload_mb}mb",
        allowed_paths=[str(downloads)],
        footer_links=[],
        css=CSS,
        theme=gr.themes.Soft(),
        i18n=BUILTIN_ZH,
    )
    return demo, url


def downloads_dir(settings) -> Path:
    path = Path(settings.home) / "downloads"
    path.mkdir(parents=True, exist_ok=True)
    return path
