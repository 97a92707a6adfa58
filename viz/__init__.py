"""Pure figure builders: AttentionCapture in, Plotly figure or HTML string out. No Streamlit here."""

from attention_explorer.viz.style import use_template

use_template()  # before any figure is made: every figure module is in this package
