"""A capture as JSON or long-format CSV, for downloads and the command line."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from attention_explorer.models.core.capture import AttentionCapture


def to_json(capture: AttentionCapture, decimals: int = 6) -> str:
    """The whole capture (tokens, weights [layer, head, query, key], model) as JSON text."""
    data = capture.to_dict()
    data["weights"] = np.round(capture.weights.astype(np.float64), decimals).tolist()
    return json.dumps(data, ensure_ascii=False)


def to_frame(capture: AttentionCapture) -> pd.DataFrame:
    """Long table, one row per weight: layer, head, query/key index and token, weight."""
    layer, head, q, k = (a.ravel() for a in np.indices(capture.weights.shape))
    return pd.DataFrame(
        {
            "layer": layer,
            "head": head,
            "query_index": q,
            "query_token": np.asarray(capture.query_tokens, dtype=object)[q],
            "key_index": k,
            "key_token": np.asarray(capture.key_tokens, dtype=object)[k],
            "weight": capture.weights.ravel(),
        }
    )


def to_csv(capture: AttentionCapture, layer: int | None = None, head: int | None = None, decimals: int = 6) -> str:
    """Long-format CSV (layer, head, query/key index and token, weight), optionally one layer/head."""
    frame = to_frame(capture)
    if layer is not None:
        frame = frame[frame["layer"] == layer]
    if head is not None:
        frame = frame[frame["head"] == head]
    return frame.to_csv(index=False, float_format=f"%.{decimals}f")
