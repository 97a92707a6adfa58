"""Translate English with a trained GRU translator and capture its alignment α(t, i) and scores e(t, i).

python -m models.translate "the green apple will fall ." -o translation.json
python -m models.translate "the green apple will fall ." -o out.json --beam 4 --model no_attention
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.capture import AttentionCapture, AttentionKind
from models.corpus import tokenize
from models.seq2seq import EOS, WEIGHTS, CheckpointError, Translator, Vocab, load_translator

MAX_INPUT_TOKENS = 60  # the models were trained on sentences of at most 40 words


@dataclass(frozen=True, eq=False)
class Translation:
    """One translated sentence: its tokens, the output, and (with attention) the alignment capture."""

    source: tuple[str, ...]  # English tokens as the model reads them, </s> included
    output: tuple[str, ...]  # French tokens emitted, </s> included when the model ended the sentence
    capture: AttentionCapture | None  # α [1, 1, output, source]; None for the no-attention model
    scores: np.ndarray | None  # e(t, i) before softmax, (output, source)
    unknown: dict[str, list[str]]  # words the model never saw → the nearest words it knows
    model: str
    beam: int

    @property
    def text(self) -> str:
        return " ".join(t for t in self.output if t != EOS)

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "beam": self.beam,
            "source_tokens": list(self.source),
            "output_tokens": list(self.output),
            "translation": self.text,
            "unknown_words": self.unknown,
            "alignment": None if self.capture is None else self.capture.weights[0, 0].round(6).tolist(),
            "scores": None if self.scores is None else self.scores.round(6).tolist(),
        }


def prepare(vocab: Vocab, text: str) -> tuple[list[str], dict[str, list[str]]]:
    """Tokens of `text` (raises ValueError if empty or too long) and the ones `vocab` lacks, with suggestions."""
    tokens = tokenize(text)
    if not tokens:
        raise ValueError("There is no word to translate. Type an English sentence.")
    if len(tokens) > MAX_INPUT_TOKENS:
        raise ValueError(
            f"The sentence has {len(tokens)} tokens; these models take at most {MAX_INPUT_TOKENS} "
            "(they were trained on sentences of up to 40 words)."
        )
    known = [w for w in vocab.itos if not w.startswith("<")]
    unknown = {t: difflib.get_close_matches(t, known, n=3, cutoff=0.6) for t in tokens if t not in vocab.stoi}
    return tokens, unknown


def translate(translator: Translator, text: str, beam: int = 1) -> Translation:
    """Greedy (beam 1) or beam-search translation of `text` with its attention."""
    tokens, unknown = prepare(translator.src, text)
    decoded = translator.model.beam_search([*translator.src.encode(tokens), translator.src.stoi[EOS]], width=beam)
    output = translator.tgt.decode(decoded.ids)
    if decoded.ended:
        output = [*output, EOS]  # the step that chose </s> has its own α row
    source = (*tokens, EOS)
    capture = None
    if decoded.alpha is not None:
        capture = AttentionCapture(
            query_tokens=tuple(output),
            key_tokens=source,
            weights=decoded.alpha[None, None, : len(output)],
            kind=AttentionKind.ALIGNMENT,
            model=translator.name,
            attn_implementation="additive (Bahdanau)",
        )
    scores = decoded.scores[: len(output)] if decoded.scores is not None else None
    return Translation(tuple(source), tuple(output), capture, scores, unknown, translator.name, beam)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Translate an English sentence and write tokens, output and α.")
    parser.add_argument("text")
    parser.add_argument("-o", "--out", type=Path, required=True)
    parser.add_argument("--beam", type=int, default=1, help="beam width (1: greedy)")
    parser.add_argument("--model", default="bahdanau", help="bahdanau or no_attention, or a checkpoint directory")
    args = parser.parse_args(argv)
    folder = Path(args.model) if Path(args.model).is_dir() else WEIGHTS / args.model
    try:
        result = translate(load_translator(folder), args.text, args.beam)
    except (CheckpointError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.out.write_text(json.dumps(result.to_dict(), ensure_ascii=False), encoding="utf-8")
    print(f"{result.text}\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
