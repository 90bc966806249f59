"""The dashboard's own CSS, injected once per run by the frame (dashboard.frame.run).

One constant per concern, so that each rule has one home: the projector-ready KPI cards
and the phone layout each keep their rules here.
"""

from __future__ import annotations

import streamlit as st

# KPI cards (st.metric) that fit a projector: filled by the meeting-pack work.
KPI_CSS = ""

# Phones (390 px wide): filled by the field work.
PHONE_CSS = ""


def inject() -> None:
    """Add the CSS rules to the page (nothing when there are none)."""
    css = "\n".join(c for c in (KPI_CSS, PHONE_CSS) if c.strip())
    if css:
        st.html(f"<style>{css}</style>")
