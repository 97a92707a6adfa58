"""Home: what each page teaches and how to start."""

import streamlit as st

from attention_explorer.pages.shared.setup import page_setup

page_setup()

st.title("Attention Explorer")
st.markdown(
    """
Type a sentence and see what a network attends to. Everything runs on this computer: no network is
needed once the app is installed.

**Seq2seq + Bahdanau attention** — a GRU encoder-decoder trained in this repo on generated
English→French sentences:
- the translation and the alignment matrix α(t, i) (French rows, English columns), with the gold
  alignment outlined for test sentences — reordering such as *green apple → pomme verte* shows as a crossing,
- decoding step by step: the scores e(t, i), the weights α(t, i) = softmax, the word emitted,
- the same model without attention side by side, and quality against sentence length for both: the
  fixed context vector forgets the start of long sentences.

**Transformer attentions** — a small Transformer trained on the same sentences: encoder
self-attention, decoder causal self-attention (the mask visibly holds) and encoder-decoder
cross-attention, per layer and head, and bertviz's encoder-decoder views.

**RNN vs Transformer** — one sentence through both models: Bahdanau α next to a Transformer
cross-attention head, on the same axes, each scored against the gold alignment.

**Positional encoding** — the sinusoidal table with d_model, length and base to play with, the
position-similarity matrix, PE(p+k) as a fixed linear map of PE(p), and learned (BERT) next to fixed.

**Scaled dot-product playground** — edit Q, K, V (or take them from a BERT head) and follow
scores → ÷√d → mask → softmax (with temperature) → output; additive vs dot-product scoring; multi-head
split, attend, concatenate.

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
st.page_link("pages/seq2seq.py", label="Open Seq2seq + Bahdanau attention")
st.page_link("pages/transformer.py", label="Open Transformer attentions")
st.page_link("pages/rnn_vs_transformer.py", label="Open RNN vs Transformer")
st.page_link("pages/positions.py", label="Open Positional encoding")
st.page_link("pages/playground.py", label="Open Scaled dot-product playground")
st.page_link("pages/bert.py", label="Open BERT self-attention")
