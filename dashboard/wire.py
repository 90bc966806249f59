"""A dashboard session without a browser: Streamlit's own websocket protocol, spoken from Python.

The load test's `--clients wire` (dashboard/loadtest.py): N people whose browsers run on their
own computers, as a real team's do. Each session asks the server for pages exactly as the
browser's frontend does (a `BackMsg.rerun_script` with the page's script hash, over
`/_stcore/stream`) and takes the server's whole answer (every `ForwardMsg` up to
`script_finished`), so its times are the server's response on the server's cores with no
drawing beside it. Widgets are sent at their defaults (no `widget_states`), as on a first visit.

A page counts only when the server answered it whole: its title (`st.title`) arrived, no
exception element, and the run finished successfully; anything else raises `WireError`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


class WireError(RuntimeError):
    """The server did not answer a page whole (an exception shown, no title, a failed run)."""


@dataclasses.dataclass
class Answer:
    """One page as the server sent it: its title, how many messages, how many bytes."""

    title: str = ""
    elements: list = dataclasses.field(default_factory=list)
    messages: int = 0
    bytes: int = 0


class WireSession:
    """One person's session on a served dashboard (`url` like http://127.0.0.1:8501)."""

    def __init__(self, url: str, timeout: float = 120.0):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.pages: dict[str, str] = {}  # url path ("" for the default page) -> page script hash
        self._ws = None

    async def open(self) -> Answer:
        """Connect and get the first page, as a browser opening the dashboard's address does."""
        import websockets

        stream = "ws" + self.url.removeprefix("http") + "/_stcore/stream"
        self._ws = await websockets.connect(stream, subprotocols=["streamlit"], max_size=None)
        return await self._run(hash_="")

    async def goto(self, path: str) -> Answer:
        """The page at `path` (its url pathname, as in the sidebar's link; "" the default)."""
        if path not in self.pages:
            raise WireError(f"no page {path!r}; the app has {sorted(self.pages)}")
        return await self._run(self.pages[path])

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    async def _run(self, hash_: str) -> Answer:
        msg = BackMsg()
        state = msg.rerun_script
        state.page_script_hash = hash_
        state.context_info.timezone = "UTC"
        state.context_info.locale = "en-US"
        state.context_info.url = self.url + "/"
        state.context_info.color_scheme = "light"
        await self._ws.send(msg.SerializeToString())
        return await asyncio.wait_for(self._answer(), self.timeout)

    async def _answer(self) -> Answer:
        out = Answer()
        while True:
            payload = await self._ws.recv()
            out.messages += 1
            out.bytes += len(payload)
            fwd = ForwardMsg.FromString(payload)
            kind = fwd.WhichOneof("type")
            if kind == "navigation":
                for page in fwd.navigation.app_pages:
                    self.pages[page.url_pathname] = page.page_script_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                which = element.WhichOneof("type")
                out.elements.append(which if which != "alert" else "alert:" + element.alert.body[:80])
                if which == "exception":
                    raise WireError(f"the page showed an exception: {element.exception.message}")
                if which == "heading" and element.heading.tag == "h1" and not out.title:
                    out.title = element.heading.body
            elif kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # st.rerun / st.switch_page: the answer is the next run
                if fwd.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    raise WireError(f"the script run ended with status {fwd.script_finished}")
                if not out.title:
                    raise WireError("the page was answered without its title")
                return out


async def timed(coro) -> tuple[float, Answer]:
    """(seconds, answer) of one request."""
    t0 = time.perf_counter()
    answer = await coro
    return time.perf_counter() - t0, answer
