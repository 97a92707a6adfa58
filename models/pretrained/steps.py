"""What a generating model chose at each step (NumPy-free and torch-free: figures read it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class GenerationStep:
    """One greedy step: the token emitted, its probability, and the most probable tokens at that step.

    alternatives: (token, probability) best first; the chosen token is the first (greedy decoding).
    """

    token: str
    probability: float
    alternatives: tuple[tuple[str, float], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "probability": self.probability,
            "alternatives": [{"token": t, "probability": p} for t, p in self.alternatives],
        }
