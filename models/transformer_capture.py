"""Translate with the Transformer and capture its three attentions as AttentionCaptures.

python -m models.transformer_capture "the green apple will fall ." -o transformer.json
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import torch

from models.capture import AttentionCapture, AttentionKind
from models.seq2seq import EOS, SOS, CheckpointError
from models.transformer import TransformerTranslator, load_transformer
from models.translate import prepare


@dataclass(frozen=True, eq=False)
class TransformerTranslation:
    source: tuple[str, ...]  # English tokens, </s> included
    output: tuple[str, ...]  # French tokens emitted, </s> included when the model ended the sentence
    encoder: AttentionCapture  # self [layer, head, source, source]
    decoder: AttentionCapture  # causal self [layer, head, decoder input, decoder input]; inputs start with <s>
    cross: AttentionCapture  # [layer, head, output, source]: the row that emits each output token
    unknown: dict[str, list[str]]

    @property
    def text(self) -> str:
        return " ".join(t for t in self.output if t != EOS)

    def to_dict(self) -> dict:
        return {
            "source_tokens": list(self.source),
            "output_tokens": list(self.output),
            "translation": self.text,
            "unknown_words": self.unknown,
            **{name: getattr(self, name).weights.round(6).tolist() for name in ("encoder", "decoder", "cross")},
        }


def translate(tr: TransformerTranslator, text: str) -> TransformerTranslation:
    """Greedy translation, then one teacher-forced pass over its own output to read every attention."""
    tokens, unknown = prepare(tr.src, text)
    src_ids = [*tr.src.encode(tokens), tr.src.stoi[EOS]]
    src = torch.tensor([src_ids])
    src_len = torch.tensor([len(src_ids)])
    ids = tr.model.greedy_batch(src, src_len, max_len=tr.model.config.max_len - 1)[0].tolist()
    out_ids = [i for i in ids if i != 0]
    ended = len(out_ids) + 1 < tr.model.config.max_len
    out_ids = [*out_ids, tr.tgt.stoi[EOS]] if ended else out_ids
    dec_in = torch.tensor([[tr.tgt.stoi[SOS], *out_ids[:-1]]])  # position t reads y_(t-1), emits y_t
    with torch.inference_mode():
        _, att = tr.model(src, src_len, dec_in)
    source = (*tokens, EOS)
    output = tuple(tr.tgt.decode(out_ids))
    dec_tokens = (SOS, *output[:-1])

    def stack(layers: list[torch.Tensor]):
        return torch.cat(layers, dim=0).float().numpy()  # (layer, head, query, key)

    def cap(weights, q, k, kind):
        return AttentionCapture(q, k, weights, kind, tr.name, attn_implementation="scaled dot-product")

    return TransformerTranslation(
        source=source,
        output=output,
        encoder=cap(stack(att.encoder), source, source, AttentionKind.SELF),
        decoder=cap(stack(att.decoder), dec_tokens, dec_tokens, AttentionKind.CAUSAL_SELF),
        cross=cap(stack(att.cross), output, source, AttentionKind.CROSS),
        unknown=unknown,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Translate with the Transformer; write its three attentions.")
    parser.add_argument("text")
    parser.add_argument("-o", "--out", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=None, help="checkpoint directory (default: the committed one)")
    args = parser.parse_args(argv)
    try:
        tr = load_transformer(args.model) if args.model else load_transformer()
        result = translate(tr, args.text)
    except (CheckpointError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.out.write_text(json.dumps(result.to_dict(), ensure_ascii=False), encoding="utf-8")
    print(f"{result.text}\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
