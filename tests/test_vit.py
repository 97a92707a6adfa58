"""The Vision Transformer: shapes and attention from its own forward, the committed checkpoint on its test split,
its capture and overlays against the raw weights, rollout by hand, drawings, training."""

import json
import math

import numpy as np
import pytest
import torch
from safetensors.numpy import save_file

from attention_explorer.models.core.analysis import attention_rollout
from attention_explorer.models.core.capture import AttentionCapture, AttentionKind
from attention_explorer.models.core.checkpoint import CheckpointError
from attention_explorer.models.vit import capture as vit_capture
from attention_explorer.models.vit.capture import DrawingError, EmptyDrawing, read_drawing
from attention_explorer.models.vit.model import WEIGHTS, ViT, ViTConfig, load_test_digits, load_vit
from attention_explorer.viz import heatmap
from attention_explorer.viz import vit as viz_vit

TINY = ViTConfig(image_size=4, patch_size=2, d_model=8, heads=2, layers=2, d_ff=16, dropout=0.0)


@pytest.fixture(scope="module")
def committed():
    model, metrics = load_vit()
    return model, metrics, load_test_digits()


@pytest.fixture(scope="module")
def random_vit():
    torch.manual_seed(0)
    return ViT(ViTConfig()).eval()


def digit_like(seed: int = 0, size: int = 8) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 17, (size, size)).astype(np.float32)


def test_forward_shapes_and_every_attention_row_sums_to_one(random_vit):
    images = torch.tensor(np.stack([digit_like(i) for i in range(3)]))
    logits, attention = random_vit(images)
    assert logits.shape == (3, 10)
    assert attention.shape == (3, 3, 4, 17, 17)  # (batch, layer, head, token, token)
    assert torch.allclose(attention.sum(-1), torch.ones(3, 3, 4, 17), atol=1e-6)
    assert bool((attention >= 0).all())


def test_patches_are_cut_row_by_row(random_vit):
    image = torch.arange(64, dtype=torch.float32).reshape(1, 8, 8)
    patches = random_vit.patches(image)[0]  # (16, 4)
    for r in range(4):
        for c in range(4):
            expected = [image[0, 2 * r + dy, 2 * c + dx].item() for dy in range(2) for dx in range(2)]
            assert patches[4 * r + c].tolist() == expected


def test_forward_returns_the_first_layers_real_attention(random_vit):
    """Layer 0, recomputed here from the model's parameters, equals what forward returns."""
    image = torch.tensor(digit_like(3))[None]
    _, attention = random_vit(image)
    m = random_vit
    x = torch.cat([m.cls, m.patch(m.patches(image / 16.0))], dim=1) + m.pos  # (1, 17, 64)
    h = m.blocks[0].n1(x)
    q, k, _ = m.blocks[0].attn.qkv(h).split(64, dim=-1)
    head = 2
    qh, kh = q[0, :, head * 16 : (head + 1) * 16], k[0, :, head * 16 : (head + 1) * 16]
    expected = torch.softmax(qh @ kh.T / 4.0, dim=-1)  # √16 = 4
    assert torch.allclose(attention[0, 0, head], expected, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"patch_size": 3}, "must divide"), ({"heads": 5}, "multiple of heads"), ({"family": "gpt"}, "not a vit")],
)
def test_a_config_checks_itself(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ViTConfig(**kwargs)


def test_the_committed_checkpoint_reaches_its_floor_on_the_stored_test_split(committed):
    model, metrics, digits = committed
    with torch.inference_mode():
        logits, _ = model(torch.tensor(digits.images))
    acc = float((logits.argmax(-1).numpy() == digits.labels).mean())
    assert metrics["accuracy_floor"] >= 0.97
    assert acc >= metrics["accuracy_floor"]
    assert acc == pytest.approx(metrics["test"]["accuracy"], abs=0.5 / len(digits))
    assert metrics["test"]["digits"] == len(digits) == 359
    confusion = np.array(metrics["test"]["confusion"])
    assert confusion.sum() == len(digits) and np.trace(confusion) == round(acc * len(digits))


def test_the_metrics_say_how_to_reproduce_the_checkpoint(committed):
    _, metrics, _ = committed
    assert metrics["command"] == "attention-explorer train vit"
    assert metrics["seed"] == 0 and len(metrics["git_commit"]) == 40
    assert {"torch", "numpy", "scikit-learn", "python"} <= set(metrics["versions"])
    assert (WEIGHTS / "model.safetensors").stat().st_size < 1_000_000


def test_the_stored_test_split_is_scikit_learns_digits_never_trained_on(committed):
    from sklearn.datasets import load_digits

    from attention_explorer.models.training.train_vit import split_digits

    _, _, digits = committed
    data = load_digits()
    np.testing.assert_array_equal(digits.images, data.images[digits.index])
    np.testing.assert_array_equal(digits.labels, data.target[digits.index])
    splits = split_digits(np.rint(data.images).astype(np.uint8), data.target, seed=0)
    np.testing.assert_array_equal(splits.test.index, digits.index)
    seen = set(splits.train.index) | set(splits.valid.index)
    assert not seen & set(digits.index)
    assert len(seen) + len(digits) == len(data.target)


def test_the_capture_holds_the_models_attention_with_patch_labels(committed):
    model, _, digits = committed
    image = digits.images[5]
    result = vit_capture.classify(model, image)
    capture = result.capture
    assert capture.query_tokens[:3] == ("[CLS]", "p(0,0)", "p(0,1)") and capture.query_tokens[-1] == "p(3,3)"
    assert capture.kind is AttentionKind.SELF and capture.meta == {"grid": 4, "patch_size": 2}
    with torch.inference_mode():
        logits, attention = model(torch.tensor(image, dtype=torch.float32)[None])
    np.testing.assert_allclose(capture.weights, attention[0].numpy(), atol=1e-7)
    np.testing.assert_allclose(result.probabilities, torch.softmax(logits[0].double(), -1).numpy(), atol=1e-7)
    assert result.prediction == int(logits.argmax())


def test_text_model_figures_read_a_vit_capture(committed):
    model, _, digits = committed
    capture = vit_capture.classify(model, digits.images[0]).capture
    fig = heatmap.head_heatmap(capture, 2, 1)
    assert list(fig.data[0].y)[:2] == ["[CLS]", "p(0,0)"]
    assert np.asarray(fig.data[0].z)[0, 1] == round(100 * float(capture.weights[2, 1, 0, 1]))
    assert len(heatmap.heads_grid(capture).data[1].x) == 3 * 4


def patch_grid_by_label(capture: AttentionCapture, row: np.ndarray) -> np.ndarray:
    """Weights of one query row placed at (r, c) by reading each key's label "p(r,c)"."""
    out = np.zeros((4, 4))
    for j, token in enumerate(capture.key_tokens):
        if token.startswith("p("):
            r, c = map(int, token[2:-1].split(","))
            out[r, c] = row[j]
    return out


def test_the_cls_overlay_shows_the_captures_cls_row(committed):
    model, _, digits = committed
    image = digits.images[9]
    capture = vit_capture.classify(model, image).capture
    fig = viz_vit.cls_attention_figure(capture, image)
    overlays = [t for t in fig.data if t.customdata is not None]  # one per panel: heads, then the mean, per layer
    assert len(overlays) == 3 * 5
    for layer in range(3):
        for head in range(4):
            expected = patch_grid_by_label(capture, capture.weights[layer, head, 0])
            np.testing.assert_allclose(np.asarray(overlays[layer * 5 + head].z), expected, atol=1e-7)
        mean = patch_grid_by_label(capture, capture.weights[layer, :, 0].mean(axis=0))
        np.testing.assert_allclose(np.asarray(overlays[layer * 5 + 4].z), mean, atol=1e-6)
    image_traces = [t for t in fig.data if t.customdata is None]
    np.testing.assert_array_equal(np.asarray(image_traces[0].z), image)


def test_the_patch_overlay_shows_that_patchs_row(committed):
    model, _, digits = committed
    image = digits.images[1]
    capture = vit_capture.classify(model, image).capture
    patch = 6  # p(1,2)
    fig = viz_vit.patch_attention_figure(capture, image, patch, layer=1)
    assert "p(1,2)" in fig.layout.title.text
    overlays = [t for t in fig.data if t.customdata is not None]
    query = capture.query_tokens.index("p(1,2)")
    for head in range(4):
        np.testing.assert_allclose(
            np.asarray(overlays[head].z), patch_grid_by_label(capture, capture.weights[1, head, query]), atol=1e-7
        )
    with pytest.raises(ValueError, match="outside"):
        viz_vit.patch_attention_figure(capture, image, 16, layer=0)


def test_rollout_matches_a_hand_computation():
    """Two layers, one head, [CLS] and two patches, numbers worked out on paper."""
    a0 = np.array([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    a1 = np.array([[0.0, 0.0, 1.0], [0.5, 0.5, 0.0], [0.0, 0.5, 0.5]])
    weights = np.stack([a0, a1])[:, None]  # (layer, head, token, token)
    rollout = attention_rollout(weights)
    # Â0 = ½A0 + ½I = [[.75, .25, 0], [0, 1, 0], [0, 0, 1]]; Â1 = [[.5, 0, .5], [.25, .75, 0], [0, .25, .75]]
    # Â1·Â0 row [CLS] = .5·[.75, .25, 0] + .5·[0, 0, 1] = [.375, .125, .5]
    np.testing.assert_allclose(rollout[0, 0], [0.75, 0.25, 0.0])
    np.testing.assert_allclose(rollout[1, 0], [0.375, 0.125, 0.5])


def test_rollout_on_a_tiny_vit_equals_a_direct_product():
    torch.manual_seed(1)
    model = ViT(TINY).eval()
    image = digit_like(2, size=4)
    capture = vit_capture.classify(model, image).capture
    assert capture.query_tokens == ("[CLS]", "p(0,0)", "p(0,1)", "p(1,0)", "p(1,1)")
    rollout = attention_rollout(capture.weights)
    w = capture.weights.astype(np.float64)
    a = [0.5 * (w[layer, 0] + w[layer, 1]) / 2 + 0.5 * np.eye(5) for layer in range(2)]
    np.testing.assert_allclose(rollout[1], a[1] @ a[0], atol=1e-6)
    fig = viz_vit.rollout_figure(rollout, image, grid=2, patch_size=2)
    overlays = [t for t in fig.data if t.customdata is not None]
    np.testing.assert_allclose(np.asarray(overlays[1].z), (a[1] @ a[0])[0, 1:].reshape(2, 2), atol=1e-6)


def test_the_learned_positions_found_the_grid(committed):
    model, _, _ = committed
    table = model.position_table()
    assert table.shape == (16, 64)
    unit = table / np.linalg.norm(table, axis=1, keepdims=True)
    similarity = unit @ unit.T
    near, far = vit_capture.near_and_far(similarity, 4)
    assert near > far + 0.2
    assert vit_capture.nearest_is_neighbour(similarity, 4) >= 14
    fig = viz_vit.position_similarity_grid(similarity, 4)
    np.testing.assert_allclose(np.asarray(fig.data[6].z), similarity[6].reshape(4, 4), atol=1e-6)


def test_grid_measures_on_a_hand_made_similarity():
    # similarity = −(grid distance): every patch's most similar other patch is a neighbour
    rc = [(r, c) for r in range(3) for c in range(3)]
    sim = -np.array([[abs(a - c) + abs(b - d) for c, d in rc] for a, b in rc], dtype=float)
    assert vit_capture.nearest_is_neighbour(sim, 3) == 9
    near, far = vit_capture.near_and_far(sim, 3)
    # 3 or more steps apart, ordered pairs: 16 at distance 3 (2 from each corner, 2 from each edge middle) and
    # 4 at distance 4 (corner to opposite corner): (16·−3 + 4·−4) / 20 = −3.2
    assert near == -1.0 and far == pytest.approx(-3.2)
    assert vit_capture.similarity_by_distance(sim, 3) == {1: -1.0, 2: -2.0, 3: -3.0, 4: -4.0}


def test_a_drawing_is_read_clipped_or_refused_with_a_message():
    grid = [[0] * 8 for _ in range(8)]
    grid[2][3] = 16
    grid[3][3] = 99  # clipped to 16
    grid[4][3] = -5  # clipped to 0
    grid[5][3] = None  # empty: 0
    grid[6][3] = float("nan")  # empty: 0
    grid[1][3] = "12"  # a number typed as text
    drawing = read_drawing(grid)
    assert drawing.image[2, 3] == 16 and drawing.image[3, 3] == 16 and drawing.image[4, 3] == 0
    assert drawing.image[1, 3] == 12 and drawing.image[5, 3] == 0
    assert drawing.notes == ("2 empty cells read as 0", "2 values outside 0–16 clipped")
    grid[0][0] = "abc"
    with pytest.raises(DrawingError, match="Row 0, column 0 holds 'abc'"):
        read_drawing(grid)
    with pytest.raises(EmptyDrawing, match="empty"):
        read_drawing(np.zeros((8, 8)))
    with pytest.raises(DrawingError, match="8×8"):
        read_drawing(np.ones((7, 8)))
    with pytest.raises(DrawingError, match="8×8"):
        read_drawing([[1, 2], [3]])


def test_classify_refuses_an_image_it_cannot_read(committed):
    model, _, _ = committed
    with pytest.raises(ValueError, match="8×8"):
        vit_capture.classify(model, np.ones((7, 7)))
    with pytest.raises(ValueError, match="from 0 to 16"):
        vit_capture.classify(model, np.full((8, 8), 17.0))


def test_a_missing_or_corrupt_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(CheckpointError, match="attention-explorer train vit") as info:
        load_vit(tmp_path / "nowhere" / "vit")
    assert str(tmp_path) not in str(info.value)
    folder = tmp_path / "vit"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"d_model": 64}), encoding="utf-8")
    (folder / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(CheckpointError, match="unreadable") as info:
        load_vit(folder)
    assert str(tmp_path) not in str(info.value)
    (folder / "config.json").write_text(json.dumps({"d_model": 64, "colour": "red"}), encoding="utf-8")
    with pytest.raises(CheckpointError, match="unreadable"):
        load_vit(folder)
    with pytest.raises(CheckpointError, match=r"test_digits\.safetensors is missing"):
        load_test_digits(folder)
    save_file(
        {"images": np.zeros((3, 7, 7), np.uint8), "labels": np.zeros(3), "index": np.zeros(3)},
        str(folder / "test_digits.safetensors"),
    )
    with pytest.raises(CheckpointError, match="inconsistent"):
        load_test_digits(folder)


def test_shifting_moves_the_ink_and_fills_with_zero():
    from attention_explorer.models.training.train_vit import shift_images

    image = torch.arange(1, 65, dtype=torch.float32).reshape(1, 8, 8).repeat(200, 1, 1)
    shifted = shift_images(image, 1, torch.Generator().manual_seed(0))
    seen = set()
    for out in shifted:
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                expected = np.zeros((8, 8), dtype=np.float32)
                src = image[0].numpy()
                ys, xs = slice(max(0, dy), 8 + min(0, dy)), slice(max(0, dx), 8 + min(0, dx))
                yd, xd = slice(max(0, -dy), 8 + min(0, -dy)), slice(max(0, -dx), 8 + min(0, -dx))
                expected[yd, xd] = src[ys, xs]
                if np.array_equal(out.numpy(), expected):
                    seen.add((dy, dx))
    assert len(seen) == 9  # every shift occurs, and nothing else does (each output matched one of them)


def test_the_training_command_writes_a_loadable_checkpoint(tmp_path):
    from attention_explorer.models.training import train_vit

    lines: list[str] = []
    assert train_vit.main(["vit", "--epochs", "1", "--out", str(tmp_path)], log=lines.append) == 0
    model, metrics = load_vit(tmp_path)
    digits = load_test_digits(tmp_path)
    assert len(digits) == 359 and metrics["command"] == f"attention-explorer train vit --epochs 1 --out {tmp_path}"
    assert metrics["train_config"]["epochs"] == 1 and 0 <= metrics["test"]["accuracy"] <= 1
    assert isinstance(model, ViT) and any("test accuracy" in line for line in lines)
    assert math.isfinite(metrics["final_loss"])


# --- the page, through Streamlit's AppTest -----------------------------------------------------------------


def vit_page():
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
    at.switch_page("pages/vit.py").run()
    assert not at.exception
    return at


def figure(at, index: int) -> dict:
    """The Plotly figure of the index-th chart on the page, as the browser receives it."""
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def test_vit_page_shows_a_test_digit_and_every_view(committed):
    model, metrics, digits = committed
    at = vit_page()
    assert at.title[0].value == "Vision Transformer on 8×8 digits"
    assert [s.value for s in at.subheader] == [
        "Where [CLS] looks",
        "One head, as for a sentence",
        "Where one patch looks",
        "Attention rollout",
        "The learned position embeddings",
    ]
    assert len(at.get("plotly_chart")) == 10
    assert any(f"Test accuracy {metrics['test']['accuracy']:.1%}" in c.value for c in at.caption)
    expected = vit_capture.classify(model, digits.images[0])
    title = figure(at, 1)["layout"]["title"]["text"]
    assert title.startswith(f"Predicted {expected.prediction} ({expected.probabilities.max():.1%})")
    assert f"true label {digits.labels[0]}" in title
    text = " ".join(m.value for m in at.markdown)
    assert "of 16 patches the most similar other patch is a neighbour" in text


def test_misclassified_digits_are_one_click_away(committed):
    model, _, digits = committed
    wrong = [
        i for i in range(len(digits)) if vit_capture.classify(model, digits.images[i]).prediction != digits.labels[i]
    ]
    at = vit_page()
    pills = at.pills(key="vit_wrong")
    assert len(pills.options) == len(wrong) and pills.options[0].startswith(
        f"#{wrong[0]}: {digits.labels[wrong[0]]} → "
    )
    pills.set_value(pills.options[-1]).run()
    assert not at.exception
    assert at.number_input(key="vit_index").value == wrong[-1]
    assert "✗" in figure(at, 1)["layout"]["title"]["text"]
    at.number_input(key="vit_index").set_value(42).run()
    assert at.pills(key="vit_wrong").value is None  # the pill no longer claims the digit shown
    assert f"Test digit #42 (label {digits.labels[42]})" == figure(at, 0)["layout"]["title"]["text"]


def test_layer_head_and_patch_controls(committed):
    at = vit_page()
    at.selectbox(key="vit_layer").select(2).run()
    at.selectbox(key="vit_head").select(3).run()
    at.selectbox(key="vit_patch").select(6).run()
    assert not at.exception
    assert figure(at, 3)["layout"]["title"]["text"].startswith("ViT on 8×8 digits · layer 2 · head 3")
    assert figure(at, 6)["layout"]["title"]["text"] == "Where p(1,2) looks in layer 2"
    assert any("from p(1,2) over the patches" in c.value for c in at.caption)


def test_a_drawing_is_classified_and_bad_cells_are_explained(committed):
    model, _, digits = committed
    at = vit_page()
    at.number_input(key="vit_index").set_value(7).run()
    at.radio(key="vit_source").set_value("Draw one").run()
    assert len(at.data_editor) == 1 and not at.exception
    # the canvas starts as the chosen test digit
    np.testing.assert_array_equal(at.data_editor[0].value.to_numpy(), digits.images[7])
    at.button(key="vit_clear").click().run()
    assert "The drawing is empty" in at.info[0].value and not at.get("plotly_chart")
    # a vertical bar, one cell too bright, one negative, one emptied
    edits = {r: {"3": 16, "4": 16} for r in range(1, 7)}
    edits[0] = {"3": 99}
    edits[7] = {"4": -4, "5": None}
    at.session_state["vit_draw_1"] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception and not at.error
    assert [w.value for w in at.warning] == [
        "In your drawing: 1 empty cell read as 0.",
        "In your drawing: 2 values outside 0–16 clipped.",
    ]
    drawn = np.zeros((8, 8), dtype=np.float32)
    drawn[1:7, 3:5] = 16
    drawn[0, 3] = 16
    assert figure(at, 0)["layout"]["title"]["text"] == "Your drawing"
    expected = vit_capture.classify(model, drawn)
    assert figure(at, 1)["layout"]["title"]["text"].startswith(f"Predicted {expected.prediction} (")
    assert at.button(key="vit_copy").label == "Start from test digit #7"
    at.button(key="vit_copy").click().run()
    np.testing.assert_array_equal(at.data_editor[0].value.to_numpy(), digits.images[7])
    assert not at.warning and not at.exception
    at.radio(key="vit_source").set_value("A test digit").run()
    assert at.number_input(key="vit_index").value == 7  # the chosen digit survived the drawing


def test_a_broken_checkpoint_is_an_error_on_the_vit_page_only(tmp_path, monkeypatch):
    import streamlit as st

    from attention_explorer.pages.shared import cache

    (tmp_path / "vit").mkdir()
    (tmp_path / "vit" / "config.json").write_text("{broken", encoding="utf-8")
    monkeypatch.setattr(cache, "VIT_DIR", tmp_path / "vit")
    at = vit_page()
    assert "The ViT could not be loaded" in at.error[0].value
    assert "attention-explorer train vit" in at.error[0].value
    assert str(tmp_path) not in at.error[0].value
    at.switch_page("pages/pooling.py").run()
    assert not at.exception and not at.error and len(at.get("plotly_chart")) == 5
    st.cache_resource.clear()
