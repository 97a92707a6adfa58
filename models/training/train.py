"""Train the translators on the generated corpus and write each checkpoint with its test figures.

    attention-explorer train seq2seq       # regenerates the corpus (seed 0), trains both GRU models
    attention-explorer train transformer   # the same corpus, the Transformer
    attention-explorer train seq2seq --epochs 2 --size 2000 --out /tmp/weights   # a quick run elsewhere

The defaults are the ones the committed checkpoints in models/weights/ were trained with.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import torch

from attention_explorer.models.core.checkpoint import parameter_count
from attention_explorer.models.core.vocab import Vocab
from attention_explorer.models.rnn.model import Seq2Seq, Seq2SeqConfig
from attention_explorer.models.training import corpus
from attention_explorer.models.training.corpus import Pair
from attention_explorer.models.training.evaluate import evaluate, exact_match
from attention_explorer.models.training.loop import Log, TrainConfig, fit
from attention_explorer.models.transformer.model import Transformer, TransformerConfig
from attention_explorer.models.translation.translator import WEIGHTS, TranslationModel, Translator

SEQ2SEQ = TrainConfig(epochs=15, lr=2e-3, max_lr=3e-3, valid_sentences=500, slack=10)
TRANSFORMER = TrainConfig(
    epochs=20, lr=3e-3, max_lr=3e-3, betas=(0.9, 0.98), label_smoothing=0.05, valid_sentences=300, slack=5
)


def provenance(argv: Sequence[str]) -> dict:
    """What reproduces a checkpoint: the command, the code's commit and the library versions."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True, cwd=Path(__file__).parent
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    import sacrebleu

    return {
        "command": " ".join(["attention-explorer", "train", *argv]),
        "git_commit": commit,
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "sacrebleu": sacrebleu.__version__,
        },
    }


def split_corpus(size: int, seed: int, log: Log) -> tuple[dict[str, list[Pair]], Vocab, Vocab]:
    """Generate the corpus and build both vocabularies from it."""
    log(f"generating {size} sentence pairs (seed {seed})")
    pairs = corpus.generate(size, seed)
    split = {s: [p for p in pairs if p.split == s] for s in corpus.SPLITS}
    src = Vocab(sorted({t for p in pairs for t in p.en}))
    tgt = Vocab(sorted({t for p in pairs for t in p.fr}))
    log(f"{ {k: len(v) for k, v in split.items()} }, vocabulary en {len(src)} fr {len(tgt)}")
    return split, src, tgt


def train_one(
    model: TranslationModel,
    name: str,
    split: dict[str, list[Pair]],
    vocabs: tuple[Vocab, Vocab],
    config: TrainConfig,
    extra: dict,
    log: Log,
) -> Translator:
    """Train `model`, evaluate it on the test split and return it as a Translator with its metrics."""
    src, tgt = vocabs
    valid = split["valid"][: config.valid_sentences]
    t0 = time.time()
    fit(model, split["train"], vocabs, config, lambda m: exact_match(m, valid, src, tgt, config.slack), log)
    metrics = {
        "test": evaluate(model, split["test"], src, tgt, config.slack),
        "epochs": config.epochs,
        "seed": config.seed,
        "train_seconds": round(time.time() - t0),
        "parameters": parameter_count(model),
        **extra,
    }
    overall = {k: v for k, v in metrics["test"]["overall"].items() if k != "alignment_accuracy_by_head"}
    log(f"{name}: {json.dumps(overall)}")
    return Translator(model, src, tgt, name, metrics)


def write_test_sentences(folder: Path, test: list[Pair]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "test_sentences.jsonl").open("w", encoding="utf-8") as fh:
        for p in test:
            fh.write(json.dumps({"en": p.en, "fr": p.fr, "align": p.align}, ensure_ascii=False) + "\n")


def main(argv: Sequence[str] | None = None, *, log: Log = lambda msg: print(msg, flush=True)) -> int:
    parser = argparse.ArgumentParser(prog="attention-explorer train", description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=["seq2seq", "transformer"], help="seq2seq: both GRU models")
    parser.add_argument("--size", type=int, default=30_000, help="corpus sentences")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=None, help="default: 15 (seq2seq), 20 (transformer)")
    parser.add_argument("--out", type=Path, default=WEIGHTS, help="folder that receives one folder per model")
    given = list(argv) if argv is not None else sys.argv[1:]
    args = parser.parse_args(given)
    torch.set_num_threads(2)
    base = SEQ2SEQ if args.model == "seq2seq" else TRANSFORMER
    config = TrainConfig(**{**base.__dict__, "seed": args.seed, "epochs": args.epochs or base.epochs})
    split, src, tgt = split_corpus(args.size, args.seed, log)
    extra = {"corpus_size": args.size, **provenance(given)}
    if args.model == "seq2seq":
        for name, attention in (("bahdanau", True), ("no_attention", False)):
            log(f"training {name}")
            torch.manual_seed(args.seed)
            model: TranslationModel = Seq2Seq(
                Seq2SeqConfig(src_vocab=len(src), tgt_vocab=len(tgt), attention=attention)
            )
            train_one(model, name, split, (src, tgt), config, extra, log).save(args.out / name)
        write_test_sentences(args.out, split["test"])
    else:
        torch.manual_seed(args.seed)
        model = Transformer(TransformerConfig(src_vocab=len(src), tgt_vocab=len(tgt)))
        train_one(model, "transformer", split, (src, tgt), config, extra, log).save(args.out / "transformer")
    log(f"wrote {args.out}")
    return 0
