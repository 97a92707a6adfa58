"""`attention-explorer export`: a sentence's attention in a pretrained model, written to JSON or CSV.

attention-explorer export "The cat sat on the mat." -o capture.json
attention-explorer export "The cat sat on the mat." -o head.csv --layer 2 --head 5
attention-explorer export --model ~/models/bert-base-uncased "Some text" -o out.json
attention-explorer export --model ~/models/gpt2 "Once upon a time" --generate 20 -o gpt2.json
attention-explorer export --model ~/models/t5-small "translate English to German: Hi" --part cross -o x.json
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="attention-explorer export", description=__doc__.splitlines()[0])
    parser.add_argument("text", help="the sentence (use '-' to read it from standard input)")
    parser.add_argument("-o", "--out", type=Path, required=True, help="output file: .json or .csv")
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        help="local Hugging Face model directory (default: bundled all-MiniLM-L6-v2)",
    )
    parser.add_argument("--layer", type=int, default=None, help="CSV only: keep one layer")
    parser.add_argument("--head", type=int, default=None, help="CSV only: keep one head")
    parser.add_argument("--decimals", type=int, default=6, help="digits kept per weight (default 6)")
    parser.add_argument(
        "--part",
        choices=["encoder", "decoder", "cross"],
        default=None,
        help="which attention of an encoder-decoder (default: the model's first: encoder, or a GPT's decoder)",
    )
    parser.add_argument("--generate", type=int, default=12, help="tokens a generating model adds (default 12)")
    args = parser.parse_args(argv)

    # torch and transformers load only when a capture is really made, so --help is instant
    from attention_explorer.models.core.export import to_csv, to_json
    from attention_explorer.models.pretrained.capture import run
    from attention_explorer.models.pretrained.loading import default_model_dir, load_pretrained

    text = sys.stdin.read() if args.text == "-" else args.text
    if not text.strip():
        parser.error("the text is empty")
    try:
        bundle = load_pretrained(args.model or default_model_dir())
        captures = run(bundle, text, args.generate).captures
        if args.part is not None and args.part not in captures:
            raise ValueError(f"this model has no {args.part} attention (it has: {', '.join(captures)})")
        result = captures[args.part] if args.part else next(iter(captures.values()))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.out.suffix.lower() == ".csv":
        args.out.write_text(to_csv(result, args.layer, args.head, args.decimals), encoding="utf-8")
    else:
        args.out.write_text(to_json(result, args.decimals), encoding="utf-8")
    note = f" (truncated from {result.truncated_from} tokens)" if result.truncated_from else ""
    print(
        f"wrote {args.out}: {len(result.query_tokens)} tokens{note}, "
        f"{result.num_layers} layers × {result.num_heads} heads, model {result.model}"
    )
    return 0
