"""Train the small Vision Transformer on scikit-learn's bundled 8×8 digits and write it with its test split.

    attention-explorer train vit                          # the committed checkpoint, on 2 CPU cores
    attention-explorer train vit --epochs 5 --out /tmp/vit   # a quick run elsewhere

The digits ship inside scikit-learn (`sklearn.datasets.load_digits`: 1,797 images, no download). They are
split by a seeded permutation into test (20%), validation (10%) and training (the rest); the test split is
stored as test_digits.safetensors beside the weights, so the app needs no scikit-learn. The defaults are
the ones the committed checkpoint in models/weights/vit/ was trained with.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from attention_explorer.models.core.checkpoint import parameter_count
from attention_explorer.models.training.train import provenance
from attention_explorer.models.vit.capture import predict
from attention_explorer.models.vit.model import WEIGHTS, TestDigits, ViT, ViTConfig, save_vit

Log = Callable[[str], None]
TEST_SHARE, VALID_SHARE = 0.2, 0.1
ACCURACY_FLOOR = 0.97  # the committed checkpoint must reach this on the test split (a test checks it)


@dataclass(frozen=True)
class ViTTrainConfig:
    """How the ViT is trained (the model's own shape lives in ViTConfig)."""

    epochs: int = 150
    batch_size: int = 64
    lr: float = 2e-3  # AdamW's peak learning rate (linear warm-up, then cosine decay to 0)
    warmup_epochs: int = 10
    weight_decay: float = 0.05
    label_smoothing: float = 0.1
    shift: int = 1  # random translation of each training image by up to this many pixels
    seed: int = 0

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("epochs and batch_size must be positive")
        if self.lr <= 0:
            raise ValueError("the learning rate must be positive")
        if not 0 <= self.label_smoothing < 1:
            raise ValueError(f"label_smoothing must be in [0, 1); got {self.label_smoothing}")
        if self.shift < 0:
            raise ValueError("shift must be ≥ 0")


@dataclass(frozen=True)
class DigitSplits:
    train: TestDigits
    valid: TestDigits
    test: TestDigits


def split_digits(images: np.ndarray, labels: np.ndarray, seed: int) -> DigitSplits:
    """Seeded permutation → test (first 20%), validation (next 10%), training (the rest)."""
    order = np.random.default_rng(seed).permutation(len(labels))
    n_test, n_valid = round(TEST_SHARE * len(labels)), round(VALID_SHARE * len(labels))
    test, valid, train = order[:n_test], order[n_test : n_test + n_valid], order[n_test + n_valid :]

    def take(idx: np.ndarray) -> TestDigits:
        idx = np.sort(idx)
        return TestDigits(images[idx].astype(np.uint8), labels[idx].astype(np.int64), idx.astype(np.int64))

    return DigitSplits(train=take(train), valid=take(valid), test=take(test))


def load_sklearn_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled digits: (1797, 8, 8) values 0…16 and their labels. Read from the package, offline."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return np.rint(data.images).astype(np.uint8), data.target.astype(np.int64)


def shift_images(images: torch.Tensor, shift: int, generator: torch.Generator) -> torch.Tensor:
    """Move each image by a random (dy, dx) in [−shift, shift]², filling with 0: (B, S, S) → (B, S, S)."""
    if shift == 0:
        return images
    B, S, _ = images.shape
    padded = nn.functional.pad(images, (shift, shift, shift, shift))  # (B, S + 2s, S + 2s)
    dy, dx = (torch.randint(0, 2 * shift + 1, (B,), generator=generator) for _ in range(2))
    rows = (dy[:, None] + torch.arange(S))[:, :, None]  # (B, S, 1)
    cols = (dx[:, None] + torch.arange(S))[:, None, :]  # (B, 1, S)
    return padded[torch.arange(B)[:, None, None], rows, cols]


def accuracy(model: ViT, digits: TestDigits) -> float:
    return float((predict(model, digits.images) == digits.labels).mean())


def fit_vit(model: ViT, splits: DigitSplits, config: ViTTrainConfig, log: Log) -> list[dict]:
    """Train `model` in place; returns one row per epoch (loss, training and validation accuracy)."""
    generator = torch.Generator().manual_seed(config.seed)
    x = torch.as_tensor(splits.train.images, dtype=torch.float32)
    y = torch.as_tensor(splits.train.labels)
    steps_per_epoch = -(-len(y) // config.batch_size)
    total = config.epochs * steps_per_epoch
    warmup = min(config.warmup_epochs * steps_per_epoch, total // 2)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)

    def lr_factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + float(np.cos(np.pi * (step - warmup) / (total - warmup))))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)
    history = []
    for epoch in range(config.epochs):
        model.train()
        order = torch.randperm(len(y), generator=generator)
        total_loss = 0.0
        for i in range(0, len(y), config.batch_size):
            idx = order[i : i + config.batch_size]
            logits, _ = model(shift_images(x[idx], config.shift, generator))
            loss = loss_fn(logits, y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total_loss += loss.item() * len(idx)
        row = {"epoch": epoch + 1, "loss": round(total_loss / len(y), 4)}
        if (epoch + 1) % 10 == 0 or epoch + 1 == config.epochs:
            row["valid_accuracy"] = round(accuracy(model, splits.valid), 4)
            log(json.dumps(row))
        history.append(row)
    return history


def confusion(model: ViT, digits: TestDigits, classes: int) -> list[list[int]]:
    """Confusion matrix: rows are true classes, columns predicted ones."""
    m = np.zeros((classes, classes), dtype=int)
    np.add.at(m, (digits.labels, predict(model, digits.images)), 1)
    return m.tolist()


def main(argv: Sequence[str] | None = None, *, log: Log = lambda msg: print(msg, flush=True)) -> int:
    parser = argparse.ArgumentParser(prog="attention-explorer train", description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=["vit"])
    defaults = ViTTrainConfig()
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--out", type=str, default=str(WEIGHTS), help="folder that receives the checkpoint")
    given = list(argv) if argv is not None else sys.argv[1:]
    args = parser.parse_args(given)
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    config = ViTTrainConfig(epochs=args.epochs, seed=args.seed)
    images, labels = load_sklearn_digits()
    splits = split_digits(images, labels, args.seed)
    log(f"digits: train {len(splits.train)}, validation {len(splits.valid)}, test {len(splits.test)}")
    torch.manual_seed(args.seed)
    model = ViT(ViTConfig())
    t0 = time.time()
    history = fit_vit(model, splits, config, log)
    seconds = round(time.time() - t0)
    import sklearn

    info = provenance(given)
    info["versions"] = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
    }
    metrics = {
        "test": {
            "digits": len(splits.test),
            "accuracy": accuracy(model, splits.test),
            "confusion": confusion(model, splits.test, model.config.classes),
        },
        "valid_accuracy": accuracy(model, splits.valid),
        "train_accuracy": accuracy(model, splits.train),
        "accuracy_floor": ACCURACY_FLOOR,
        "split": {"train": len(splits.train), "valid": len(splits.valid), "test": len(splits.test)},
        "train_config": asdict(config),
        "train_seconds": seconds,
        "parameters": parameter_count(model),
        "final_loss": history[-1]["loss"],
        "seed": args.seed,
        **info,
    }
    log(f"test accuracy {metrics['test']['accuracy']:.4f} after {seconds} s")
    from pathlib import Path

    save_vit(Path(args.out), model, metrics, splits.test)
    log(f"wrote {args.out}")
    return 0
