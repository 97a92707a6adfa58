"""Imported by every page but the home page before its model code: the import returns once the preload has
imported torch, transformers and the model code (`warmup.wait_for_imports`).

app.py waits the same way before it runs a page, but Streamlit's pages/ router can answer a deep link on a
freshly started server by running the page file without app.py (see pages/shared/setup.py). Without this
wait, such a page's `from transformers import …` could meet transformers half built by the preload thread
("cannot import name 'AutoModelForSequenceClassification' from 'transformers'": tests/test_preload.py).
Python runs this module once per process; a page imported later finds the imports done.
"""

from attention_explorer.pages.shared import warmup

warmup.wait_for_imports()
