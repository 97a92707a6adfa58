"""One Translator type for both trained translators: load it, translate a sentence, capture its attention."""

from __future__ import annotations

import difflib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from attention_explorer.models.core.capture import AttentionCapture
from attention_explorer.models.core.checkpoint import CheckpointError, read_checkpoint, read_config, save_checkpoint
from attention_explorer.models.core.forced import Forced
from attention_explorer.models.core.text import normalize, render_fr
from attention_explorer.models.core.vocab import EOS, UNK, Vocab
from attention_explorer.models.rnn import capture as rnn_capture
from attention_explorer.models.rnn.model import Seq2Seq, Seq2SeqConfig
from attention_explorer.models.transformer import capture as transformer_capture
from attention_explorer.models.transformer.model import Transformer, TransformerConfig
from attention_explorer.models.translation.decoding import Hypothesis, beam_search

WEIGHTS = Path(__file__).resolve().parent.parent / "weights"
MAX_INPUT_TOKENS = 60  # the models were trained on sentences of at most 40 words
OUTPUT_SLACK = 15  # beam search stops this many words past twice the source length
RETRAIN = {
    "rnn": "attention-explorer train seq2seq",
    "transformer": "attention-explorer train transformer",
}

TranslationModel = Seq2Seq | Transformer


@dataclass
class Translator:
    """A trained translation model with its vocabularies, as loaded from a checkpoint directory."""

    model: TranslationModel
    src: Vocab
    tgt: Vocab
    name: str
    metrics: dict = field(default_factory=dict)

    @property
    def family(self) -> str:
        return self.model.config.family

    def save(self, folder: Path) -> None:
        save_checkpoint(folder, self.model, self.model.config, {"src": self.src, "tgt": self.tgt}, self.metrics)


def load_translator(folder: Path) -> Translator:
    """A translator from its checkpoint directory, whichever family wrote it. Only loads; never trains."""
    raw = read_config(folder, "attention-explorer train seq2seq (or: train transformer)")
    family = raw.get("family") or ("transformer" if "d_model" in raw else "rnn")  # checkpoints of 0.1 had none
    model: TranslationModel
    if family == "rnn":
        model, _, vocabs, metrics = read_checkpoint(folder, Seq2SeqConfig, Seq2Seq, RETRAIN["rnn"])
    elif family == "transformer":
        model, _, vocabs, metrics = read_checkpoint(folder, TransformerConfig, Transformer, RETRAIN["transformer"])
    else:
        raise CheckpointError(f"{folder.name}/config.json names an unknown model family {family!r}")
    if set(vocabs) != {"src", "tgt"}:
        raise CheckpointError(f"{folder.name}/vocab.json must hold a 'src' and a 'tgt' vocabulary")
    return Translator(model, vocabs["src"], vocabs["tgt"], folder.name, metrics)


@dataclass(frozen=True, eq=False)
class Translation:
    """One translated sentence: the tokens read, the output, every attention captured and the beam's candidates."""

    source: tuple[str, ...]  # English tokens as the model reads them (normalised), </s> included
    output: tuple[str, ...]  # French tokens emitted, </s> included when it ended; <unk> replaced by copies
    captures: dict[str, AttentionCapture]  # rnn: "alignment"; transformer: "encoder", "decoder", "cross"
    arrays: dict[str, np.ndarray]  # rnn: "scores" e(t, i), "states" h_i, "contexts" c_t
    unknown: dict[str, list[str]]  # words the model never saw → the nearest words it knows
    model: str
    family: str
    beam: int
    hypotheses: tuple[tuple[tuple[str, ...], float], ...]  # beam candidates: (words, mean log-prob), best first
    notes: tuple[str, ...] = ()  # what normalisation changed in the typed text ("added a final full stop")
    copied: dict[int, int] = field(default_factory=dict)  # output position → source position it was copied from
    elided: dict[int, str] = field(default_factory=dict)  # output position elided before a copy → the word written
    copy_attention: str = ""  # whose attention chose the copied words ("α", "cross-attention layer 1, head 2")
    copy_head: tuple[int, int] | None = None  # (layer, head) of that attention in `alignment`
    typed_source: tuple[str, ...] = ()  # `source` as typed (case kept, </s> left out): what copies are taken from

    @property
    def sentence(self) -> str:
        """The output written as a French sentence ("Le chat que le chien a vu dort."), for display."""
        return render_fr([t for t in self.output if t != EOS])

    @property
    def text(self) -> str:
        return " ".join(t for t in self.output if t != EOS)

    @property
    def ended(self) -> bool:
        return bool(self.output) and self.output[-1] == EOS

    @property
    def alignment(self) -> AttentionCapture | None:
        """The attention that plays the role of a word alignment: Bahdanau α, or the Transformer's cross."""
        return self.captures.get("alignment") or self.captures.get("cross")

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "beam": self.beam,
            "source_tokens": list(self.source),
            "output_tokens": list(self.output),
            "translation": self.text,
            "unknown_words": self.unknown,
            "copied": {str(t): i for t, i in self.copied.items()},
            "elided": {str(t): word for t, word in self.elided.items()},  # the word the model wrote there
            "normalisation": list(self.notes),
            "attention": {name: c.weights.round(6).tolist() for name, c in self.captures.items()},
            "scores": None if "scores" not in self.arrays else self.arrays["scores"].round(6).tolist(),
            "hypotheses": [{"words": list(words), "mean_log_prob": score} for words, score in self.hypotheses],
        }


def prepare(vocab: Vocab, text: str) -> tuple[list[str], dict[str, list[str]]]:
    """Tokens of `text` (raises ValueError if empty or too long) and the ones `vocab` lacks, with suggestions."""
    tokens = list(normalize(text).tokens)
    _check_length(tokens)
    return tokens, unknown_words(vocab, tokens)


def _check_length(tokens: list[str]) -> None:
    if not tokens or all(t in ".?!," for t in tokens):
        raise ValueError("There is no word to translate. Type an English sentence.")
    if len(tokens) > MAX_INPUT_TOKENS:
        raise ValueError(
            f"The sentence has {len(tokens)} tokens; these models take at most {MAX_INPUT_TOKENS} "
            "(they were trained on sentences of up to 40 words)."
        )


def unknown_words(vocab: Vocab, tokens: list[str]) -> dict[str, list[str]]:
    """Each token `vocab` lacks → up to three known words that are spelled alike."""
    missing = [t for t in dict.fromkeys(tokens) if t not in vocab]
    known = vocab.words() if missing else []  # the whole word list only when there is something to match
    return {t: difflib.get_close_matches(t, known, n=3, cutoff=0.6) for t in missing}


def copy_head(translator: Translator) -> tuple[int, int] | None:
    """The Transformer cross-attention head that aligned best with gold on the test set (None: the GRU's α)."""
    if translator.family != "transformer":
        return None
    best = translator.metrics.get("test", {}).get("best_alignment_head")
    config = translator.model.config
    if isinstance(best, list) and len(best) == 2:
        layer, head = int(best[0]), int(best[1])
        if 0 <= layer < config.layers and 0 <= head < config.heads:  # type: ignore[union-attr]
            return layer, head
    return config.layers - 1, 0  # type: ignore[union-attr]


def copy_unknown(
    output: tuple[str, ...],
    alignment: AttentionCapture | None,
    typed: tuple[str, ...],
    head: tuple[int, int] | None,
    unknown_at: Collection[int] | None = None,
) -> tuple[tuple[str, ...], dict[int, int]]:
    """Every <unk> of `output` replaced through the attention of `alignment` (its `head`; see `copy_rows`).

    Without attention (the fixed-context model) nothing is copied.
    """
    if alignment is None or UNK not in output:
        return output, {}
    return copy_rows(output, alignment.head(*(head or (0, 0))), typed, unknown_at)


def copy_rows(
    output: Sequence[str], weights: np.ndarray, typed: Sequence[str], unknown_at: Collection[int] | None = None
) -> tuple[tuple[str, ...], dict[int, int]]:
    """Every <unk> of `output` replaced by the typed source word its attention row (weights: output × source)
    weighs most (Luong et al. 2015), among the source positions the model could not read (`unknown_at`; None:
    every typed word).

    An <unk> in the output stands for a word the model could not write; the word to copy is one it could not read.
    Without that restriction a row that leans on the word next to a name copies that word ("le chat de sleeps").
    Returns the new output and {output position: source position}. A row whose largest weight falls on </s> (past
    the typed words), a row with no weight on any candidate, or no candidate at all keeps its <unk>.
    """
    candidates = sorted(i for i in (range(len(typed)) if unknown_at is None else unknown_at) if 0 <= i < len(typed))
    if not candidates:
        return tuple(output), {}
    out, copied = list(output), {}
    for t, token in enumerate(output):
        if token != UNK or t >= weights.shape[0] or int(weights[t].argmax()) >= len(typed):
            continue
        row = weights[t, candidates]
        if row.max() > 0:
            i = candidates[int(row.argmax())]
            out[t], copied[t] = typed[i], i
    return tuple(out), copied


# a French function word before a word that starts with a vowel sound loses its vowel ("le ami" -> "l'ami").
# "du" and "au" would open up to two words ("de l'ami"), which a one-token-per-step output cannot show: left alone
ELIDED = {
    "le": "l'",
    "la": "l'",
    "de": "d'",
    "que": "qu'",
    "je": "j'",
    "ne": "n'",
    "me": "m'",
    "te": "t'",
    "se": "s'",
}
_VOWELS = frozenset("aeiouàâäéèêëîïôöùûüœæ")


def _vowel_sound(word: str) -> bool:
    """Whether French elides before `word`: a vowel first, or a y before a consonant ("Yves", not "yacht",
    "Yoko"). An h is left out: silent ("l'hôtel") or aspirated ("le héros"), which a name does not say."""
    w = word.lower()
    if w[:1] == "y":
        return len(w) > 1 and w[1].isalpha() and w[1] not in _VOWELS and w[1] != "y"
    return w[:1] in _VOWELS


def elide_before_copies(output: Sequence[str], copied: Collection[int]) -> tuple[tuple[str, ...], dict[int, str]]:
    """The word before each copied word that starts with a vowel sound, elided as French writes it ("de Alice"
    -> "d' Alice", "la umpire" -> "l' umpire"): the model wrote it for the <unk> it emitted, whose sound it
    could not know. An h is left alone (see `_vowel_sound`), and so is a copy after a copy.

    Returns the new output and {position: the word the model wrote there}.
    """
    out, elided = list(output), {}
    for t in sorted(copied):
        if 0 < t < len(out) and _vowel_sound(out[t]) and t - 1 not in copied and out[t - 1] in ELIDED:
            elided[t - 1] = out[t - 1]
            out[t - 1] = ELIDED[out[t - 1]]
    return tuple(out), elided


def translate(translator: Translator, text: str, beam: int = 1) -> Translation:
    """Greedy (beam 1) or beam-search translation of `text`, then its attentions read on that output.

    The text is normalised as people type it (see models.core.text.normalize); every <unk> the decoder
    emits is replaced by the source word its attention points to.
    """
    normalized = normalize(text)
    tokens = list(normalized.tokens)
    _check_length(tokens)
    unknown = unknown_words(translator.src, tokens)
    src_ids = [*translator.src.encode(tokens), translator.src.eos_id]
    tgt = translator.tgt
    limit = 2 * len(src_ids) + OUTPUT_SLACK
    # both translators keep the attentions they compute while decoding, so greedy's output needs no second pass
    hypotheses = beam_search(
        translator.model, src_ids, beam, sos_id=tgt.sos_id, eos_id=tgt.eos_id, max_len=limit, record=True
    )
    best: Hypothesis = hypotheses[0]
    source = (*tokens, EOS)
    raw = tuple(tgt.decode([*best.ids, tgt.eos_id] if best.ended else best.ids))
    src, _, tgt_in = _inputs(translator, source, raw)
    forced = Forced(src, tgt_in, source, raw, translator.name)
    if isinstance(translator.model, Seq2Seq):
        captures, arrays = rnn_capture.translation_captures(translator.model, forced, best.final)
    else:
        captures, arrays = transformer_capture.translation_captures(translator.model, forced, best.final)
    head = copy_head(translator)
    alignment = captures.get("alignment") or captures.get("cross")
    unknown_at = [i for i, token in enumerate(tokens) if token in unknown]
    output, copied = copy_unknown(raw, alignment, normalized.typed, head, unknown_at)
    output, elided = elide_before_copies(output, copied)
    if copied:  # the captures label their rows with the words shown, copies included
        captures = {name: _relabel(c, raw, output) for name, c in captures.items()}
    return Translation(
        source=source,
        output=output,
        captures=captures,
        arrays=arrays,
        unknown=unknown,
        model=translator.name,
        family=translator.family,
        beam=beam,
        hypotheses=tuple((tuple(tgt.decode(h.ids)), h.score) for h in hypotheses),
        notes=normalized.notes,
        copied=copied,
        elided=elided,
        copy_attention=("α" if head is None else f"cross-attention layer {head[0]}, head {head[1]}")
        if alignment is not None
        else "",
        copy_head=head,
        typed_source=normalized.typed,
    )


def _relabel(capture: AttentionCapture, raw: tuple[str, ...], output: tuple[str, ...]) -> AttentionCapture:
    """The capture with `raw` output tokens replaced by `output` on whichever axis shows them."""
    from dataclasses import replace

    if capture.query_tokens == raw:
        return replace(capture, query_tokens=output)
    decoder_inputs = (capture.query_tokens[0], *raw[:-1])
    if capture.query_tokens == decoder_inputs and capture.key_tokens == decoder_inputs:
        shown = (capture.query_tokens[0], *output[:-1])
        return replace(capture, query_tokens=shown, key_tokens=shown)
    return capture


def _inputs(
    translator: Translator, source: tuple[str, ...], output: tuple[str, ...]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """src (1, S), its length (1,) and the decoder inputs (1, T) that make `output` under teacher forcing.

    The decoder input at step t is y_(t-1): <s> then the output without its last token, so the step that
    chose </s> has its own row.
    """
    src_ids = translator.src.encode(source)
    out_ids = translator.tgt.encode(output)
    return (
        torch.tensor([src_ids]),
        torch.tensor([len(src_ids)]),
        torch.tensor([[translator.tgt.sos_id, *out_ids[:-1]]]),
    )


def model_inputs(translator: Translator, translation: Translation) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The tensors that reproduce `translation` with teacher forcing: src, src_len, tgt_in (copies read as <unk>,
    elided words as the model wrote them)."""
    emitted = tuple(
        UNK if t in translation.copied else translation.elided.get(t, tok) for t, tok in enumerate(translation.output)
    )
    return _inputs(translator, translation.source, emitted)


def load_test_sentences(path: Path = WEIGHTS / "test_sentences.jsonl") -> dict[tuple[str, ...], dict]:
    """The held-out sentences the translators never trained on, keyed by English tokens ({} if absent)."""
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return {tuple(r["en"]): r for r in rows}
