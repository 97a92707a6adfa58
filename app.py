"""Attention Explorer: streamlit run app.py"""

import streamlit as st

st.set_page_config(page_title="Attention Explorer", layout="wide")

# url_path differs from every file name in pages/ on purpose: on a cold server Streamlit routes a URL
# that matches a file in pages/ straight to that file (its legacy multipage mode), skipping this script.
navigation = st.navigation(
    [
        st.Page("pages/home.py", title="Home", default=True),
        st.Page("pages/bert_attention.py", title="BERT self-attention", url_path="bert"),
    ]
)
navigation.run()
