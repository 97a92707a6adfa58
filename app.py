"""Attention Explorer: streamlit run app.py"""

import streamlit as st

st.set_page_config(page_title="Attention Explorer", layout="wide")

# url_path differs from every file name in pages/ on purpose: on a cold server Streamlit routes a URL
# that matches a file in pages/ straight to that file (its legacy multipage mode), skipping this script.
navigation = st.navigation(
    [
        st.Page("pages/home.py", title="Home", default=True),
        st.Page("pages/rnn_attention.py", title="Seq2seq + Bahdanau attention", url_path="seq2seq"),
        st.Page("pages/transformer_attention.py", title="Transformer attentions", url_path="transformer"),
        st.Page("pages/rnn_vs_transformer.py", title="RNN vs Transformer", url_path="compare"),
        st.Page("pages/positional_encoding.py", title="Positional encoding", url_path="positions"),
        st.Page("pages/attention_playground.py", title="Scaled dot-product playground", url_path="playground"),
        st.Page("pages/bert_attention.py", title="BERT self-attention", url_path="bert"),
    ]
)
navigation.run()
