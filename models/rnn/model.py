"""GRU encoder-decoder with Bahdanau (additive) attention, and the same without attention.

Bahdanau et al. 2015: a bidirectional GRU encodes the source into states h_i; at output step t the
decoder scores every h_i against its previous state s_{t-1}, e(t,i) = vᵀ tanh(W s_{t-1} + U h_i),
turns the scores into weights α(t,i) = softmax_i e(t,i), reads the context c_t = Σ_i α(t,i) h_i,
and emits y_t from (s_t, c_t, y_{t-1}). The baseline squeezes the source into one fixed vector c
(the encoder's final states) that every step reads instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from attention_explorer.models.core.output import OutputLayer

FAMILY = "rnn"


@dataclass(frozen=True)
class Seq2SeqConfig:
    src_vocab: int  # source words, specials included
    tgt_vocab: int  # target words, specials included
    emb: int = 64  # word embedding size, both languages
    hidden: int = 128  # GRU state size (the encoder is bidirectional: its states are 2 × hidden)
    attention: bool = True  # False: the fixed-context baseline
    attn_dim: int = 128  # size of the additive scorer's hidden layer
    max_len: int = 60  # longest output decoded
    pad_id: int = 0  # padding id in both vocabularies (its embedding stays zero)
    readout: int = 0  # width of the layer between [s_t; c_t; y_(t-1)] and the softmax (0: none, as in 0.1)
    cutoffs: tuple[int, ...] = ()  # adaptive-softmax clusters over the target ids (empty: a full softmax)
    # the k-th rarer cluster's words get (readout or the decoder's width) / div_value**k dimensions;
    # checkpoints written before it was a setting used 4
    div_value: float = 4.0
    family: str = FAMILY

    def __post_init__(self) -> None:
        object.__setattr__(self, "cutoffs", tuple(int(c) for c in self.cutoffs))
        if any(not 0 < c < self.tgt_vocab for c in self.cutoffs) or list(self.cutoffs) != sorted(set(self.cutoffs)):
            raise ValueError(f"cutoffs must rise strictly inside the target vocabulary; got {self.cutoffs}")
        for name in ("src_vocab", "tgt_vocab", "emb", "hidden", "attn_dim", "max_len"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive; got {getattr(self, name)}")
        if not 0 <= self.pad_id < min(self.src_vocab, self.tgt_vocab):
            raise ValueError(f"pad_id {self.pad_id} is outside the vocabularies")
        if not 1 <= self.div_value <= max(self.readout, self.hidden):
            raise ValueError(f"div_value must be between 1 and the readout width; got {self.div_value}")
        if self.family != FAMILY:
            raise ValueError(f"This is a {self.family} config, not an {FAMILY} one")


class Encoder(nn.Module):
    def __init__(self, c: Seq2SeqConfig):
        super().__init__()
        self.emb = nn.Embedding(c.src_vocab, c.emb, padding_idx=c.pad_id)
        self.rnn = nn.GRU(c.emb, c.hidden, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * c.hidden, c.hidden)

    def forward(self, src: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """src (B, S) → states (B, S, 2H), summary (B, 2H) = [last forward; first backward], s_0 (B, H)."""
        packed = nn.utils.rnn.pack_padded_sequence(self.emb(src), lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, h_n = self.rnn(packed)
        states, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        summary = torch.cat([h_n[0], h_n[1]], dim=-1)  # (B, 2H)
        return states, summary, torch.tanh(self.bridge(summary))


class AdditiveAttention(nn.Module):
    """e(t,i) = vᵀ tanh(W s_{t-1} + U h_i); α = softmax over the source (padding masked)."""

    def __init__(self, c: Seq2SeqConfig):
        super().__init__()
        self.W = nn.Linear(c.hidden, c.attn_dim, bias=False)
        self.U = nn.Linear(2 * c.hidden, c.attn_dim)
        self.v = nn.Linear(c.attn_dim, 1, bias=False)

    def keys(self, states: torch.Tensor) -> torch.Tensor:
        return self.U(states)  # (B, S, A): computed once per sentence

    def forward(
        self, s_prev: torch.Tensor, keys: torch.Tensor, states: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """→ context (B, 2H), α (B, S), e (B, S)."""
        e = self.v(torch.tanh(self.W(s_prev).unsqueeze(1) + keys)).squeeze(-1)  # (B, S)
        e = e.masked_fill(~mask, float("-inf"))
        alpha = torch.softmax(e, dim=-1)  # (B, S)
        context = torch.bmm(alpha.unsqueeze(1), states).squeeze(1)  # (B, 2H)
        return context, alpha, e


@dataclass
class Memory:
    """What the decoder reads from the encoded source."""

    states: torch.Tensor  # (B, S, 2H)
    keys: torch.Tensor | None  # (B, S, A); None without attention
    mask: torch.Tensor  # (B, S) True on real tokens
    summary: torch.Tensor  # (B, 2H)

    def select(self, index: torch.Tensor) -> Memory:
        """The rows `index` (B',): reorders and repeats sentences for beam search."""
        return Memory(
            self.states[index],
            None if self.keys is None else self.keys[index],
            self.mask[index],
            self.summary[index],
        )


@dataclass
class Step:
    """One decoder step's outputs."""

    logits: torch.Tensor  # (B, V) log-probabilities (or the readout features (B, D) when asked)
    state: torch.Tensor  # s_t (B, H)
    alpha: torch.Tensor | None  # (B, S)
    scores: torch.Tensor | None  # e (B, S)
    context: torch.Tensor  # c_t (B, 2H): Σ α h with attention, the fixed vector without


class Decoder(nn.Module):
    def __init__(self, c: Seq2SeqConfig):
        super().__init__()
        self.c = c
        self.emb = nn.Embedding(c.tgt_vocab, c.emb, padding_idx=c.pad_id)
        self.attn = AdditiveAttention(c) if c.attention else None
        self.rnn = nn.GRUCell(c.emb + 2 * c.hidden, c.hidden)
        width = c.hidden + 2 * c.hidden + c.emb
        self.readout = nn.Sequential(nn.Linear(width, c.readout), nn.Tanh()) if c.readout else nn.Identity()
        self.out = OutputLayer(c.readout or width, c.tgt_vocab, c.cutoffs, c.div_value)

    def step(self, y_prev: torch.Tensor, s_prev: torch.Tensor, memory: Memory, scores: bool = True) -> Step:
        """One output step from the previous word y_{t-1} (B,) and state s_{t-1} (B, H).

        scores=False leaves the output distribution to the caller (training computes its loss from `features`).
        """
        emb = self.emb(y_prev)  # (B, E)
        if self.attn is not None and memory.keys is not None:
            context, alpha, e = self.attn(s_prev, memory.keys, memory.states, memory.mask)
        else:
            context, alpha, e = memory.summary, None, None  # the one fixed vector
        s = self.rnn(torch.cat([emb, context], dim=-1), s_prev)  # (B, H)
        features = self.readout(torch.cat([s, context, emb], dim=-1))  # (B, D)
        logits = self.out.log_probs(features) if scores else features  # (B, V) log-probabilities
        return Step(logits, s, alpha, e, context)


@dataclass
class RNNState:
    """Beam/greedy decoding state: the encoded source and the decoder's hidden state."""

    memory: Memory
    s: torch.Tensor  # (B, H)
    steps: list[Step] | None = None  # when recording (start(..., record=True)): every step taken, in order
    inputs: list[torch.Tensor] | None = None  # and the previous word y_(t-1) (B,) each step read


@dataclass
class Trace:
    """Every intermediate of a teacher-forced pass over one batch, for the step-by-step views."""

    logits: torch.Tensor  # (B, T, V)
    alpha: torch.Tensor | None  # (B, T, S)
    scores: torch.Tensor | None  # e (B, T, S)
    states: torch.Tensor  # encoder states h_i (B, S, 2H)
    contexts: torch.Tensor  # c_t (B, T, 2H)


class Seq2Seq(nn.Module):
    """The encoder-decoder. `forward` returns logits and its attention as {"alignment": (B, 1, 1, T, S)}."""

    alignment_attention = "alignment"  # the attention that plays the role of a word alignment

    def __init__(self, c: Seq2SeqConfig):
        super().__init__()
        self.config = c
        self.encoder = Encoder(c)
        self.decoder = Decoder(c)

    @property
    def max_len(self) -> int:
        return self.config.max_len

    def encode(self, src: torch.Tensor, lengths: torch.Tensor) -> tuple[Memory, torch.Tensor]:
        states, summary, s0 = self.encoder(src, lengths)
        mask = torch.arange(src.shape[1], device=src.device).unsqueeze(0) < lengths.to(src.device).unsqueeze(
            1
        )  # (B, S)
        keys = self.decoder.attn.keys(states) if self.decoder.attn is not None else None
        return Memory(states, keys, mask, summary), s0

    def trace(self, src: torch.Tensor, lengths: torch.Tensor, tgt_in: torch.Tensor, scores_out: bool = True) -> Trace:
        """Teacher forcing over tgt_in (B, T), keeping α, e, the encoder states and each context vector.

        scores_out=False returns the readout features in place of log-probabilities (for the training loss).
        """
        memory, s = self.encode(src, lengths)
        logits, alphas, scores, contexts = [], [], [], []
        for t in range(tgt_in.shape[1]):
            out = self.decoder.step(tgt_in[:, t], s, memory, scores_out)
            s = out.state
            logits.append(out.logits)
            alphas.append(out.alpha)
            scores.append(out.scores)
            contexts.append(out.context)
        with_attention = bool(alphas) and alphas[0] is not None
        return Trace(
            logits=torch.stack(logits, dim=1),
            alpha=torch.stack(alphas, dim=1) if with_attention else None,  # type: ignore[arg-type]
            scores=torch.stack(scores, dim=1) if with_attention else None,  # type: ignore[arg-type]
            states=memory.states,
            contexts=torch.stack(contexts, dim=1),
        )

    def forward(
        self, src: torch.Tensor, lengths: torch.Tensor, tgt_in: torch.Tensor
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Teacher forcing: → log-probabilities (B, T, V), {"alignment": α (B, 1, 1, T, S)} ({} without attention)."""
        tr = self.trace(src, lengths, tgt_in)
        attentions = {} if tr.alpha is None else {"alignment": tr.alpha[:, None, None]}
        return tr.logits, attentions

    def loss(
        self, src: torch.Tensor, lengths: torch.Tensor, tgt_in: torch.Tensor, tgt_out: torch.Tensor, pad_id: int
    ) -> torch.Tensor:
        """Mean negative log-likelihood of tgt_out under teacher forcing (the softmax computed only where needed)."""
        features = self.trace(src, lengths, tgt_in, scores_out=False).logits  # (B, T, D)
        return self.decoder.out.loss(features, tgt_out, pad_id)

    # -- the decoding interface (see models.translation.decoding) --------------------------------

    def start(self, src: torch.Tensor, lengths: torch.Tensor, record: bool = False) -> RNNState:
        """Encode the source. record=True keeps every step's α, e and context (see `recorded`), so a decoded
        output needs no second, teacher-forced pass to show them."""
        memory, s0 = self.encode(src, lengths)
        return RNNState(memory, s0, [] if record else None, [] if record else None)

    def _next(self, state: RNNState, y_prev: torch.Tensor, out: Step) -> RNNState:
        if state.steps is not None and state.inputs is not None:
            state.steps.append(out)
            state.inputs.append(y_prev)
        return RNNState(state.memory, out.state, state.steps, state.inputs)

    def step(self, state: RNNState, y_prev: torch.Tensor) -> tuple[torch.Tensor, RNNState]:
        out = self.decoder.step(y_prev, state.s, state.memory)
        return out.logits, self._next(state, y_prev, out)

    def step_features(self, state: RNNState, y_prev: torch.Tensor) -> tuple[torch.Tensor, RNNState]:
        """`step` up to the output layer: the readout features (B, D) that `output_layer` turns into words."""
        out = self.decoder.step(y_prev, state.s, state.memory, scores=False)
        return out.logits, self._next(state, y_prev, out)

    @staticmethod
    def recorded_inputs(state: RNNState) -> torch.Tensor | None:
        """The decoder inputs (B, T) a recording decoding read, <s> first (None: not recorded)."""
        if state.inputs is None:
            return None
        B = state.memory.mask.shape[0]
        return torch.stack(state.inputs, dim=1) if state.inputs else torch.zeros(B, 0, dtype=torch.long)

    @staticmethod
    def recorded(state: RNNState) -> Trace:
        """What `trace` gives (with scores_out=False) for the decoder inputs a recording decoding read, from
        the steps it took: α, e, the encoder states and each context vector."""
        if state.steps is None:
            raise ValueError("This decoding was not recorded: start it with record=True")
        steps, memory = state.steps, state.memory
        B, S = memory.mask.shape

        def stacked(values: list[torch.Tensor], width: int) -> torch.Tensor:
            return torch.stack(values, dim=1) if values else torch.zeros(B, 0, width)

        with_attention = bool(steps) and steps[0].alpha is not None
        return Trace(
            logits=stacked([s.logits for s in steps], 0),
            alpha=stacked([s.alpha for s in steps], S) if with_attention else None,  # type: ignore[misc]
            scores=stacked([s.scores for s in steps], S) if with_attention else None,  # type: ignore[misc]
            states=memory.states,
            contexts=stacked([s.context for s in steps], memory.states.shape[-1]),
        )

    @property
    def output_layer(self) -> OutputLayer:
        return self.decoder.out

    def reorder(self, state: RNNState, index: torch.Tensor) -> RNNState:
        return RNNState(state.memory.select(index), state.s[index])  # recording is for one row: it stops here
