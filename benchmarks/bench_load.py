"""A class on one server: simulated students open a page and press Enter on their own sentences, all at once.

    .venv/bin/python -m benchmarks.bench_load                        # 10, 30 and 60 students on the BERT page
    .venv/bin/python -m benchmarks.bench_load --students 30 100 --runs 3 --page seq2seq
    .venv/bin/python -m benchmarks.bench_load --url http://127.0.0.1:8080   # an existing server (e.g. nginx)

Each student is a real Streamlit session over the websocket (tests/session_client.py) — not a browser,
which would eat the same two cores as the server. A student opens the page with a sentence of 20–40
tokens, then types `--runs` new sentences one after another. Prints, per class size: opening and run
times (p50 / p95 / max), errors (exceptions, runs that did not finish, a session that saw another's
sentence), the server's resident memory, its CPU time per request (core-s/req: every thread, all requests of
the class) and how long the class took. Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from dataclasses import dataclass, field

from tests import browser_support as bs
from tests.session_client import Session

WORDS = [
    "the",
    "a",
    "cat",
    "dog",
    "bird",
    "teacher",
    "student",
    "river",
    "mountain",
    "city",
    "small",
    "red",
    "quiet",
    "happy",
    "old",
    "new",
    "sees",
    "reads",
    "finds",
    "writes",
    "likes",
    "near",
    "under",
    "over",
    "with",
    "after",
    "before",
    "because",
    "and",
    "but",
    "while",
    "often",
    "today",
    "slowly",
]


def sentence(rng: random.Random, marker: str, tokens: int) -> str:
    """A sentence of about `tokens` tokens with a unique marker word (to check who saw what)."""
    words = [rng.choice(WORDS) for _ in range(tokens - 3)]
    words.insert(rng.randrange(len(words)), marker)
    return " ".join(words) + " ."


@dataclass
class Student:
    name: str
    opened: float | None = None
    runs: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def marker(index: int, run: int) -> str:
    """One word unique to a student and a run (checked for, exactly, in what every session received)."""
    return f"qzj{index}w{run}v"


def student(
    url: str, page: str, index: int, runs: int, seed: int, start: threading.Barrier, out: list[Student], classmates: int
) -> None:
    rng = random.Random(seed * 1000 + index)
    me = Student(f"s{index}")
    out.append(me)
    try:
        with Session(url, timeout=300) as session:
            start.wait()
            for k in range(runs + 1):
                mine = marker(index, k)
                result = session.run(page, {"text": sentence(rng, mine, rng.randint(20, 40))})
                if not result.finished:
                    me.errors.append(f"run {k} did not finish in time")
                if result.exceptions:
                    me.errors.append(f"run {k}: exception {result.exceptions[0][:100]}")
                if mine.encode() not in result.text:
                    me.errors.append(f"run {k}: the page did not show this student's sentence")
                others = [marker(j, r) for j in range(classmates) if j != index for r in range(runs + 1)]
                if any(other.encode() in result.text for other in others):
                    me.errors.append(f"run {k}: the page showed another student's sentence")
                if k == 0:
                    me.opened = result.seconds
                else:
                    me.runs.append(result.seconds)
    except Exception as exc:  # a refused or dropped connection is an error to report, not a crash
        me.errors.append(f"{type(exc).__name__}: {exc}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def class_of(url: str, page: str, students: int, runs: int, seed: int, pid: int | None) -> dict:
    """Run one class; return its figures."""
    barrier = threading.Barrier(students)
    out: list[Student] = []
    rss_before = bs.rss_mb(pid) if pid else float("nan")
    cpu_before = bs.cpu_seconds(pid) if pid else float("nan")
    threads = [
        threading.Thread(target=student, args=(url, page, i, runs, seed, barrier, out, students), daemon=True)
        for i in range(students)
    ]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    peak = rss_before
    while any(t.is_alive() for t in threads):
        time.sleep(0.5)
        if pid:
            peak = max(peak, bs.rss_mb(pid))
    opened = [s.opened for s in out if s.opened is not None]
    run_times = [r for s in out for r in s.runs]
    return {
        "students": students,
        "opened": opened,
        "runs": run_times,
        "errors": [e for s in out for e in s.errors],
        "seconds": time.perf_counter() - t0,
        "cpu": (bs.cpu_seconds(pid) - cpu_before) / max(1, len(opened) + len(run_times)) if pid else float("nan"),
        "rss_before": rss_before,
        "rss_peak": peak,
        "rss_after": bs.rss_mb(pid) if pid else float("nan"),
    }


def report(r: dict) -> str:
    def trio(values: list[float]) -> str:
        return (
            f"{percentile(values, 0.5):6.2f} {percentile(values, 0.95):6.2f} {max(values, default=float('nan')):6.2f}"
        )

    return (
        f"{r['students']:>8} {trio(r['opened'])}   {trio(r['runs'])} {len(r['errors']):>7}"
        f"   {r['rss_before']:7.0f} {r['rss_peak']:7.0f} {r['rss_after']:7.0f}   {r['cpu']:8.3f} {r['seconds']:6.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[10, 30, 60])
    parser.add_argument("--runs", type=int, default=2, help="sentences each student types after opening")
    parser.add_argument("--page", default="bert", help="URL path of the page (bert, seq2seq, transformer, …)")
    parser.add_argument("--url", default=None, help="an already running server (default: start one)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    header = (
        f"{'students':>8} {'open p50':>6} {'p95':>6} {'max':>6}   {'run p50':>6} {'p95':>6} {'max':>6} "
        f"{'errors':>7}   {'RSS MB before':>7} {'peak':>7} {'after':>7}   {'core-s/req':>8} {'wall s':>6}"
    )

    def run_all(url: str, pid: int | None) -> None:
        with Session(url, timeout=300) as warm:  # load the models once, as the first visitor would
            warm.run(args.page, {"text": "warm up ."})
        print(f"page /{args.page}, {args.runs} runs per student after opening\n{header}")
        for n in args.students:
            r = class_of(url, args.page, n, args.runs, args.seed, pid)
            print(report(r), flush=True)
            for e in sorted(set(r["errors"]))[:5]:
                print(f"         error: {e}")

    if args.url:
        run_all(args.url, None)
    else:
        with bs.streamlit_server(timeout=180) as url:
            run_all(url, url.pid)


if __name__ == "__main__":
    main()
