"""The GPT trained in this repo: where it lives, its architecture, its word-level tokenizer, how the app loads it.

The checkpoint is an ordinary Hugging Face directory (config.json, model.safetensors, tokenizer.json,
generation_config.json) plus metrics.json, so `load_pretrained` reads it like any local model. Training is
`attention-explorer train gpt` (models/training/train_gpt.py); loading only loads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from transformers import GPT2Config, PreTrainedTokenizerFast

from attention_explorer.models.core.text import EN_TOKEN_PATTERN
from attention_explorer.models.pretrained.loading import ModelLoadError, PretrainedBundle, load_pretrained

GPT_DIR = Path(__file__).resolve().parent.parent / "weights" / "gpt"
RETRAIN = "attention-explorer train gpt"
PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<s>", "</s>"
SPECIALS = (PAD, UNK, BOS, EOS)
# the corpus's English tokens (models/core/text.py's tokenize_en): numbers, the genitive 's, hyphenated words,
# each punctuation mark apart; a split that differed would read the corpus's own "'s" as two unknown tokens
WORD_PATTERN = EN_TOKEN_PATTERN


def gpt_config(vocab_size: int, *, bos_token_id: int, eos_token_id: int, pad_token_id: int) -> GPT2Config:
    """The architecture: 2 layers × 4 heads, d_model 128, 64 positions (a corpus sentence has at most 42 tokens)."""
    eager: dict[str, Any] = {"attn_implementation": "eager"}  # the weights are returned (the previous-token measure)
    return GPT2Config(
        vocab_size=vocab_size,
        n_positions=64,  # prompt plus generated tokens
        n_embd=128,  # d_model
        n_layer=2,
        n_head=4,  # 32 dimensions per head
        n_inner=512,  # feed-forward width
        resid_pdrop=0.1,
        embd_pdrop=0.1,
        attn_pdrop=0.0,  # attention weights are what the app shows: keep them whole in training too
        tie_word_embeddings=True,
        bos_token_id=bos_token_id,
        eos_token_id=eos_token_id,
        pad_token_id=pad_token_id,
        **eager,
    )


def build_tokenizer(words: list[str]) -> PreTrainedTokenizerFast:
    """A word-level tokenizer over `words`: lower-cased, split like models/core/text.py's tokenize_en, "<s>" first.

    Words it never saw become "<unk>" (the page lists them).
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = {token: i for i, token in enumerate([*SPECIALS, *sorted(set(words) - set(SPECIALS))])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token=UNK))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase(), normalizers.Replace("’", "'")])
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split(Regex(WORD_PATTERN), behavior="isolated")]
    )
    tok.post_processor = processors.TemplateProcessing(single=f"{BOS} $A", special_tokens=[(BOS, vocab[BOS])])
    tok.decoder = decoders.WordPiece(prefix="##", cleanup=False)  # joins words with spaces
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token=UNK, pad_token=PAD, bos_token=BOS, eos_token=EOS, model_max_length=64
    )


def load_gpt(folder: Path = GPT_DIR) -> PretrainedBundle:
    """The trained GPT (ModelLoadError naming the retrain command if it is missing or broken)."""
    try:
        return load_pretrained(folder)
    except ModelLoadError as exc:
        raise ModelLoadError(f"{exc} Retrain with: {RETRAIN}") from exc


def read_metrics(folder: Path = GPT_DIR) -> dict[str, Any]:
    """metrics.json beside the weights ({} if absent)."""
    try:
        return json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
