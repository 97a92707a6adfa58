"""A page reached without app.py while the preload is importing (a deep link on a freshly started server that
Streamlit's pages/ router answers) still imports its model code whole."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# a fresh process: the preload starts once per process, as the first visitor's home page starts it, and the page
# file runs at once, as the pages/ router runs it, with no app.py to wait first
SCRIPT = """
import sys
from streamlit.testing.v1 import AppTest
from attention_explorer.pages.shared import warmup
warmup.start()
at = AppTest.from_file(sys.argv[1], default_timeout=120).run()
for e in at.exception:
    print("EXCEPTION", e.message.splitlines()[0])
"""


@pytest.mark.parametrize("page", ["transformer.py", "finetune.py"])
def test_a_page_run_while_the_preload_imports_gets_whole_modules(page):
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT / "pages" / page)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    errors = [line for line in out.stdout.splitlines() if line.startswith("EXCEPTION")]
    # run alone, without app.py's navigation, a page's links to other pages are the only thing that may fail
    assert all("Could not find page" in line for line in errors), errors or out.stderr[-2000:]
    assert out.returncode == 0, out.stderr[-2000:]
