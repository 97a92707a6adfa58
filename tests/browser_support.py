"""Helpers for tests and benchmarks that drive the real app in headless Chromium, network cut.

The app is served by `streamlit run` on a free loopback port; Chromium (Debian's package, never a
downloaded build) is driven by Playwright. Every request to a host other than loopback is aborted
and recorded, so a test can assert the page needed no network at all.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK = {"localhost", "127.0.0.1", "[::1]", "::1"}

# True once every view on the BERT page shows the new sentence: on its bertviz section the bertviz frames drew
# exactly the expected number of lines (head view, model view) and the head view lists the marker token (on
# another section, `lines` is empty: there are no frames); the head heatmap and the all-heads grid are painted
# and list the marker, and the script run is over.
DRAWN_JS = """
({marker, lines}) => {
  // labels of long inputs carry their position ("12·cat"); compare the token itself
  const clean = (s) => s.replace(/[\\u200b\\u2060]/g, '').replace(/^\\d+\u00b7/, '');
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const frames = [...document.querySelectorAll('[data-testid="stMain"] iframe')];  // not the sidebar's copy-link frame
  if (frames.length !== lines.length) return false;
  for (let i = 0; i < frames.length; i++) {
    const d = frames[i].contentDocument;
    if (!d || d.querySelectorAll('line').length !== lines[i]) return false;
  }
  if (frames.length > 0) {
    const headTexts = [...frames[0].contentDocument.querySelectorAll('text')].map((t) => t.textContent);
    if (!headTexts.includes(marker)) return false;
  }
  const ticks = [...document.querySelectorAll('.js-plotly-plot .ytick text')].map((t) => clean(t.textContent));
  if (!ticks.includes(marker)) return false;
  return document.querySelectorAll('.js-plotly-plot .hm image').length >= 2;
}
"""


# True once the seq2seq page shows a translation containing `word` with its alignment heatmap drawn.
SEQ2SEQ_DRAWN_JS = """
(word) => !document.querySelector('[data-testid="stStatusWidget"]')
  && [...document.querySelectorAll('h3')].some((h) => h.textContent.includes(word))
  && document.querySelectorAll('.js-plotly-plot .hm image').length >= 1
"""


# every page's url path, as app.py names them (the home page is "")
PAGES = re.findall(r'url_path="(\w+)"', (ROOT / "app.py").read_text(encoding="utf-8"))
IDLE_JS = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"  # no script run under way


def settled(page) -> None:
    """Wait until the page's script run is over (and the browser has drawn what it sent)."""
    page.wait_for_timeout(300)
    page.wait_for_function(IDLE_JS, timeout=90_000)
    page.wait_for_timeout(300)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerURL(str):
    """The base URL of a running server, with the server's process id (for memory readings) and its log."""

    pid: int
    launched: float = 0.0  # time.perf_counter() when the server command was started
    log_file: Any = None

    def log(self, last: int = 4000) -> str:
        """The end of what the server has written so far (for a failing test's message)."""
        if self.log_file is None:
            return ""
        self.log_file.flush()
        self.log_file.seek(0)
        return self.log_file.read()[-last:]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, every thread, in seconds (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextlib.contextmanager
def streamlit_server(
    timeout: float = 90.0, extra: list[str] | None = None, env: dict | None = None, command: list[str] | None = None
) -> Iterator[ServerURL]:
    """Start `streamlit run app.py` (or `command`, which takes the same flags) on loopback; yield its base URL
    (with .pid); stop it afterwards."""
    port = free_port()
    # the Hugging Face offline variables are left as the user has them: the app must not need them
    env = {
        k: v for k, v in {**os.environ, **(env or {})}.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    }
    # a file, not a pipe: nobody reads the pipe while tests run, and a full pipe blocks the server
    log = tempfile.NamedTemporaryFile("w+", prefix="streamlit-", suffix=".log")  # noqa: SIM115
    launched = time.perf_counter()
    proc = subprocess.Popen(
        [
            *(command or [sys.executable, "-m", "streamlit", "run", "app.py"]),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
            *(extra or []),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = ServerURL(f"http://127.0.0.1:{port}")
    url.pid = proc.pid
    url.launched = launched
    url.log_file = log
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"streamlit did not start:\n{log.read()}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


APP_COMMAND = [sys.executable, "-m", "attention_explorer.models.cli", "run"]  # `attention-explorer run`


def cut_network(context) -> list[str]:
    """Abort every request that leaves loopback; return the list the aborted URLs are appended to."""
    blocked: list[str] = []

    def handle(route) -> None:
        url = route.request.url
        host = urlparse(url).hostname or ""
        if url.startswith(("data:", "blob:", "about:")) or host in LOOPBACK:
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", handle)
    return blocked


def launch(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)


def submit_text(page, text: str) -> None:
    """Type into the sentence box and press Enter, as a person does."""
    box = page.get_by_role("textbox", name="Sentence")
    box.fill(text)
    box.press("Enter")


def expected_lines(n_tokens: int, n_layers: int = 6, n_heads: int = 12) -> list[int]:
    """SVG lines the head view and model view draw for an input of n_tokens (windowed as the page does)."""
    from attention_explorer.viz.bertviz_views import lines_drawn, max_window

    return [lines_drawn(v, n_layers, n_heads, max_window(v, n_layers, n_heads, n_tokens)) for v in ("head", "model")]


def show_section(page, name: str) -> None:
    """On the Pretrained page, choose the section shown below the head view (a segmented control)."""
    page.locator("[data-testid='stButtonGroup'] button", has_text=name).first.click()


def wait_drawn(page, marker: str, n_tokens: int, timeout_ms: float = 120_000, bertviz: bool = True) -> None:
    """Wait for DRAWN_JS; bertviz=False: the page shows another section than bertviz (no frames)."""
    lines = expected_lines(n_tokens) if bertviz else []
    page.wait_for_function(DRAWN_JS, arg={"marker": marker, "lines": lines}, timeout=timeout_ms, polling=50)


def token_count(text: str) -> int:
    """Tokens the bundled model makes of `text` ([CLS] and [SEP] included), as the page will show."""
    tokenizer = _bundled_tokenizer()
    return min(len(tokenizer(text)["input_ids"]), 512)


@functools.cache
def _bundled_tokenizer():
    from transformers import AutoTokenizer

    from attention_explorer.models.pretrained.loading import default_model_dir

    return AutoTokenizer.from_pretrained(default_model_dir(), local_files_only=True)
