"""The line page runs wait in (pages/shared/admission.py): a few at once, first come first served, places
always given back."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.testing.v1 import AppTest

from attention_explorer.pages.shared import admission

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.002)


def queue_up(line: admission.Line, names: list[str], order: list[str]) -> list[threading.Thread]:
    """One thread per name, each started only once the one before it is waiting: they arrive in this order."""
    threads = []

    def run(name: str) -> None:
        with line:
            order.append(name)

    for name in names:
        waiting = line.waiting
        t = threading.Thread(target=run, args=(name,), daemon=True)
        t.start()
        wait_until(lambda w=waiting: line.waiting == w + 1)
        threads.append(t)
    return threads


def test_no_more_runs_than_places_at_once():
    line = admission.Line(2)
    active, most = 0, 0
    count = threading.Lock()

    def run() -> None:
        nonlocal active, most
        with line:
            with count:
                active += 1
                most = max(most, active)
            time.sleep(0.02)
            with count:
                active -= 1

    threads = [threading.Thread(target=run) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert most == 2
    assert line.admitted == 12


def test_waiters_are_served_in_the_order_they_came():
    line = admission.Line(1)
    order: list[str] = []
    line.acquire()
    threads = queue_up(line, [f"student {i}" for i in range(8)], order)
    line.release()
    for t in threads:
        t.join(10)
    assert order == [f"student {i}" for i in range(8)]


def test_a_run_that_streamlit_restarts_is_next_in_line_not_last():
    """A page that reruns itself (st.rerun) must not queue twice behind the whole class under load."""
    line = admission.Line(1)
    order: list[str] = []
    inside, restart = threading.Event(), threading.Event()

    def restarted_run() -> None:
        try:
            with line:
                inside.set()
                restart.wait(10)
                raise RerunException(RerunData())
        except RerunException:
            pass
        with line:  # the same thread, as Streamlit's script thread runs the rerun
            order.append("restarted")

    first = threading.Thread(target=restarted_run, daemon=True)
    first.start()
    inside.wait(10)
    threads = queue_up(line, ["a", "b", "c"], order)
    restart.set()
    for t in [first, *threads]:
        t.join(10)
    # "a" had been handed the place when the restarted run gave it back; the restarted run comes next
    assert order == ["a", "restarted", "b", "c"]


def test_a_run_that_fails_gives_its_place_back():
    line = admission.Line(1)
    with pytest.raises(ValueError), line:
        raise ValueError("the page broke")
    done = threading.Event()
    threading.Thread(target=lambda: (line.acquire(), done.set()), daemon=True).start()
    assert done.wait(5), "the place was not given back"


@pytest.mark.parametrize(("value", "expected"), [("3", 3), ("0", 0), ("many", None), ("", None)])
def test_the_setting_says_how_many_runs_at_once(monkeypatch, value, expected):
    monkeypatch.setenv(admission.RUNS_VARIABLE, value)
    cores = len(__import__("os").sched_getaffinity(0))
    assert admission.concurrent_runs() == (cores if expected is None else expected)


def test_every_page_run_goes_through_the_line():
    before = admission.line().admitted
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert admission.line().admitted == before + 1


def test_a_waiting_run_is_told_how_many_runs_are_before_it():
    line = admission.Line(2)
    told: list[int] = []
    line.acquire()
    line.acquire()  # both places taken: 2 runs before the next one
    threads = []
    for _ in range(2):
        waiting = line.waiting
        t = threading.Thread(target=lambda: (line.acquire(told.append), line.release()), daemon=True)
        t.start()
        wait_until(lambda w=waiting: line.waiting == w + 1)
        threads.append(t)
    line.release()
    line.release()
    for t in threads:
        t.join(10)
    assert told == [2, 3]


def test_a_run_stopped_as_it_starts_to_wait_takes_no_place_with_it():
    """Telling the visitor they wait is a Streamlit call, which raises when their session is being stopped."""
    line = admission.Line(1)
    line.acquire()

    def stopped(_: int) -> None:
        raise RuntimeError("session stopped")

    with pytest.raises(RuntimeError):
        line.acquire(stopped)
    assert line.waiting == 0
    line.release()
    done = threading.Event()
    threading.Thread(target=lambda: (line.acquire(), done.set()), daemon=True).start()
    assert done.wait(5), "the stopped run's turn kept the place"


def test_a_visitor_who_must_wait_is_told_so_on_the_page():
    line = admission.line()
    if not isinstance(line, admission.Line):
        pytest.skip(f"{admission.RUNS_VARIABLE}=0: no line")
    for _ in range(line.places):  # every place taken, as by a class's runs
        line.acquire()
    at = AppTest.from_file(APP, default_timeout=60)
    try:
        runner = threading.Thread(target=at.run, daemon=True)
        runner.start()
        wait_until(lambda: line.waiting == 1, timeout=30)
    finally:
        for _ in range(line.places):
            line.release()
    runner.join(60)
    assert not at.exception
    told = [toast.value for toast in at.toast]
    runs = "run" if line.places == 1 else "runs"
    assert any(f"{line.places} {runs} before yours" in text for text in told), told
