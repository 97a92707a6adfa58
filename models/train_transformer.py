"""Train the small Transformer on the same generated English→French corpus; write metrics.

    python -m models.train_transformer          # regenerates the corpus (seed 0), minutes on 2 cores

Writes models/weights/transformer/ (model.safetensors, config.json, vocab.json, metrics.json).
Cross-attention alignment accuracy is reported for every layer and head (and the best one).
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

from models import corpus, train_seq2seq
from models.seq2seq import WEIGHTS, Vocab
from models.train_seq2seq import batches, bucket_name, fit, tensors
from models.transformer import Transformer, TransformerConfig, TransformerTranslator


@torch.inference_mode()
def cross_hits(model: Transformer, rows: list[dict], src: Vocab, tgt: Vocab) -> np.ndarray:
    """(sentence, layer, head) → hits of the gold pairs, with teacher forcing on the reference."""
    c = model.config
    out = np.zeros((len(rows), c.layers, c.heads), dtype=np.int64)
    for i in range(0, len(rows), 256):
        batch = rows[i : i + 256]
        src_t, lengths, tin, _ = tensors(batch, src, tgt)
        _, att = model(src_t, lengths, tin)
        best = torch.stack(att.cross, dim=1).argmax(-1)  # (B, layer, head, T)
        for b, r in enumerate(batch):
            for i_en, j in r["align"]:
                out[i + b] += (best[b, :, :, j] == i_en).numpy()
    return out


def evaluate(model: Transformer, rows: list[dict], src: Vocab, tgt: Vocab) -> dict:
    outs = train_seq2seq.greedy_outputs(model, rows, src, tgt, slack=5)
    hits = cross_hits(model, rows, src, tgt)
    n_gold = np.array([len(r["align"]) for r in rows])
    best_layer, best_head = np.unravel_index(hits.sum(0).argmax(), hits.shape[1:])

    def summary(idx: list[int]) -> dict:
        per_head = hits[idx].sum(0) / max(1, n_gold[idx].sum())
        return {
            "sentences": len(idx),
            "exact_match": float(np.mean([outs[k] == rows[k]["fr"] for k in idx])),
            "bleu": sacrebleu.corpus_bleu(
                [" ".join(outs[k]) for k in idx], [[" ".join(rows[k]["fr"]) for k in idx]], tokenize="none", force=True
            ).score,
            "alignment_accuracy": float(per_head[best_layer, best_head]),
            "alignment_accuracy_by_head": per_head.round(4).tolist(),
        }

    by_len: dict[str, list[int]] = {}
    for k, r in enumerate(rows):
        by_len.setdefault(bucket_name(len(r["en"])), []).append(k)
    order = sorted(by_len, key=lambda name: int(name.split("-")[0].rstrip("+")))
    return {
        "overall": summary(list(range(len(rows)))),
        "by_length": {n: summary(by_len[n]) for n in order},
        "best_cross_head": [int(best_layer), int(best_head)],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--out", type=Path, default=WEIGHTS / "transformer")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    print(f"generating {args.size} sentence pairs (seed {args.seed})", flush=True)
    rows = corpus.generate(args.size, args.seed)
    split = {s: [r for r in rows if r["split"] == s] for s in corpus.SPLITS}
    src = Vocab(sorted({t for r in rows for t in r["en"]}))
    tgt = Vocab(sorted({t for r in rows for t in r["fr"]}))
    model = Transformer(TransformerConfig(src_vocab=len(src), tgt_vocab=len(tgt)))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, betas=(0.9, 0.98))
    steps = args.epochs * len(batches(split["train"], 64, random.Random(0)))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    loss_fn = nn.CrossEntropyLoss(ignore_index=0, label_smoothing=0.05)
    t_start = time.time()

    def valid_exact_match(m: Transformer) -> float:
        return train_seq2seq.exact_match(m, split["valid"][:300], src, tgt, slack=5)

    fit(
        model,
        opt,
        sched,
        loss_fn,
        split["train"],
        src,
        tgt,
        args.epochs,
        rng,
        valid_exact_match,
        lambda msg: print(msg, flush=True),
    )
    metrics = {
        "test": evaluate(model, split["test"], src, tgt),
        "epochs": args.epochs,
        "seed": args.seed,
        "corpus_size": args.size,
        "train_seconds": round(time.time() - t_start),
        "parameters": sum(p.numel() for p in model.parameters()),
    }
    print(json.dumps({k: v for k, v in metrics["test"]["overall"].items() if k != "alignment_accuracy_by_head"}))
    TransformerTranslator(model, src, tgt, "transformer", metrics).save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
