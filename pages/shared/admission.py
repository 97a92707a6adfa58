"""How many page runs the server works on at once; the others wait their turn, first come, first served.

Streamlit runs every visitor's script in its own thread. With a class pressing Enter together, a hundred
threads take turns holding Python's lock a few milliseconds at a time: every run advances, none finishes,
and the switching itself costs CPU (a BERT run took 0.10 core-s under that load against 0.06 alone). Letting
a few runs work at once, and the rest wait in line, finishes the same work sooner and in the order it came
(benchmarks/bench_load.py; README, "A class on one server").

ATTENTION_EXPLORER_CONCURRENT_RUNS sets how many: the process's cores by default, 0 for no limit.
Fragment reruns (a click in the heads grid, another query token) are short and do not wait.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from types import TracebackType

from streamlit.runtime.scriptrunner_utils.exceptions import RerunException

RUNS_VARIABLE = "ATTENTION_EXPLORER_CONCURRENT_RUNS"


def concurrent_runs() -> int:
    """Page runs worked on at once (0: no limit): ATTENTION_EXPLORER_CONCURRENT_RUNS, else the cores this process
    may use."""
    value = os.environ.get(RUNS_VARIABLE, "").strip()
    if value.isdigit():
        return int(value)
    return max(1, len(os.sched_getaffinity(0)))


class Line:
    """A counting semaphore that serves its waiters in the order they came, and lets a run that Streamlit
    restarted (RerunException: a page that reruns itself, a control changed mid-run) back in next."""

    def __init__(self, places: int):
        if places < 1:
            raise ValueError("a line needs at least one place")
        self._lock = threading.Lock()
        self.places = places
        self._free = places
        self._waiting: deque[threading.Event] = deque()
        self._local = threading.local()
        self.admitted = 0  # runs let in so far (the app's wiring is tested with it)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def acquire(self, on_wait: Callable[[int], object] | None = None) -> None:
        """Take a place, waiting for one if need be; on_wait(runs before this one) is called before waiting."""
        front = getattr(self._local, "restarted", False)
        self._local.restarted = False
        with self._lock:
            self.admitted += 1
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Event()
            if front:
                self._waiting.appendleft(turn)
                ahead = self.places
            else:
                self._waiting.append(turn)
                ahead = self.places + len(self._waiting) - 1
        if on_wait is not None:
            try:
                on_wait(ahead)
            except BaseException:  # e.g. Streamlit stopping the session: leave the line without losing a place
                self._leave(turn)
                raise
        turn.wait()  # the releasing run hands its place straight to us: nobody arriving later can take it

    def _leave(self, turn: threading.Event) -> None:
        with self._lock:
            if not turn.is_set():
                self._waiting.remove(turn)
                return
        self.release()  # handed the place meanwhile: pass it on

    def release(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._free += 1

    def __enter__(self) -> Line:
        self.acquire()
        return self

    @contextlib.contextmanager
    def turn(self, on_wait: Callable[[int], object] | None = None) -> Iterator[None]:
        """`with line.turn(on_wait):` as `with line:`, telling on_wait how many runs are before this one."""
        self.acquire(on_wait)
        try:
            yield
        except BaseException as exc:
            self.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self.__exit__(None, None, None)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._local.restarted = isinstance(exc, RerunException)
        self.release()


class _NoLine:
    admitted = 0
    waiting = 0
    places = 0

    def __enter__(self) -> _NoLine:
        self.admitted += 1
        return self

    @contextlib.contextmanager
    def turn(self, on_wait: Callable[[int], object] | None = None) -> Iterator[None]:
        with self:
            yield

    def __exit__(self, *exc: object) -> None:
        return None


_made = threading.Lock()
_line: Line | _NoLine | None = None


def line() -> Line | _NoLine:
    """The process's line (made on first use, from the setting as it is then)."""
    global _line
    with _made:
        if _line is None:
            places = concurrent_runs()
            _line = Line(places) if places else _NoLine()
        return _line
