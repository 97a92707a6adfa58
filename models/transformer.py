"""A small Transformer encoder-decoder (Vaswani et al. 2017) that returns all three attentions.

Encoder self-attention, decoder causal self-attention and encoder-decoder cross-attention are
returned per layer and head by `forward`, as the annotated Transformer's `attention()` returns
p_attn. Positions come from the fixed sinusoidal table (`sinusoidal_table`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from models.seq2seq import WEIGHTS, Vocab, read_checkpoint, save_checkpoint


@dataclass(frozen=True)
class TransformerConfig:
    src_vocab: int
    tgt_vocab: int
    d_model: int = 128
    heads: int = 4
    layers: int = 2
    d_ff: int = 256
    dropout: float = 0.1
    max_len: int = 64


def sinusoidal_table(length: int, d_model: int, base: float = 10000.0) -> np.ndarray:
    """PE[p, 2i] = sin(p / base^(2i/d)), PE[p, 2i+1] = cos(p / base^(2i/d)): (length, d_model)."""
    pos = np.arange(length)[:, None]
    freq = base ** (-np.arange(0, d_model, 2) / d_model)  # (d/2,)
    table = np.zeros((length, d_model))
    table[:, 0::2] = np.sin(pos * freq)
    table[:, 1::2] = np.cos(pos * freq[: d_model // 2])
    return table


def attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Scaled dot-product attention → (output, p_attn). mask: True where attending is allowed."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, H, Tq, Tk)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    p_attn = torch.softmax(scores, dim=-1)
    return p_attn @ v, p_attn


class MultiHeadAttention(nn.Module):
    def __init__(self, c: TransformerConfig):
        super().__init__()
        self.h, self.d_k = c.heads, c.d_model // c.heads
        self.q, self.k, self.v, self.o = (nn.Linear(c.d_model, c.d_model) for _ in range(4))

    def forward(
        self, x: torch.Tensor, memory: torch.Tensor, mask: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        B, Tq, D = x.shape
        Tk = memory.shape[1]
        q = self.q(x).view(B, Tq, self.h, self.d_k).transpose(1, 2)  # (B, H, Tq, d_k)
        k = self.k(memory).view(B, Tk, self.h, self.d_k).transpose(1, 2)  # (B, H, Tk, d_k)
        v = self.v(memory).view(B, Tk, self.h, self.d_k).transpose(1, 2)  # (B, H, Tk, d_k)
        out, p_attn = attention(q, k, v, mask)
        return self.o(out.transpose(1, 2).reshape(B, Tq, D)), p_attn  # concatenate heads: (B, Tq, D)


class EncoderLayer(nn.Module):
    def __init__(self, c: TransformerConfig):
        super().__init__()
        self.attn = MultiHeadAttention(c)
        self.ff = nn.Sequential(nn.Linear(c.d_model, c.d_ff), nn.ReLU(), nn.Linear(c.d_ff, c.d_model))
        self.n1, self.n2 = nn.LayerNorm(c.d_model), nn.LayerNorm(c.d_model)
        self.drop = nn.Dropout(c.dropout)

    def forward(self, x, mask):
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

    def forward(self, y, memory, self_mask, cross_mask):
        a, p_self = self.self_attn(self.n1(y), self.n1(y), self_mask)
        y = y + self.drop(a)
        a, p_cross = self.cross_attn(self.n2(y), memory, cross_mask)
        y = y + self.drop(a)
        return y + self.drop(self.ff(self.n3(y))), p_self, p_cross


@dataclass
class Attentions:
    """Per layer, (B, H, Tq, Tk): encoder self, decoder causal self, cross (decoder → encoder)."""

    encoder: list[torch.Tensor]
    decoder: list[torch.Tensor]
    cross: list[torch.Tensor]


class Transformer(nn.Module):
    def __init__(self, c: TransformerConfig):
        super().__init__()
        self.config = c
        self.src_emb = nn.Embedding(c.src_vocab, c.d_model, padding_idx=0)
        self.tgt_emb = nn.Embedding(c.tgt_vocab, c.d_model, padding_idx=0)
        for emb in (self.src_emb, self.tgt_emb):
            # std d^-0.5, so that after the × √d in `embed` a token vector is as large as its position vector;
            # with the default N(0, 1) the positions drown and training stalls
            nn.init.normal_(emb.weight, std=c.d_model**-0.5)
            with torch.no_grad():
                emb.weight[0].zero_()
        self.register_buffer(
            "pe", torch.tensor(sinusoidal_table(c.max_len, c.d_model), dtype=torch.float32), persistent=False
        )
        self.enc = nn.ModuleList(EncoderLayer(c) for _ in range(c.layers))
        self.dec = nn.ModuleList(DecoderLayer(c) for _ in range(c.layers))
        self.enc_norm, self.dec_norm = nn.LayerNorm(c.d_model), nn.LayerNorm(c.d_model)
        self.out = nn.Linear(c.d_model, c.tgt_vocab)
        self.drop = nn.Dropout(c.dropout)

    def embed(self, emb: nn.Embedding, ids: torch.Tensor) -> torch.Tensor:
        return self.drop(emb(ids) * math.sqrt(self.config.d_model) + self.pe[: ids.shape[1]])  # (B, T, D)

    def forward(
        self, src: torch.Tensor, src_len: torch.Tensor, tgt_in: torch.Tensor
    ) -> tuple[torch.Tensor, Attentions]:
        """→ logits (B, T, V) and every layer's attention weights."""
        S, T = src.shape[1], tgt_in.shape[1]
        src_mask = (torch.arange(S)[None, :] < src_len[:, None])[:, None, None, :]  # (B, 1, 1, S)
        causal = torch.tril(torch.ones(T, T, dtype=torch.bool))[None, None]  # (1, 1, T, T)
        x, enc_p = self.embed(self.src_emb, src), []
        for layer in self.enc:
            x, p = layer(x, src_mask)
            enc_p.append(p)
        memory = self.enc_norm(x)
        y, dec_p, cross_p = self.embed(self.tgt_emb, tgt_in), [], []
        for layer in self.dec:
            y, p_self, p_cross = layer(y, memory, causal, src_mask)
            dec_p.append(p_self)
            cross_p.append(p_cross)
        return self.out(self.dec_norm(y)), Attentions(enc_p, dec_p, cross_p)

    @torch.inference_mode()
    def greedy_batch(self, src: torch.Tensor, src_len: torch.Tensor, max_len: int) -> torch.Tensor:
        """Greedy decoding (re-running the decoder on the prefix each step): → ids (B, T), 0 after </s>."""
        ys = torch.ones(src.shape[0], 1, dtype=torch.long)  # <s>
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        for _ in range(min(max_len, self.config.max_len - 1)):
            logits, _ = self(src, src_len, ys)
            nxt = logits[:, -1].argmax(-1).masked_fill(done, 0)
            done = done | (nxt == 2)
            ys = torch.cat([ys, nxt[:, None]], dim=1)
            if done.all():
                break
        out = ys[:, 1:]
        return out.masked_fill(out == 2, 0)


@dataclass
class TransformerTranslator:
    model: Transformer
    src: Vocab
    tgt: Vocab
    name: str
    metrics: dict

    def save(self, folder: Path) -> None:
        save_checkpoint(folder, self.model, self.src, self.tgt, self.metrics)


def load_transformer(folder: Path = WEIGHTS / "transformer") -> TransformerTranslator:
    """The Transformer from its checkpoint directory. Only loads; never trains."""
    model, src, tgt, metrics = read_checkpoint(
        folder, TransformerConfig, Transformer, "python -m models.train_transformer"
    )
    return TransformerTranslator(model, src, tgt, folder.name, metrics)
