"""End to end: log in through a real OIDC provider running locally (oidc-provider-mock), as a
KA manager, a director, a user missing from access and an admin viewing as another; a tampered
login cookie leads back to the login page."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ka_core import db, loading
from tests import tiny
from tests.browser import free_port, wait_idle
from tests.test_access import ACCESS

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def provider():
    """The OIDC provider on 127.0.0.1; a login form asks for the `sub`, used as the email claim."""
    import oidc_provider_mock as mock

    with mock.run_server_in_thread(port=free_port()) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module")
def app_url(provider, tmp_path_factory):
    d = tmp_path_factory.mktemp("auth")
    path = d / "tiny.duckdb"
    c = db.connect(path)
    tiny.fill(c)
    (d / "access.csv").write_text(ACCESS, encoding="utf-8")
    loading.load_files(c, "access", [d / "access.csv"], user="setup")
    c.close()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    (d / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        'cookie_secret = "a-long-random-secret-for-the-browser-test"\n'
        'client_id = "ka-analytics"\n'
        'client_secret = "not-so-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "KA_DB": str(path), "PYTHONPATH": str(ROOT)}
    log = open(d / "streamlit.log", "w")
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)),
            *("--server.headless", "true", "--secrets.files", str(d / "secrets.toml")),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(200):
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def login(browser, url: str, email: str):
    ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = ctx.new_page()
    page.goto(url)
    page.get_by_role("button", name="Sign in with SSO").click()
    page.wait_for_selector("input[name=sub]", timeout=30000)
    page.fill("input[name=sub]", email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**", timeout=30000)
    return ctx, page


def chain_options(page) -> list[str]:
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first
    box.scroll_into_view_if_needed()  # the sidebar is taller than the window: the list opens below the box
    box.click()
    page.get_by_role("option").first.wait_for(timeout=10000)  # the list opens after the click
    opts = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return sorted(o.strip() for o in opts if o.strip() != "Select all")


def test_login_roles_and_tampered_cookie(browser, app_url):
    # A director of chain Alpha: signed in, the chain picker offers Alpha only.
    ctx, page = login(browser, app_url, "alpha@co.com")
    wait_idle(page, 60000)
    assert "alpha@co.com (director)" in page.locator("[data-testid='stSidebar']").inner_text()
    assert chain_options(page) == ["Alpha"]
    # No store outside the scope by URL: the Share page asked for store B shows no data of it.
    page.goto(f"{app_url}/share?store=B")
    wait_idle(page, 60000)
    assert "Store B" not in page.locator("[data-testid='stMain']").inner_text()
    # The Data page: the history only.
    page.goto(f"{app_url}/data")
    wait_idle(page, 60000)
    assert "history only" in page.locator("[data-testid='stMain']").inner_text()
    assert page.locator("[data-testid='stFileUploader']").count() == 0
    # A tampered login cookie: back to the login page.
    cookies = ctx.cookies()
    auth_cookie = next(c for c in cookies if c["name"].startswith("_streamlit_user"))
    ctx.add_cookies([{**auth_cookie, "value": auth_cookie["value"][:-6] + "AAAAAA"}])
    page.goto(app_url)
    page.get_by_role("button", name="Sign in with SSO").wait_for(timeout=60000)
    ctx.close()

    # A user missing from access: no data, whom to ask.
    ctx, page = login(browser, app_url, "stranger@co.com")
    page.get_by_text("has no access").wait_for(timeout=60000)
    assert "boss@co.com" in page.locator("[data-testid='stMain']").inner_text()
    assert page.locator("[data-testid='stMetric']").count() == 0
    ctx.close()

    # An admin viewing as the KA manager Wang sees exactly Wang's chains, with a banner.
    ctx, page = login(browser, app_url, "boss@co.com")
    wait_idle(page, 60000)
    assert chain_options(page) == ["Alpha", "Beta"]
    view_as = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="View as")
    view_as.locator("input").click()
    page.get_by_role("option", name="alpha@co.com").click()
    wait_idle(page, 60000)
    assert "Viewing as alpha@co.com" in page.locator("[data-testid='stMain']").inner_text()
    assert chain_options(page) == ["Alpha"]
    ctx.close()
