"""The loop both translators train with: teacher forcing, clipped gradients, a one-cycle schedule."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from attention_explorer.models.core.vocab import Vocab
from attention_explorer.models.training.corpus import Pair
from attention_explorer.models.translation.translator import TranslationModel

Log = Callable[[str], None]


@dataclass(frozen=True)
class TrainConfig:
    """How a translator is trained (the model's own shape lives in its model config)."""

    epochs: int
    lr: float  # Adam's initial learning rate (the one-cycle schedule then sets it every step)
    max_lr: float  # the one-cycle peak
    betas: tuple[float, float] = (0.9, 0.999)
    batch_size: int = 64
    clip: float = 1.0  # gradient norm limit
    seed: int = 0
    valid_sentences: int = 500  # validation sentences decoded after each epoch
    slack: int = 10  # greedy decoding stops this many words past the longest reference
    unk_rate: float = 0.03  # share of aligned content-word pairs read as <unk> ↔ <unk> in each epoch

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("epochs and batch_size must be positive")
        if self.lr <= 0 or self.max_lr <= 0:
            raise ValueError("learning rates must be positive")
        if not 0 <= self.unk_rate < 1:
            raise ValueError(f"unk_rate must be in [0, 1); got {self.unk_rate}")


@dataclass(frozen=True)
class Batch:
    src: torch.Tensor  # (B, S) source ids ending with </s>, padded
    lengths: torch.Tensor  # (B,)
    tgt_in: torch.Tensor  # (B, T) <s> y…, padded
    tgt_out: torch.Tensor  # (B, T) y… </s>, padded


def tensors(pairs: Sequence[Pair], src: Vocab, tgt: Vocab, unk: tuple[float, random.Random] | None = None) -> Batch:
    """Pad a list of pairs into one batch.

    unk: (rate, rng) — each aligned content-word pair is read as <unk> on both sides with this probability,
    so that the <unk> embedding means "a word to copy" and the decoder learns to emit <unk> where its
    attention falls on an unknown source word (Luong et al. 2015).
    """
    s_ids = [[*src.encode(p.en), src.eos_id] for p in pairs]
    t_ids = [tgt.encode(p.fr) for p in pairs]
    if unk is not None and unk[0] > 0:
        rate, rng = unk
        for si, ti, p in zip(s_ids, t_ids, pairs, strict=True):
            for i, j in p.content:
                if rng.random() < rate:
                    si[i], ti[j] = src.unk_id, tgt.unk_id
    S, T = max(map(len, s_ids)), max(map(len, t_ids)) + 1
    src_t = torch.full((len(pairs), S), src.pad_id, dtype=torch.long)
    tin = torch.full((len(pairs), T), tgt.pad_id, dtype=torch.long)
    tout = torch.full((len(pairs), T), tgt.pad_id, dtype=torch.long)
    for b, (si, ti) in enumerate(zip(s_ids, t_ids, strict=True)):
        src_t[b, : len(si)] = torch.tensor(si)
        tin[b, : len(ti) + 1] = torch.tensor([tgt.sos_id, *ti])
        tout[b, : len(ti) + 1] = torch.tensor([*ti, tgt.eos_id])
    return Batch(src_t, torch.tensor([len(si) for si in s_ids]), tin, tout)


def batches(pairs: Sequence[Pair], size: int, rng: random.Random) -> list[list[Pair]]:
    """Batches of similar length (little padding), in random order."""
    order = list(pairs)
    rng.shuffle(order)
    window = size * 50
    chunks = [sorted(order[i : i + window], key=lambda p: len(p.en)) for i in range(0, len(order), window)]
    out = [c[i : i + size] for c in chunks for i in range(0, len(c), size)]
    rng.shuffle(out)
    return out


def fit(
    model: TranslationModel,
    train: Sequence[Pair],
    vocabs: tuple[Vocab, Vocab],
    config: TrainConfig,
    validate: Callable[[TranslationModel], float],
    log: Log,
    device: str = "cpu",
) -> None:
    """Train `model` in place; log the mean loss and `validate(model)` (e.g. exact match) after every epoch.

    device: where the training steps run ("cuda" on a machine with a GPU). Validation runs on the CPU, as
    the app does, and the model is left there.
    """
    src, tgt = vocabs
    model.to(device)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    steps_per_epoch = len(batches(train, config.batch_size, random.Random(0)))  # the count does not depend on order
    opt = torch.optim.Adam(model.parameters(), lr=config.lr, betas=config.betas)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=config.max_lr, total_steps=config.epochs * steps_per_epoch)
    for epoch in range(config.epochs):
        model.train()
        t0, total, n = time.time(), torch.zeros((), device=device), 0  # summed on the device: no wait per step
        for chunk in batches(train, config.batch_size, rng):
            batch = tensors(chunk, src, tgt, (config.unk_rate, rng))
            loss = model.loss(
                batch.src.to(device), batch.lengths, batch.tgt_in.to(device), batch.tgt_out.to(device), tgt.pad_id
            )
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), config.clip)
            opt.step()
            sched.step()
            total, n = total + loss.detach(), n + 1
            if n % 100 == 0:
                log(f"    {n}/{steps_per_epoch} batches: loss {float(total) / n:.3f} ({time.time() - t0:.0f}s)")
        model.eval()
        seconds = time.time() - t0
        model.to("cpu")  # the parameters stay the same objects, so the optimizer keeps them
        mean = float(total) / n
        log(f"  epoch {epoch + 1}/{config.epochs}: loss {mean:.3f}, valid {validate(model):.3f} ({seconds:.0f}s)")
        model.to(device)
    model.to("cpu")
