"""Train the Bahdanau-attention and no-attention GRU translators on the generated corpus; write metrics.

    python -m models.train_seq2seq             # regenerates the corpus (seed 0), trains both, ~minutes on 2 cores
    python -m models.train_seq2seq --epochs 2 --out /tmp/weights   # a quick run elsewhere

Writes models/weights/{bahdanau,no_attention}/ (model.safetensors, config.json, vocab.json,
metrics.json) and models/weights/test_sentences.jsonl (the held-out split, for the page).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
import sacrebleu
import torch
from torch import nn

from models import corpus
from models.seq2seq import WEIGHTS, Seq2Seq, Seq2SeqConfig, Translator, Vocab

BUCKETS = [(1, 10), (11, 20), (21, 30), (31, 99)]


def bucket_name(n: int) -> str:
    lo, hi = next(b for b in BUCKETS if b[0] <= n <= b[1])
    return f"{lo}-{hi}" if hi < 99 else f"{lo}+"


def tensors(rows: list[dict], src: Vocab, tgt: Vocab) -> tuple[torch.Tensor, ...]:
    """Padded (B, S) source with </s>, lengths, decoder input <s> y…, decoder target y… </s>."""
    s_ids = [[*src.encode(r["en"]), 2] for r in rows]
    t_ids = [tgt.encode(r["fr"]) for r in rows]
    S, T = max(map(len, s_ids)), max(map(len, t_ids)) + 1
    src_t = torch.zeros(len(rows), S, dtype=torch.long)
    tin, tout = torch.zeros(len(rows), T, dtype=torch.long), torch.zeros(len(rows), T, dtype=torch.long)
    for b, (si, ti) in enumerate(zip(s_ids, t_ids, strict=True)):
        src_t[b, : len(si)] = torch.tensor(si)
        tin[b, : len(ti) + 1] = torch.tensor([1, *ti])
        tout[b, : len(ti) + 1] = torch.tensor([*ti, 2])
    return src_t, torch.tensor([len(si) for si in s_ids]), tin, tout


def batches(rows: list[dict], size: int, rng: random.Random) -> list[list[dict]]:
    """Batches of similar length (little padding), in random order."""
    order = rows[:]
    rng.shuffle(order)
    chunks = [sorted(order[i : i + size * 50], key=lambda r: len(r["en"])) for i in range(0, len(order), size * 50)]
    out = [c[i : i + size] for c in chunks for i in range(0, len(c), size)]
    rng.shuffle(out)
    return out


def fit(
    model: nn.Module,
    opt,
    sched,
    loss_fn,
    train_rows: list[dict],
    src: Vocab,
    tgt: Vocab,
    epochs: int,
    rng: random.Random,
    valid_exact_match,
    log,
) -> None:
    """The loop both translators train with: teacher forcing, clipped gradients, a scheduler step per batch.

    `valid_exact_match(model)` is logged after every epoch with the mean training loss.
    """
    for epoch in range(epochs):
        model.train()
        t0, total, n = time.time(), 0.0, 0
        for batch in batches(train_rows, 64, rng):
            src_t, lengths, tin, tout = tensors(batch, src, tgt)
            logits, _ = model(src_t, lengths, tin)
            loss = loss_fn(logits.reshape(-1, logits.shape[-1]), tout.reshape(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total, n = total + loss.item(), n + 1
        model.eval()
        log(
            f"  epoch {epoch + 1}/{epochs}: loss {total / n:.3f}, valid exact match "
            f"{valid_exact_match(model):.3f} ({time.time() - t0:.0f}s)"
        )


def train(
    config: Seq2SeqConfig,
    train_rows: list[dict],
    valid_rows: list[dict],
    src: Vocab,
    tgt: Vocab,
    epochs: int,
    seed: int,
    log,
) -> Seq2Seq:
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = Seq2Seq(config)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=3e-3, total_steps=epochs * len(batches(train_rows, 64, rng))
    )
    loss_fn = nn.CrossEntropyLoss(ignore_index=0)
    fit(
        model,
        opt,
        sched,
        loss_fn,
        train_rows,
        src,
        tgt,
        epochs,
        rng,
        lambda m: exact_match(m, valid_rows[:500], src, tgt),
        log,
    )
    return model


def greedy_outputs(model: nn.Module, rows: list[dict], src: Vocab, tgt: Vocab, slack: int = 10) -> list[list[str]]:
    """Greedy translations of `rows`, batched; decoding stops `slack` tokens past the longest reference."""
    outs = []
    for i in range(0, len(rows), 256):
        batch = rows[i : i + 256]
        src_t, lengths, _, _ = tensors(batch, src, tgt)
        ids = model.greedy_batch(src_t, lengths, max_len=max(len(r["fr"]) for r in batch) + slack)
        outs += [tgt.decode([t for t in row if t != 0]) for row in ids.tolist()]
    return outs


def exact_match(model: nn.Module, rows: list[dict], src: Vocab, tgt: Vocab, slack: int = 10) -> float:
    outs = greedy_outputs(model, rows, src, tgt, slack)
    return float(np.mean([o == r["fr"] for o, r in zip(outs, rows, strict=True)]))


@torch.inference_mode()
def alignment_hits(model: Seq2Seq, rows: list[dict], src: Vocab, tgt: Vocab) -> list[tuple[int, int]]:
    """Per sentence (hits, gold pairs): target content words whose argmax α falls on the gold source word.

    α is read with teacher forcing on the reference translation, so every gold pair is scored.
    """
    out = []
    for i in range(0, len(rows), 256):
        batch = rows[i : i + 256]
        src_t, lengths, tin, _ = tensors(batch, src, tgt)
        _, alpha = model(src_t, lengths, tin)  # (B, T, S); row j produced French token j
        best = alpha.argmax(-1)
        for b, r in enumerate(batch):
            out.append((sum(int(best[b, j] == i_en) for i_en, j in r["align"]), len(r["align"])))
    return out


def evaluate(model: Seq2Seq, rows: list[dict], src: Vocab, tgt: Vocab) -> dict:
    """Exact match, BLEU and (with attention) alignment accuracy, overall and by English length."""
    outs = greedy_outputs(model, rows, src, tgt)
    hits = alignment_hits(model, rows, src, tgt) if model.config.attention else None

    def summary(idx: list[int]) -> dict:
        m = {
            "sentences": len(idx),
            "exact_match": float(np.mean([outs[k] == rows[k]["fr"] for k in idx])),
            "bleu": sacrebleu.corpus_bleu(
                [" ".join(outs[k]) for k in idx], [[" ".join(rows[k]["fr"]) for k in idx]], tokenize="none", force=True
            ).score,
        }
        if hits is not None:
            m["alignment_accuracy"] = sum(hits[k][0] for k in idx) / max(1, sum(hits[k][1] for k in idx))
        return m

    by_len: dict[str, list[int]] = {}
    for k, r in enumerate(rows):
        by_len.setdefault(bucket_name(len(r["en"])), []).append(k)
    return {
        "overall": summary(list(range(len(rows)))),
        "by_length": {
            name: summary(by_len[name]) for name in sorted(by_len, key=lambda n: int(n.split("-")[0].rstrip("+")))
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=30_000, help="corpus sentences")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args(argv)
    torch.set_num_threads(2)

    def log(msg: str) -> None:
        print(msg, flush=True)

    log(f"generating {args.size} sentence pairs (seed {args.seed})")
    rows = corpus.generate(args.size, args.seed)
    split = {s: [r for r in rows if r["split"] == s] for s in corpus.SPLITS}
    # the vocabulary is the generator's closed vocabulary; sentences are split, words are not
    src = Vocab(sorted({t for r in rows for t in r["en"]}))
    tgt = Vocab(sorted({t for r in rows for t in r["fr"]}))
    log(f"{ {k: len(v) for k, v in split.items()} }, vocab en {len(src)} fr {len(tgt)}")
    for name, attention in (("bahdanau", True), ("no_attention", False)):
        log(f"training {name}")
        config = Seq2SeqConfig(src_vocab=len(src), tgt_vocab=len(tgt), attention=attention)
        t0 = time.time()
        model = train(config, split["train"], split["valid"], src, tgt, args.epochs, args.seed, log)
        metrics = {
            "test": evaluate(model, split["test"], src, tgt),
            "epochs": args.epochs,
            "seed": args.seed,
            "corpus_size": args.size,
            "train_seconds": round(time.time() - t0),
            "parameters": sum(p.numel() for p in model.parameters()),
        }
        log(json.dumps(metrics["test"]["overall"]))
        Translator(model, src, tgt, name, metrics).save(args.out / name)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "test_sentences.jsonl").open("w", encoding="utf-8") as fh:
        for r in split["test"]:
            fh.write(json.dumps({"en": r["en"], "fr": r["fr"], "align": r["align"]}, ensure_ascii=False) + "\n")
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
