"""A capture as CSV, JSON or NPZ, for downloads and the command line, built in bounded memory.

The writers produce their output a piece at a time (one query row or one head), never a table of every
weight: a 512-token capture of a 6-layer × 12-head model is 19 million weights, and a pandas frame of them
peaked a server at 3 GB. Every weight is written with the same number of decimals ("0.012345": weights lie
in [0, 1]), so the size of each form follows from its shape and its tokens alone (`csv_size`, `json_size`,
`npz_size`): a page can show it on the button and refuse a form over `EXPORT_LIMIT` before building it.
"""

from __future__ import annotations

import functools
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from attention_explorer.models.core.capture import AttentionCapture

EXPORT_LIMIT = 50_000_000  # bytes: a download estimated larger is not offered in that form, only a compact one
CSV_COLUMNS = ("layer", "head", "query_index", "query_token", "key_index", "key_token", "weight")
UINT8_SCALE = 1 / 255  # a uint8 NPZ stores round(weight × 255): weight ≈ byte × scale, within 0.002
NpzDtype = Literal["float16", "uint8"]
NPZ_DTYPES: tuple[NpzDtype, ...] = ("float16", "uint8")  # the compact forms, larger (finer) first


def _weight_width(decimals: int) -> int:
    """Characters of one weight written with `decimals` decimals: "0.123456" (a weight lies in [0, 1])."""
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more; got {decimals}")
    return 1 if decimals == 0 else decimals + 2


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _written(weights: np.ndarray) -> list[list[float]]:
    """A [query, key] block as Python floats; adding 0 turns a -0.0 (which would print as "-0.000000") into 0.0."""
    return (weights + np.float32(0)).tolist()


def _selected(count: int, index: int | None) -> range:
    return range(count) if index is None else range(index, index + 1)


# ---- CSV -----------------------------------------------------------------------------------------------------------
def _csv_field(text: str) -> str:
    """A token as a CSV field, quoted only when it must be (as Python's csv module and pandas quote)."""
    if any(char in text for char in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_chunks(
    capture: AttentionCapture, layer: int | None = None, head: int | None = None, decimals: int = 6
) -> Iterator[str]:
    """Long-format CSV text, one query row of one head per piece (the header first)."""
    _weight_width(decimals)  # checks decimals
    layers, heads = _selected(capture.num_layers, layer), _selected(capture.num_heads, head)
    if layer is not None or head is not None:
        capture.head(layers[0], heads[0])  # raises ValueError when the layer or head is outside the capture
    spec = f".{decimals}f"
    queries = [f"{q},{_csv_field(token)}," for q, token in enumerate(capture.query_tokens)]
    keys = [f"{k},{_csv_field(token)}," for k, token in enumerate(capture.key_tokens)]
    yield ",".join(CSV_COLUMNS) + "\n"
    for lay in layers:
        for h in heads:
            for query, row in zip(queries, _written(capture.weights[lay, h]), strict=True):  # row: (key,)
                prefix = f"{lay},{h},{query}"
                yield "".join([f"{prefix}{key}{format(w, spec)}\n" for key, w in zip(keys, row, strict=True)])


def csv_size(capture: AttentionCapture, layer: int | None = None, head: int | None = None, decimals: int = 6) -> int:
    """Bytes of `to_csv(capture, layer, head, decimals)` in UTF-8, from the shape and the tokens alone (exact)."""
    layers, heads = _selected(capture.num_layers, layer), _selected(capture.num_heads, head)
    n_q, n_k = len(capture.query_tokens), len(capture.key_tokens)
    per_head = n_q * n_k
    # each line: layer,head,query_index,query_token,key_index,key_token,weight\n → 6 commas and a newline
    fixed = per_head * (7 + _weight_width(decimals))
    query_part = n_k * sum(len(str(q)) + _utf8_len(_csv_field(t)) for q, t in enumerate(capture.query_tokens))
    key_part = n_q * sum(len(str(k)) + _utf8_len(_csv_field(t)) for k, t in enumerate(capture.key_tokens))
    layer_digits = len(heads) * per_head * sum(len(str(lay)) for lay in layers)
    head_digits = len(layers) * per_head * sum(len(str(h)) for h in heads)
    body = len(layers) * len(heads) * (fixed + query_part + key_part) + layer_digits + head_digits
    return len(",".join(CSV_COLUMNS)) + 1 + body


def to_csv(capture: AttentionCapture, layer: int | None = None, head: int | None = None, decimals: int = 6) -> str:
    """Long-format CSV (layer, head, query/key index and token, weight), optionally one layer/head."""
    out = io.StringIO()
    for chunk in csv_chunks(capture, layer, head, decimals):
        out.write(chunk)
    return out.getvalue()


def to_frame(capture: AttentionCapture) -> pd.DataFrame:
    """Long table, one row per weight: layer, head, query/key index and token, weight.

    For analysis of small captures; downloads use `csv_chunks`, which never holds every row at once.
    """
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


# ---- JSON ----------------------------------------------------------------------------------------------------------
def _json_parts(capture: AttentionCapture, layers: range) -> tuple[str, str]:
    """The JSON text before and after the weights: `AttentionCapture.to_dict()`'s fields, in its order.

    One layer of a capture reads back as a capture of that layer (named like `AttentionCapture.select`'s).
    """
    whole = len(layers) == capture.num_layers
    fields = {
        "model": capture.model if whole else f"{capture.model} layer {layers[0]}",
        "kind": capture.kind.value,
        "attn_implementation": capture.attn_implementation,
        "truncated_from": capture.truncated_from,
        "query_tokens": list(capture.query_tokens),
        "key_tokens": list(capture.key_tokens),
        "shape": {
            "layer": len(layers),
            "head": capture.num_heads,
            "query": len(capture.query_tokens),
            "key": len(capture.key_tokens),
        },
    }
    before = json.dumps(fields, ensure_ascii=False)[:-1] + ', "weights": '
    after = ', "meta": ' + json.dumps(capture.meta, ensure_ascii=False) + "}"
    return before, after


def json_chunks(capture: AttentionCapture, decimals: int = 6, layer: int | None = None) -> Iterator[str]:
    """The capture as JSON text (`to_dict()`'s fields, weights [layer][head][query][key]), one head per piece."""
    _weight_width(decimals)  # checks decimals
    layers = _selected(capture.num_layers, layer)
    if layer is not None:
        capture.head(layer, 0)  # raises ValueError when the layer is outside the capture
    spec = f".{decimals}f"
    before, after = _json_parts(capture, layers)
    yield before + "["
    for i, lay in enumerate(layers):
        yield ", [" if i else "["
        for h in range(capture.num_heads):
            rows = (", ".join([format(w, spec) for w in row]) for row in _written(capture.weights[lay, h]))
            yield (", " if h else "") + "[" + ", ".join(f"[{row}]" for row in rows) + "]"  # one head: (query, key)
        yield "]"
    yield "]" + after


def json_size(capture: AttentionCapture, decimals: int = 6, layer: int | None = None) -> int:
    """Bytes of `to_json(capture, decimals, layer)` in UTF-8, from the shape and the tokens alone (exact)."""
    layers = _selected(capture.num_layers, layer)
    n_q, n_k = len(capture.query_tokens), len(capture.key_tokens)
    # a list of n items is "[" + items joined by ", " + "]": n items + 2n bytes
    row = n_k * _weight_width(decimals) + 2 * n_k
    one_head = n_q * row + 2 * n_q
    one_layer = capture.num_heads * one_head + 2 * capture.num_heads
    weights = len(layers) * one_layer + 2 * len(layers)
    before, after = _json_parts(capture, layers)
    return _utf8_len(before) + weights + _utf8_len(after)


def to_json(capture: AttentionCapture, decimals: int = 6, layer: int | None = None) -> str:
    """The whole capture (tokens, weights [layer, head, query, key], model) as JSON text, or one `layer` of it."""
    out = io.StringIO()
    for chunk in json_chunks(capture, decimals, layer):
        out.write(chunk)
    return out.getvalue()


# ---- NPZ -----------------------------------------------------------------------------------------------------------
def _npy_header(dtype: np.dtype, shape: tuple[int, ...]) -> bytes:
    """The header of a .npy file (format 1.0) holding an array of this dtype and shape."""
    out = io.BytesIO()
    descr = np.lib.format.dtype_to_descr(dtype)
    np.lib.format.write_array_header_1_0(out, {"descr": descr, "fortran_order": False, "shape": shape})
    return out.getvalue()


def _npz_info(capture: AttentionCapture, dtype: NpzDtype) -> str:
    return json.dumps(
        {
            "model": capture.model,
            "kind": capture.kind.value,
            "attn_implementation": capture.attn_implementation,
            "truncated_from": capture.truncated_from,
            "weights": f"[layer, head, query, key] as {dtype}; weights × scale lie in [0, 1]",
            "meta": capture.meta,
        },
        ensure_ascii=False,
    )


def _quantised(weights: np.ndarray, dtype: NpzDtype) -> np.ndarray:
    if dtype == "uint8":
        return np.rint(np.clip(weights, 0.0, 1.0) / UINT8_SCALE).astype(np.uint8)
    return weights.astype(np.float16)


@dataclass(frozen=True)
class _Member:
    """One array of an .npz: its name in the archive, its .npy header, its data size and a way to produce it."""

    name: str
    header: bytes
    nbytes: int
    data: Callable[[], Iterator[bytes]]

    @property
    def size(self) -> int:
        return len(self.header) + self.nbytes


def _npz_members(capture: AttentionCapture, dtype: NpzDtype) -> list[_Member]:
    small = {
        "scale": np.array(1.0 if dtype == "float16" else UINT8_SCALE),
        "query_tokens": np.array(capture.query_tokens, dtype=str),
        "key_tokens": np.array(capture.key_tokens, dtype=str),
        "info": np.array(_npz_info(capture, dtype)),
    }
    shape = tuple(int(n) for n in capture.weights.shape)
    weights = _Member(
        "weights.npy",
        _npy_header(np.dtype(dtype), shape),
        int(np.prod(shape)) * np.dtype(dtype).itemsize,
        lambda: (_quantised(capture.weights[lay], dtype).tobytes() for lay in range(capture.num_layers)),
    )
    return [weights] + [
        _Member(f"{name}.npy", _npy_header(a.dtype, a.shape), a.nbytes, functools.partial(iter, [a.tobytes()]))
        for name, a in small.items()
    ]


# An uncompressed zip entry: a local header (30 bytes + name) before the data, a central-directory record
# (46 bytes + name) after all the data; one end-of-directory record (22 bytes) closes the archive.
_ZIP_ENTRY, _ZIP_END = 30 + 46, 22


def npz_size(capture: AttentionCapture, dtype: NpzDtype = "float16") -> int:
    """Bytes of `to_npz(capture, dtype)`, from the shape and the tokens alone (exact below 2 GB)."""
    members = _npz_members(capture, dtype)
    return _ZIP_END + sum(_ZIP_ENTRY + 2 * len(m.name) + m.size for m in members)


def to_npz(capture: AttentionCapture, dtype: NpzDtype = "float16") -> bytes:
    """The capture as a numpy .npz archive (uncompressed), read with `np.load`.

    Arrays: weights [layer, head, query, key] as float16, or as uint8 holding round(weight × 255);
    scale (multiply weights by it for [0, 1]: 1 or 1/255); query_tokens and key_tokens (str);
    info (JSON text: model, kind, attention implementation, truncation, meta). Written a layer at a time.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for member in _npz_members(capture, dtype):
            entry = zipfile.ZipInfo(member.name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.file_size = member.size  # known in advance: zipfile needs no zip64 record below 2 GB
            with archive.open(entry, "w") as file:
                file.write(member.header)
                for chunk in member.data():
                    file.write(chunk)
    return out.getvalue()


# ---- downloads -----------------------------------------------------------------------------------------------------
def human_size(n_bytes: float) -> str:
    """A size for people: 850 B, 12 kB, 3.2 MB, 559 MB (decimal units)."""
    for unit in ("B", "kB", "MB", "GB"):
        if n_bytes < 1000 or unit == "GB":
            break
        n_bytes /= 1000
    if unit == "B":
        return f"{int(n_bytes)} B"
    return f"{n_bytes:.1f} {unit}" if n_bytes < 10 else f"{n_bytes:.0f} {unit}"


def _encoded(chunks: Callable[..., Iterable[str]], *args: Any) -> bytes:
    """UTF-8 bytes of the text `chunks(*args)` yields, gathered a piece at a time."""
    out = io.BytesIO()
    for chunk in chunks(*args):
        out.write(chunk.encode("utf-8"))
    return out.getvalue()


@dataclass(frozen=True)
class Download:
    """One form of export a page can offer: its label, file, size (known before it is built) and builder."""

    label: str
    file_name: str
    mime: str
    size: int
    build: Callable[[], bytes]  # a partial holding only the capture: run when the button is clicked
    help: str | None = None

    @property
    def button_label(self) -> str:
        return f"{self.label} (≈ {human_size(self.size)})"


NPZ_HELP = (
    "numpy.load(file): weights [layer, head, query, key] ({dtype}; multiply by scale for [0, 1]), "
    "query_tokens, key_tokens and info (JSON: model, kind)."
)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def downloads(
    capture: AttentionCapture, layer: int, head: int, name: str = "attention", limit: int | None = None
) -> tuple[list[Download], str]:
    """The exports to offer for the capture on screen: this head as CSV, all heads as CSV, all heads as JSON.

    A form over `limit` bytes (default `EXPORT_LIMIT`) is replaced by the first compact form that fits: all
    heads as NPZ (float16 weights, else uint8) for the CSV, the shown layer for the JSON. Returns the downloads and
    one line saying what was replaced and why ("" when nothing was).
    """
    limit = EXPORT_LIMIT if limit is None else limit
    npz = [
        Download(
            f"All heads as {dtype} NPZ",
            f"{name}.npz",
            "application/octet-stream",
            npz_size(capture, dtype),
            functools.partial(to_npz, capture, dtype),
            NPZ_HELP.format(dtype=dtype),
        )
        for dtype in NPZ_DTYPES
    ]
    choices = [
        [
            Download(
                "This head as CSV",
                f"{name}_L{layer}_H{head}.csv",
                "text/csv",
                csv_size(capture, layer, head),
                functools.partial(_encoded, csv_chunks, capture, layer, head),
            )
        ],
        [
            Download(
                "All heads as CSV",
                f"{name}.csv",
                "text/csv",
                csv_size(capture),
                functools.partial(_encoded, csv_chunks, capture),
            ),
            *npz,
        ],
        [
            Download(
                "All heads as JSON",
                f"{name}.json",
                "application/json",
                json_size(capture),
                functools.partial(_encoded, json_chunks, capture),
            ),
            Download(
                f"Layer {layer} as JSON",
                f"{name}_L{layer}.json",
                "application/json",
                json_size(capture, layer=layer),
                functools.partial(_encoded, json_chunks, capture, 6, layer),
            ),
        ],
    ]
    offered, over, instead = [], [], []
    for wanted, *compact in choices:
        fits = [d for d in (wanted, *compact) if d.size <= limit]
        if fits:
            offered.append(fits[0])
        if wanted.size > limit:
            over.append(f"“{wanted.label}” (≈ {human_size(wanted.size)})")
            instead += [f"“{fits[0].label}”"] if fits else []
    if not over:
        return offered, ""
    why = f"Over the {human_size(limit)} download limit: {_and(over)}"
    return offered, why + (f"; offered instead: {_and(instead)}." if instead else "; no smaller form fits.")
