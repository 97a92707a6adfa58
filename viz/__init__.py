"""Pure figure builders: AttentionCapture in, Plotly figure or HTML string out. No Streamlit here."""
