"""Every kind of Transformer from a local directory: captures equal Hugging Face's own, scores are recomputed
from the model's projections (rotary, grouped-query), and models that do not fit are refused with a reason."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file
from transformers import GenerationConfig

from attention_explorer.models.core.capture import AttentionKind
from attention_explorer.models.pretrained import capture, scores
from attention_explorer.models.pretrained.loading import (
    MAX_PARAMETERS_VARIABLE,
    Family,
    ModelLoadError,
    load_pretrained,
    max_parameters,
    model_fingerprint,
    model_summary,
)
from tests.tiny_models import DECODERS, ENCODER_DECODERS, ENCODERS, SENTENCE

BUDGET = 6


def ids_of(bundle, text=SENTENCE):
    return bundle.tokenizer(text, return_tensors="pt")["input_ids"]


def names(bundle, ids):
    return tuple(bundle.tokenizer.convert_ids_to_tokens(list(ids)))


def hf_greedy(bundle, ids, n=BUDGET):
    """Hugging Face's own greedy search: plain argmax, padding never emitted (as the app documents)."""
    c = bundle.config
    config = GenerationConfig(
        do_sample=False,
        num_beams=1,
        max_new_tokens=n,
        eos_token_id=c.eos_token_id,
        pad_token_id=c.pad_token_id,
        decoder_start_token_id=getattr(c, "decoder_start_token_id", None),
        bad_words_ids=[[c.pad_token_id]],
    )
    with torch.inference_mode():
        return bundle.model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), generation_config=config)[0]


def stacked(attentions):
    return torch.stack([a[0] for a in attentions]).numpy()


@pytest.mark.parametrize("family", ENCODERS)
def test_encoder_capture_is_hugging_faces_own(family, tiny_family):
    bundle = tiny_family(family)
    run = capture.run(bundle, SENTENCE)
    ids = ids_of(bundle)
    with torch.inference_mode():
        out = bundle.model(input_ids=ids, attention_mask=torch.ones_like(ids), output_attentions=True)
    assert bundle.family is Family.ENCODER and list(run.captures) == ["encoder"] and run.steps == ()
    cap = run.capture
    np.testing.assert_allclose(cap.weights, stacked(out.attentions), atol=1e-6, rtol=0)
    assert cap.query_tokens == names(bundle, ids[0]) and cap.kind is AttentionKind.SELF
    assert cap.attn_implementation == "eager"


@pytest.mark.parametrize("family", DECODERS)
def test_decoder_generates_greedily_and_captures_causal_attention(family, tiny_family):
    bundle = tiny_family(family)
    run = capture.run(bundle, SENTENCE, BUDGET)
    prompt = ids_of(bundle)
    full = hf_greedy(bundle, prompt)
    n_prompt = prompt.shape[1]
    assert bundle.family is Family.DECODER and list(run.captures) == ["decoder"]
    assert run.prompt_length == n_prompt and len(run.steps) == len(full) - n_prompt
    cap = run.capture
    assert cap.kind is AttentionKind.CAUSAL_SELF and cap.query_tokens == names(bundle, full)
    assert [s.token for s in run.steps] == list(names(bundle, full[n_prompt:]))
    with torch.inference_mode():
        out = bundle.model(input_ids=full[None], output_attentions=True)
    np.testing.assert_allclose(cap.weights, stacked(out.attentions), atol=1e-6, rtol=0)
    # each step: the probability the model gave the chosen token, from the row before it (padding banned)
    logits = out.logits[0].clone()
    logits[:, bundle.config.pad_token_id] = float("-inf")
    probs = torch.softmax(logits, -1).numpy()
    for i, step in enumerate(run.steps):
        row = probs[n_prompt + i - 1]
        assert step.probability == pytest.approx(row[full[n_prompt + i]], abs=1e-5)
        best = np.sort(row)[::-1][: len(step.alternatives)]
        np.testing.assert_allclose([p for _, p in step.alternatives], best, atol=1e-5)
        assert step.alternatives[0][0] == step.token


@pytest.mark.parametrize("family", DECODERS)
def test_generated_tokens_do_not_change_the_prompts_attention(family, tiny_family):
    """Causal: what the prompt's tokens attend to is the same whether or not tokens follow them."""
    bundle = tiny_family(family)
    short, long = capture.run(bundle, SENTENCE, 1).capture, capture.run(bundle, SENTENCE, BUDGET).capture
    n = len(short.query_tokens)
    assert len(long.query_tokens) > n
    np.testing.assert_allclose(long.weights[:, :, :n, :n], short.weights, atol=1e-6)
    np.testing.assert_allclose(capture.prefix(long, n).weights, short.weights, atol=1e-6)


def test_generation_stops_at_the_end_token(tiny_family_dir, tmp_path):
    """A model whose end-of-text token is the one it picks first stops after one step."""
    folder = tmp_path / "stops"
    shutil.copytree(tiny_family_dir("gpt2"), folder)
    bundle = load_pretrained(folder)
    first = capture.run(bundle, SENTENCE, 1).steps[0].token
    first_id = bundle.tokenizer.convert_tokens_to_ids(first)
    bundle.model.generation_config.eos_token_id = first_id  # a private copy of the model
    bundle.model.config.eos_token_id = first_id
    run = capture.run(bundle, SENTENCE, BUDGET)
    assert [s.token for s in run.steps] == [first]


@pytest.mark.parametrize("family", ENCODER_DECODERS)
def test_encoder_decoder_captures_all_three_attentions(family, tiny_family):
    bundle = tiny_family(family)
    run = capture.run(bundle, SENTENCE, BUDGET)
    source = ids_of(bundle)
    generated = hf_greedy(bundle, source)  # decoder start token, then the output
    assert bundle.family is Family.ENCODER_DECODER and list(run.captures) == ["encoder", "decoder", "cross"]
    assert [s.token for s in run.steps] == list(names(bundle, generated[1:]))
    with torch.inference_mode():
        out = bundle.model(input_ids=source, decoder_input_ids=generated[None, :-1], output_attentions=True)
    enc, dec, cross = (run.captures[k] for k in ("encoder", "decoder", "cross"))
    np.testing.assert_allclose(enc.weights, stacked(out.encoder_attentions), atol=1e-6, rtol=0)
    np.testing.assert_allclose(dec.weights, stacked(out.decoder_attentions), atol=1e-6, rtol=0)
    np.testing.assert_allclose(cross.weights, stacked(out.cross_attentions), atol=1e-6, rtol=0)
    assert enc.query_tokens == names(bundle, source[0]) == cross.key_tokens
    assert dec.query_tokens == names(bundle, generated[:-1])  # the decoder reads the start token and its output
    assert cross.query_tokens == names(bundle, generated[1:])  # each cross row is labelled by the token it emits
    assert (enc.kind, dec.kind, cross.kind) == (AttentionKind.SELF, AttentionKind.CAUSAL_SELF, AttentionKind.CROSS)
    assert run.generated_text == bundle.tokenizer.decode(generated[1:], skip_special_tokens=True)


def hf_rows(bundle, run, part):
    """Hugging Face's attention for the run's own tokens, asked directly: [layer, head, query, key]."""
    with torch.inference_mode():
        if bundle.family is Family.ENCODER_DECODER:
            source = ids_of(bundle)
            dec = torch.tensor([bundle.tokenizer.convert_tokens_to_ids(list(run.captures["decoder"].query_tokens))])
            out = bundle.model(input_ids=source, decoder_input_ids=dec, output_attentions=True)
            return stacked(
                {"encoder": out.encoder_attentions, "decoder": out.decoder_attentions}.get(part) or out.cross_attentions
            )
        ids = torch.tensor([bundle.tokenizer.convert_tokens_to_ids(list(run.capture.query_tokens))])
        return stacked(bundle.model(input_ids=ids, output_attentions=True).attentions)


SCORABLE = [
    *((f, "encoder") for f in ENCODERS),
    *((f, "decoder") for f in DECODERS),
    *((f, part) for f in ("bart", "marian") for part in ("encoder", "decoder", "cross")),
]


@pytest.mark.parametrize("family, part", SCORABLE)
def test_score_breakdown_reproduces_hugging_faces_row(family, part, tiny_family):
    bundle = tiny_family(family)
    run = capture.run(bundle, SENTENCE, BUDGET)
    cap = run.captures[part]
    expected = hf_rows(bundle, run, part)
    last_query = len(cap.query_tokens) - 1
    spread = []
    for layer, head, query in [(0, 0, 1), (cap.num_layers - 1, cap.num_heads - 1, last_query), (1, 1, last_query // 2)]:
        s = scores.head_scores(bundle, run, part, layer, head, query)
        visible = query + 1 if cap.kind is AttentionKind.CAUSAL_SELF else len(cap.key_tokens)
        b = s.breakdown
        assert len(b.weights) == visible and b.tokens == cap.key_tokens[:visible]
        np.testing.assert_allclose(b.weights, expected[layer, head, query, :visible], atol=1e-5, rtol=0)
        np.testing.assert_allclose(b.scaled, b.dot / np.sqrt(b.d_head), rtol=1e-9)
        assert s.query_token == cap.query_tokens[query]
        spread.append(np.ptp(b.weights))
    assert max(spread) > 0.05  # peaked rows, not uniform ones that any scores would reproduce


def rope(x, positions, theta):
    """Rotary positions written out: pairs (i, i + d/2) rotated by position × theta^(−2i/d)."""
    d = x.shape[-1]
    inv = 1.0 / theta ** (torch.arange(0, d, 2, dtype=torch.float64) / d)
    angles = positions[:, None].double() * inv[None]  # (T, d/2)
    cos, sin = torch.cat([angles.cos()] * 2, -1), torch.cat([angles.sin()] * 2, -1)
    half = torch.cat([-x[..., d // 2 :], x[..., : d // 2]], -1)
    return x * cos + half * sin


@pytest.mark.parametrize("family", ["llama", "qwen3", "mistral"])
def test_rotary_scores_use_rotated_q_and_k_and_shared_key_heads(family, tiny_family):
    """q·k recomputed independently: q and k taken by hooks inside the model, rotated here by hand."""
    bundle = tiny_family(family)
    run = capture.run(bundle, SENTENCE, BUDGET)
    c = bundle.config
    n_heads, n_kv = c.num_attention_heads, c.num_key_value_heads
    assert n_kv < n_heads and run.capture.num_heads == n_heads  # grouped-query: one capture row per query head
    assert model_summary(bundle)["key/value heads (grouped-query attention)"] == n_kv
    layer = 1
    attn = bundle.model.model.layers[layer].self_attn
    grabbed = {}
    q_mod, k_mod = (attn.q_norm, attn.k_norm) if hasattr(attn, "q_norm") else (attn.q_proj, attn.k_proj)
    hooks = [
        q_mod.register_forward_hook(lambda m, i, o: grabbed.__setitem__("q", o)),
        k_mod.register_forward_hook(lambda m, i, o: grabbed.__setitem__("k", o)),
    ]
    try:
        ids = torch.tensor([bundle.tokenizer.convert_tokens_to_ids(list(run.capture.query_tokens))])
        with torch.inference_mode():
            bundle.model(input_ids=ids)
    finally:
        for h in hooks:
            h.remove()
    d = attn.head_dim
    t = ids.shape[1]
    q = grabbed["q"].reshape(t, n_heads, d).double()  # (T, head, d) whether the hook saw (T, H·d) or (1, T, H, d)
    k = grabbed["k"].reshape(t, n_kv, d).double()
    positions = torch.arange(t)
    theta = c.rope_parameters["rope_theta"]
    for head in range(n_heads):
        kv = head // (n_heads // n_kv)
        query = t - 1
        qr = rope(q[:, head], positions, theta)[query]
        kr = rope(k[:, kv], positions, theta)
        s = scores.head_scores(bundle, run, "decoder", layer, head, query)
        np.testing.assert_allclose(s.breakdown.dot, (kr @ qr).numpy(), atol=1e-5)
        assert f"query head {head} reads key head {kv}" in s.notes
        unrotated = (k[:, kv] @ q[query, head]).numpy()
        assert np.abs(unrotated - s.breakdown.dot).max() > 1e-2  # the rotation changes the scores


def test_scores_that_cannot_be_recomputed_say_so(tiny_family, monkeypatch):
    t5 = tiny_family("t5")
    run = capture.run(t5, SENTENCE, 3)
    for part in ("encoder", "decoder", "cross"):
        with pytest.raises(scores.ScoreUnavailable, match="relative-position bias"):
            scores.head_scores(t5, run, part, 0, 0, 0)
    mistral = tiny_family("mistral")  # sliding window of 48 tokens
    long_run = capture.run(mistral, "the cat sat . " * 14, 1)
    assert len(long_run.capture.query_tokens) > 48
    with pytest.raises(scores.ScoreUnavailable, match="sliding window"):
        scores.head_scores(mistral, long_run, "decoder", 0, 0, 50)
    # an architecture whose scores differ from what this module computes is caught by the comparison
    gpt = tiny_family("gpt2")
    gpt_run = capture.run(gpt, SENTENCE, 2)
    monkeypatch.setattr(scores, "_scaling", lambda attn, d: 0.5 * d**-0.5)
    with pytest.raises(scores.ScoreUnavailable, match="does not know"):
        scores.head_scores(gpt, gpt_run, "decoder", 0, 0, 5)


def test_long_prompts_are_cut_to_fit_the_positions(tiny_family):
    bundle = tiny_family("gpt2")  # 64 positions
    run = capture.run(bundle, "the cat sat on the mat . " * 20, BUDGET)
    assert len(run.capture.query_tokens) <= 64
    assert run.capture.truncated_from == 140 + 1  # 140 words and the start token
    assert run.prompt_length == 64 - BUDGET


# ---- models that do not fit ---------------------------------------------------------------------------------------


def copy_model(source, target, skip=()):
    target.mkdir()
    for f in source.iterdir():
        if f.name not in skip:
            shutil.copy(f, target / f.name)
    return target


def test_a_directory_without_tokenizer_files_is_refused(tiny_family_dir, tmp_path):
    folder = copy_model(tiny_family_dir("bert"), tmp_path / "m", skip={"tokenizer.json", "tokenizer_config.json"})
    with pytest.raises(ModelLoadError, match="no tokenizer files"):
        load_pretrained(folder)


def test_weights_that_are_partial_or_foreign_are_refused(tiny_family_dir, tmp_path):
    source = tiny_family_dir("llama")
    tensors = load_file(source / "model.safetensors")
    partial = copy_model(source, tmp_path / "partial")
    save_file({k: v for k, v in tensors.items() if ".layers.1." not in k}, partial / "model.safetensors")
    with pytest.raises(ModelLoadError, match="only part of this model"):
        load_pretrained(partial)
    extra = copy_model(source, tmp_path / "extra")
    copies = {k.replace(".layers.1.", ".layers.2."): v.clone() for k, v in tensors.items() if ".layers.1." in k}
    more = {**tensors, **copies}
    save_file(more, extra / "model.safetensors")
    with pytest.raises(ModelLoadError, match="do not match its config"):
        load_pretrained(extra)


def test_a_checkpoint_with_a_task_head_loads_its_encoder(tmp_path):
    """bert-base-uncased ships its pretraining heads (cls.*): those are not the encoder's, and not an error."""
    from transformers import BertConfig, BertForMaskedLM, PreTrainedTokenizerFast

    from tests.tiny_models import BERT_SPECIALS, BERT_TOKENS, _around, word_level_tokenizer

    tok, vocab = word_level_tokenizer(BERT_SPECIALS, "[UNK]", _around("[CLS]", "[SEP]"))
    config = BertConfig(
        vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64
    )
    BertForMaskedLM(config).save_pretrained(tmp_path)
    PreTrainedTokenizerFast(tokenizer_object=tok, **BERT_TOKENS).save_pretrained(tmp_path)
    assert any(k.startswith("cls.") for k in load_file(tmp_path / "model.safetensors"))
    bundle = load_pretrained(tmp_path)
    assert bundle.family is Family.ENCODER and capture.capture(bundle, SENTENCE).num_heads == 2


def save_odd(kind, folder):
    import transformers as T

    from tests.tiny_models import GEN_SPECIALS, GEN_TOKENS, _save, word_level_tokenizer

    tok, v = word_level_tokenizer(GEN_SPECIALS, "<unk>")
    make = {
        "vit": lambda: T.ViTModel(
            T.ViTConfig(
                hidden_size=32,
                num_hidden_layers=1,
                num_attention_heads=2,
                intermediate_size=32,
                image_size=16,
                patch_size=8,
            )
        ),
        "whisper": lambda: T.WhisperForConditionalGeneration(
            T.WhisperConfig(
                vocab_size=len(v),
                d_model=32,
                encoder_layers=1,
                decoder_layers=1,
                encoder_attention_heads=2,
                decoder_attention_heads=2,
                encoder_ffn_dim=32,
                decoder_ffn_dim=32,
                max_source_positions=16,
                max_target_positions=16,
                num_mel_bins=8,
                pad_token_id=0,
                decoder_start_token_id=2,
            )
        ),
        "mamba": lambda: T.MambaForCausalLM(
            T.MambaConfig(vocab_size=len(v), hidden_size=32, num_hidden_layers=2, state_size=4)
        ),
    }
    return _save(folder, make[kind](), tok, **GEN_TOKENS)


@pytest.mark.parametrize(
    "kind, message",
    [("vit", "vision model"), ("whisper", "audio model"), ("mamba", "returns no attention weights")],
)
def test_models_that_read_no_text_or_have_no_attention_are_refused(kind, message, tmp_path):
    with pytest.raises(ModelLoadError, match=message):
        load_pretrained(save_odd(kind, tmp_path / kind))


def test_models_over_the_size_limit_are_refused(tiny_family_dir, monkeypatch):
    folder = tiny_family_dir("bert")
    n = sum(v.numel() for v in load_file(folder / "model.safetensors").values())
    with pytest.raises(ModelLoadError, match=f"at most 0 M.*{MAX_PARAMETERS_VARIABLE}"):
        load_pretrained(folder, max_params=n - 1)
    assert load_pretrained(folder, max_params=n).num_layers == 2
    monkeypatch.setenv(MAX_PARAMETERS_VARIABLE, str(n - 1))
    assert max_parameters() == n - 1
    with pytest.raises(ModelLoadError, match="parameters"):
        load_pretrained(folder)


def test_messages_show_the_path_as_typed_never_the_servers_folders(tiny_family_dir, tmp_path, monkeypatch):
    copy_model(tiny_family_dir("bert"), tmp_path / "typed", skip={"tokenizer.json", "tokenizer_config.json"})
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelLoadError) as info:
        load_pretrained("typed")
    assert "typed" in str(info.value) and str(tmp_path) not in str(info.value)
    (tmp_path / "typed" / "config.json").write_text("{not json", encoding="utf-8")
    shutil.copy(tiny_family_dir("bert") / "tokenizer.json", tmp_path / "typed")
    with pytest.raises(ModelLoadError, match=r"config\.json") as info:
        load_pretrained("typed")
    assert str(tmp_path) not in str(info.value)
    with pytest.raises(ModelLoadError) as info:
        load_pretrained(tmp_path / "nowhere", display="my model")
    assert str(info.value).startswith("No such directory: my model.") and str(tmp_path) not in str(info.value)


def test_the_fingerprint_changes_when_a_file_is_rewritten(tiny_family_dir, tmp_path):
    folder = copy_model(tiny_family_dir("bert"), tmp_path / "m")
    before = model_fingerprint(folder)
    assert {name for name, *_ in before} >= {"config.json", "model.safetensors", "tokenizer.json"}
    config = folder / "config.json"
    stat = config.stat()
    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert model_fingerprint(folder) != before
    assert model_fingerprint(tmp_path / "missing") == ()


def test_export_command_writes_any_part_of_an_encoder_decoder(tiny_family_dir, tiny_family, tmp_path, capsys):
    import json

    from attention_explorer.models.pretrained.command import main as export_main

    out = tmp_path / "cross.json"
    args = [SENTENCE, "-o", str(out), "--model", str(tiny_family_dir("bart")), "--part", "cross", "--generate", "3"]
    assert export_main(args) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    expected = capture.run(tiny_family("bart"), SENTENCE, 3).captures["cross"]
    assert data["kind"] == "cross" and data["query_tokens"] == list(expected.query_tokens)
    np.testing.assert_allclose(np.array(data["weights"]), expected.weights, atol=1e-6)
    bad = [SENTENCE, "-o", str(out), "--model", str(tiny_family_dir("gpt2")), "--part", "cross"]
    assert export_main(bad) == 2 and "no cross attention" in capsys.readouterr().err


def test_a_big_model_gets_fewer_tokens_so_a_capture_stays_bounded(tiny_family, monkeypatch):
    from attention_explorer.models.pretrained import loading

    bundle = tiny_family("bert")  # 2 layers × 4 heads, 64 positions
    assert bundle.max_tokens == 64
    monkeypatch.setattr(loading, "MAX_ATTENTION_WEIGHTS", 2 * 4 * 30 * 30)
    assert bundle.max_tokens == 30
    cap = capture.capture(bundle, "the cat sat on the mat . " * 10)
    assert len(cap.query_tokens) == 30 and cap.truncated_from == 72
    assert cap.weights.size <= 2 * 4 * 30 * 30


def test_pages_reuse_a_fingerprint_for_two_seconds_then_list_the_folder_again(tiny_family_dir, tmp_path, monkeypatch):
    from attention_explorer.pages.shared import cache

    clock = [100.0]
    monkeypatch.setattr(cache, "_clock", lambda: clock[0])
    folder = copy_model(tiny_family_dir("bert"), tmp_path / "m")
    before = cache.fingerprint(folder)
    config = folder / "config.json"
    stat = config.stat()
    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    clock[0] += 1.0
    assert cache.fingerprint(folder) == before  # within the window: not listed again
    clock[0] += cache.FINGERPRINT_SECONDS
    assert cache.fingerprint(folder) == model_fingerprint(folder) != before
