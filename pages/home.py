"""Home: the lesson route, in the order a course teaches attention, and what each page shows."""

import streamlit as st

from attention_explorer.pages.shared.route import ROUTE
from attention_explorer.pages.shared.setup import page_setup

page_setup()

st.title("Attention Explorer")
st.markdown(
    "Type a sentence and see what a network attends to. Everything runs on this computer: no network is "
    "needed once the app is installed."
)

st.subheader("The lesson, step by step")
st.caption("Each step opens a page on a prepared example; the link it opens can be bookmarked or shared.")
for number, step in enumerate(ROUTE, start=1):
    text, link = st.columns([5, 2], vertical_alignment="center")
    text.markdown(f"**{number}. {step.title}** — {step.question}")
    link.page_link(step.page, label=f"Open step {number}", query_params=step.query, icon="▶️")

with st.expander("What each page shows"):
    st.markdown(
        """
**Attention pooling** — Nadaraya–Watson kernel regression, the chapter's first example: queries, keys and
values before any network; the weight matrix for a Gaussian kernel of adjustable width (average pooling at one
end, nearest neighbour at the other), one query's weight row, and a learned width trained in the page.

**Seq2seq + Bahdanau attention** — a GRU encoder-decoder trained in this repo on generated English→French
sentences: the translation and the alignment matrix α(t, i) (French rows, English columns), with the gold
alignment outlined for test sentences; decoding step by step (scores e, weights α, the context vector drawn
as the weighted sum of the encoder states); the same model without attention side by side, and quality
against sentence length for both: the fixed context vector forgets the start of long sentences.

**Transformer attentions** — a small Transformer trained on the same sentences: encoder self-attention,
decoder causal self-attention and encoder-decoder cross-attention, per layer and head, and bertviz's
encoder-decoder views.

**RNN vs Transformer** — one sentence through both models: Bahdanau α next to a Transformer
cross-attention head, on the same axes, each scored against the gold alignment.

**Positional encoding** — the sinusoidal table with d_model, length and base to play with, the
position-similarity matrix, PE(p+k) as a fixed linear map of PE(p), and learned (BERT) next to fixed.

**Scaled dot-product playground** — edit Q, K, V (or take them from a BERT head) and follow
scores → ÷√d → mask → softmax (with temperature) → output; additive vs dot-product scoring; multi-head
split, attend, concatenate.

**Pretrained Transformers** — a pretrained encoder (all-MiniLM-L6-v2, bundled), the GPT trained here, or any
local Hugging Face text model: encoder-only (BERT), decoder-only (GPT-2, Llama) with greedy generation, or
encoder-decoder (T5, BART, Marian) with its encoder, decoder and cross-attention. One head's heatmap, every head
at once, bertviz's head and model views, how one score is made from the model's own q and k, what each head
does (measured on the sentence or averaged over a pasted list), raw attention next to rollout, an integrity
panel and exports.

**Compare two views** — two panels (model, sentence, layer, head or a mean of heads) on one colour scale, their
difference A − B, the Jensen–Shannon divergence of each row, and every head ranked by how much it changed;
minimal pairs ("too big" / "too small") are aligned word by word.

**GPT: next-word prediction** — a decoder-only Transformer (2 layers × 4 heads) trained in this repo on the
English side of the generated corpus: the next-word distribution, greedy generation step by step, the causal
self-attention row that chose each word, and which heads attend to the previous token.

**Fine-tuned BERT** — the bundled MiniLM fine-tuned with LoRA to tell statements, negated statements and
questions apart: its prediction, where [CLS] looks before and after fine-tuning, and which heads changed most.

**Vision Transformer** — a small ViT trained in this repo on scikit-learn's bundled 8×8 digits (98.6% on
held-out digits): choose or draw a digit, see [CLS]'s attention over the image per layer and head, where a
clicked patch looks, attention rollout, and the learned position embeddings rediscovering the 2-D grid.
"""
    )
st.caption("Projector mode (in the sidebar) enlarges everything for a classroom screen and is kept in the link.")
