"""Home: what each page teaches and how to start."""

import streamlit as st

st.title("Attention Explorer")
st.markdown(
    """
Type a sentence and see what a network attends to. Everything runs on this computer: no network is
needed once the app is installed.

**BERT self-attention** — a pretrained BERT-family encoder (all-MiniLM-L6-v2, 6 layers × 12 heads,
bundled; or any local BERT-family model directory):
- a heatmap of one layer and head (which tokens each token looks at),
- every head at once, to spot the diagonal, previous-token, [CLS] and [SEP] heads — click one to open it,
- bertviz's head view and model view,
- how one score is made: q·k, divided by √d, softmax — with the model's real numbers,
- an integrity panel and CSV / JSON export.

Try: *The animal didn't cross the street because it was too tired.* — then look for a head in which
"it" attends to "animal".
"""
)
st.page_link("pages/bert_attention.py", label="Open BERT self-attention")
