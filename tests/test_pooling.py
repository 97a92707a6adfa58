"""Attention pooling (Nadaraya–Watson) against a direct NumPy computation written here, and its figures."""

import math

import numpy as np
import pytest

from attention_explorer.models.teaching import pooling
from attention_explorer.viz import pooling as figures


@pytest.fixture(scope="module")
def data():
    return pooling.make_data()


def direct_weights(queries, keys, width):
    """α(q, k) = exp(−(q − k)² / 2σ²) / Σ_k' exp(−(q − k')² / 2σ²), one number at a time."""
    out = np.zeros((len(queries), len(keys)))
    for i, q in enumerate(queries):
        kernel = [math.exp(-((q - k) ** 2) / (2 * width**2)) for k in keys]
        out[i] = [v / sum(kernel) for v in kernel]
    return out


def direct_loo_loss(keys, values, w):
    """Leave-one-out squared error / 2, each point predicted from the others with exp(−((x − x_j)·w)² / 2)."""
    total = 0.0
    for i, x in enumerate(keys):
        kernel = {j: math.exp(-(((x - k) * w) ** 2) / 2) for j, k in enumerate(keys) if j != i}
        prediction = sum(kernel[j] * values[j] for j in kernel) / sum(kernel.values())
        total += (prediction - values[i]) ** 2 / 2
    return total / len(keys)


def test_the_data_are_the_chapters_example(data):
    assert len(data.keys) == 50 and len(data.queries) == 50
    assert np.all(np.diff(data.keys) > 0) and data.keys.min() >= 0 and data.keys.max() <= 5
    x = data.queries[17]
    assert data.truth[17] == pytest.approx(2 * math.sin(x) + x**0.8)
    noise = data.values - (2 * np.sin(data.keys) + data.keys**0.8)
    assert 0.3 < noise.std() < 0.7  # noise of standard deviation 0.5
    again = pooling.make_data()
    np.testing.assert_array_equal(again.values, data.values)  # a fixed seed


@pytest.mark.parametrize("width", [0.1, 0.5, 1.0, 3.0])
def test_weights_and_prediction_match_a_direct_computation(data, width):
    pooled = pooling.nadaraya_watson(data.queries, data.keys, data.values, width)
    expected = direct_weights(data.queries, data.keys, width)
    np.testing.assert_allclose(pooled.weights, expected, rtol=1e-10, atol=1e-14)
    by_hand = [sum(a * y for a, y in zip(row, data.values, strict=True)) for row in expected]
    np.testing.assert_allclose(pooled.prediction, by_hand, rtol=1e-10)


def test_a_very_wide_kernel_is_average_pooling(data):
    pooled = pooling.nadaraya_watson(data.queries, data.keys, data.values, 1000.0)
    np.testing.assert_allclose(pooled.prediction, sum(data.values) / len(data.values), atol=1e-4)
    assert pooling.regime(pooled.weights) == "average pooling"


def test_a_very_narrow_kernel_is_the_nearest_neighbour(data):
    pooled = pooling.nadaraya_watson(data.queries, data.keys, data.values, 0.001)
    nearest = [data.values[int(np.argmin(np.abs(data.keys - q)))] for q in data.queries]
    np.testing.assert_allclose(pooled.prediction, nearest, atol=1e-9)
    assert pooling.regime(pooled.weights) == "nearest neighbour"
    assert pooling.regime(pooling.gaussian_weights(data.queries, data.keys, 1.0)) == "in between"


def test_effective_keys_counts_uniform_and_one_hot_rows():
    rows = np.array([[0.25, 0.25, 0.25, 0.25], [0.0, 1.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0]])
    np.testing.assert_allclose(pooling.effective_keys(rows), [4.0, 1.0, 2.0])


@pytest.mark.parametrize("width", [0.0, -1.0, float("nan"), float("inf"), 1e6])
def test_a_width_outside_the_limits_is_refused(data, width):
    with pytest.raises(ValueError, match="kernel width"):
        pooling.gaussian_weights(data.queries, data.keys, width)


def test_the_analytic_gradient_matches_finite_differences_of_a_direct_loss(data):
    for w in (0.7, 2.0, 6.0):
        loss, grad = pooling.loo_loss_and_grad(data.keys, data.values, w)
        assert loss == pytest.approx(direct_loo_loss(data.keys, data.values, w), rel=1e-10)
        h = 1e-5
        numeric = (direct_loo_loss(data.keys, data.values, w + h) - direct_loo_loss(data.keys, data.values, w - h)) / (
            2 * h
        )
        assert grad == pytest.approx(numeric, rel=1e-4, abs=1e-8)


def test_training_the_width_lowers_the_loss_and_finds_the_best_w(data):
    run = pooling.train_width(data.keys, data.values, w0=1.0, lr=10.0, steps=50)
    assert len(run.loss) == len(run.w) == 51
    assert run.loss[-1] < 0.6 * run.loss[0]
    assert np.all(np.diff(run.loss) <= 1e-12)  # gradient descent with this step never goes uphill here
    grid = np.linspace(1.0, 12.0, 221)
    best = grid[np.argmin([direct_loo_loss(data.keys, data.values, w) for w in grid])]
    assert run.learned_w == pytest.approx(best, abs=0.1)
    assert run.learned_width == pytest.approx(1 / run.learned_w)
    again = pooling.train_width(data.keys, data.values, w0=1.0, lr=10.0, steps=50)
    np.testing.assert_array_equal(again.w, run.w)  # deterministic


@pytest.mark.parametrize("kwargs", [{"steps": 0}, {"lr": -1.0}, {"lr": float("nan")}, {"w0": 0.0}])
def test_training_refuses_bad_settings(data, kwargs):
    with pytest.raises(ValueError):
        pooling.train_width(data.keys, data.values, **kwargs)


def test_figures_carry_the_numbers(data):
    pooled = pooling.nadaraya_watson(data.queries, data.keys, data.values, 0.5)
    fig = figures.weights_figure(pooled.weights, data.queries, data.keys, title="α")
    np.testing.assert_allclose(np.asarray(fig.data[0].z), pooled.weights)
    curve = figures.prediction_figure(data, pooled.prediction, title="p", query=2.0, query_prediction=1.5)
    names = [t.name for t in curve.data]
    assert names[-1] == "your query" and tuple(curve.data[-1].x) == (2.0,)
    np.testing.assert_allclose(np.asarray(curve.data[names.index("prediction f(x) = Σ α y_i")].y), pooled.prediction)
    row = figures.weight_row_figure(data.keys, pooled.weights[20], query=float(data.queries[20]), prediction=1.0)
    assert np.asarray(row.data[0].y).sum() == pytest.approx(1.0)
    run = pooling.train_width(data.keys, data.values, steps=5)
    np.testing.assert_allclose(np.asarray(figures.training_figure(run).data[0].y), run.loss)
    panels = figures.width_panels(data, [("a", pooled.prediction), ("b", pooled.prediction)])
    assert [a.text for a in panels.layout.annotations] == ["a", "b"]


# --- the page, through Streamlit's AppTest -----------------------------------------------------------------


def pooling_page():
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
    at.switch_page("pages/pooling.py").run()
    assert not at.exception
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_pooling_page_names_the_regime_of_each_width(data):
    at = pooling_page()
    assert at.title[0].value == "Attention pooling: queries, keys and values"
    assert "**in between**" in at.markdown[0].value
    assert len(at.get("plotly_chart")) == 5  # prediction, weights, widths side by side, weight row, query curve
    at.select_slider(key="pool_width").set_value(100.0).run()
    assert "**average pooling**" in at.markdown[0].value
    at.select_slider(key="pool_width").set_value(0.01).run()
    assert "**nearest neighbour**" in at.markdown[0].value
    assert not at.exception


def test_dragging_or_typing_the_query_shows_its_prediction(data):
    at = pooling_page()
    at.select_slider(key="pool_width").set_value(0.3).run()
    at.slider(key="pool_q_slider").set_value(1.23).run()
    assert at.number_input(key="pool_q_num").value == pytest.approx(1.23)  # the two controls stay together
    expected = sum(a * y for a, y in zip(direct_weights([1.23], data.keys, 0.3)[0], data.values, strict=True))
    assert metrics(at)["Prediction f(x)"] == f"{expected:.4f}"
    at.number_input(key="pool_q_num").set_value(4.5).run()
    assert at.slider(key="pool_q_slider").value == pytest.approx(4.5)
    expected = sum(a * y for a, y in zip(direct_weights([4.5], data.keys, 0.3)[0], data.values, strict=True))
    assert metrics(at)["Prediction f(x)"] == f"{expected:.4f}"
    assert metrics(at)["Truth 2 sin(x) + x^0.8"] == f"{2 * math.sin(4.5) + 4.5**0.8:.4f}"
    top = at.dataframe[0].value
    assert top["weight α"].iloc[0] == pytest.approx(direct_weights([4.5], data.keys, 0.3)[0].max())


def test_training_the_width_in_the_page(data):
    at = pooling_page()
    assert "Press the button" in at.info[0].value
    at.number_input(key="pool_w0").set_value(2.0).run()
    at.slider(key="pool_lr").set_value(5.0).run()
    at.slider(key="pool_steps").set_value(20).run()
    at.button(key="pool_train").click().run()
    assert not at.exception and not at.info
    shown = metrics(at)
    assert shown["Loss before"] == f"{direct_loo_loss(data.keys, data.values, 2.0):.4f}"
    assert float(shown["Loss after"]) < float(shown["Loss before"])
    w = float(shown["Learned w"])
    assert shown["Loss after"] == f"{direct_loo_loss(data.keys, data.values, w):.4f}"
    assert float(shown["Learned width σ = 1/|w|"]) == pytest.approx(1 / w, abs=1e-3)
    assert "20 steps" in at.caption[-1].value
    assert len(at.get("plotly_chart")) == 7  # + loss curve, + learned prediction


def test_a_diverging_run_is_an_error_on_the_page(monkeypatch):
    import streamlit as st

    monkeypatch.setattr(
        pooling, "train_width", lambda *a, **k: pooling.WidthTraining(np.array([1.0, 0.0]), np.array([0.3, np.nan]))
    )
    st.cache_data.clear()
    try:
        at = pooling_page()
        at.button(key="pool_train").click().run()
        assert not at.exception
        assert "diverged" in at.error[0].value
    finally:
        st.cache_data.clear()
