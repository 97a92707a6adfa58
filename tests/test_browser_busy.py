"""A busy server in a real browser: a student whose run waits in line behind a class is told so on the page
(a toast, drawn by Streamlit's frontend), and then gets their own view as usual.

Headless Chromium, every request outside loopback cut (see browser_support).
"""

from __future__ import annotations

import threading
from urllib.parse import quote

import pytest

from attention_explorer.pages.shared import admission
from tests import browser_support as bs
from tests.session_client import Session

pytestmark = pytest.mark.browser

CLASS = 16
LONG = " ".join(["the old river carries cold water past quiet towns and green fields"] * 20)  # ~260 tokens


def test_a_student_behind_a_class_is_told_they_wait_then_sees_their_sentence(browser):
    with bs.streamlit_server(timeout=180, env={admission.RUNS_VARIABLE: "1"}) as url:
        with Session(url, timeout=300) as warm:
            warm.run("bert", {"text": "warm up ."})
        classmates = [Session(url, timeout=300) for _ in range(CLASS)]
        for session in classmates:
            session.__enter__()
        ready = threading.Barrier(CLASS + 1)

        def press_enter(i: int) -> None:
            ready.wait()
            classmates[i].run("bert", {"text": f"{LONG} student{i} ."})

        threads = [threading.Thread(target=press_enter, args=(i,), daemon=True) for i in range(CLASS)]
        for t in threads:
            t.start()
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        blocked = bs.cut_network(context)
        page = context.new_page()
        try:
            ready.wait()  # the class presses Enter; the student's page opens while their runs are in line
            page.goto(f"{url}/bert?text={quote('a sentence of my own about the teacher .')}")
            toast = page.locator("[data-testid='stToast']").first
            toast.wait_for(timeout=60_000)
            assert "runs before yours" in toast.inner_text()
            bs.wait_drawn(page, "teacher", bs.token_count("a sentence of my own about the teacher ."), bertviz=False)
            assert blocked == []
        finally:
            context.close()
            for t in threads:
                t.join(120)
            for session in classmates:
                session.close()
