"""Widgets several pages use in the same way."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from attention_explorer.models.core.vocab import EOS, UNK
from attention_explorer.pages.shared import state


def json_download(label: str, payload: Callable[[], object], file_name: str) -> None:
    """A download button whose JSON is built only when clicked (not on every rerun)."""
    st.download_button(
        label,
        data=lambda: json.dumps(payload(), ensure_ascii=False),
        file_name=file_name,
        mime="application/json",
        on_click="ignore",
    )


MEASURES = {"bleu": "BLEU", "chrf": "chrF", "unknown_share": "share of words unknown"}


def figures_table(where: Any, columns: dict[str, dict[str, Any]]) -> None:
    """Test-set figures as a Markdown table: a column per model, a row per measure (numbers only; lists and
    tables inside the figures are left out). Text, not a dataframe: a few fixed numbers do not need the
    widget, which costs a twentieth of a page run to build."""

    def cell(value: Any) -> str:
        if isinstance(value, bool) or value is None:
            return "—"
        if isinstance(value, int):
            return f"{value:,}"
        return str(round(value, 4))

    scalar = {
        name: {k: v for k, v in figures.items() if isinstance(v, int | float)} for name, figures in columns.items()
    }
    measures = list(dict.fromkeys(k for figures in scalar.values() for k in figures))
    lines = ["| | " + " | ".join(scalar) + " |", "|:--|" + "--:|" * len(scalar)]
    lines += [
        f"| {MEASURES.get(m, m.replace('_', ' '))} | "
        + " | ".join(cell(figures.get(m)) for figures in scalar.values())
        + " |"
        for m in measures
    ]
    where.markdown("\n".join(lines))


# Plotly's camera button saves a slide-ready PNG: 1600 px wide at 2× (Plotly draws it in the browser), or an SVG
# of the same size (the sidebar's "Figure downloads"; an SVG has no scale).
IMAGE_EXPORT = {"format": "png", "width": 1600, "height": 900, "scale": 2}


def chart(where: Any, fig: go.Figure, *, key: str, config: dict | None = None, **kwargs: Any) -> Any:
    """Draw a Plotly figure in `where` (st, a column, a container) with the app's chart settings.

    Every chart goes through here, so export size and format and projector mode are set in one place.
    """
    from attention_explorer.pages.shared.setup import figure_format, projector
    from attention_explorer.viz.style import for_projector

    if projector():
        fig = for_projector(fig)
    image = {**IMAGE_EXPORT, "format": figure_format(), "filename": key}
    settings = {"toImageButtonOptions": image, "displaylogo": False, **(config or {})}
    return where.plotly_chart(fig, key=key, config=settings, **kwargs)


TRANSLATOR_CHARS = 2_000  # the translators read at most 60 tokens; this bounds their tokenizer's work


def sentence_box(field: state.Field, label: str, limit: int, **kwargs: Any) -> str:
    """The page's sentence box (kept in the link). Longer text is accepted and cut to `limit` with a notice."""
    text = state.bound(field, st.text_input, label, **kwargs)
    if len(text) > limit:
        st.warning(f"The text was {len(text):,} characters; the first {limit:,} are used.")
        return text[:limit]
    return text


def open_clicked_head(grid_key: str, layer_key: str, head_key: str, n_heads: int) -> None:
    """on_select callback of an all-heads grid: the clicked tile's layer and head go into the two menus.

    A module function with arguments, not a closure in the page: Streamlit keeps each run's callback, and a
    closure would keep that run's whole page (its capture: 75 MB at 512 tokens) alive with it.
    """
    from attention_explorer.viz.heatmap import grid_head

    points = st.session_state[grid_key].selection.points
    if points:
        layer, head = grid_head(points[0]["point_index"], n_heads)
        st.session_state[layer_key], st.session_state[head_key] = layer, head


def open_table_head(table_key: str, layer_key: str, head_key: str, n_heads: int) -> None:
    """on_select callback of a per-head table (one row per head, layer by layer): the chosen row's head opens."""
    rows = st.session_state[table_key].selection.rows
    if rows:
        st.session_state[layer_key], st.session_state[head_key] = divmod(int(rows[0]), n_heads)


def reading(where: Any, result: Any) -> None:
    """Under a translation: the tokens the model read, what normalisation changed, the words it copied.

    result: a models.translation.translator.Translation (not imported here: widgets stay free of torch).
    """
    from attention_explorer.viz.text import literal, quoted

    shown = " · ".join(literal(t, 40) for t in result.source)
    where.caption(f"The model reads: {shown}")
    if result.notes:
        where.caption("As typed, then: " + "; ".join(literal(n, 120) for n in result.notes) + ".")
    if result.copied:
        typed = result.typed_source or result.source
        pairs = ", ".join(
            f"{quoted(result.output[t], 40)} ← {quoted(typed[i], 40)}" for t, i in sorted(result.copied.items())
        )
        elided = ", ".join(
            f"{quoted(word, 20)} → {quoted(result.output[t], 20)}" for t, word in sorted(result.elided.items())
        )
        where.caption(
            f"Unknown words copied where {literal(result.copy_attention)} points (of the words the model could not "
            f"read, the one it weighs most): {pairs}."
            + (f" Elided before a copy that starts with a vowel, as French writes it: {elided}." if elided else "")
        )
    kept = sum(token == UNK for token in result.output)
    if kept:
        if result.alignment is None:
            why = "a model without attention has no alignment to copy through"
        elif not result.unknown:
            why = "every English word is one it knows, so there is no unknown word to copy"
        else:
            why = f"its attention there weighs the end of the sentence ({literal(EOS)}) most, not an unknown word"
        where.caption(
            f"{literal(UNK)} left in the output{f' ({kept} times)' if kept > 1 else ''}: the model writes it "
            f"for a word it cannot write, and here {why}."
        )


def beam_candidates(where: Any, result: Any) -> None:
    """Under a beam-search translation: the beam's best candidates with their mean log-probability per word."""
    from attention_explorer.viz.text import literal

    if result.beam > 1 and len(result.hypotheses) > 1:
        with where.expander(f"The beam's {len(result.hypotheses)} best candidates"):
            st.dataframe(
                {
                    "candidate": [" ".join(words) for words, _ in result.hypotheses],
                    "mean log-probability per word": [round(score, 4) for _, score in result.hypotheses],
                },
                hide_index=True,
            )
            st.caption(
                f"As the model wrote them, before any unknown word is copied in for its {literal(UNK)} and the "
                "word before it elided: the beam ranks the model's own words. The best is the one shown above."
            )


def compare_link(
    where: Any,
    a_model: str,
    text: str,
    layer: int,
    head: int,
    n_heads: int,
    b_model: str = "",
    beam: int = 1,
) -> None:
    """A link that opens the Compare page with this view as A and, as B, the next head (or `b_model`'s same head).

    The model names are the Compare page's menu entries (pages/compare.py MODELS). beam: the width of the
    translator's decoding this view shows, for A (and for B when B is the same translator).
    """
    from attention_explorer.pages.shared.state import MAX_TEXT_IN_LINK

    sentence = text[:MAX_TEXT_IN_LINK]
    where.page_link(
        "pages/compare.py",
        label="Compare this view with another head, sentence or model",
        icon="↔️",
        query_params={
            "a_model": a_model,
            "a_text": sentence,
            "a_layer": str(layer),
            "a_head": str(head),
            "b_model": b_model or a_model,
            "b_text": sentence,
            "b_layer": str(layer),
            "b_head": str(head if b_model else (head + 1) % n_heads),
            **({"a_beam": str(beam)} if beam > 1 else {}),
            **({"b_beam": str(beam)} if beam > 1 and not b_model else {}),
        },
    )


def rollout_pair(capture: Any, layer: int, raw_key: str, rollout_key: str, name: str = "") -> None:
    """Raw attention (the layer's mean of heads) next to rollout through that layer, for self-attention.

    capture: a square AttentionCapture; name: what to call the layers in the titles ("encoder " or "").
    Rollout is computed through `layer` only: the layers above it do not change it.
    """
    from attention_explorer.pages.shared import cache

    left, right = st.columns(2)
    chart(left, cache.figure(capture, raw_mean_figure, layer, name), key=raw_key)
    chart(right, cache.figure(capture, rollout_figure, layer, name), key=rollout_key)


def raw_mean_figure(capture: Any, layer: int, name: str) -> go.Figure:
    from attention_explorer.viz import heatmap

    mean = capture.weights[layer].mean(0)
    title = f"{name}layer {layer}: raw, mean of heads"
    return heatmap.matrix_heatmap(mean, capture.query_tokens, capture.key_tokens, title=title)


def rollout_figure(capture: Any, layer: int, name: str) -> go.Figure:
    from attention_explorer.models.core.analysis import attention_rollout
    from attention_explorer.viz import heatmap

    rolled = attention_rollout(capture.weights[: layer + 1])[-1]
    title = f"rollout through {name}layers 0–{layer}"
    return heatmap.matrix_heatmap(rolled, capture.query_tokens, capture.key_tokens, title=title)
