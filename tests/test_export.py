"""Downloads: sizes known before building, files that read back, a limit on size, figures as PNG or SVG."""

import io
import json
import re
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from attention_explorer.models.core import export
from attention_explorer.models.core.capture import AttentionCapture, AttentionKind

APP = str(Path(__file__).resolve().parent.parent / "app.py")
# tokens a writer could get wrong: quoting, multi-byte UTF-8, empty, "nan" (pandas reads it as NaN), a newline
AWKWARD = ["[CLS]", "a,b", 'say "hi"', "é", "😀", "", "nan", " sp ", "line\nbreak", "Ünïcödé"]


def softmax_rows(shape, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape) * 4  # peaked rows: weights from ~1e-6 to ~1
    e = np.exp(x - x.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


def tokens(n, prefix=""):
    return [prefix + AWKWARD[i % len(AWKWARD)] + str(i) * (i % 3) for i in range(n)]


def small():
    return AttentionCapture(tokens(9), tokens(9), softmax_rows((2, 3, 9, 9)), AttentionKind.SELF, "small")


def causal():
    """Exact zeros above the diagonal, written as -0.0: a writer that printed "-0.000000" would be a byte longer."""
    lower = np.tril(np.ones((7, 7), dtype=np.float32))
    w = np.broadcast_to(lower / lower.sum(-1, keepdims=True), (2, 2, 7, 7))
    w = np.where(w == 0, np.float32(-0.0), w)
    return AttentionCapture(tokens(7), tokens(7), w, AttentionKind.CAUSAL_SELF, "causal", meta={"note": "ü"})


def medium():
    return AttentionCapture(
        tokens(60, "out "), tokens(99), softmax_rows((3, 4, 60, 99), seed=1), AttentionKind.CROSS, "medium", 120
    )


CAPTURES = {"small": small, "causal": causal, "medium (cross, 71k weights)": medium}


def forms(cap):
    """(name, size worked out beforehand, the file as bytes) for every form a page can offer."""
    return [
        ("all CSV", export.csv_size(cap), export.to_csv(cap).encode()),
        ("one head CSV", export.csv_size(cap, 1, 1), export.to_csv(cap, 1, 1).encode()),
        ("all JSON", export.json_size(cap), export.to_json(cap).encode()),
        ("one layer JSON", export.json_size(cap, layer=1), export.to_json(cap, layer=1).encode()),
        ("float16 NPZ", export.npz_size(cap, "float16"), export.to_npz(cap, "float16")),
        ("uint8 NPZ", export.npz_size(cap, "uint8"), export.to_npz(cap, "uint8")),
    ]


@pytest.mark.parametrize("make", CAPTURES.values(), ids=CAPTURES.keys())
def test_each_size_is_known_before_the_file_is_built(make):
    cap = make()
    for name, estimate, real in forms(cap):
        assert abs(estimate - len(real)) <= 0.1 * len(real), f"{name}: estimated {estimate}, real {len(real)}"
        assert estimate == len(real), f"{name}: every weight has the same width, so the estimate is exact"


def read_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), keep_default_na=False, dtype={"query_token": str, "key_token": str})


@pytest.mark.parametrize("make", CAPTURES.values(), ids=CAPTURES.keys())
def test_csv_reads_back_as_the_capture(make):
    cap = make()
    frame = read_csv(export.to_csv(cap))
    assert list(frame.columns) == list(export.CSV_COLUMNS)
    assert len(frame) == cap.weights.size
    weights = frame["weight"].to_numpy().reshape(cap.weights.shape)  # rows in [layer, head, query, key] order
    np.testing.assert_allclose(weights, cap.weights, atol=5e-7 + 1e-9)
    n_q, n_k = cap.weights.shape[2:]
    assert frame["query_token"][: n_q * n_k : n_k].tolist() == list(cap.query_tokens)
    assert frame["key_token"][:n_k].tolist() == list(cap.key_tokens)
    one = read_csv(export.to_csv(cap, layer=1, head=0))
    assert set(one["layer"]) == {1} and set(one["head"]) == {0}
    np.testing.assert_allclose(one["weight"].to_numpy().reshape(n_q, n_k), cap.weights[1, 0], atol=5e-7 + 1e-9)


@pytest.mark.parametrize("make", CAPTURES.values(), ids=CAPTURES.keys())
def test_json_reads_back_as_the_capture_or_one_layer_of_it(make):
    cap = make()
    data = json.loads(export.to_json(cap))
    assert data.keys() == cap.to_dict().keys()
    back = AttentionCapture.from_dict(data)
    assert (back.query_tokens, back.key_tokens, back.kind, back.meta) == (
        cap.query_tokens,
        cap.key_tokens,
        cap.kind,
        cap.meta,
    )
    np.testing.assert_allclose(back.weights, cap.weights, atol=5e-7 + 1e-9)
    layer = AttentionCapture.from_dict(json.loads(export.to_json(cap, layer=1)))
    assert layer.weights.shape == (1, *cap.weights.shape[1:]) and layer.model == f"{cap.model} layer 1"
    np.testing.assert_allclose(layer.weights[0], cap.weights[1], atol=5e-7 + 1e-9)


@pytest.mark.parametrize("dtype, atol", [("float16", 2.5e-4), ("uint8", 0.5 / 255 + 1e-6)])
@pytest.mark.parametrize("make", CAPTURES.values(), ids=CAPTURES.keys())
def test_npz_reads_back_with_numpy(make, dtype, atol):
    cap = make()
    with np.load(io.BytesIO(export.to_npz(cap, dtype))) as npz:  # no pickles: np.load's default refuses them
        assert npz["weights"].dtype == np.dtype(dtype) and npz["weights"].shape == cap.weights.shape
        np.testing.assert_allclose(npz["weights"] * npz["scale"], cap.weights, atol=atol)
        assert npz["query_tokens"].tolist() == list(cap.query_tokens)
        assert npz["key_tokens"].tolist() == list(cap.key_tokens)
        info = json.loads(str(npz["info"]))
    assert (info["model"], info["kind"], info["meta"]) == (cap.model, cap.kind.value, cap.meta)


def test_downloads_are_built_in_memory_near_their_own_size():
    """The old writers built a pandas frame of every weight: ~6× the CSV's size, 3 GB at 512 tokens."""
    cap = medium()
    offered, _ = export.downloads(cap, 0, 0)
    assert [d.label for d in offered] == ["This head as CSV", "All heads as CSV", "All heads as JSON"]
    for item in offered:
        tracemalloc.start()
        data = item.build()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert len(data) == item.size
        assert peak < 2.5 * len(data) + 1_000_000, f"{item.label}: peak {peak:,} bytes for a {len(data):,}-byte file"


def test_a_long_input_is_offered_in_compact_forms_with_the_reason():
    """512 tokens of a 6-layer × 12-head model: all heads as CSV is ~540 MB; as float16 NPZ ~38 MB."""
    n = 512
    cap = AttentionCapture(["tok"] * n, ["tok"] * n, np.full((6, 12, n, n), 1 / n, np.float32), "self", "MiniLM")
    offered, why = export.downloads(cap, 3, 5)
    assert [d.label for d in offered] == ["This head as CSV", "All heads as float16 NPZ", "Layer 3 as JSON"]
    assert all(d.size <= export.EXPORT_LIMIT for d in offered)
    assert export.csv_size(cap) > 10 * export.EXPORT_LIMIT
    assert why.startswith("Over the 50 MB download limit: “All heads as CSV” (≈ 5")
    assert why.endswith("offered instead: “All heads as float16 NPZ” and “Layer 3 as JSON”.")
    assert offered[1].button_label == "All heads as float16 NPZ (≈ 38 MB)"


def test_the_limit_falls_back_to_uint8_and_then_to_nothing():
    cap = medium()
    float16, uint8 = export.npz_size(cap, "float16"), export.npz_size(cap, "uint8")
    assert uint8 < float16 < export.csv_size(cap)
    offered, why = export.downloads(cap, 0, 0, limit=uint8)
    assert [d.label for d in offered] == ["All heads as uint8 NPZ"]  # each other form is larger than this
    assert why.endswith("; offered instead: “All heads as uint8 NPZ”.")
    offered, why = export.downloads(cap, 0, 0, limit=uint8 - 1)
    assert offered == [] and why.endswith("; no smaller form fits.")


@pytest.mark.parametrize(
    "size, text", [(0, "0 B"), (999, "999 B"), (1_000, "1.0 kB"), (3_240_000, "3.2 MB"), (559_400_000, "559 MB")]
)
def test_sizes_read_as_people_write_them(size, text):
    assert export.human_size(size) == text


def test_the_command_lines_writers_keep_their_signatures():
    plain = [f"t{i}" for i in range(9)]
    cap = AttentionCapture(plain, plain, softmax_rows((2, 3, 9, 9)), AttentionKind.SELF, "plain")
    lines = export.to_csv(cap, 1, 2, 3).splitlines()  # layer, head, decimals: as `attention-explorer export`
    assert len(lines) == 1 + 9 * 9 and lines[1].startswith("1,2,0,t0,0,t0,") and len(lines[1].split(",")[-1]) == 5
    assert json.loads(export.to_json(cap, 8))["weights"][1][2][0][0] == pytest.approx(cap.weights[1, 2, 0, 0], abs=1e-8)
    with pytest.raises(ValueError, match="outside"):
        export.to_csv(cap, layer=5)


# ---- the page -------------------------------------------------------------------------------------------------------
@pytest.fixture
def built(monkeypatch):
    """What each download button of a run would send: file name → its deferred builder (called when clicked)."""
    builders = {}
    real = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        builders[file_name] = data_callable
        return real(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return builders


def bert_page(show: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("pages/bert.py")
    at.query_params["show"] = show  # the section below the head view
    at.run()
    assert not at.exception
    return at


def labels(at: AppTest) -> list[str]:
    return [button.label for button in at.get("download_button")]


def test_bert_page_offers_compact_forms_over_the_limit_and_says_why(monkeypatch, built):
    at = bert_page("Export")
    assert any(label.startswith("All heads as CSV (≈ ") for label in labels(at))
    assert not [i for i in at.info if "download limit" in i.value]

    monkeypatch.setattr(export, "EXPORT_LIMIT", 100_000)  # the example's 14 tokens: all heads as CSV is ~0.6 MB
    at.run()
    assert not at.exception
    shown = labels(at)
    assert not [label for label in shown if label.startswith(("All heads as CSV", "All heads as JSON"))]
    assert any(label.startswith("This head as CSV (≈ ") for label in shown)
    assert any(label.startswith("All heads as float16 NPZ (≈ ") for label in shown)
    assert any(label.startswith("Layer 0 as JSON (≈ ") for label in shown)
    note = next(i.value for i in at.info if "download limit" in i.value)
    assert note.startswith("Over the 100 kB download limit: “All heads as CSV”")
    with np.load(io.BytesIO(built["attention.npz"]())) as npz:  # what the button sends
        assert npz["weights"].shape == (6, 12, 14, 14)


def test_bertviz_views_download_as_html_that_opens_offline(built):
    bert_page("bertviz")
    for view in ("head", "model"):
        html = built[f"bertviz_{view}_view.html"]()
        assert html.startswith("<!doctype html>") and "window.AE_PARAMS" in html
        assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.IGNORECASE), "every script is inside the file"
        assert not re.search(r"<(link|img|iframe)[^>]*(src|href)\s*=\s*[\"']?https?://", html, re.IGNORECASE)


def image_options(at: AppTest) -> list[dict]:
    charts = at.get("plotly_chart")
    assert charts
    return [json.loads(chart.proto.config)["toImageButtonOptions"] for chart in charts]


def test_figures_download_as_png_or_svg_as_the_sidebar_and_link_say():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["figures"] = "svg"  # opened from a link that asks for SVG
    at.switch_page("pages/positions.py").run()
    assert not at.exception
    assert at.radio(key="figure_format").value == "svg"
    assert {o["format"] for o in image_options(at)} == {"svg"}
    assert {o["width"] for o in image_options(at)} == {1600}

    at.radio(key="figure_format").set_value("png").run()
    assert {(o["format"], o["width"], o["scale"]) for o in image_options(at)} == {("png", 1600, 2)}
    assert "figures" not in at.query_params  # the default is kept out of the link
    at.radio(key="figure_format").set_value("svg").run()
    assert {o["format"] for o in image_options(at)} == {"svg"} and at.query_params["figures"] == "svg"
