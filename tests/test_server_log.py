"""A newcomer's server log is quiet: started as the README says, every page opened, nothing but the banner."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request

import pytest

from tests import browser_support as bs
from tests.session_client import Session

BANNER = re.compile(
    r"^(\S+ \S+ Uvicorn server started on .*|Attention Explorer: loading torch, transformers and the models…"
    r"|\s*You can now view your Streamlit app.*|\s*URL: http.*|\s*Stopping\.\.\.|)$"
)


@pytest.mark.parametrize(
    "command", [bs.APP_COMMAND, [sys.executable, "-m", "streamlit", "run", "app.py"]], ids=["app", "streamlit"]
)
def test_the_log_holds_only_the_banner_after_every_page_is_opened(tmp_path, command):
    port = bs.free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [*command, "--server.port", str(port)],
            cwd=bs.ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                    break
                except OSError:
                    time.sleep(0.3)
            pages = ["", *bs.PAGES]
            for page in pages:
                with Session(url, timeout=300) as session:
                    run = session.run(page, {})
                    assert run.finished and not run.exceptions, page
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    noise = [line for line in log_path.read_text().splitlines() if not BANNER.match(line)]
    assert noise == [], "\n".join(noise[:20])
