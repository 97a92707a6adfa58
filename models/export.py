"""Write a sentence's attention capture to JSON or CSV, from Python or the command line.

python -m models.export "The cat sat on the mat." -o capture.json
python -m models.export "The cat sat on the mat." -o capture.csv --layer 2 --head 5
python -m models.export --model ~/models/bert-base-uncased "Some text" -o out.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from models.capture import AttentionCapture


def to_json(capture: AttentionCapture, decimals: int = 6) -> str:
    """The whole capture (tokens, weights [layer, head, query, key], model) as JSON text."""
    data = capture.to_dict()
    data["weights"] = np.round(capture.weights.astype(np.float64), decimals).tolist()
    return json.dumps(data, ensure_ascii=False)


def to_csv(capture: AttentionCapture, layer: int | None = None, head: int | None = None, decimals: int = 6) -> str:
    """Long-format CSV (layer, head, query/key index and token, weight), optionally one layer/head."""
    frame = capture.to_frame()
    if layer is not None:
        frame = frame[frame["layer"] == layer]
    if head is not None:
        frame = frame[frame["head"] == head]
    return frame.to_csv(index=False, float_format=f"%.{decimals}f")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Capture a sentence's attention and write it to a file.")
    parser.add_argument("text", help="the sentence (use '-' to read it from standard input)")
    parser.add_argument("-o", "--out", type=Path, required=True, help="output file: .json or .csv")
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        help="local Hugging Face BERT-family directory (default: bundled all-MiniLM-L6-v2)",
    )
    parser.add_argument("--layer", type=int, default=None, help="CSV only: keep one layer")
    parser.add_argument("--head", type=int, default=None, help="CSV only: keep one head")
    parser.add_argument("--decimals", type=int, default=6, help="digits kept per weight (default 6)")
    args = parser.parse_args(argv)

    # torch and transformers load only when a capture is really made, so --help is instant
    from models import bert

    text = sys.stdin.read() if args.text == "-" else args.text
    if not text.strip():
        parser.error("the text is empty")
    try:
        bundle = bert.load_bert(args.model or bert.default_model_dir())
        capture = bert.capture(bundle, text)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.out.suffix.lower() == ".csv":
        args.out.write_text(to_csv(capture, args.layer, args.head, args.decimals), encoding="utf-8")
    else:
        args.out.write_text(to_json(capture, args.decimals), encoding="utf-8")
    note = f" (truncated from {capture.truncated_from} tokens)" if capture.truncated_from else ""
    print(
        f"wrote {args.out}: {len(capture.query_tokens)} tokens{note}, "
        f"{capture.num_layers} layers × {capture.num_heads} heads, model {capture.model}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
