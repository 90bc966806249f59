"""The dashboard's own CSS, injected once per run by the frame (dashboard.frame.run).

One constant per concern, so that each rule has one home: the projector-ready KPI cards
and the phone layout each keep their rules here.
"""

from __future__ import annotations

import streamlit as st

# KPI cards (st.metric) that fit a projector: filled by the meeting-pack work.
KPI_CSS = """
[data-testid="stMetric"] [data-testid="stMetricLabel"] *,
[data-testid="stMetric"] [data-testid="stMetricValue"],
[data-testid="stMetric"] [data-testid="stMetricValue"] *,
[data-testid="stMetric"] [data-testid="stMetricDelta"] * {
    white-space: normal !important;
    overflow: visible !important;
    text-overflow: clip !important;
    overflow-wrap: anywhere;
}
[data-testid="stMetric"] [data-testid="stMetricValue"] {
    font-size: clamp(1.5rem, 2.3vw, 2.25rem);
    line-height: 1.15;
}
[data-testid="stMetric"] [data-testid="stMetricLabel"] p { font-size: 0.95rem; }
[data-testid="stMetric"] [data-testid="stMetricDelta"] { font-size: 0.95rem; }
"""

# Phones (390 px wide): narrow margins, tables and wide blocks scroll inside their own
# frame instead of pushing the page sideways, the uploader's button under its text.
PHONE_CSS = """
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-left: 0.9rem; padding-right: 0.9rem; }
  [data-testid="stDataFrame"], [data-testid="stTable"] { max-width: 100%; overflow-x: auto; }
  [data-testid="stMain"] .stElementContainer { max-width: 100%; }
  [data-testid="stHorizontalBlock"] { flex-wrap: wrap; }
  [data-testid="stFileUploaderDropzone"] { flex-direction: column; align-items: stretch; gap: 0.5rem; }
  [data-testid="stMain"] h1 { font-size: 1.9rem; }
  /* plotly's toolbar would lie over the chart's title; a tap still picks a bar or a store */
  [data-testid="stPlotlyChart"] .modebar-container { display: none !important; }
}
"""


def inject() -> None:
    """Add the CSS rules to the page (nothing when there are none)."""
    css = "\n".join(c for c in (KPI_CSS, PHONE_CSS) if c.strip())
    if css:
        st.html(f"<style>{css}</style>")
