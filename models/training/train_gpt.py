"""Train the small GPT on the English side of the generated corpus; write it as a Hugging Face directory.

    attention-explorer train gpt                       # reproduces models/weights/gpt (seed 0)
    attention-explorer train gpt --size 2000 --epochs 1 --out /tmp/weights   # a quick run elsewhere

Next-word prediction over "<s> w1 … wn </s>". metrics.json records the perplexity on held-out sentences,
each head's mean weight on the previous token (a previous-token head: > 0.5), continuations of prompts
typed by hand, and the command, seed, commit and library versions.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from transformers import GPT2LMHeadModel, PreTrainedTokenizerFast

from attention_explorer.models.core.analysis import previous_token_weight
from attention_explorer.models.gpt.model import GPT_DIR, build_tokenizer, gpt_config
from attention_explorer.models.training import corpus
from attention_explorer.models.training.loop import Log

PREVIOUS_TOKEN_THRESHOLD = 0.5  # a head whose mean weight on the previous token exceeds this is a previous-token head
# What people type: capitals, no final full stop, words the corpus may not have.
TYPED_PROMPTS = ("The cat", "Will the children", "the old king did not", "My dog", "The teacher will")


@dataclass(frozen=True)
class GPTTrainConfig:
    """How the GPT is trained (its shape is models/gpt/model.py's gpt_config)."""

    size: int = 20_000  # corpus sentences generated (about 95% train): the 2,400-lemma grammar needs more than 12,000
    seed: int = 0
    epochs: int = 3
    batch_size: int = 64
    lr: float = 3e-3  # AdamW peak, after a linear warm-up, then cosine decay to 0
    warmup: int = 100  # steps
    weight_decay: float = 0.01
    clip: float = 1.0  # gradient norm limit

    def __post_init__(self) -> None:
        if self.size < 10 or self.epochs < 1 or self.batch_size < 1:
            raise ValueError("size, epochs and batch_size must be positive (size at least 10)")


def encode(tokenizer: PreTrainedTokenizerFast, sentences: Sequence[Sequence[str]]) -> list[list[int]]:
    """ "<s> w1 … wn </s>" ids per sentence (the tokenizer puts "<s>" first)."""
    eos = int(tokenizer.eos_token_id)
    return [[*tokenizer(" ".join(words))["input_ids"], eos] for words in sentences]


def batch(ids: Sequence[list[int]], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded inputs (B, T) and labels with -100 at the padding (no loss there)."""
    width = max(map(len, ids))
    inputs = torch.full((len(ids), width), pad, dtype=torch.long)
    labels = torch.full((len(ids), width), -100, dtype=torch.long)
    for row, seq in enumerate(ids):
        inputs[row, : len(seq)] = torch.tensor(seq)
        labels[row, : len(seq)] = torch.tensor(seq)
    return inputs, labels


@torch.inference_mode()
def perplexity(model: GPT2LMHeadModel, ids: Sequence[list[int]], pad: int, batch_size: int = 128) -> float:
    """exp(mean negative log-likelihood) of every token after "<s>" ("</s>" included)."""
    model.eval()
    total, count = 0.0, 0
    for start in range(0, len(ids), batch_size):
        inputs, labels = batch(ids[start : start + batch_size], pad)
        logits = model(input_ids=inputs).logits[:, :-1]  # (B, T-1, V): position t predicts token t+1
        target = labels[:, 1:]
        nll = torch.nn.functional.cross_entropy(logits.transpose(1, 2), target, ignore_index=-100, reduction="sum")
        total += float(nll)
        count += int((target != -100).sum())
    return math.exp(total / count)


@torch.inference_mode()
def previous_token_scores(model: GPT2LMHeadModel, ids: Sequence[list[int]]) -> np.ndarray:
    """[layer, head]: mean attention weight on the previous token, over every position t ≥ 1 of `ids`."""
    model.eval()
    total, count = None, 0
    for seq in ids:
        out = model(input_ids=torch.tensor([seq]), output_attentions=True)
        weights = torch.cat(list(out.attentions)).numpy()  # (layer, head, T, T)
        n = len(seq) - 1  # positions with a previous token
        part = previous_token_weight(weights) * n  # mean over positions × positions = sum
        total = part if total is None else total + part
        count += n
    assert total is not None
    return total / count


def typed_examples(folder: Path) -> list[dict]:
    """The saved model read back by the app's own loader, continuing prompts typed by hand."""
    from attention_explorer.models.pretrained import capture
    from attention_explorer.models.pretrained.loading import load_pretrained

    bundle = load_pretrained(folder)
    out = []
    for prompt in TYPED_PROMPTS:
        run = capture.run(bundle, prompt, 12)
        out.append(
            {
                "prompt": prompt,
                "unknown_words": capture.unknown_words(bundle, prompt),
                "next_word": [[t, round(p, 3)] for t, p in run.steps[0].alternatives[:3]],
                "greedy_continuation": run.generated_text,
            }
        )
    return out


# valid and test shares of its corpus: the committed GPT's (the translators' corpus has since grown to 150,000
# pairs and holds out smaller shares)
SHARES = (0.012, 0.03)


def train(config: GPTTrainConfig, log: Log) -> tuple[GPT2LMHeadModel, PreTrainedTokenizerFast, dict]:
    """Generate the corpus, build the tokenizer from the training words, train; return the model and metrics."""
    torch.manual_seed(config.seed)
    log(f"generating {config.size} sentences (seed {config.seed})")
    pairs = corpus.generate(config.size, config.seed)
    assigned = [p.split if p.split == "combinations" else corpus.split_of(p.en, config.seed, *SHARES) for p in pairs]
    split = {s: [p.en for p, label in zip(pairs, assigned, strict=True) if label == s] for s in corpus.SPLITS}
    tokenizer = build_tokenizer([w for words in split["train"] for w in words])
    data = {s: encode(tokenizer, sentences) for s, sentences in split.items()}
    pad = tokenizer.pad_token_id
    specials = {"bos_token_id": tokenizer.bos_token_id, "eos_token_id": tokenizer.eos_token_id, "pad_token_id": pad}
    model = GPT2LMHeadModel(gpt_config(len(tokenizer), **specials))
    log(f"{ {s: len(v) for s, v in data.items()} } sentences, vocabulary {len(tokenizer)}, "
        f"{sum(p.numel() for p in model.parameters()):,} parameters")  # fmt: skip
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    steps = config.epochs * math.ceil(len(data["train"]) / config.batch_size)

    def rate(step: int) -> float:
        if step < config.warmup:
            return (step + 1) / config.warmup
        return 0.5 * (1 + math.cos(math.pi * (step - config.warmup) / max(1, steps - config.warmup)))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, rate)
    order = random.Random(config.seed)
    t0 = time.time()
    history = []
    for epoch in range(config.epochs):
        model.train()
        train_ids = list(data["train"])
        order.shuffle(train_ids)
        losses = []
        for start in range(0, len(train_ids), config.batch_size):
            inputs, labels = batch(train_ids[start : start + config.batch_size], pad)
            loss = model(input_ids=inputs, labels=labels).loss
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.clip)
            optimiser.step()
            schedule.step()
            losses.append(loss.item())
        valid = perplexity(model, data["valid"], pad)
        history.append({"epoch": epoch + 1, "train_loss": round(float(np.mean(losses)), 4), "valid_perplexity": valid})
        log(f"epoch {epoch + 1}: loss {np.mean(losses):.3f}, valid perplexity {valid:.2f}, {time.time() - t0:.0f}s")
    seconds = round(time.time() - t0)
    scores = previous_token_scores(model, data["test"])
    layers, heads_at = np.nonzero(scores > PREVIOUS_TOKEN_THRESHOLD)
    heads = [[int(layer), int(head)] for layer, head in zip(layers, heads_at, strict=True)]
    metrics = {
        "test": {"sentences": len(data["test"]), "perplexity": perplexity(model, data["test"], pad)},
        "valid": {"sentences": len(data["valid"]), "perplexity": history[-1]["valid_perplexity"]},
        "previous_token": {
            "measure": "mean attention weight on the previous token over every position t >= 1 of the test "
            "sentences '<s> w1 ... wn </s>'; a previous-token head scores above "
            f"{PREVIOUS_TOKEN_THRESHOLD}",
            "score_by_head": np.round(scores, 4).tolist(),
            "heads": heads,
        },
        "history": history,
        "train_seconds": seconds,
        "parameters": int(sum(p.numel() for p in model.parameters())),
        "vocabulary": len(tokenizer),
        "corpus_size": config.size,
        "seed": config.seed,
        "epochs": config.epochs,
    }
    return model, tokenizer, metrics


def without_out(argv: Sequence[str]) -> list[str]:
    """The command line without --out (where the files go changes nothing in them)."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--out":
            skip = True
        elif not arg.startswith("--out="):
            out.append(arg)
    return out


def provenance(argv: Sequence[str], *packages: str) -> dict:
    """The command (without --out), commit and library versions: the translators' list plus `packages`."""
    import importlib.metadata

    from attention_explorer.models.training.train import provenance as base

    info = base(without_out(argv))
    info["versions"].update({name: importlib.metadata.version(name) for name in packages})
    try:  # tracked files edited since that commit: the commit alone would not reproduce the run
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        ).stdout
        info["uncommitted_changes"] = bool(status.strip())
    except (OSError, subprocess.CalledProcessError):
        pass
    return info


def main(argv: Sequence[str] | None = None, *, log: Log = lambda msg: print(msg, flush=True)) -> int:
    parser = argparse.ArgumentParser(prog="attention-explorer train gpt", description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=["gpt"])
    defaults = GPTTrainConfig()
    parser.add_argument("--size", type=int, default=defaults.size, help="corpus sentences")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--out", type=Path, default=GPT_DIR.parent, help="folder that receives gpt/")
    given = list(argv) if argv is not None else sys.argv[1:]
    args = parser.parse_args(given)
    torch.set_num_threads(2)
    origin = provenance(given, "transformers", "tokenizers")  # the commit the run starts from
    config = GPTTrainConfig(size=args.size, seed=args.seed, epochs=args.epochs)
    model, tokenizer, metrics = train(config, log)
    folder = args.out / "gpt"
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    metrics["examples"] = typed_examples(folder)
    metrics.update(origin)
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    found = metrics["previous_token"]["heads"]
    log(f"test perplexity {metrics['test']['perplexity']:.2f}; previous-token heads (layer, head): {found}")
    log(f"wrote {folder}")
    return 0
