"""Browser-test harness: the real app on a free 127.0.0.1 port, driven by headless Chromium.

- ``ui_settings``: a temporary ZHIFA_HOME with a copy of the session statute store, a migrated
  case database and (when ``index.build`` exists) a search index.
- ``ui_users``: one seeded account per role in agency 甲 plus an officer in agency 乙; the password
  of every account is ``PASSWORD``.
- ``app_url``: ``create_ui(services)`` launched in a background thread (``prevent_thread_lock``).
- ``browser`` / ``page``: Playwright with the Debian chromium (never a downloaded browser).
- ``login(page, username)``: fills the login form and waits for the main panel.
Screenshots go to ``test-artifacts/screenshots/`` (gitignored).
"""
from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant import roles as R
from assistant.services import Services
from assistant.settings import Settings, load_settings
from tests.conftest import copy_store

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
PASSWORD = "Zhifa-test-2024!"

# username -> (display name, roles, agency key)
ACCOUNTS = {
    "officer": ("张承办", [R.HANDLER], "甲"),
    "officer2": ("李承办", [R.HANDLER], "甲"),
    "reviewer": ("王审核", [R.REVIEWER], "甲"),
    "head": ("赵负责", [R.HEAD], "甲"),
    "trainer": ("钱培训", [R.TRAINER], "甲"),
    "admin": ("孙管理", [R.ADMIN], "甲"),
    "keeper": ("周记录", [R.RECORDS_KEEPER], "甲"),
    "other_officer": ("吴承办", [R.HANDLER], "乙"),
}
AGENCIES = {"甲": "甲市市场监督管理局", "乙": "乙县市场监督管理局"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def ui_settings(tmp_path_factory: pytest.TempPathFactory, statute_store) -> Settings:
    home = tmp_path_factory.mktemp("ui-home")
    copy_store(statute_store, home / "statutes.db")
    settings = load_settings(env={"ZHIFA_HOME": str(home), "ZHIFA_SESSION_MINUTES": "30"}, config_file=None)
    try:
        from index.build import build_index
    except ImportError:
        build_index = None
    if build_index is not None:
        from corpus.statutes import StatuteStore

        # BM25 only: the dense part needs the embedding model and minutes of CPU; the UI shows the
        # searcher's notice that semantic search is not built yet.
        build_index(settings, StatuteStore(settings.statute_db), progress=lambda _m: None, dense=False)
    return settings


@pytest.fixture(scope="session")
def ui_services(ui_settings: Settings) -> Services:
    services = Services(ui_settings)
    services.db.migrate()
    return services


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    roles: list[str]
    agency_id: object


@pytest.fixture(scope="session")
def ui_users(ui_services: Services) -> dict[str, Account]:
    auth = pytest.importorskip("assistant.auth", reason="assistant.auth 尚未提供")
    agencies = _seed_agencies(ui_services)
    out = {}
    with ui_services.db.session() as s:
        for username, (name, roles, agency) in ACCOUNTS.items():
            auth.create_user(s, username=username, password=PASSWORD, display_name=name, roles=roles,
                             agency_id=agencies[agency], credential_no=f"执法{len(out) + 1:04d}",
                             legal_qualification=R.REVIEWER in roles)
            out[username] = Account(username, name, roles, agencies[agency])
    return out


def _seed_agencies(services: Services) -> dict[str, int]:
    from assistant.store.case_tables import Agency

    ids = {}
    with services.db.session() as s:
        for key, name in AGENCIES.items():
            agency = Agency(name=name, code=f"{key}市监")
            s.add(agency)
            s.flush()
            ids[key] = agency.id
    return ids


@pytest.fixture(scope="session")
def app_url(ui_services: Services, ui_users) -> str:
    from ui.app import launch

    port = free_port()
    demo, url = launch(ui_services, host="127.0.0.1", port=port, block=False, quiet=True)
    yield f"http://127.0.0.1:{port}"
    demo.close()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    sync_api.expect.set_options(timeout=60_000)  # 2 shared CPUs: server work can take seconds
    if not Path(CHROMIUM).exists():
        pytest.skip("需要 Debian chromium：make sysdeps")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def open_page(browser, url: str, timeout_ms: int):
    """A fresh browser context (zh-CN, as officers' browsers) on ``url``; returns (context, page)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(timeout_ms)
    pg = context.new_page()
    pg.goto(url)
    return context, pg


@pytest.fixture
def page(browser, app_url):
    context, pg = open_page(browser, app_url, 30_000)
    pg.wait_for_selector("#login-username textarea, #login-username input")
    yield pg
    context.close()


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def fill(page, elem_id: str, value: str) -> None:
    page.locator(f"#{elem_id} textarea, #{elem_id} input").first.fill(value)


def login(page, username: str, password: str = PASSWORD, *, expect_ok: bool = True) -> None:
    fill(page, "login-username", username)
    fill(page, "login-password", password)
    page.locator("#login-btn").click()
    if expect_ok:
        page.locator("#main-panel").wait_for(state="visible")
        page.locator("#current-user").get_by_text(ACCOUNTS[username][0]).wait_for()


def pick_option(page, elem_id: str, text: str) -> None:
    page.locator(f"#{elem_id} input").first.click()
    page.get_by_role("option", name=text).first.click()


def open_accordion(page, elem_id: str, label: str) -> None:
    page.locator(f"#{elem_id}").get_by_text(label).first.click()


def demo_login(page, username: str, password: str) -> None:
    """Log in as a demo account (the app of the ``demo`` fixture)."""
    from playwright.sync_api import expect

    fill(page, "login-username", username)
    fill(page, "login-password", password)
    page.locator("#login-btn").click()
    page.locator("#main-panel").wait_for(state="visible")
    expect(page.locator("#current-user")).to_contain_text("演示")


def download(page, elem_id: str, dest: Path) -> Path:
    """Click the first file link of the File component ``elem_id`` and save the download to ``dest``."""
    with page.expect_download() as dl:
        page.locator(f"#{elem_id} a").first.click()
    dl.value.save_as(dest)
    return dest


class Driver:
    """Helpers bound to the test module: ``ui.login(page, "officer")``, ``ui.shot(page, name)``."""

    PASSWORD = PASSWORD
    ACCOUNTS = ACCOUNTS
    login = staticmethod(login)
    shot = staticmethod(shot)
    fill = staticmethod(fill)
    pick_option = staticmethod(pick_option)
    open_accordion = staticmethod(open_accordion)
    demo_login = staticmethod(demo_login)
    open_page = staticmethod(open_page)
    download = staticmethod(download)


@pytest.fixture
def ui() -> Driver:
    return Driver()


# -- a home seeded like `make run` (demo data), with its own app instance --------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory, statute_store, browser):
    from assistant.demo import DEMO_CASES, demo_password, seed_demo
    from corpus.statutes import StatuteStore
    from index.build import build_index
    from ui.app import launch

    home = tmp_path_factory.mktemp("demo-home")
    copy_store(statute_store, home / "statutes.db")
    settings = load_settings(env={"ZHIFA_HOME": str(home)}, config_file=None)
    build_index(settings, StatuteStore(settings.statute_db), progress=lambda _m: None, dense=False)
    seed_demo(settings, say=lambda _m: None)
    services = Services(settings)
    port = free_port()
    app, _ = launch(services, host="127.0.0.1", port=port, block=False, quiet=True)
    yield {"url": f"http://127.0.0.1:{port}", "password": demo_password(),
           "cause": f"{DEMO_CASES[0]['cause']}（演示）"}
    app.close()


@pytest.fixture
def dpage(browser, demo):
    context, pg = open_page(browser, demo["url"], 60_000)
    yield pg
    context.close()
