"""The Streamlit dashboard over ka_core: one job a module.

- `state`: the session's language, filters and settings (read from session_state), and routing;
- `data`: the warehouse connection and every cached read, keyed by the warehouse's last write;
- `sidebar`: the global filters and settings drawn before each page;
- `tables`: tables with translated headers and formats, their CSV / Excel downloads, selections;
- `uploads`: the Data page's flow: read → validate → preview → confirm → load → result.

Pages (pages/*.py) only lay out what these give them; every number comes from ka_core.
"""
