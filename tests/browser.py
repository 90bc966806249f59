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


# A selectbox shows its value: in its input, or as text in the box (Streamlit's combobox draws both ways).
SHOWS_JS = """([box, text]) => box.isConnected && !document.querySelector('[role="listbox"]') && (
    box.innerText.includes(text) || [...box.querySelectorAll('input')].some(i => i.value.includes(text)))"""


def choose(page, box, text: str, attempts: int = 6, timeout_ms: int = 20000) -> None:
    """Pick `text` in a Streamlit selectbox and wait until the box shows it.

    Each step waits for a state, never for a time: the page settled, the option list attached,
    the typed text filtering it down to the option, the list gone after the click and the page
    settled again, the value shown. A rerun can swallow a pick (it draws the box anew): then it
    starts again, up to `attempts` times. Waits are long enough for a machine under load.
    """
    problem = None
    for _ in range(attempts):
        try:
            wait_idle(page, 60000)
            field = box.locator("input")
            field.click(timeout=timeout_ms)
            page.get_by_role("listbox").wait_for(state="attached", timeout=timeout_ms)
            field.fill(text, timeout=timeout_ms)  # type to filter: the option is near the top, not scrolled away
            option = page.get_by_role("option").filter(has_text=text).first
            option.wait_for(state="visible", timeout=timeout_ms)
            option.click(timeout=timeout_ms)
            page.get_by_role("listbox").wait_for(state="detached", timeout=timeout_ms)
            wait_idle(page, 60000)
            page.wait_for_function(SHOWS_JS, arg=[box.element_handle(timeout=timeout_ms), text], timeout=timeout_ms)
            return
        except Exception as exc:  # a rerun replaced the box or closed the list: try again
            problem = exc
        page.keyboard.press("Escape")
    raise AssertionError(f"could not choose {text!r} after {attempts} attempts: {problem}")


def download(page, button, attempts: int = 3, timeout_ms: int = 60000):
    """Click a download button once the page has settled and return playwright's Download.

    A click during a rerun (the button drawn anew) starts no download: then it waits for the page
    to settle again and clicks again, up to `attempts` times, each wait long enough for a loaded machine.
    """
    problem = None
    for _ in range(attempts):
        try:
            wait_idle(page, 60000)
            button.wait_for(state="visible", timeout=timeout_ms)
            with page.expect_download(timeout=timeout_ms) as d:
                button.click(timeout=timeout_ms)
            return d.value
        except Exception as exc:  # a rerun swallowed the click: settle and click again
            problem = exc
    raise AssertionError(f"no download after {attempts} clicks: {problem}")
