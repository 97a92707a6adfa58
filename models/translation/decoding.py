"""Greedy and beam-search decoding for any translator that exposes start / step / reorder.

Both translators (GRU and Transformer) implement the same three methods, so one decoder serves both:
`start(src, src_len)` encodes the source, `step(state, y_prev)` returns the next-word logits and the new
state, `reorder(state, index)` selects and repeats rows (for beams).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import torch


class Decodable(Protocol):
    """What a translation model offers to the decoders."""

    @property
    def max_len(self) -> int: ...

    def start(self, src: torch.Tensor, src_len: torch.Tensor) -> Any: ...

    def step(self, state: Any, y_prev: torch.Tensor) -> tuple[torch.Tensor, Any]: ...

    def reorder(self, state: Any, index: torch.Tensor) -> Any: ...


@dataclass(frozen=True)
class Hypothesis:
    """One decoded output: target ids (</s> excluded), its total log-probability and whether it ended."""

    ids: tuple[int, ...]
    log_prob: float  # sum over the words emitted, </s> included when it ended
    ended: bool  # the model emitted </s> (otherwise the length limit cut it)
    final: Any = field(default=None, compare=False, repr=False)  # greedy with record=True: the last decoding state

    @property
    def steps(self) -> int:
        """Words scored: the ids, plus </s> when the hypothesis ended."""
        return len(self.ids) + int(self.ended)

    @property
    def score(self) -> float:
        """Mean log-probability per word: how beams of different lengths are compared."""
        return self.log_prob / max(1, self.steps)


def _next_words(model: Decodable, state: Any, y_prev: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, Any]:
    """The most probable next word of each row (B,), its log-probability (B,) and the new state.

    A model with `step_features` and an `output_layer` (both translators) skips its rare-word clusters
    where they cannot hold the best word (OutputLayer.best); any other model is scored in full.
    """
    step_features = getattr(model, "step_features", None)
    if step_features is not None:
        features, state = step_features(state, y_prev)
        ids, log_probs = model.output_layer.best(features)  # type: ignore[attr-defined]
        return ids, log_probs, state
    logits, state = model.step(state, y_prev)
    log_probs, ids = torch.log_softmax(logits, dim=-1).max(-1)
    return ids, log_probs, state


@torch.inference_mode()
def greedy_batch(
    model: Decodable, src: torch.Tensor, src_len: torch.Tensor, *, sos_id: int, eos_id: int, pad_id: int, max_len: int
) -> torch.Tensor:
    """Greedy decoding of a batch (B, S) → ids (B, T); </s> and everything after it set to pad_id."""
    state = model.start(src, src_len)
    y = torch.full((src.shape[0],), sos_id, dtype=torch.long)
    out, done = [], torch.zeros(src.shape[0], dtype=torch.bool)
    for _ in range(min(max_len, model.max_len)):
        y, _, state = _next_words(model, state, y)
        done = done | (y == eos_id)
        out.append(y.masked_fill(done, pad_id))
        if done.all():
            break
    return torch.stack(out, dim=1) if out else torch.empty(src.shape[0], 0, dtype=torch.long)


@torch.inference_mode()
def greedy(
    model: Decodable,
    src_ids: list[int],
    *,
    sos_id: int,
    eos_id: int,
    max_len: int | None = None,
    record: bool = False,
) -> Hypothesis:
    """Greedy decoding of one sentence, keeping its log-probability.

    record=True starts the model with `start(..., record=True)` (a model that keeps the attentions it computes
    while decoding) and returns the last state as the hypothesis's `final`.
    """
    limit = min(max_len or model.max_len, model.max_len)
    src, src_len = torch.tensor([src_ids]), torch.tensor([len(src_ids)])
    state = model.start(src, src_len, record=True) if record else model.start(src, src_len)  # type: ignore[call-arg]
    y, log_prob = sos_id, 0.0
    ids: list[int] = []
    for _ in range(limit):
        best, best_lp, state = _next_words(model, state, torch.tensor([y]))
        y = int(best[0])
        log_prob += float(best_lp[0])
        if y == eos_id:
            return Hypothesis(tuple(ids), log_prob, True, state if record else None)
        ids.append(y)
    return Hypothesis(tuple(ids), log_prob, False, state if record else None)


@torch.inference_mode()
def beam_search(
    model: Decodable,
    src_ids: list[int],
    width: int,
    *,
    sos_id: int,
    eos_id: int,
    max_len: int | None = None,
    keep: int = 5,
    record: bool = False,
) -> list[Hypothesis]:
    """Beam search for one sentence → up to `keep` hypotheses, best first by mean log-probability per word.

    Finished hypotheses compete with the live ones: the search stops only when no live beam can still
    beat the best finished one (a live beam's mean can at best rise to its log-probability so far spread
    over the longest allowed output), or at the length limit. The greedy output is always a candidate, so
    the result is never worse than greedy by this score. Width 1 is greedy decoding. record: the greedy
    candidate is decoded with `greedy(..., record=True)`.
    """
    if width < 1:
        raise ValueError(f"The beam width must be at least 1; got {width}")
    limit = min(max_len or model.max_len, model.max_len)
    finished: list[Hypothesis] = [greedy(model, src_ids, sos_id=sos_id, eos_id=eos_id, max_len=limit, record=record)]
    if width == 1:
        return finished
    state = model.start(torch.tensor([src_ids]), torch.tensor([len(src_ids)]))
    beams: list[tuple[float, tuple[int, ...]]] = [(0.0, ())]
    last = torch.tensor([sos_id])
    for t in range(limit):
        logits, state = model.step(state, last)
        log_probs = torch.log_softmax(logits, dim=-1)  # (beams, V)
        totals = torch.tensor([b[0] for b in beams])[:, None] + log_probs  # (beams, V)
        top = torch.topk(totals.flatten(), min(2 * width, totals.numel()))
        n_vocab = log_probs.shape[1]
        next_beams: list[tuple[float, tuple[int, ...]]] = []
        rows: list[int] = []
        words: list[int] = []
        for total, flat in zip(top.values.tolist(), top.indices.tolist(), strict=True):
            row, word = divmod(flat, n_vocab)
            ids = beams[row][1]
            if word == eos_id:
                finished.append(Hypothesis(ids, total, True))
            elif len(next_beams) < width:
                next_beams.append((total, (*ids, word)))
                rows.append(row)
                words.append(word)
        best_finished = max(h.score for h in finished)
        # the most a live beam can still reach: nothing lost from here on, spread over the longest output
        # allowed (limit words and </s>)
        if not next_beams or max(total for total, _ in next_beams) / (limit + 1) <= best_finished:
            break
        if t == limit - 1:  # the length limit: live beams end here unfinished
            finished.extend(Hypothesis(ids, total, False) for total, ids in next_beams)
            break
        beams = next_beams
        state = model.reorder(state, torch.tensor(rows))
        last = torch.tensor(words)
    unique = {(h.ids, h.ended): h for h in sorted(finished, key=lambda h: h.score)}  # best copy wins
    return sorted(unique.values(), key=lambda h: h.score, reverse=True)[:keep]
