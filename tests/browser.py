"""Shared set-up of the browser tests: Debian's Chromium, a demo warehouse, a live `streamlit run`."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def ensure_chromium() -> str:
    """Install Debian's chromium (and CJK fonts for the Chinese screens) when missing."""
    if not Path(CHROMIUM).exists():
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            raise RuntimeError("Chromium is missing and apt-get is not available to install it (need root).")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver", "fonts-noto-cjk"], check=True, env=env
        )
    return CHROMIUM


def make_demo(path: Path) -> Path:
    """The demo warehouse at `path`, checkpointed (a server opens it read-only)."""
    from ka_core import db
    from ka_core.demo import create_demo

    c = db.connect(path)
    create_demo(c)
    c.execute("CHECKPOINT").fetchall()
    c.close()
    return path


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(db_path: Path):
    """`streamlit run app.py` on a free localhost port with KA_DB=db_path; stopped at the end."""
    port = free_port()
    env = {**os.environ, "KA_DB": str(db_path), "PYTHONPATH": str(ROOT)}
    log = open(db_path.parent / "streamlit.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("streamlit did not start: " + (db_path.parent / "streamlit.log").read_text()[-2000:])
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wait_idle(page, timeout_ms: int = 30000) -> None:
    """Wait until Streamlit has finished: not running, nothing stale, a page title, no skeleton, steady for 0.6 s."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const busy = document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSkeleton"]')
                || (app && app.getAttribute('data-test-script-state') === 'running')  // Streamlit's own flag
                || document.querySelector('[data-stale="true"]')  // elements of the previous run still shown
                || !document.querySelector('[data-testid="stMain"] h1');  // every page has a title
            window.__kaIdle = busy ? 0 : (window.__kaIdle || 0) + 1;
            return window.__kaIdle >= 4;
        }""",
        polling=150,
        timeout=timeout_ms,
    )


def choose(page, box, text: str) -> None:
    """Pick `text` in a Streamlit selectbox, and check that the box shows it (reruns can swallow a pick)."""
    for _ in range(6):
        try:
            box.locator("input").click()
            box.locator("input").fill(text)
            option = page.get_by_role("option").filter(has_text=text).first
            option.wait_for(timeout=5000)
            option.click()
            wait_idle(page)
            if text in box.locator("input").input_value():  # the combobox shows its value in the input
                return
        except Exception:
            pass
        page.keyboard.press("Escape")
        wait_idle(page)
    raise AssertionError(f"could not choose {text!r}")
