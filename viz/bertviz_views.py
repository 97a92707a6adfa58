"""bertviz's head and model views as self-contained HTML that draws with no network.

bertviz's JavaScript asks a CDN (through require.js) for d3 5.7.0 and jQuery. Here the exact d3
build shipped inside the `mpld3` wheel and jQuery from `xstatic-jquery` are inlined instead, and
`require` is answered with those already-loaded modules. bertviz's own JS files are read from the
installed package and used unchanged, apart from its documented PYTHON_PARAMS template marker.

bertviz writes each weight as a full-precision JSON number (~45 bytes). Here weights travel as one
byte each (uint8, base64: 1.33 bytes per weight) and are decoded back to [0, 1] before bertviz
sees them: an SVG line's opacity shows no finer step than 1/255.
"""

from __future__ import annotations

import base64
import functools
import html
import importlib.metadata
import json
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from attention_explorer.models.core.capture import AttentionCapture, AttentionKind

View = Literal["head", "model"]

# bertviz draws one SVG line per weight, ~100k lines a second in Chromium on 2 cores. A view's default
# token window keeps it under this many lines (head view: 45 tokens; model view of 6×12 heads: 18).
MAX_LINES = 25_000

# name → (distribution, file inside it, text its header must contain, file name when served)
_ASSETS = {
    "d3": ("mpld3", "mpld3/js/d3.v5.min.js", "v5.7.0", "d3.v5.7.0.min.js"),
    "jquery": ("XStatic-jQuery", "xstatic/pkg/jquery/data/jquery.min.js", "jQuery v3", "jquery.min.js"),
}

# Our glue, before bertviz's script: `require` hands over the modules already on the page (so
# bertviz's CDN paths are never asked for), and `AE_decode` turns the byte payload into the nested
# [layer][head][query][key] arrays bertviz reads.
_GLUE = """
var AE_MODULES = {d3: window.d3, jquery: window.jQuery};
window.requirejs = window.require = function (deps, factory) {
  factory.apply(null, deps.map(function (name) { return AE_MODULES[name]; }));
};
window.require.config = function () {};
function AE_decode(params) {
  params.attention.forEach(function (item) {
    var shape = item.attn.shape, bytes = atob(item.attn.b64), pos = 0;
    function build(dim) {
      var out = new Array(shape[dim]);
      for (var i = 0; i < shape[dim]; i++) {
        out[i] = dim === shape.length - 1 ? bytes.charCodeAt(pos++) / 255 : build(dim + 1);
      }
      return out;
    }
    item.attn = build(0);
  });
  return params;
}
// bertviz draws at a fixed width (the model view is 970 px for 12 heads); a narrower frame (a laptop, a
// projector at 1024 px) would clip the last heads. Zoom the drawing to fit the frame's width instead.
function AE_fit() {
  var room = document.documentElement.clientWidth;
  document.querySelectorAll('.ae-scroll').forEach(function (box) {
    var svg = box.querySelector('svg');
    if (!svg) return;
    var natural = svg.getBoundingClientRect().width / (parseFloat(box.style.zoom) || 1);
    var zoom = natural > room ? room / natural : 1;
    if (Math.abs(zoom - (parseFloat(box.style.zoom) || 1)) > 0.001) box.style.zoom = zoom;
  });
}
var AE_pending = false;
function AE_schedule() {
  if (AE_pending) return;
  AE_pending = true;
  requestAnimationFrame(function () { AE_pending = false; AE_fit(); });
}
new MutationObserver(AE_schedule).observe(document.documentElement, {childList: true, subtree: true});
window.addEventListener('resize', AE_schedule);
"""


class AssetError(RuntimeError):
    """A JavaScript file the views need is missing from the installed packages."""


def _installed_file(distribution: str, rel: str) -> str:
    """A file shipped by an installed distribution, read without importing its package.

    Importing bertviz would load torch and IPython, mpld3 would load matplotlib: only their files are needed.
    """
    try:
        path = Path(str(importlib.metadata.distribution(distribution).locate_file(rel)))
        return path.read_text(encoding="utf-8")
    except (importlib.metadata.PackageNotFoundError, OSError) as exc:
        raise AssetError(
            f"{rel} is missing from {distribution}; reinstall with: pip install -r requirements.txt"
        ) from exc


@functools.cache
def _asset(name: str) -> str:
    distribution, rel, marker, _ = _ASSETS[name]
    text = _installed_file(distribution, rel)
    if marker not in text[:200]:
        raise AssetError(f"{distribution}/{rel} is not the expected {name} {marker} build")
    return text


@functools.cache
def _bertviz_js(view: View) -> str:
    """bertviz's own view script, reading its params from `window.AE_PARAMS` through our decoder.

    Only the first PYTHON_PARAMS marker is replaced: the second sits in a comment, where bertviz
    itself writes every weight a second time.
    """
    text = _installed_file("bertviz", f"bertviz/{view}_view.js")
    if "const params = PYTHON_PARAMS;" not in text:
        raise AssetError(f"bertviz's {view}_view.js has no PYTHON_PARAMS marker; is bertviz 1.4 installed?")
    return text.replace("PYTHON_PARAMS", "AE_decode(window.AE_PARAMS)", 1)


def _served_files() -> dict[str, str]:
    """File name → text of everything a bertviz frame loads: d3, jQuery, our glue, bertviz's views."""
    files = {served: _asset(name) for name, (*_, served) in _ASSETS.items()}
    files["attention-explorer-glue.js"] = _GLUE
    files.update({f"bertviz_{view}_view.js": _bertviz_js(view) for view in ("head", "model")})
    return files


def write_assets(folder: Path) -> None:
    """Write the frames' scripts (from installed packages) into `folder`, for the app to serve.

    Served files are parsed once and cached by the browser; inlined, every frame would carry and
    parse ~360 kB of library code again on every rerun.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in _served_files().items():
        target = folder / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


def script_json(value: object) -> str:
    """JSON that is safe inside a <script> element: no token can close the script or open a comment."""
    text = json.dumps(value, ensure_ascii=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def encode_weights(weights: np.ndarray) -> dict[str, Any]:
    """[layer, head, query, key] floats → {"b64": uint8 bytes, "shape": [...]}, value = byte / 255."""
    q = np.rint(np.clip(weights, 0.0, 1.0) * 255).astype(np.uint8)
    return {"b64": base64.b64encode(q.tobytes()).decode("ascii"), "shape": list(q.shape)}


def decode_weights(payload: dict[str, Any]) -> np.ndarray:
    """Inverse of `encode_weights` (what the page's JavaScript does), for tests and tools."""
    raw = np.frombuffer(base64.b64decode(payload["b64"]), dtype=np.uint8)
    return raw.reshape(payload["shape"]).astype(np.float32) / 255


def lines_drawn(view: View, n_layers: int, n_heads: int, n_tokens: int) -> int:
    """SVG lines bertviz draws: one per weight of one layer (head view) or of all layers (model view)."""
    return (1 if view == "head" else n_layers) * n_heads * n_tokens * n_tokens


def max_window(view: View, n_layers: int, n_heads: int, n_tokens: int, max_lines: int = MAX_LINES) -> int:
    """Most tokens the view can show within `max_lines` SVG lines."""
    per_token2 = lines_drawn(view, n_layers, n_heads, 1)
    return int(min(n_tokens, max(2, int((max_lines / per_token2) ** 0.5))))


def _script_tags(names: list[str], asset_url: str | None) -> str:
    if asset_url is None:
        files = _served_files()
        return "".join(f"<script>{files[name]}</script>\n" for name in names)
    return "".join(f'<script src="{asset_url}/{name}"></script>\n' for name in names)


def bertviz_html(
    capture: AttentionCapture,
    view: View,
    start: int = 0,
    stop: int | None = None,
    layer: int = 0,
    asset_url: str | None = None,
) -> str:
    """A complete HTML document with bertviz's `view` of tokens [start, stop) of a self-attention capture.

    A window shows the model's own weights among its tokens (rows are not renormalised).
    asset_url: where `write_assets` put d3 and jQuery (served by the app); None inlines them, so the
    document stands alone.
    """
    stop = len(capture.query_tokens) if stop is None else stop
    if not 0 <= start < stop <= len(capture.query_tokens):
        raise ValueError(f"Token window {start}–{stop} is outside the {len(capture.query_tokens)} tokens")
    tokens = list(capture.query_tokens[start:stop])
    items = [(None, capture.weights[:, :, start:stop, start:stop], tokens, tokens)]
    return _document(items, view, layer, asset_url)


def encoder_decoder_html(
    captures: dict[str, AttentionCapture],
    view: View,
    layer: int = 0,
    asset_url: str | None = None,
    shown: str | None = None,
) -> str:
    """bertviz's `view` of several attentions of one input (e.g. Encoder, Decoder, Cross), chosen in a menu.

    Each capture's query tokens go on the left, its key tokens on the right, as bertviz draws cross attention.
    shown: the menu entry drawn first (default: the first).
    """
    items = [(name, c.weights, list(c.query_tokens), list(c.key_tokens)) for name, c in captures.items()]
    names = list(captures)
    return _document(items, view, layer, asset_url, names.index(shown) if shown in names else 0)


def encoder_decoder_window_html(
    captures: dict[str, AttentionCapture],
    view: View,
    start: int = 0,
    stop: int | None = None,
    layer: int = 0,
    asset_url: str | None = None,
) -> str:
    """`encoder_decoder_html` of a window: input positions [start, stop), and as many output positions from 0.

    Self-attention reads the input on both axes, causal self-attention the output, cross-attention output
    queries over input keys. Weights are the model's own (rows are not renormalised).
    """
    if not captures:
        raise ValueError("No attention to draw")
    source = max(len(c.key_tokens) for c in captures.values() if c.kind is not AttentionKind.CAUSAL_SELF)
    stop = source if stop is None else stop
    if not 0 <= start < stop <= source:
        raise ValueError(f"Token window {start}–{stop} is outside the {source} input tokens")
    src, tgt = slice(start, stop), slice(0, stop - start)
    axes = {AttentionKind.SELF: (src, src), AttentionKind.CAUSAL_SELF: (tgt, tgt), AttentionKind.CROSS: (tgt, src)}
    items = []
    for name, c in captures.items():
        rows, cols = axes.get(c.kind, (src, src))
        items.append((name, c.weights[:, :, rows, cols], list(c.query_tokens[rows]), list(c.key_tokens[cols])))
    return _document(items, view, layer, asset_url)


def _document(
    items: Sequence[tuple[str | None, np.ndarray, list[str], list[str]]],
    view: View,
    layer: int,
    asset_url: str | None,
    shown: int = 0,
) -> str:
    n_layers, n_heads = items[0][1].shape[:2]
    vis_id = f"bertviz-{uuid.uuid4().hex}"
    params: dict[str, object] = {
        "attention": [
            {"name": name, "attn": encode_weights(w), "left_text": left, "right_text": right}
            for name, w, left, right in items
        ],
        "default_filter": str(shown),
        "root_div_id": vis_id,
        "include_layers": list(range(n_layers)),
    }
    menu = ""
    if len(items) > 1:
        options = "".join(
            f'<option value="{i}"{" selected" if i == shown else ""}>{html.escape(str(item[0]))}</option>'
            for i, item in enumerate(items)
        )
        menu = f' Attention: <select id="filter">{options}</select>'
    if view == "head":
        params.update(layer=layer, heads=None)
        controls = f'Layer: <select id="layer"></select>{menu}'
    else:
        params.update(display_mode="light", include_heads=list(range(n_heads)), total_heads=n_heads)
        controls = menu
    libraries = [served for *_, served in _ASSETS.values()] + ["attention-explorer-glue.js"]
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>bertviz {view} view</title></head>
<body style="margin:0">
{_script_tags(libraries, asset_url)}<div id="{vis_id}" style="font-family:Helvetica, Arial, sans-serif;">
  <span style="user-select:none">{controls}</span>
  <div class="ae-scroll" style="overflow-x:auto;max-width:100%"><div id="vis"></div></div>
</div>
<script>window.AE_PARAMS = {script_json(params)};</script>
{_script_tags([f"bertviz_{view}_view.js"], asset_url)}</body></html>"""
