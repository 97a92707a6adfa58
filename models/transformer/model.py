"""A small Transformer encoder-decoder (Vaswani et al. 2017) that returns all three attentions.

Encoder self-attention, decoder causal self-attention and encoder-decoder cross-attention are
returned per layer and head by `forward`, as the annotated Transformer's `attention()` returns
p_attn. Positions come from the fixed sinusoidal table (`sinusoidal_table`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import cast

import torch
from torch import nn
from torch.nn import functional as F

from attention_explorer.models.core.output import OutputLayer
from attention_explorer.models.teaching.positional import sinusoidal_table

FAMILY = "transformer"


@dataclass(frozen=True)
class TransformerConfig:
    src_vocab: int  # source words, specials included
    tgt_vocab: int  # target words, specials included
    d_model: int = 128  # width of every token vector
    heads: int = 4  # attention heads per layer; must divide d_model
    layers: int = 2  # encoder layers, and as many decoder layers
    d_ff: int = 256  # feed-forward hidden size
    dropout: float = 0.1
    max_len: int = 64  # positions in the table: longest source, and longest output + 1
    pad_id: int = 0  # padding id in both vocabularies (its embedding stays zero)
    cutoffs: tuple[int, ...] = ()  # adaptive-softmax clusters over the target ids (empty: a full softmax)
    # the k-th rarer cluster's words get d_model / div_value**k dimensions; checkpoints written before it was
    # a setting used 4 (8 dimensions for the rarest French forms, which the model then confused with each other)
    div_value: float = 4.0
    family: str = FAMILY

    def __post_init__(self) -> None:
        object.__setattr__(self, "cutoffs", tuple(int(c) for c in self.cutoffs))
        if any(not 0 < c < self.tgt_vocab for c in self.cutoffs) or list(self.cutoffs) != sorted(set(self.cutoffs)):
            raise ValueError(f"cutoffs must rise strictly inside the target vocabulary; got {self.cutoffs}")
        for name in ("src_vocab", "tgt_vocab", "d_model", "heads", "layers", "d_ff", "max_len"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive; got {getattr(self, name)}")
        if self.d_model % self.heads:
            raise ValueError(f"d_model ({self.d_model}) must be a multiple of heads ({self.heads})")
        if self.d_model % 2:
            raise ValueError(f"d_model must be even for the sinusoidal table; got {self.d_model}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1); got {self.dropout}")
        if not 1 <= self.div_value <= self.d_model:
            raise ValueError(f"div_value must be between 1 and d_model; got {self.div_value}")
        if not 0 <= self.pad_id < min(self.src_vocab, self.tgt_vocab):
            raise ValueError(f"pad_id {self.pad_id} is outside the vocabularies")
        if self.family != FAMILY:
            raise ValueError(f"This is a {self.family} config, not a {FAMILY} one")


def attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Scaled dot-product attention → (output, p_attn). mask: True where attending is allowed."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, H, Tq, Tk)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    p_attn = torch.softmax(scores, dim=-1)
    return p_attn @ v, p_attn


def _lin(layer: nn.Linear, x: torch.Tensor) -> torch.Tensor:
    return F.linear(x, layer.weight, layer.bias)


def _norm(layer: nn.LayerNorm, x: torch.Tensor) -> torch.Tensor:
    return F.layer_norm(x, layer.normalized_shape, layer.weight, layer.bias, layer.eps)


class MultiHeadAttention(nn.Module):
    def __init__(self, c: TransformerConfig):
        super().__init__()
        self.h, self.d_k = c.heads, c.d_model // c.heads
        self.q, self.k, self.v, self.o = (nn.Linear(c.d_model, c.d_model) for _ in range(4))

    def split(self, proj: nn.Linear, x: torch.Tensor) -> torch.Tensor:
        """x (B, T, D) through one projection, split into heads: (B, H, T, d_k)."""
        B, T, _ = x.shape
        return proj(x).view(B, T, self.h, self.d_k).transpose(1, 2)

    def attend(
        self, x: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Queries from x (B, Tq, D) over keys and values already split into heads (B, H, Tk, d_k)."""
        B, Tq, D = x.shape
        out, p_attn = attention(self.split(self.q, x), k, v, mask)
        return self.o(out.transpose(1, 2).reshape(B, Tq, D)), p_attn  # concatenate heads: (B, Tq, D)

    def forward(
        self, x: torch.Tensor, memory: torch.Tensor, mask: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        return self.attend(x, self.split(self.k, memory), self.split(self.v, memory), mask)


class EncoderLayer(nn.Module):
    def __init__(self, c: TransformerConfig):
        super().__init__()
        self.attn = MultiHeadAttention(c)
        self.ff = nn.Sequential(nn.Linear(c.d_model, c.d_ff), nn.ReLU(), nn.Linear(c.d_ff, c.d_model))
        self.n1, self.n2 = nn.LayerNorm(c.d_model), nn.LayerNorm(c.d_model)
        self.drop = nn.Dropout(c.dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        a, p = self.attn(self.n1(x), self.n1(x), mask)
        x = x + self.drop(a)
        return x + self.drop(self.ff(self.n2(x))), p


class DecoderLayer(nn.Module):
    def __init__(self, c: TransformerConfig):
        super().__init__()
        self.self_attn, self.cross_attn = MultiHeadAttention(c), MultiHeadAttention(c)
        self.ff = nn.Sequential(nn.Linear(c.d_model, c.d_ff), nn.ReLU(), nn.Linear(c.d_ff, c.d_model))
        self.n1, self.n2, self.n3 = nn.LayerNorm(c.d_model), nn.LayerNorm(c.d_model), nn.LayerNorm(c.d_model)
        self.drop = nn.Dropout(c.dropout)

    def forward(
        self, y: torch.Tensor, memory: torch.Tensor, self_mask: torch.Tensor, cross_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        a, p_self = self.self_attn(self.n1(y), self.n1(y), self_mask)
        y = y + self.drop(a)
        a, p_cross = self.cross_attn(self.n2(y), memory, cross_mask)
        y = y + self.drop(a)
        return y + self.drop(self.ff(self.n3(y))), p_self, p_cross

    def step(
        self,
        y: torch.Tensor,
        past: tuple[torch.Tensor, torch.Tensor],
        cross: tuple[torch.Tensor, torch.Tensor],
        cross_mask: torch.Tensor,
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
        """`forward` for one new position y (B, 1, D), given the keys and values of the positions before it
        (B, H, t, d_k) and of the memory: → its output, the keys and values with it added, and its self and
        cross attention weights (B, H, 1, t + 1) and (B, H, 1, S).

        The new position may read every earlier one, so no causal mask is needed. Written with the functional
        ops, not the modules: a step reads one token, so each module call's own overhead counts (a tenth of a
        translation's time), and in eval mode the dropouts it would skip are the identity.
        """
        if self.training:
            raise RuntimeError("step is for decoding: call eval() first")
        sa, ca = self.self_attn, self.cross_attn
        B, H, d_k = y.shape[0], sa.h, sa.d_k
        h = _norm(self.n1, y)
        k = torch.cat([past[0], _lin(sa.k, h).view(B, 1, H, d_k).transpose(1, 2)], dim=2)
        v = torch.cat([past[1], _lin(sa.v, h).view(B, 1, H, d_k).transpose(1, 2)], dim=2)
        out, p_self = attention(_lin(sa.q, h).view(B, 1, H, d_k).transpose(1, 2), k, v, None)
        y = y + _lin(sa.o, out.transpose(1, 2).reshape(B, 1, H * d_k))
        q = _lin(ca.q, _norm(self.n2, y)).view(B, 1, H, d_k).transpose(1, 2)
        out, p_cross = attention(q, *cross, cross_mask)
        y = y + _lin(ca.o, out.transpose(1, 2).reshape(B, 1, H * d_k))
        up, down = cast(nn.Linear, self.ff[0]), cast(nn.Linear, self.ff[2])
        return y + _lin(down, torch.relu(_lin(up, _norm(self.n3, y)))), (k, v), (p_self, p_cross)


@dataclass
class TransformerState:
    """Decoding state: the encoded source, its mask, the output so far and each decoder layer's keys and values.

    A step computes only the new position: the keys and values of the earlier ones (`past`) and of the memory
    (`cross`) are kept, so an output of T words costs T positions, not T²/2.
    """

    memory: torch.Tensor  # (B, S, D)
    src_mask: torch.Tensor  # (B, 1, 1, S)
    ys: torch.Tensor  # (B, t) decoder inputs so far, starting with <s>
    past: list[tuple[torch.Tensor, torch.Tensor]]  # per decoder layer: self-attention K, V (B, H, t, d_k)
    cross: list[tuple[torch.Tensor, torch.Tensor]]  # per decoder layer: cross-attention K, V of memory (B, H, S, d_k)
    # when recording (start(..., record=True)): each encoder layer's attention (B, H, S, S), and per step
    # taken, each decoder layer's self and cross attention weights (B, H, 1, t + 1) and (B, H, 1, S)
    encoder_attention: list[torch.Tensor] | None = None
    trace: list[list[tuple[torch.Tensor, torch.Tensor]]] | None = None


class Transformer(nn.Module):
    """`forward` returns logits and {"encoder", "decoder", "cross"}: each (B, layer, head, Tq, Tk)."""

    alignment_attention = "cross"  # the attention that plays the role of a word alignment

    def __init__(self, c: TransformerConfig):
        super().__init__()
        self.config = c
        self.src_emb = nn.Embedding(c.src_vocab, c.d_model, padding_idx=c.pad_id)
        self.tgt_emb = nn.Embedding(c.tgt_vocab, c.d_model, padding_idx=c.pad_id)
        for emb in (self.src_emb, self.tgt_emb):
            # std d^-0.5, so that after the × √d in `embed` a token vector is as large as its position vector;
            # with the default N(0, 1) the positions drown and training stalls
            nn.init.normal_(emb.weight, std=c.d_model**-0.5)
            with torch.no_grad():
                emb.weight[c.pad_id].zero_()
        self.pe: torch.Tensor
        self.register_buffer(
            "pe", torch.tensor(sinusoidal_table(c.max_len, c.d_model), dtype=torch.float32), persistent=False
        )
        self.enc = nn.ModuleList(EncoderLayer(c) for _ in range(c.layers))
        self.dec = nn.ModuleList(DecoderLayer(c) for _ in range(c.layers))
        self.enc_norm, self.dec_norm = nn.LayerNorm(c.d_model), nn.LayerNorm(c.d_model)
        self.out = OutputLayer(c.d_model, c.tgt_vocab, c.cutoffs, c.div_value)
        self.drop = nn.Dropout(c.dropout)

    @property
    def max_len(self) -> int:
        """Longest output: one position of the table goes to <s>."""
        return self.config.max_len - 1

    def embed(self, emb: nn.Embedding, ids: torch.Tensor) -> torch.Tensor:
        return self.drop(emb(ids) * math.sqrt(self.config.d_model) + self.pe[: ids.shape[1]])  # (B, T, D)

    def encode(self, src: torch.Tensor, src_len: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
        """→ memory (B, S, D), the key mask (B, 1, 1, S) and each encoder layer's attention (B, H, S, S)."""
        S = src.shape[1]
        src_mask = (torch.arange(S, device=src.device)[None, :] < src_len.to(src.device)[:, None])[
            :, None, None, :
        ]  # (B, 1, 1, S)
        x, enc_p = self.embed(self.src_emb, src), []
        for layer in self.enc:
            x, p = layer(x, src_mask)
            enc_p.append(p)
        return self.enc_norm(x), src_mask, enc_p

    def decode(
        self, memory: torch.Tensor, src_mask: torch.Tensor, tgt_in: torch.Tensor, scores: bool = True
    ) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
        """→ log-probabilities (B, T, V) (scores=False: features (B, T, D)), each layer's self and cross attention."""
        T = tgt_in.shape[1]
        causal = torch.tril(torch.ones(T, T, dtype=torch.bool, device=tgt_in.device))[None, None]  # (1, 1, T, T)
        y, dec_p, cross_p = self.embed(self.tgt_emb, tgt_in), [], []
        for layer in self.dec:
            y, p_self, p_cross = layer(y, memory, causal, src_mask)
            dec_p.append(p_self)
            cross_p.append(p_cross)
        features = self.dec_norm(y)  # (B, T, D)
        return (self.out.log_probs(features) if scores else features), dec_p, cross_p

    def forward(
        self, src: torch.Tensor, src_len: torch.Tensor, tgt_in: torch.Tensor
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """→ log-probabilities (B, T, V) and every layer's attention weights, (B, layer, head, Tq, Tk) each."""
        memory, src_mask, enc_p = self.encode(src, src_len)
        logits, dec_p, cross_p = self.decode(memory, src_mask, tgt_in)
        attentions = {
            "encoder": torch.stack(enc_p, dim=1),
            "decoder": torch.stack(dec_p, dim=1),
            "cross": torch.stack(cross_p, dim=1),
        }
        return logits, attentions

    def loss(
        self, src: torch.Tensor, src_len: torch.Tensor, tgt_in: torch.Tensor, tgt_out: torch.Tensor, pad_id: int
    ) -> torch.Tensor:
        """Mean negative log-likelihood of tgt_out under teacher forcing (the softmax computed only where needed)."""
        memory, src_mask, _ = self.encode(src, src_len)
        features, _, _ = self.decode(memory, src_mask, tgt_in, scores=False)
        return self.out.loss(features, tgt_out, pad_id)

    # -- the decoding interface (see models.translation.decoding) --------------------------------

    @property
    def decoder_layers(self) -> list[DecoderLayer]:
        return [cast(DecoderLayer, layer) for layer in self.dec]

    def start(self, src: torch.Tensor, src_len: torch.Tensor, record: bool = False) -> TransformerState:
        """Encode the source. record=True keeps every attention the decoding computes (see `recorded`), so the
        attentions of a decoded output need no second, teacher-forced pass."""
        memory, src_mask, enc_p = self.encode(src, src_len)
        B, c = src.shape[0], self.config
        empty = torch.empty(B, c.heads, 0, c.d_model // c.heads)
        cross = [
            (layer.cross_attn.split(layer.cross_attn.k, memory), layer.cross_attn.split(layer.cross_attn.v, memory))
            for layer in self.decoder_layers
        ]
        return TransformerState(
            memory,
            src_mask,
            torch.empty(B, 0, dtype=torch.long),
            [(empty, empty) for _ in self.dec],
            cross,
            enc_p if record else None,
            [] if record else None,
        )

    def step(self, state: TransformerState, y_prev: torch.Tensor) -> tuple[torch.Tensor, TransformerState]:
        """The next word's log-probabilities after y_prev (B,): the same as `decode` over every input so far
        gives at its last position, computing only that position."""
        features, state = self.step_features(state, y_prev)
        return self.out.log_probs(features), state

    @property
    def output_layer(self) -> OutputLayer:
        return self.out

    def step_features(self, state: TransformerState, y_prev: torch.Tensor) -> tuple[torch.Tensor, TransformerState]:
        """`step` up to the output layer: the final features (B, D) that `output_layer` turns into words."""
        t = state.ys.shape[1]
        y = self.drop(self.tgt_emb(y_prev[:, None]) * math.sqrt(self.config.d_model) + self.pe[t : t + 1])
        past, weights = [], []
        for layer, kv, cross in zip(self.decoder_layers, state.past, state.cross, strict=True):
            y, kv, p = layer.step(y, kv, cross, state.src_mask)
            past.append(kv)
            weights.append(p)
        if state.trace is not None:
            state.trace.append(weights)
        ys = torch.cat([state.ys, y_prev[:, None]], dim=1)  # (B, t + 1)
        return self.dec_norm(y)[:, 0], TransformerState(
            state.memory, state.src_mask, ys, past, state.cross, state.encoder_attention, state.trace
        )

    @staticmethod
    def recorded(state: TransformerState) -> dict[str, torch.Tensor]:
        """The attentions a recording decoding computed, for row 0, shaped as `forward` returns them for the
        decoder inputs the steps read: {"encoder", "decoder", "cross"}, each (layer, head, Tq, Tk).

        A step reads only the positions before it, so the decoder's weights above the diagonal are 0, as
        the causal mask makes them in `forward`.
        """
        if state.trace is None or state.encoder_attention is None:
            raise ValueError("This decoding was not recorded: start it with record=True")
        T = len(state.trace)
        layers, heads = len(state.encoder_attention), state.encoder_attention[0].shape[1]
        decoder = torch.zeros(layers, heads, T, T)
        for t, weights in enumerate(state.trace):
            for layer, (p_self, _) in enumerate(weights):
                decoder[layer, :, t, : t + 1] = p_self[0, :, 0]
        if T:
            cross = torch.stack([torch.cat([w[layer][1][0] for w in state.trace], dim=1) for layer in range(layers)])
        else:
            cross = torch.zeros(layers, heads, 0, state.memory.shape[1])
        return {"encoder": torch.stack([p[0] for p in state.encoder_attention]), "decoder": decoder, "cross": cross}

    def reorder(self, state: TransformerState, index: torch.Tensor) -> TransformerState:
        def pick(pairs: list[tuple[torch.Tensor, torch.Tensor]]) -> list[tuple[torch.Tensor, torch.Tensor]]:
            return [(k[index], v[index]) for k, v in pairs]

        return TransformerState(  # a beam's rows are reordered; recording is for one row, so it stops here
            state.memory[index], state.src_mask[index], state.ys[index], pick(state.past), pick(state.cross)
        )


@torch.inference_mode()
def causality_check(
    model: Transformer, src: torch.Tensor, src_len: torch.Tensor, tgt_in: torch.Tensor, cuts: int = 8
) -> float:
    """Largest change at positions ≤ t when every decoder input after t is replaced, over `cuts` cut points t.

    A decoder that only reads the past gives 0 (to float rounding); one whose mask leaks does not. This tests
    the model's behaviour, not the weights it reports. The cut points are spread from the first position to
    the last but one (every position when the output is short): a mask that lets any position see a later
    one shows at every cut before that position. The altered copies are decoded in one batch, and the
    decoder's output features are compared (the output layer acts on each position alone).
    """
    B, T = tgt_in.shape
    if T < 2:
        return 0.0
    memory, src_mask, _ = model.encode(src, src_len)
    base, _, _ = model.decode(memory, src_mask, tgt_in, scores=False)  # (B, T, D)
    at = sorted({round(i * (T - 2) / max(1, cuts - 1)) for i in range(min(cuts, T - 1))})
    generator = torch.Generator().manual_seed(0)
    altered = torch.stack([tgt_in.clone() for _ in at])  # (n, B, T)
    for i, t in enumerate(at):  # copy i keeps positions ≤ t and replaces every later input by a random word
        altered[i, :, t + 1 :] = torch.randint(0, model.config.tgt_vocab, (B, T - t - 1), generator=generator)
    n = len(at)
    features, _, _ = model.decode(
        memory.repeat(n, 1, 1), src_mask.repeat(n, 1, 1, 1), altered.reshape(n * B, T), scores=False
    )
    moved = (features.reshape(n, B, T, -1) - base[None]).abs().amax(dim=(1, 3))  # (n, T)
    kept = torch.arange(T)[None, :] <= torch.tensor(at)[:, None]  # copy i: positions 0..t must not move
    return float(moved[kept].max())
