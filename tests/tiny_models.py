"""Tiny random Hugging Face models of every family the app reads, saved like downloaded models.

Each has 2 layers, 2–4 heads, hidden size 32 and a small WordLevel tokenizer (built with `tokenizers`,
wrapped in PreTrainedTokenizerFast). Weights are drawn with a large initialiser range so that attention is
peaked, not uniform: a score recomputed without rotary positions, or from the wrong key head, then
visibly differs from the captured one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

WORDS = ["the", "cat", "sat", "on", "mat", "a", "dog", "ran", "to", "big", "red", "house", ".", "?", "le", "chat"]
SENTENCE = "the cat sat on the mat ."
INIT = 0.3  # initializer_range: q·k of a few units, so softmax rows are far from uniform


def word_level_tokenizer(specials: list[str], unk: str, template: Callable[[dict[str, int]], Any] | None = None):
    """A `tokenizers` WordLevel tokenizer over WORDS (lower-cased, split on whitespace and punctuation)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    vocab = {token: i for i, token in enumerate([*specials, *WORDS])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token=unk))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    if template is not None:
        tok.post_processor = template(vocab)
    return tok, vocab


def _save(folder: Path, model, tok, **special_tokens) -> Path:
    from transformers import PreTrainedTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    PreTrainedTokenizerFast(tokenizer_object=tok, **special_tokens).save_pretrained(folder)
    return folder


def _around(first: str, last: str):
    from tokenizers import processors

    return lambda v: processors.TemplateProcessing(
        single=f"{first} $A {last}", special_tokens=[(first, v[first]), (last, v[last])]
    )


def _before(first: str):
    from tokenizers import processors

    return lambda v: processors.TemplateProcessing(single=f"{first} $A", special_tokens=[(first, v[first])])


def _after(last: str):
    from tokenizers import processors

    return lambda v: processors.TemplateProcessing(single=f"$A {last}", special_tokens=[(last, v[last])])


BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
BERT_TOKENS = {"pad_token": "[PAD]", "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]"}
ROBERTA_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]  # RoBERTa's own order: pad id 1
GEN_SPECIALS = ["<pad>", "<unk>", "<s>", "</s>"]
GEN_TOKENS = {"pad_token": "<pad>", "unk_token": "<unk>", "bos_token": "<s>", "eos_token": "</s>"}
SMALL = {"hidden_size": 32, "num_hidden_layers": 2, "intermediate_size": 64, "initializer_range": INIT}


def build(family: str, folder: Path) -> Path:
    """Save a tiny random model of `family` (bert, roberta, distilbert, albert, electra, gpt2, llama, qwen3,
    mistral, t5, bart, marian) with its tokenizer into `folder`."""
    import torch
    import transformers as T

    torch.manual_seed(0)
    if family in ("bert", "distilbert", "albert", "electra"):
        tok, v = word_level_tokenizer(BERT_SPECIALS, "[UNK]", _around("[CLS]", "[SEP]"))
        if family == "bert":
            model = T.BertModel(
                T.BertConfig(vocab_size=len(v), num_attention_heads=4, max_position_embeddings=64, **SMALL)
            )
        elif family == "distilbert":
            config = T.DistilBertConfig(
                vocab_size=len(v),
                dim=32,
                n_layers=2,
                n_heads=2,
                hidden_dim=64,
                max_position_embeddings=64,
                initializer_range=INIT,
            )
            model = T.DistilBertModel(config)
        elif family == "albert":
            config = T.AlbertConfig(
                vocab_size=len(v), embedding_size=16, num_attention_heads=4, max_position_embeddings=64, **SMALL
            )
            model = T.AlbertModel(config)
        else:
            config = T.ElectraConfig(
                vocab_size=len(v), embedding_size=16, num_attention_heads=4, max_position_embeddings=64, **SMALL
            )
            model = T.ElectraModel(config)
        return _save(folder, model, tok, **BERT_TOKENS, mask_token="[MASK]")
    if family == "roberta":
        tok, v = word_level_tokenizer(ROBERTA_SPECIALS, "<unk>", _around("<s>", "</s>"))
        config = T.RobertaConfig(
            vocab_size=len(v), num_attention_heads=4, max_position_embeddings=66, pad_token_id=1, **SMALL
        )
        specials = {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}
        return _save(folder, T.RobertaModel(config), tok, **specials, mask_token="<mask>")
    tok, v = word_level_tokenizer(GEN_SPECIALS, "<unk>", _before("<s>") if family in DECODERS else _after("</s>"))
    ids = {"pad_token_id": v["<pad>"], "bos_token_id": v["<s>"], "eos_token_id": v["</s>"]}
    model = {
        "gpt2": lambda: T.GPT2LMHeadModel(
            T.GPT2Config(
                vocab_size=len(v), n_embd=32, n_layer=2, n_head=4, n_positions=64, initializer_range=INIT, **ids
            )
        ),
        "llama": lambda: T.LlamaForCausalLM(
            T.LlamaConfig(
                vocab_size=len(v),
                num_attention_heads=4,
                num_key_value_heads=2,
                max_position_embeddings=64,
                **SMALL,
                **ids,
            )
        ),
        "qwen3": lambda: T.Qwen3ForCausalLM(
            T.Qwen3Config(
                vocab_size=len(v),
                num_attention_heads=4,
                num_key_value_heads=1,
                max_position_embeddings=64,
                head_dim=8,
                **SMALL,
                **ids,
            )
        ),
        "mistral": lambda: T.MistralForCausalLM(
            T.MistralConfig(
                vocab_size=len(v),
                num_attention_heads=4,
                num_key_value_heads=2,
                max_position_embeddings=64,
                sliding_window=48,
                **SMALL,
                **ids,
            )
        ),
        "t5": lambda: T.T5ForConditionalGeneration(
            T.T5Config(
                vocab_size=len(v),
                d_model=32,
                d_kv=8,
                d_ff=64,
                num_layers=2,
                num_heads=4,
                decoder_start_token_id=v["<pad>"],
                initializer_factor=INIT * 10,
                **ids,
            )
        ),
        "bart": lambda: T.BartForConditionalGeneration(T.BartConfig(vocab_size=len(v), **SEQ2SEQ, **ids)),
        "marian": lambda: T.MarianMTModel(
            T.MarianConfig(vocab_size=len(v), **SEQ2SEQ, decoder_vocab_size=len(v), **ids)
        ),
    }[family]()
    return _save(folder, model, tok, **GEN_TOKENS)


DECODERS = ("gpt2", "llama", "qwen3", "mistral")
SEQ2SEQ = {
    "d_model": 32,
    "encoder_layers": 2,
    "decoder_layers": 2,
    "encoder_attention_heads": 4,
    "decoder_attention_heads": 2,
    "encoder_ffn_dim": 64,
    "decoder_ffn_dim": 64,
    "max_position_embeddings": 64,
    "init_std": INIT,
    "decoder_start_token_id": 2,
    "forced_eos_token_id": None,  # plain greedy decoding, as the app does
}
ENCODERS = ("bert", "roberta", "distilbert", "albert", "electra")
ENCODER_DECODERS = ("t5", "bart", "marian")
FAMILIES = ENCODERS + DECODERS + ENCODER_DECODERS
