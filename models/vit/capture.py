"""A digit through the ViT: its class probabilities and every layer's attention as an AttentionCapture.

Tokens are "[CLS]" and one label per patch, "p(row,col)" (row and column of the patch grid, from the top
left), so the text models' figures (`viz.heatmap.head_heatmap`, `heads_grid`) read a ViT capture as they
read a sentence. A person's drawing is read by `read_drawing`, which says what it changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from attention_explorer.models.core.capture import AttentionCapture, AttentionKind
from attention_explorer.models.vit.model import ViT

CLS = "[CLS]"
IMPLEMENTATION = "scaled dot-product"


def patch_labels(grid: int) -> tuple[str, ...]:
    """The token labels, in the model's order: "[CLS]", then "p(r,c)" for every patch, row by row."""
    return (CLS, *(f"p({r},{c})" for r in range(grid) for c in range(grid)))


@dataclass(frozen=True)
class DigitResult:
    """One image through the ViT."""

    image: np.ndarray  # (8, 8) pixel values 0…16, as the model saw them
    probabilities: np.ndarray  # (classes,), sums to 1
    capture: AttentionCapture  # [layer, head, token, token]; meta holds grid and patch_size

    @property
    def prediction(self) -> int:
        return int(self.probabilities.argmax())


@torch.inference_mode()
def classify(model: ViT, image: np.ndarray, name: str = "ViT on 8×8 digits") -> DigitResult:
    """Class probabilities and the attention of every layer and head for one (8, 8) image."""
    c = model.config
    pixels = np.asarray(image, dtype=np.float32)
    if pixels.shape != (c.image_size, c.image_size):
        raise ValueError(f"The image must be {c.image_size}×{c.image_size} pixels; got {pixels.shape}")
    if not np.isfinite(pixels).all() or pixels.min() < 0 or pixels.max() > c.max_value:
        raise ValueError(f"Pixel values must be numbers from 0 to {c.max_value:g}")
    model.eval()
    logits, attention = model(torch.from_numpy(pixels)[None])
    probabilities = torch.softmax(logits[0].double(), dim=-1).numpy()
    tokens = patch_labels(c.grid)
    capture = AttentionCapture(
        tokens,
        tokens,
        attention[0].numpy(),  # (layer, head, token, token)
        AttentionKind.SELF,
        name,
        attn_implementation=IMPLEMENTATION,
        meta={"grid": c.grid, "patch_size": c.patch_size},
    )
    return DigitResult(pixels, probabilities, capture)


class DrawingError(ValueError):
    """A drawing the model cannot read; the message says what to change."""


class EmptyDrawing(DrawingError):
    """A drawing with no ink: nothing to classify yet."""


@dataclass(frozen=True)
class Drawing:
    image: np.ndarray  # (8, 8) float, every value in [0, max_value]
    notes: tuple[str, ...]  # what was changed to make it so (shown to the person)


def read_drawing(cells: object, size: int = 8, max_value: float = 16.0) -> Drawing:
    """A painted size×size grid → an image the model can read.

    Empty cells count as 0; values below 0 or above `max_value` are clipped (and said so). Text that is not
    a number, a grid of the wrong shape, or a grid with no ink raises DrawingError with a clear message.
    """
    try:
        grid = np.asarray(cells, dtype=object)
    except Exception as exc:  # ragged nested lists
        raise DrawingError(f"The drawing must be a {size}×{size} grid of numbers") from exc
    if grid.shape != (size, size):
        raise DrawingError(f"The drawing must be a {size}×{size} grid of numbers; got shape {grid.shape}")
    image = np.zeros((size, size))
    notes: list[str] = []
    empty = 0
    for (r, c), value in np.ndenumerate(grid):
        if value is None or (isinstance(value, str) and not value.strip()):
            empty += 1
            continue
        if isinstance(value, bool):
            raise DrawingError(f"Row {r}, column {c} holds {value!r}, not a number from 0 to {max_value:g}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise DrawingError(
                f"Row {r}, column {c} holds {str(value)[:20]!r}, not a number from 0 to {max_value:g}"
            ) from None
        if np.isnan(number):
            empty += 1
            continue
        image[r, c] = number
    if empty:
        notes.append(f"{empty} empty cell{'s' if empty != 1 else ''} read as 0")
    outside = int(((image < 0) | (image > max_value)).sum())
    if outside:
        image = np.clip(image, 0.0, max_value)
        notes.append(f"{outside} value{'s' if outside != 1 else ''} outside 0–{max_value:g} clipped")
    if not image.any():
        raise EmptyDrawing("The drawing is empty: paint a digit with values from 1 to 16 (16 is full ink)")
    return Drawing(image, tuple(notes))


@torch.inference_mode()
def predict(model: ViT, images: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """Predicted class of every image of a (N, 8, 8) stack."""
    model.eval()
    out = [
        model(torch.as_tensor(images[i : i + batch_size]))[0].argmax(-1).numpy()
        for i in range(0, len(images), batch_size)
    ]
    return np.concatenate(out)


def misclassified(predictions: np.ndarray, labels: np.ndarray) -> list[int]:
    """Positions in the test split where the prediction is wrong."""
    return [int(i) for i in np.flatnonzero(np.asarray(predictions) != np.asarray(labels))]


def grid_distance(grid: int) -> np.ndarray:
    """Manhattan distance between every pair of patches on the grid: (patches, patches)."""
    rc = np.array([divmod(i, grid) for i in range(grid * grid)])
    return np.abs(rc[:, None, :] - rc[None, :, :]).sum(-1)


def similarity_by_distance(similarity: np.ndarray, grid: int) -> dict[int, float]:
    """Mean cosine similarity of position vectors over pairs of distinct patches, by grid distance (1, 2, …)."""
    d = grid_distance(grid)
    return {int(k): float(similarity[d == k].mean()) for k in range(1, int(d.max()) + 1)}


def near_and_far(similarity: np.ndarray, grid: int, far: int = 3) -> tuple[float, float]:
    """Mean cosine similarity between neighbouring patches, and between patches `far` or more steps apart."""
    d = grid_distance(grid)
    return float(similarity[d == 1].mean()), float(similarity[d >= far].mean())


def nearest_is_neighbour(similarity: np.ndarray, grid: int) -> int:
    """How many patches have, as their most similar other patch, one next to them (up, down, left or right)."""
    s = np.array(similarity, dtype=np.float64)
    np.fill_diagonal(s, -np.inf)
    return int((grid_distance(grid)[np.arange(len(s)), s.argmax(axis=1)] == 1).sum())
