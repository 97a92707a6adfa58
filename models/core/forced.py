"""A translation read back with teacher forcing: what each family's capture function receives."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Forced:
    """The model's own output fed back as decoder input, with the tokens for both axes."""

    src: torch.Tensor  # (1, S) source ids, </s> included
    tgt_in: torch.Tensor  # (1, T) <s> then the output without its last token: row t emits output[t]
    source: tuple[str, ...]  # the S source tokens
    output: tuple[str, ...]  # the T output tokens
    name: str  # the model's name, for the captures
