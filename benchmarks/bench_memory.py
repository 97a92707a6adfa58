"""Server memory under long sentences and many sessions: RSS as it goes, to show it stays within a budget.

    .venv/bin/python -m benchmarks.bench_memory                          # 200 long sentences, then 1,000 sessions
    .venv/bin/python -m benchmarks.bench_memory --sentences 60 --sessions 200 --page bert

Part 1: one session types `--sentences` different sentences of 100–511 tokens into the page, printing the
server's resident memory every 20 sentences. Part 2: `--sessions` sessions one after another (a class
arriving over a day) each open the page with their own short sentence and leave; RSS every 100. Both start
from a server whose models are loaded, so the figures are what the class adds. Each session is a real
Streamlit session over the websocket (tests/session_client.py). Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import random
import time

from benchmarks.bench_load import WORDS
from tests import browser_support as bs
from tests.session_client import Session


def long_sentence(rng: random.Random, k: int) -> str:
    n = rng.randint(100, 480)  # words; MiniLM's word pieces take it to about 100–511 tokens
    return " ".join(rng.choice(WORDS) for _ in range(n)) + f" marker{k} ."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--page", default="bert")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with bs.streamlit_server(timeout=180) as url:
        pid = url.pid
        assert pid is not None
        with Session(url, timeout=300) as warm:
            warm.run(args.page, {"text": "warm up ."})
        base = bs.rss_mb(pid)
        print(f"page /{args.page}: server RSS with the models loaded {base:.0f} MB")
        print(f"\none session, {args.sentences} sentences of 100–511 tokens")
        print(f"{'sentences':>10} {'RSS MB':>8} {'growth':>8} {'s/run':>7} {'errors':>7}")
        errors = 0
        t0 = time.perf_counter()
        with Session(url, timeout=300) as session:
            for k in range(1, args.sentences + 1):
                run = session.run(args.page, {"text": long_sentence(rng, k)})
                errors += (not run.finished) + bool(run.exceptions)
                if k % 20 == 0 or k == args.sentences:
                    rss = bs.rss_mb(pid)
                    print(
                        f"{k:>10} {rss:8.0f} {rss - base:+8.0f} {(time.perf_counter() - t0) / k:7.2f} {errors:>7}",
                        flush=True,
                    )
        print(f"\n{args.sessions} sessions, one after another, each with its own sentence")
        print(f"{'sessions':>10} {'RSS MB':>8} {'growth':>8} {'errors':>7}")
        errors = 0
        for k in range(1, args.sessions + 1):
            with Session(url, timeout=300) as s:
                words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30)))
                run = s.run(args.page, {"text": f"{words} visitor{k} ."})
                errors += (not run.finished) + bool(run.exceptions)
            if k % 100 == 0 or k == args.sessions:
                rss = bs.rss_mb(pid)
                print(f"{k:>10} {rss:8.0f} {rss - base:+8.0f} {errors:>7}", flush=True)


if __name__ == "__main__":
    main()
