"""A small Vision Transformer (Dosovitskiy et al. 2021) for 8×8 digits that returns its attention weights.

An image is cut into square patches, each flattened and projected to a token vector; a learned [CLS]
vector is put in front, a learned position vector is added to every token, and pre-norm Transformer
encoder layers mix them. The class is read from [CLS]'s final vector. `forward` returns the logits and
every layer's attention (B, layer, head, token, token), as the annotated Transformer's `attention()`
returns p_attn: nothing is stashed on the modules.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import load_file as load_numpy
from safetensors.numpy import save_file as save_numpy
from safetensors.torch import load_file, save_file
from torch import nn

from attention_explorer.models.core.checkpoint import CheckpointError, read_config

FAMILY = "vit"
WEIGHTS = Path(__file__).resolve().parent.parent / "weights" / "vit"
RETRAIN = "attention-explorer train vit"
TEST_DIGITS = "test_digits.safetensors"


@dataclass(frozen=True)
class ViTConfig:
    image_size: int = 8  # pixels per side (scikit-learn's digits are 8×8)
    patch_size: int = 2  # pixels per patch side: (8/2)² = 16 patches
    classes: int = 10  # digits 0–9
    max_value: float = 16.0  # brightest pixel (the digits hold 0…16); inputs are divided by it
    d_model: int = 64  # width of every token vector
    heads: int = 4  # attention heads per layer; must divide d_model
    layers: int = 3  # encoder layers
    d_ff: int = 128  # feed-forward hidden size
    dropout: float = 0.1
    family: str = FAMILY

    def __post_init__(self) -> None:
        for name in ("image_size", "patch_size", "classes", "d_model", "heads", "layers", "d_ff"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive; got {getattr(self, name)}")
        if self.image_size % self.patch_size:
            raise ValueError(f"patch_size ({self.patch_size}) must divide image_size ({self.image_size})")
        if self.d_model % self.heads:
            raise ValueError(f"d_model ({self.d_model}) must be a multiple of heads ({self.heads})")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1); got {self.dropout}")
        if self.max_value <= 0:
            raise ValueError(f"max_value must be positive; got {self.max_value}")
        if self.family != FAMILY:
            raise ValueError(f"This is a {self.family} config, not a {FAMILY} one")

    @property
    def grid(self) -> int:
        """Patches per side."""
        return self.image_size // self.patch_size

    @property
    def tokens(self) -> int:
        """[CLS] and one token per patch."""
        return 1 + self.grid**2


class SelfAttention(nn.Module):
    """Multi-head scaled dot-product self-attention → (output, weights (B, H, T, T))."""

    def __init__(self, c: ViTConfig):
        super().__init__()
        self.h, self.d_k = c.heads, c.d_model // c.heads
        self.qkv = nn.Linear(c.d_model, 3 * c.d_model)
        self.o = nn.Linear(c.d_model, c.d_model)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        B, T, D = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, self.d_k).permute(2, 0, 3, 1, 4)  # each (B, H, T, d_k)
        p_attn = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(self.d_k), dim=-1)  # (B, H, T, T)
        out = (p_attn @ v).transpose(1, 2).reshape(B, T, D)  # concatenate heads: (B, T, D)
        return self.o(out), p_attn


class Block(nn.Module):
    """Pre-norm encoder layer: x + attention(norm x), then x + MLP(norm x)."""

    def __init__(self, c: ViTConfig):
        super().__init__()
        self.n1, self.n2 = nn.LayerNorm(c.d_model), nn.LayerNorm(c.d_model)
        self.attn = SelfAttention(c)
        self.mlp = nn.Sequential(nn.Linear(c.d_model, c.d_ff), nn.GELU(), nn.Linear(c.d_ff, c.d_model))
        self.drop = nn.Dropout(c.dropout)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        a, p_attn = self.attn(self.n1(x))
        x = x + self.drop(a)
        return x + self.drop(self.mlp(self.n2(x))), p_attn


class ViT(nn.Module):
    """`forward(images)` → (logits (B, classes), attention (B, layer, head, token, token)).

    images: (B, image_size, image_size) pixel values in [0, max_value]. Token 0 is [CLS]; token
    1 + r·grid + c is the patch in row r, column c.
    """

    def __init__(self, c: ViTConfig):
        super().__init__()
        self.config = c
        self.patch = nn.Linear(c.patch_size**2, c.d_model)  # one flattened patch → one token vector
        self.cls = nn.Parameter(torch.zeros(1, 1, c.d_model))
        self.pos = nn.Parameter(torch.zeros(1, c.tokens, c.d_model))  # learned, one per token
        nn.init.trunc_normal_(self.cls, std=0.02)
        nn.init.trunc_normal_(self.pos, std=0.02)
        self.drop = nn.Dropout(c.dropout)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.layers))
        self.norm = nn.LayerNorm(c.d_model)
        self.head = nn.Linear(c.d_model, c.classes)

    def patches(self, images: torch.Tensor) -> torch.Tensor:
        """(B, S, S) → (B, patches, patch_size²), patches row by row, pixels row by row within a patch."""
        B = images.shape[0]
        g, p = self.config.grid, self.config.patch_size
        x = images.reshape(B, g, p, g, p)  # (B, row, y, col, x)
        return x.permute(0, 1, 3, 2, 4).reshape(B, g * g, p * p)  # (B, N, p²)

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        c = self.config
        if images.ndim != 3 or images.shape[1:] != (c.image_size, c.image_size):
            raise ValueError(f"Expected images of shape (B, {c.image_size}, {c.image_size}); got {tuple(images.shape)}")
        x = self.patch(self.patches(images.float() / c.max_value))  # (B, N, D)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos  # (B, T, D)
        x = self.drop(x)
        weights = []
        for block in self.blocks:
            x, p_attn = block(x)
            weights.append(p_attn)
        logits = self.head(self.norm(x[:, 0]))  # read the class from [CLS]: (B, classes)
        return logits, torch.stack(weights, dim=1)  # (B, L, H, T, T)

    def position_table(self) -> np.ndarray:
        """The learned position vectors of the patches (without [CLS]): (patches, d_model)."""
        return self.pos[0, 1:].detach().float().numpy().copy()


@dataclass(frozen=True)
class TestDigits:
    """The held-out split the ViT never trained on (stored beside the checkpoint, so no scikit-learn at run time)."""

    images: np.ndarray  # (N, 8, 8) uint8, 0…16
    labels: np.ndarray  # (N,) int64
    index: np.ndarray  # (N,) position in sklearn.datasets.load_digits()

    def __len__(self) -> int:
        return len(self.labels)


def save_vit(folder: Path, model: ViT, metrics: dict, test: TestDigits) -> None:
    """Write model.safetensors, config.json, metrics.json and the test split."""
    folder.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, folder / "model.safetensors")
    (folder / "config.json").write_text(json.dumps(asdict(model.config), indent=2), encoding="utf-8")
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    save_numpy({"images": test.images, "labels": test.labels, "index": test.index}, str(folder / TEST_DIGITS))


def _name(folder: Path) -> str:
    """A folder named by its last two parts: messages never print the server's absolute paths."""
    return "/".join(folder.parts[-2:])


def load_vit(folder: Path = WEIGHTS) -> tuple[ViT, dict]:
    """The trained ViT and its metrics. Raises CheckpointError naming the file and the fix; never trains."""
    hint = f"Retrain with: {RETRAIN}"
    raw = read_config(folder, RETRAIN)
    if not (folder / "model.safetensors").is_file():
        raise CheckpointError(f"{_name(folder)}/model.safetensors is missing. {hint}")
    try:
        model = ViT(ViTConfig(**raw))
        model.load_state_dict(load_file(folder / "model.safetensors"), strict=True)
    except Exception as exc:  # wrong config keys, truncated file, shape mismatch, missing weights: one answer
        first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        raise CheckpointError(f"The checkpoint {_name(folder)} is unreadable ({first}). {hint}") from exc
    model.eval()
    try:
        metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        metrics = {}  # metrics are for display; a broken file must not hide a working model
    return model, metrics if isinstance(metrics, dict) else {}


def load_test_digits(folder: Path = WEIGHTS) -> TestDigits:
    """The stored test split. Raises CheckpointError if it is missing or malformed."""
    path = folder / TEST_DIGITS
    if not path.is_file():
        raise CheckpointError(f"{_name(folder)}/{TEST_DIGITS} is missing. Retrain with: {RETRAIN}")
    try:
        data = load_numpy(str(path))
        digits = TestDigits(data["images"], data["labels"], data["index"])
    except Exception as exc:
        raise CheckpointError(f"{_name(folder)}/{TEST_DIGITS} is unreadable. Retrain with: {RETRAIN}") from exc
    n = len(digits.labels)
    if digits.images.shape[1:] != (8, 8) or len(digits.images) != n or len(digits.index) != n or n == 0:
        raise CheckpointError(f"{_name(folder)}/{TEST_DIGITS} has inconsistent shapes. Retrain with: {RETRAIN}")
    return digits
