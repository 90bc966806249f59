"""ka-analytics core: warehouse, loading, demo data and reports (no Streamlit here)."""
