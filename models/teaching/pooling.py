"""Attention as pooling: Nadaraya–Watson kernel regression, the chapter's first picture of queries, keys, values.

Training pairs (x_i, y_i) are the keys and values; a query x gets the prediction
f(x) = Σ_i α(x, x_i) y_i with α(x, x_i) = softmax_i(−(x − x_i)² / (2σ²)), a Gaussian kernel of width σ.
A wide kernel weighs every key alike (average pooling: f is the mean of y); a narrow one puts all the
weight on the nearest key (nearest neighbour). The parametric version learns w = 1/σ by gradient
descent: α = softmax_i(−((x − x_i)·w)² / 2). NumPy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

AVERAGE_SHARE = 0.9  # effective keys ≥ 90% of all keys: "average pooling"
NEAREST_KEYS = 1.5  # effective keys ≤ 1.5: "nearest neighbour"
WIDTH_LIMITS = (1e-3, 1e3)  # widths the page accepts; both limits are reached well inside them


def truth(x: np.ndarray) -> np.ndarray:
    """The function the data come from: 2 sin(x) + x^0.8."""
    return 2 * np.sin(x) + np.power(x, 0.8)


@dataclass(frozen=True)
class PoolingData:
    """Keys and values (noisy training pairs, sorted by x) and the queries with their true values."""

    keys: np.ndarray  # x_i, (n_train,)
    values: np.ndarray  # y_i = truth(x_i) + noise, (n_train,)
    queries: np.ndarray  # test points, (n_test,)
    truth: np.ndarray  # truth(queries), (n_test,)


def make_data(
    n_train: int = 50, noise: float = 0.5, seed: int = 0, x_max: float = 5.0, step: float = 0.1
) -> PoolingData:
    """The chapter's example: n_train points drawn uniformly in [0, x_max], queries every `step` from 0."""
    if n_train < 2:
        raise ValueError(f"Need at least two training points; got {n_train}")
    rng = np.random.default_rng(seed)
    keys = np.sort(rng.uniform(0, x_max, n_train))
    values = truth(keys) + rng.normal(0.0, noise, n_train)
    queries = np.arange(0, x_max, step)
    return PoolingData(keys, values, queries, truth(queries))


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for any finite scores (a very narrow kernel gives scores of −10⁹)."""
    z = scores - scores.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def check_width(width: float) -> float:
    width = float(width)
    if not np.isfinite(width) or not WIDTH_LIMITS[0] <= width <= WIDTH_LIMITS[1]:
        raise ValueError(
            f"The kernel width must be a number from {WIDTH_LIMITS[0]:g} to {WIDTH_LIMITS[1]:g}; got {width}"
        )
    return width


def gaussian_weights(queries: np.ndarray, keys: np.ndarray, width: float) -> np.ndarray:
    """α(query, key) = softmax over keys of −(query − key)² / (2 width²): (queries, keys), rows sum to 1."""
    width = check_width(width)
    q = np.atleast_1d(np.asarray(queries, dtype=np.float64))
    k = np.asarray(keys, dtype=np.float64)
    if not (np.isfinite(q).all() and np.isfinite(k).all()):
        raise ValueError("Queries and keys must be finite numbers")
    distance = q[:, None] - k[None, :]  # (queries, keys)
    return softmax(-(distance**2) / (2 * width**2))


@dataclass(frozen=True)
class Pooled:
    weights: np.ndarray  # (queries, keys)
    prediction: np.ndarray  # (queries,) = weights · values


def nadaraya_watson(queries: np.ndarray, keys: np.ndarray, values: np.ndarray, width: float) -> Pooled:
    """Attention pooling with a Gaussian kernel: each query's prediction is the α-weighted mean of the values."""
    weights = gaussian_weights(queries, keys, width)
    return Pooled(weights, weights @ np.asarray(values, dtype=np.float64))


def effective_keys(weights: np.ndarray) -> np.ndarray:
    """1 / Σ α² per query: how many keys a row really pools (n when uniform, 1 when all on one key)."""
    return 1.0 / (np.asarray(weights) ** 2).sum(axis=-1)


def regime(weights: np.ndarray) -> str:
    """'average pooling', 'nearest neighbour' or 'in between', from the mean effective number of keys."""
    n_keys = weights.shape[-1]
    mean = float(effective_keys(weights).mean())
    if mean >= AVERAGE_SHARE * n_keys:
        return "average pooling"
    if mean <= NEAREST_KEYS:
        return "nearest neighbour"
    return "in between"


# --- the parametric version: a learned w = 1/σ ---------------------------------------------------------


def leave_one_out(keys: np.ndarray, values: np.ndarray, w: float) -> tuple[np.ndarray, np.ndarray]:
    """Each training point predicted from the others: (weights (n, n) with a zero diagonal, predictions (n,)).

    Without leaving the point out, the best w is infinite: every key would predict itself perfectly.
    """
    k = np.asarray(keys, dtype=np.float64)
    d2 = (k[:, None] - k[None, :]) ** 2  # (n, n)
    scores = -0.5 * w**2 * d2
    np.fill_diagonal(scores, -np.inf)
    weights = softmax(scores)
    return weights, weights @ np.asarray(values, dtype=np.float64)


def loo_loss_and_grad(keys: np.ndarray, values: np.ndarray, w: float) -> tuple[float, float]:
    """L(w) = mean_i (f_i − y_i)² / 2 over leave-one-out predictions, and dL/dw (analytic).

    With s_ij = −w² d_ij² / 2: ds_ij/dw = −w d_ij², and df_i/dw = Σ_j α_ij y_j (ds_ij/dw − Σ_k α_ik ds_ik/dw).
    """
    k = np.asarray(keys, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    weights, pred = leave_one_out(k, y, w)
    d2 = (k[:, None] - k[None, :]) ** 2
    ds = -w * d2  # (n, n)
    mean_ds = (weights * ds).sum(axis=1, keepdims=True)  # (n, 1)
    df = (weights * y[None, :] * (ds - mean_ds)).sum(axis=1)  # (n,)
    err = pred - y
    return float(0.5 * np.mean(err**2)), float(np.mean(err * df))


@dataclass(frozen=True)
class WidthTraining:
    """A gradient-descent run on w: the loss before each step and w after it."""

    w: np.ndarray  # (steps + 1,): w_0 … w_steps
    loss: np.ndarray  # (steps + 1,): L(w_0) … L(w_steps)

    @property
    def learned_w(self) -> float:
        return float(self.w[-1])

    @property
    def learned_width(self) -> float:
        """σ = 1 / |w| (infinite when w reached 0)."""
        return float("inf") if self.learned_w == 0 else 1.0 / abs(self.learned_w)


def train_width(
    keys: np.ndarray, values: np.ndarray, w0: float = 1.0, lr: float = 0.5, steps: int = 100
) -> WidthTraining:
    """Full-batch gradient descent on the leave-one-out loss; deterministic (no sampling)."""
    if steps < 1 or steps > 10_000:
        raise ValueError(f"steps must be from 1 to 10000; got {steps}")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"The learning rate must be a positive number; got {lr}")
    if not (np.isfinite(w0) and w0 != 0):
        raise ValueError(f"The starting w must be a non-zero number; got {w0}")
    ws, losses = [float(w0)], []
    w = float(w0)
    for _ in range(steps):
        loss, grad = loo_loss_and_grad(keys, values, w)
        losses.append(loss)
        w -= lr * grad
        ws.append(w)
    losses.append(loo_loss_and_grad(keys, values, w)[0])
    return WidthTraining(np.array(ws), np.array(losses))
