"""Train the translators on the generated corpus and write each checkpoint with its figures on three test sets.

    attention-explorer train seq2seq       # the corpus (seed 0), then both GRU models
    attention-explorer train transformer   # the same corpus, the Transformer
    attention-explorer train seq2seq --epochs 2 --size 2000 --out /tmp/weights   # a quick run elsewhere

The defaults are the ones the committed checkpoints in models/weights/ were trained with. The corpus is
cached in models/training/data/corpus.jsonl (not committed) and generated again whenever the size, seed
or the grammar's code or data change.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from attention_explorer.models.core.checkpoint import parameter_count
from attention_explorer.models.core.output import cutoffs_for
from attention_explorer.models.core.vocab import Vocab
from attention_explorer.models.rnn.model import Seq2Seq, Seq2SeqConfig
from attention_explorer.models.training import corpus
from attention_explorer.models.training.corpus import HELD_OUT, Pair
from attention_explorer.models.training.evaluate import evaluate, exact_match
from attention_explorer.models.training.lexicon import HANDWRITTEN, must_know
from attention_explorer.models.training.loop import Log, TrainConfig, fit
from attention_explorer.models.transformer.model import Transformer, TransformerConfig
from attention_explorer.models.translation.scoring import handwritten_figures
from attention_explorer.models.translation.translator import WEIGHTS, TranslationModel, Translator

CORPUS_SIZE = 150_000
SEQ2SEQ = TrainConfig(epochs=7, lr=2e-3, max_lr=3e-3, batch_size=256, valid_sentences=400, slack=10)
TRANSFORMER = TrainConfig(epochs=12, lr=1e-3, max_lr=2e-3, betas=(0.9, 0.98), batch_size=256, valid_sentences=400)
SEQ2SEQ_SHAPE: dict[str, Any] = {"emb": 128, "hidden": 256, "attn_dim": 128, "readout": 256, "div_value": 1.0}
TRANSFORMER_SHAPE: dict[str, Any] = {
    "d_model": 192,
    "heads": 4,
    "layers": 3,
    "d_ff": 768,
    "dropout": 0.1,
    "div_value": 1.0,
}
COMBINATION_TEST = 200  # sentences per held-out combination in its test set
TEST_FILES = {"test": "test_sentences.jsonl", "combinations": "test_combinations.jsonl"}


def provenance(argv: Sequence[str]) -> dict:
    """What reproduces a checkpoint: the command, the code's commit and the library versions."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True, cwd=Path(__file__).parent
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    import pyrealb
    import sacrebleu

    return {
        "command": " ".join(["attention-explorer", "train", *argv]),
        "git_commit": commit,
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "sacrebleu": sacrebleu.__version__,
            "pyrealb": getattr(pyrealb, "__version__", "3.3.1"),
        },
    }


CORPUS_CODE = ("grammar.py", "realise.py", "forms.py", "lexicon.py", "corpus.py")


def fingerprint() -> str:
    """A hash of everything the corpus depends on: the grammar's code, its data files and the tokenisers."""
    here = Path(__file__).parent
    from attention_explorer.models.core import text

    files = [here / name for name in CORPUS_CODE] + sorted((here / "data").glob("*.tsv"))
    digest = hashlib.sha256((text._EN_TOKEN.pattern + text._FR_TOKEN.pattern).encode())
    for f in files:
        digest.update(f.name.encode() + f.read_bytes())
    return digest.hexdigest()[:16]


def load_or_generate(size: int, seed: int, log: Log, path: Path = corpus.CORPUS, workers: int = 2) -> list[Pair]:
    """The corpus for (size, seed): read from its cache when the grammar is unchanged, else generated.

    The cache's first line records the size, seed and grammar fingerprint it was made with.
    """
    meta = {"size": size, "seed": seed, "fingerprint": fingerprint()}
    if path.is_file():
        try:
            with path.open(encoding="utf-8") as fh:
                if json.loads(fh.readline()).get("meta") == meta:
                    log(f"reading the cached corpus {path.name} ({size} pairs, seed {seed})")
                    return [Pair.from_dict(json.loads(line)) for line in fh]
        except (OSError, ValueError, AttributeError):
            pass
    t0 = time.time()
    log(f"generating {size} sentence pairs (seed {seed}, {workers} processes; the same pairs for any number)")
    pairs = corpus.generate(size, seed, workers=workers)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as fh:
            fh.write(json.dumps({"meta": meta}) + "\n")
            fh.writelines(json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in pairs)
    except OSError as exc:
        log(f"could not cache the corpus ({exc})")
    log(f"generated in {time.time() - t0:.0f}s")
    return pairs


def vocabularies(train: Sequence[Pair]) -> tuple[Vocab, Vocab]:
    """Both vocabularies from the training split, most frequent first (the adaptive softmax needs that order).

    Names and numbers in digits are left out: they are always read as <unk> and copied through.
    """

    def build(sentences: list[list[str]]) -> Vocab:
        counts = Counter(t for s in sentences for t in s if not corpus.copied(t))
        return Vocab(sorted(counts, key=lambda w: (-counts[w], w)))

    return build([p.en for p in train]), build([p.fr for p in train])


def split_corpus(pairs: list[Pair], seed: int) -> dict[str, list[Pair]]:
    """train / valid / test, and the held-out combinations' test set (COMBINATION_TEST per combination)."""
    split = {s: [p for p in pairs if p.split == s] for s in corpus.SPLITS}
    rng = random.Random(seed)
    combos: list[Pair] = []
    taken: set[int] = set()
    for combination in HELD_OUT:
        members = [
            k for k, p in enumerate(split["combinations"]) if combination.test(set(p.features)) and k not in taken
        ]
        chosen = sorted(rng.sample(members, min(COMBINATION_TEST, len(members))))
        taken.update(chosen)
        combos += [split["combinations"][k] for k in chosen]
    split["combinations"] = combos
    return split


def train_one(
    model: TranslationModel,
    name: str,
    split: dict[str, list[Pair]],
    vocabs: tuple[Vocab, Vocab],
    config: TrainConfig,
    extra: dict,
    log: Log,
    device: str = "cpu",
) -> Translator:
    """Train `model`, evaluate it on the three test sets and return it as a Translator with its metrics."""
    src, tgt = vocabs
    valid = split["valid"][: config.valid_sentences]
    t0, cpu0, load0 = time.time(), time.process_time(), os.getloadavg()[0]
    fit(model, split["train"], vocabs, config, lambda m: exact_match(m, valid, src, tgt, config.slack), log, device)
    train_seconds, cpu_seconds = time.time() - t0, time.process_time() - cpu0
    timing = {
        "train_seconds": round(train_seconds),
        "train_cpu_seconds": round(cpu_seconds),  # both threads together
        "load_average": [round(load0, 1), round(os.getloadavg()[0], 1)],  # the machine's, at start and end
    }
    log(f"{name}: trained in {train_seconds:.0f}s wall, {cpu_seconds:.0f}s CPU, load {timing['load_average']}")
    metrics: dict = {"test": evaluate(model, split["test"], src, tgt, config.slack)}
    best = metrics["test"].get("best_alignment_head")
    copy = (int(best[0]), int(best[1])) if best else None
    combos = split["combinations"]
    groups = {c.name: [k for k, p in enumerate(combos) if c.test(set(p.features))] for c in HELD_OUT}
    metrics["test_combinations"] = evaluate(model, combos, src, tgt, config.slack, copy, groups)
    translator = Translator(model, src, tgt, name, metrics)
    metrics["test_handwritten"] = handwritten_figures(translator, HANDWRITTEN)
    metrics["frequent_words_unknown"] = [w for w in must_know() if w not in src]
    metrics.update(
        {
            **timing,
            "epochs": config.epochs,
            "seed": config.seed,
            "parameters": parameter_count(model),
            "train_config": {k: v for k, v in config.__dict__.items()},
            "splits": {k: len(v) for k, v in split.items()},
            "held_out_combinations": {c.name: c.description for c in HELD_OUT},
            **extra,
        }
    )
    for key in ("test", "test_combinations", "test_handwritten"):
        overall = {k: round(v, 4) for k, v in metrics[key]["overall"].items() if isinstance(v, float | int)}
        log(f"{name} {key}: {json.dumps(overall)}")
    return translator


def write_test_sets(folder: Path, split: dict[str, list[Pair]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for key, filename in TEST_FILES.items():
        with (folder / filename).open("w", encoding="utf-8") as fh:
            for p in split[key]:
                row = {"en": p.en, "fr": p.fr, "align": p.align, "features": p.features}
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main(argv: Sequence[str] | None = None, *, log: Log = lambda msg: print(msg, flush=True)) -> int:
    parser = argparse.ArgumentParser(prog="attention-explorer train", description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=["seq2seq", "transformer"], help="seq2seq: both GRU models")
    parser.add_argument("--size", type=int, default=CORPUS_SIZE, help="corpus sentences")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help=f"default: {SEQ2SEQ.epochs} (seq2seq), {TRANSFORMER.epochs} (transformer)",
    )
    parser.add_argument("--out", type=Path, default=WEIGHTS, help="folder that receives one folder per model")
    parser.add_argument("--corpus", type=Path, default=corpus.CORPUS, help="where the generated corpus is cached")
    parser.add_argument(
        "--device", default="auto", help="where the training steps run: cpu, cuda, or auto (cuda when there is one)"
    )
    parser.add_argument(
        "--workers", type=int, default=min(16, os.cpu_count() or 1), help="processes generating the corpus"
    )
    parser.add_argument(
        "--only", choices=["bahdanau", "no_attention"], default=None, help="seq2seq: train one of the two GRU models"
    )
    given = list(argv) if argv is not None else sys.argv[1:]
    args = parser.parse_args(given)
    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    if device.startswith("cuda") and not torch.cuda.is_available():
        parser.error("--device cuda: this machine has no GPU that torch can use")
    torch.set_num_threads(2 if device == "cpu" else 4)  # with a GPU, the CPU only validates and evaluates
    t_start = time.time()
    base = SEQ2SEQ if args.model == "seq2seq" else TRANSFORMER
    config = TrainConfig(**{**base.__dict__, "seed": args.seed, "epochs": args.epochs or base.epochs})
    pairs = load_or_generate(args.size, args.seed, log, args.corpus, args.workers)
    split = split_corpus(pairs, args.seed)
    src, tgt = vocabularies(split["train"])
    log(f"{ {k: len(v) for k, v in split.items()} }, vocabulary en {len(src)} fr {len(tgt)}")
    extra = {"corpus_size": args.size, "device": torch.cuda.get_device_name() if device != "cpu" else "cpu"}
    extra.update(provenance(given))
    cutoffs = cutoffs_for(len(tgt))
    if args.model == "seq2seq":
        for name, attention in (("bahdanau", True), ("no_attention", False)):
            if args.only not in (None, name):
                continue
            log(f"training {name}")
            torch.manual_seed(args.seed)
            shape = SEQ2SEQ_SHAPE
            model: TranslationModel = Seq2Seq(
                Seq2SeqConfig(src_vocab=len(src), tgt_vocab=len(tgt), attention=attention, cutoffs=cutoffs, **shape)
            )
            train_one(model, name, split, (src, tgt), config, extra, log, device).save(args.out / name)
        write_test_sets(args.out, split)
    else:
        torch.manual_seed(args.seed)
        model = Transformer(
            TransformerConfig(src_vocab=len(src), tgt_vocab=len(tgt), cutoffs=cutoffs, **TRANSFORMER_SHAPE)
        )
        train_one(model, "transformer", split, (src, tgt), config, extra, log, device).save(args.out / "transformer")
    log(f"wrote {args.out} in {time.time() - t_start:.0f}s")
    return 0
