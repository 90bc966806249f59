"""Driving the dashboard from outside, as its users' browsers do: Debian's Chromium, a live
`streamlit run` on a free loopback port, and the test of "the page has settled".

One place for the browser tests (tests/browser.py), the load test (dashboard/loadtest.py)
and the README's screenshots (dashboard/shots.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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

# Streamlit has finished: not running, nothing stale, a page title, no skeleton, steady for
# 4 polls (0.6 s at 150 ms). Every page has a title (st.title), so a blank app is not idle.
IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const busy = document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSkeleton"]')
        || (app && app.getAttribute('data-test-script-state') === 'running')  // Streamlit's own flag
        || document.querySelector('[data-stale="true"]')  // elements of the previous run still shown
        || !document.querySelector('[data-testid="stMain"] h1');  // every page has a title
    window.__kaIdle = busy ? 0 : (window.__kaIdle || 0) + 1;
    return window.__kaIdle >= 4;
}"""
# As served to one person (.streamlit/config.toml says the same; repeated here so a test
# cannot reach the network even with another config).
SERVED = ["--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
IDLE_POLL_MS = 150
IDLE_CALM_S = 0.6  # the calm IDLE_JS waits for after the page has settled (4 polls)


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


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(
    db_path: Path, port: int | None = None, log: Path | None = None, script: str | Path = "app.py"
) -> Iterator[tuple[str, int]]:
    """`streamlit run app.py` on 127.0.0.1 (a free port unless given) with KA_DB=db_path, as
    served (.streamlit/config.toml); yields (url, server pid); stopped at the end. `script`:
    another app served the same way (dashboard/floor.py's bare apps)."""
    port = port or free_port()
    env = {**os.environ, "KA_DB": str(db_path), "PYTHONPATH": str(ROOT)}
    log = log or db_path.parent / "streamlit.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port), *SERVED],
            cwd=ROOT,
            env=env,
            stdout=out,
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
                raise RuntimeError("streamlit did not start: " + log.read_text()[-2000:])
            yield url, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
