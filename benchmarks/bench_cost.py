"""What one page run costs the server, in core-seconds: the figure that decides how many students one server holds.

    .venv/bin/python -m benchmarks.bench_cost                    # every model page, 32-token sentences
    .venv/bin/python -m benchmarks.bench_cost --pages bert --runs 20 --tokens 32 128

Starts a server, loads every model once (as the first visitor would), then for each page: opens it in new
sessions with no sentence of their own (the page's example, what a class does first), and runs new sentences
of the given length, one session after another. One more session (the teacher's) stays open throughout, as
in a class; with --alone it does not, and every session is then the server's only one (Streamlit empties its
compiled-script cache whenever the last visitor leaves, so each then pays for compiling its page again).
The server process's CPU time (user + system, every thread: the script, serialisation, the websocket) is
read from /proc before and after each; prints the median and the largest per action, next to the goals
(a run ≤ 0.1 core-s, opening ≤ 0.05 core-s). Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics

from benchmarks.bench_load import WORDS
from tests import browser_support as bs
from tests.session_client import Session

PAGES = {  # URL path → the link parameter that carries the sentence (None: a page with no text box)
    "": None,
    "bert": "text",
    "transformer": "text",
    "seq2seq": "text",
    "gpt": "text",
    "compare": "a_text",
    "finetune": "text",
}


def sentence(rng: random.Random, tokens: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(tokens - 3)) + " ."


def measure(url: str, pid: int, page: str, params: dict[str, str] | None) -> tuple[float, float]:
    """(core-seconds, wall seconds) of opening `page` in a new session with these parameters."""
    with Session(url, timeout=300) as session:
        before = bs.cpu_seconds(pid)
        result = session.run(page, params)
        cost = bs.cpu_seconds(pid) - before
    if not result.finished or result.exceptions:
        raise RuntimeError(f"/{page} did not run cleanly: {result.exceptions[:1]}")
    return cost, result.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", default=list(PAGES), help="URL paths ('' is home)")
    parser.add_argument("--runs", type=int, default=8, help="new sentences per page and length")
    parser.add_argument("--tokens", type=int, nargs="+", default=[32])
    parser.add_argument("--alone", action="store_true", help="no other session open while measuring")
    args = parser.parse_args()
    rng = random.Random(0)
    with bs.streamlit_server(timeout=180) as url, contextlib.ExitStack() as stack:
        if not args.alone:
            stack.enter_context(Session(url, timeout=300)).run("", None)  # the teacher's, open all along
        for page in args.pages:  # load every model before measuring anything
            measure(url, url.pid, page, None)
        print(f"{'page':<13} {'action':<22} {'core-s p50':>10} {'max':>6} {'wall p50':>9} {'goal':>7}")
        for page in args.pages:
            rows = [("open", None, 0.05)]
            if PAGES.get(page):
                rows += [(f"run, {n} tokens", n, 0.1) for n in args.tokens]
            for action, n, goal in rows:
                costs, walls = [], []
                for _ in range(args.runs):
                    params = None if n is None else {PAGES[page]: sentence(rng, n)}
                    cost, wall = measure(url, url.pid, page, params)
                    costs.append(cost)
                    walls.append(wall)
                print(
                    f"{'/' + page:<13} {action:<22} {statistics.median(costs):>10.3f} {max(costs):>6.3f} "
                    f"{statistics.median(walls):>9.3f} {'≤ ' + format(goal, 'g'):>7}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
