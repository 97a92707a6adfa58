"""The output layer of both translators: a softmax over the French vocabulary, adaptive when it is large.

A French word-level vocabulary has some 10,000 inflected forms; a full softmax over it is most of the cost
of training on a CPU. The adaptive softmax (Grave et al. 2017) gives the most frequent words the full
width and rarer ones a narrower projection, and only computes a rare cluster for the words in it, so a
training step costs a fraction of the full one while `log_probs` still returns every word's
log-probability. Its ids must be ordered by frequency (the training vocabulary is).
"""

from __future__ import annotations

import torch
from torch import nn


class OutputLayer(nn.Module):
    """x (…, dim) → log-probabilities over `vocab` words; `loss` is the mean negative log-likelihood."""

    def __init__(self, dim: int, vocab: int, cutoffs: tuple[int, ...] = (), div_value: float = 4.0):
        super().__init__()
        self.vocab = vocab
        self.adaptive: nn.AdaptiveLogSoftmaxWithLoss | None = None
        self.linear: nn.Linear | None = None
        if cutoffs:
            self.adaptive = nn.AdaptiveLogSoftmaxWithLoss(dim, vocab, cutoffs=list(cutoffs), div_value=div_value)
        else:
            self.linear = nn.Linear(dim, vocab)

    def log_probs(self, x: torch.Tensor) -> torch.Tensor:
        """(…, dim) → (…, vocab) log-probabilities."""
        flat = x.reshape(-1, x.shape[-1])  # (N, dim)
        if self.adaptive is not None:
            out = self.adaptive.log_prob(flat)
        else:
            assert self.linear is not None
            out = torch.log_softmax(self.linear(flat), dim=-1)
        return out.reshape(*x.shape[:-1], self.vocab)

    def best(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(N, dim) → each row's most probable word (N,) and its log-probability (N,): what `log_probs(x)`'s
        argmax gives, without computing every word.

        A rare word's log-probability is its cluster's (from the head) plus its own within the cluster, so it
        is at most its cluster's: a rare cluster is computed only for the rows where the cluster itself
        beats the best frequent word. Greedy decoding mostly emits frequent words, so most steps skip the
        clusters that hold most of the vocabulary. Ties go to the lower id, as argmax does.
        """
        if self.adaptive is None:
            best_lp, best_id = self.log_probs(x).max(-1)
            return best_id, best_lp
        a = self.adaptive
        head = torch.log_softmax(a.head(x), dim=-1)  # (N, shortlist + clusters)
        best_lp, best_id = head[:, : a.shortlist_size].max(-1)
        for k, tail in enumerate(a.tail):
            cluster = head[:, a.shortlist_size + k]  # (N,)
            rows = (cluster > best_lp).nonzero().squeeze(1)
            if rows.numel() == 0:
                continue
            lp, idx = (torch.log_softmax(tail(x[rows]), dim=-1) + cluster[rows, None]).max(-1)
            better = lp > best_lp[rows]
            best_lp[rows] = torch.where(better, lp, best_lp[rows])
            best_id[rows] = torch.where(better, idx + a.cutoffs[k], best_id[rows])
        return best_id, best_lp

    def loss(self, x: torch.Tensor, target: torch.Tensor, ignore_index: int) -> torch.Tensor:
        """Mean negative log-likelihood of `target` (…,) under x (…, dim), positions equal to ignore_index left out."""
        keep = target.reshape(-1) != ignore_index
        flat, gold = x.reshape(-1, x.shape[-1])[keep], target.reshape(-1)[keep]
        if self.adaptive is not None:
            return self.adaptive(flat, gold).loss
        assert self.linear is not None
        return nn.functional.cross_entropy(self.linear(flat), gold)


def cutoffs_for(vocab: int, head: int = 2000, second: int = 6000) -> tuple[int, ...]:
    """Adaptive-softmax cluster boundaries for a vocabulary of this size (none when it is small)."""
    return tuple(c for c in (head, second) if c < vocab - 1)
