"""Attention Explorer: `streamlit run app.py` (or `attention-explorer run`).

Every page file in pages/ is named after its URL path, so a deep link opened on a freshly started server
reaches the same script whichever router answers first (see pages/shared/setup.py).
"""

import streamlit as st

from attention_explorer.pages.shared import admission, warmup

st.set_page_config(page_title="Attention Explorer", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/home.py", title="Home", default=True),
        st.Page("pages/pooling.py", title="Attention pooling", url_path="pooling"),
        st.Page("pages/seq2seq.py", title="Seq2seq + Bahdanau attention", url_path="seq2seq"),
        st.Page("pages/transformer.py", title="Transformer attentions", url_path="transformer"),
        st.Page("pages/rnn_vs_transformer.py", title="RNN vs Transformer", url_path="rnn_vs_transformer"),
        st.Page("pages/positions.py", title="Positional encoding", url_path="positions"),
        st.Page("pages/playground.py", title="Scaled dot-product playground", url_path="playground"),
        st.Page("pages/bert.py", title="Pretrained Transformers", url_path="bert"),
        st.Page("pages/compare.py", title="Compare two views", url_path="compare"),
        st.Page("pages/gpt.py", title="GPT: next-word prediction", url_path="gpt"),
        st.Page("pages/finetune.py", title="Fine-tuned BERT", url_path="finetune"),
        st.Page("pages/vit.py", title="Vision Transformer", url_path="vit"),
    ]
)
if navigation.url_path:  # every page but the home page imports torch; let the preload's import finish first
    warmup.wait_for_imports()


def busy(ahead: int) -> None:
    runs = "run" if ahead == 1 else "runs"
    st.toast(f"The server is busy: {ahead} {runs} before yours. Yours starts in turn.", icon="⏳")


with admission.line().turn(busy):  # a class pressing Enter together is served in turn, a few runs at a time
    navigation.run()
