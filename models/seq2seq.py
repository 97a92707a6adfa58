"""GRU encoder-decoder with Bahdanau (additive) attention, and the same without attention.

Bahdanau et al. 2015: a bidirectional GRU encodes the source into states h_i; at output step t the
decoder scores every h_i against its previous state s_{t-1}, e(t,i) = vᵀ tanh(W s_{t-1} + U h_i),
turns the scores into weights α(t,i) = softmax_i e(t,i), reads the context c_t = Σ_i α(t,i) h_i,
and emits y_t from (s_t, c_t, y_{t-1}). The baseline squeezes the source into one fixed vector c
(the encoder's final states) that every step reads instead.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn

PAD, SOS, EOS, UNK = "<pad>", "<s>", "</s>", "<unk>"
WEIGHTS = Path(__file__).resolve().parent / "weights"


@dataclass(frozen=True)
class Seq2SeqConfig:
    src_vocab: int
    tgt_vocab: int
    emb: int = 64
    hidden: int = 128
    attention: bool = True
    attn_dim: int = 128
    max_len: int = 60  # longest output decoded


class Vocab:
    """Word ↔ id for one language; ids 0–3 are <pad>, <s>, </s>, <unk>."""

    def __init__(self, words: list[str]):
        self.itos = [PAD, SOS, EOS, UNK] + [w for w in words if w not in (PAD, SOS, EOS, UNK)]
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    @classmethod
    def from_itos(cls, itos: list[str]) -> Vocab:
        """The vocabulary exactly as saved (ids kept)."""
        vocab = cls([])
        vocab.itos, vocab.stoi = list(itos), {w: i for i, w in enumerate(itos)}
        return vocab

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, tokens: list[str]) -> list[int]:
        return [self.stoi.get(t, self.stoi[UNK]) for t in tokens]

    def decode(self, ids: list[int]) -> list[str]:
        return [self.itos[i] for i in ids]


class Encoder(nn.Module):
    def __init__(self, c: Seq2SeqConfig):
        super().__init__()
        self.emb = nn.Embedding(c.src_vocab, c.emb, padding_idx=0)
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


class Decoder(nn.Module):
    def __init__(self, c: Seq2SeqConfig):
        super().__init__()
        self.c = c
        self.emb = nn.Embedding(c.tgt_vocab, c.emb, padding_idx=0)
        self.attn = AdditiveAttention(c) if c.attention else None
        self.rnn = nn.GRUCell(c.emb + 2 * c.hidden, c.hidden)
        self.out = nn.Linear(c.hidden + 2 * c.hidden + c.emb, c.tgt_vocab)

    def step(
        self, y_prev: torch.Tensor, s_prev: torch.Tensor, memory: Memory
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        """One output step → (logits (B, V), s_t (B, H), α (B, S) or None, e (B, S) or None)."""
        emb = self.emb(y_prev)  # (B, E)
        if self.attn is not None:
            context, alpha, e = self.attn(s_prev, memory.keys, memory.states, memory.mask)
        else:
            context, alpha, e = memory.summary, None, None  # the one fixed vector
        s = self.rnn(torch.cat([emb, context], dim=-1), s_prev)  # (B, H)
        logits = self.out(torch.cat([s, context, emb], dim=-1))  # (B, V)
        return logits, s, alpha, e


@dataclass
class Memory:
    """What the decoder reads from the encoded source."""

    states: torch.Tensor  # (B, S, 2H)
    keys: torch.Tensor | None  # (B, S, A)
    mask: torch.Tensor  # (B, S) True on real tokens
    summary: torch.Tensor  # (B, 2H)


@dataclass
class Decoded:
    """A decoded output: target ids (</s> excluded), α (T, S) and e (T, S) per step (None without attention)."""

    ids: list[int]
    alpha: np.ndarray | None
    scores: np.ndarray | None
    log_prob: float
    ended: bool  # the model emitted </s> (otherwise max_len cut it)


class Seq2Seq(nn.Module):
    def __init__(self, c: Seq2SeqConfig):
        super().__init__()
        self.config = c
        self.encoder = Encoder(c)
        self.decoder = Decoder(c)

    def encode(self, src: torch.Tensor, lengths: torch.Tensor) -> tuple[Memory, torch.Tensor]:
        states, summary, s0 = self.encoder(src, lengths)
        mask = torch.arange(src.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)  # (B, S)
        keys = self.decoder.attn.keys(states) if self.decoder.attn is not None else None
        return Memory(states, keys, mask, summary), s0

    def forward(
        self, src: torch.Tensor, lengths: torch.Tensor, tgt_in: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Teacher forcing: → logits (B, T, V) and α (B, T, S) (None without attention)."""
        memory, s = self.encode(src, lengths)
        logits, alphas = [], []
        for t in range(tgt_in.shape[1]):
            step_logits, s, alpha, _ = self.decoder.step(tgt_in[:, t], s, memory)
            logits.append(step_logits)
            alphas.append(alpha)
        alpha_out = torch.stack(alphas, dim=1) if alphas and alphas[0] is not None else None
        return torch.stack(logits, dim=1), alpha_out

    @torch.inference_mode()
    def greedy_batch(self, src: torch.Tensor, lengths: torch.Tensor, max_len: int) -> torch.Tensor:
        """Greedy decoding of a batch (for metrics): → ids (B, T), </s> and after set to 0."""
        memory, s = self.encode(src, lengths)
        y = torch.full((src.shape[0],), 1, dtype=torch.long)  # <s>
        out, done = [], torch.zeros(src.shape[0], dtype=torch.bool)
        for _ in range(max_len):
            logits, s, _, _ = self.decoder.step(y, s, memory)
            y = logits.argmax(-1)
            done = done | (y == 2)
            out.append(y.masked_fill(done, 0))
            if done.all():
                break
        return torch.stack(out, dim=1)

    @torch.inference_mode()
    def beam_search(self, src_ids: list[int], width: int = 1, max_len: int | None = None) -> Decoded:
        """Decode one sentence; width 1 is greedy. Hypotheses keep their own α and e rows."""
        max_len = max_len or self.config.max_len
        src = torch.tensor([src_ids])
        memory, s0 = self.encode(src, torch.tensor([len(src_ids)]))
        sos, eos = 1, 2
        beams = [(0.0, [sos], s0, [], [])]  # (log p, ids, state, alphas, scores)
        finished: list[tuple[float, list[int], list, list]] = []
        for _ in range(max_len):
            candidates = []
            for logp, ids, s, alphas, scores in beams:
                logits, s_new, alpha, e = self.decoder.step(torch.tensor([ids[-1]]), s, memory)
                log_probs = torch.log_softmax(logits[0], dim=-1)
                top = torch.topk(log_probs, width)
                for lp, tok in zip(top.values.tolist(), top.indices.tolist(), strict=True):
                    a = alphas + ([alpha[0].numpy()] if alpha is not None else [])
                    sc = scores + ([e[0].numpy()] if e is not None else [])
                    candidates.append((logp + lp, [*ids, tok], s_new, a, sc))
            candidates.sort(key=lambda c: c[0], reverse=True)
            beams = []
            for cand in candidates:
                if cand[1][-1] == eos:
                    finished.append((cand[0], cand[1], cand[3], cand[4]))
                elif len(beams) < width:
                    beams.append(cand)
            if len(finished) >= width or not beams:
                break
        ended = bool(finished)
        if not ended:  # no hypothesis ended within max_len: take the best unfinished one
            finished = [(b[0], b[1], b[3], b[4]) for b in beams]
        # length-normalised, so that beam search does not prefer short outputs
        logp, ids, alphas, scores = max(finished, key=lambda f: f[0] / max(1, len(f[1]) - 1))
        out = [i for i in ids[1:] if i != eos]
        alpha = np.stack(alphas[: len(out) + 1]) if alphas else None
        score = np.stack(scores[: len(out) + 1]) if scores else None
        return Decoded(out, alpha, score, logp, ended)


@dataclass
class Translator:
    """A trained model with its vocabularies, as loaded from a checkpoint directory."""

    model: Seq2Seq
    src: Vocab
    tgt: Vocab
    name: str
    metrics: dict

    def save(self, folder: Path) -> None:
        save_checkpoint(folder, self.model, self.src, self.tgt, self.metrics)


class CheckpointError(ValueError):
    """A checkpoint directory that cannot be loaded; the message says what to do."""


def save_checkpoint(folder: Path, model: nn.Module, src: Vocab, tgt: Vocab, metrics: dict) -> None:
    """model.safetensors, config.json (the model's dataclass config), vocab.json and metrics.json."""
    folder.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, folder / "model.safetensors")
    (folder / "config.json").write_text(json.dumps(asdict(model.config), indent=2), encoding="utf-8")
    (folder / "vocab.json").write_text(
        json.dumps({"src": src.itos, "tgt": tgt.itos}, ensure_ascii=False), encoding="utf-8"
    )
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")


def read_checkpoint(
    folder: Path, config_cls: type, model_cls: type, retrain: str
) -> tuple[nn.Module, Vocab, Vocab, dict]:
    """Rebuild a model written by `save_checkpoint`. Only loads; never trains. Raises CheckpointError."""
    hint = f"Retrain with: {retrain}"
    for name in ("config.json", "model.safetensors", "vocab.json"):
        if not (folder / name).is_file():
            raise CheckpointError(f"{folder / name} is missing. {hint}")
    try:
        config = config_cls(**json.loads((folder / "config.json").read_text(encoding="utf-8")))
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        model = model_cls(config)
        model.load_state_dict(load_file(folder / "model.safetensors"))
    except Exception as exc:  # corrupt JSON, truncated safetensors, shape mismatch: all one answer
        raise CheckpointError(f"The checkpoint in {folder} is unreadable ({exc}). {hint}") from exc
    model.eval()
    metrics_file = folder / "metrics.json"
    metrics = json.loads(metrics_file.read_text(encoding="utf-8")) if metrics_file.is_file() else {}
    return model, Vocab.from_itos(vocab["src"]), Vocab.from_itos(vocab["tgt"]), metrics


def load_translator(folder: Path) -> Translator:
    """A GRU translator from its checkpoint directory."""
    model, src, tgt, metrics = read_checkpoint(folder, Seq2SeqConfig, Seq2Seq, "python -m models.train_seq2seq")
    return Translator(model, src, tgt, folder.name, metrics)
