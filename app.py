"""ka-analytics dashboard: `streamlit run app.py`. The frame (page config, navigation over
pages/, the warehouse, the sidebar's filters and settings) is dashboard/frame.py."""

from dashboard import frame

frame.run()
