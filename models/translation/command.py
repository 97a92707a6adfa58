"""`attention-explorer translate` and `attention-explorer evaluate`: the translators from the command line.

attention-explorer translate "the green apple will fall ." -o translation.json --beam 4
attention-explorer translate --input sentences.txt -o translations.jsonl --model transformer
attention-explorer evaluate pairs.jsonl            # one {"en": ..., "fr": ...} object per line
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

MODELS = ("bahdanau", "no_attention", "transformer")


def _folder(model: str) -> Path:
    from attention_explorer.models.translation.translator import WEIGHTS

    return Path(model) if Path(model).is_dir() else WEIGHTS / model


def translate_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="attention-explorer translate", description=__doc__.splitlines()[0])
    parser.add_argument("text", nargs="?", help="an English sentence (or give --input)")
    parser.add_argument("--input", type=Path, help="a file with one English sentence per line")
    parser.add_argument("-o", "--out", type=Path, required=True, help="JSON (one sentence) or JSONL (--input)")
    parser.add_argument("--beam", type=int, default=1, help="beam width (1: greedy)")
    parser.add_argument("--model", default="bahdanau", help=f"{', '.join(MODELS)}, or a checkpoint directory")
    args = parser.parse_args(argv)
    if (args.text is None) == (args.input is None):
        parser.error("give either a sentence or --input FILE")

    from attention_explorer.models.core.checkpoint import CheckpointError
    from attention_explorer.models.translation.translator import load_translator, translate

    try:
        translator = load_translator(_folder(args.model))
    except CheckpointError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.text is not None:
        try:
            result = translate(translator, args.text, args.beam)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        args.out.write_text(json.dumps(result.to_dict(), ensure_ascii=False), encoding="utf-8")
        print(f"{result.text}\nwrote {args.out}")
        return 0
    lines = args.input.read_text(encoding="utf-8").splitlines()
    with args.out.open("w", encoding="utf-8") as fh:
        for line in lines:
            try:
                result = translate(translator, line, args.beam)
                row = {
                    "en": line,
                    "translation": result.text,
                    "output_tokens": list(result.output),
                    "source_tokens": list(result.source),
                    "normalisation": list(result.notes),
                    "unknown_words": result.unknown,
                    "copied": {str(t): i for t, i in result.copied.items()},
                    "elided": {str(t): word for t, word in result.elided.items()},
                }
            except ValueError as exc:
                row = {"en": line, "error": str(exc)}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(lines)} lines to {args.out}")
    return 0


def evaluate_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="attention-explorer evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("pairs", type=Path, help='JSONL: one {"en": "...", "fr": "..."} object per line')
    parser.add_argument("--model", action="append", help=f"{', '.join(MODELS)} or a directory (default: all three)")
    parser.add_argument("--beam", type=int, default=1)
    args = parser.parse_args(argv)

    from attention_explorer.models.core.checkpoint import CheckpointError
    from attention_explorer.models.translation.scoring import score_file

    try:
        table = score_file(args.pairs, [_folder(m) for m in (args.model or MODELS)], args.beam)
    except (CheckpointError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(table)
    return 0
