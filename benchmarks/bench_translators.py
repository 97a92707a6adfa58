"""Greedy against beam search for the three committed translators, on the held-out test split. Prints; asserts nothing.

    .venv/bin/python -m benchmarks.bench_translators                 # 300 test sentences, spread over lengths
    .venv/bin/python -m benchmarks.bench_translators --sentences 0   # the whole test split (slow on 2 cores)
    .venv/bin/python -m benchmarks.bench_translators --models transformer --widths 1 4 8 16

Columns, per model and beam width:
  exact     share of outputs equal to the reference (after unknown words are copied, as the app shows them)
  mean lp   mean log-probability per word of the chosen output (what beam search maximises)
  ended     share of outputs that end with </s> (a beam that stops early drops the final ".")
  ms/sent   wall-clock milliseconds per sentence, translate() end to end (decoding and the attention read-back)
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from attention_explorer.models.translation.translator import WEIGHTS, load_test_sentences, load_translator, translate


def sample(rows: list[dict], n: int) -> list[dict]:
    """n rows spread evenly over the split (sorted by length, so short and long both appear); all when n is 0."""
    if n <= 0 or n >= len(rows):
        return rows
    ordered = sorted(rows, key=lambda r: len(r["en"]))
    step = len(ordered) / n
    return [ordered[int(k * step)] for k in range(n)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=300, help="test sentences (0: the whole split)")
    parser.add_argument("--models", nargs="+", default=["bahdanau", "no_attention", "transformer"])
    parser.add_argument("--widths", nargs="+", type=int, default=[1, 4, 8])
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    rows = sample(list(load_test_sentences().values()), args.sentences)
    print(f"{len(rows)} test sentences, {torch.get_num_threads()} threads\n")
    print(f"{'model':<14} {'beam':>4} {'exact':>6} {'mean lp':>8} {'ended':>6} {'ms/sent':>8}")
    for name in args.models:
        translator = load_translator(WEIGHTS / name)
        for width in args.widths:
            exact, scores, ended = 0, [], 0
            t0 = time.perf_counter()
            for row in rows:
                result = translate(translator, " ".join(row["en"]), beam=width)
                exact += [t.lower() for t in result.output if t != "</s>"] == row["fr"]
                ended += result.ended
                scores.append(result.hypotheses[0][1])
            ms = (time.perf_counter() - t0) * 1000 / len(rows)
            print(
                f"{name:<14} {width:>4} {exact / len(rows):>6.3f} {statistics.mean(scores):>8.3f} "
                f"{ended / len(rows):>6.3f} {ms:>8.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
