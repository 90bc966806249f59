"""Charts built once for every session.

A chart depends only on its rows (from the cached reports), the language, the
settings and the source line, so the first session to ask for one builds it and
every other session with the same filters, scope and language gets the same
figure object: building plotly figures was two thirds of a warm Overview rerun
on the server (py-spy, 8 sessions). Figures are never changed after they are
built here (`st.plotly_chart` only reads them), so sharing one is safe.

Pages call `figure(charts.trend, rows, lang, names=..., source=...)` instead of
`charts.source_line(charts.trend(rows, lang, names=...), source)`.
"""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from ka_core import charts

from . import data


@st.cache_resource(ttl=3600, max_entries=512, show_spinner=False)
def _figure(name: str, args: tuple, key: tuple, source: str | None, _kwargs: dict) -> go.Figure:
    # Keyed by the rows themselves (Streamlit hashes data frames by content): a new warehouse
    # state, filter, scope or language gives other rows or arguments, hence another figure.
    # `_kwargs` is left out of the key (leading underscore): `key` stands for it.
    fig = getattr(charts, name)(*args, **_kwargs)
    return fig if source is None else charts.source_line(fig, source)


def figure(build: Callable[..., go.Figure], *args, source: str | None = None, **kwargs) -> go.Figure:
    """`build(*args, **kwargs)` (a ka_core.charts function) with its source line, shared by every session.

    The `names` lookup is keyed by the warehouse's state it was read from (hashing its
    thousands of entries on every call cost more than a small chart)."""
    if getattr(charts, build.__name__, None) is not build:
        raise ValueError(f"{build!r} is not a ka_core.charts function")
    key = tuple(
        sorted((k, ("names", data.stamp()) if k == "names" and v is not None else v) for k, v in kwargs.items())
    )
    return _figure(build.__name__, args, key, source, kwargs)
