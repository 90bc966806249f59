"""Shared set-up of the browser tests: Debian's Chromium, a demo warehouse, a live `streamlit run`."""

from __future__ import annotations

import contextlib
from pathlib import Path

from dashboard import probe
from dashboard.probe import CHROMIUM, CHROMIUM_ARGS, IDLE_JS, ensure_chromium, free_port  # noqa: F401 (used by tests)

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts" / "screenshots"


def make_demo(path: Path) -> Path:
    """The demo warehouse at `path`, checkpointed (a server opens it read-only)."""
    from ka_core import db
    from ka_core.demo import create_demo

    c = db.connect(path)
    create_demo(c)
    c.execute("CHECKPOINT").fetchall()
    c.close()
    return path


@contextlib.contextmanager
def streamlit_server(db_path: Path):
    """`streamlit run app.py` on a free localhost port with KA_DB=db_path; stopped at the end."""
    with probe.serve(db_path) as (url, _):
        yield url


def wait_idle(page, timeout_ms: int = 30000) -> None:
    """Wait until Streamlit has finished (dashboard.probe.IDLE_JS)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_function(IDLE_JS, polling=probe.IDLE_POLL_MS, timeout=timeout_ms)


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
