"""Load the models in the background as soon as the first page of the process is opened, or before the server
starts (`attention-explorer run` calls `import_now` and `start` before Streamlit does).

Importing torch and transformers and loading the models takes seconds; a person who opens the home page
first should find the model pages ready. `start` imports nothing in the caller's thread.

Two threads importing the same modules at once can see one of them half built ("cannot import name
'AutoConfig'"), so the imports happen here first and app.py waits for them (`wait_for_imports`) before it
runs a page that imports the model code. Only code that Streamlit itself never imports is imported here
(torch, transformers, the models, Plotly, pandas, the figure modules); the app's Streamlit modules are left
to the pages.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")
_lock = threading.Lock()
_started = False
_futures: dict[str, Future] = {}
_imported = threading.Event()
_finished = threading.Event()  # the preload is over: every model loaded, or failed
THREADS_VARIABLE = "ATTENTION_EXPLORER_TORCH_THREADS"


def torch_threads() -> int:
    """Threads one forward pass may use: 1 unless ATTENTION_EXPLORER_TORCH_THREADS says otherwise.

    A server runs many visitors' passes side by side, each on its own core. Spreading one small pass over both
    cores cost more CPU than it saved time (the Transformer page's run: 0.38 → 0.26 core-second with one
    thread); a 512-token BERT pass takes 0.23 s on one thread instead of 0.11 s on two.
    """
    value = os.environ.get(THREADS_VARIABLE, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else 1


def start() -> None:
    """Begin loading, once per process (later calls return at once)."""
    global _started
    with _lock:
        if _started:
            return
        _started = True
    threading.Thread(target=_load_all, name="attention-explorer-preload", daemon=True).start()


def wait_for_imports(timeout: float = 300) -> None:
    """Start the preload if needed and return once torch, transformers, the model code and the code the pages
    draw with are imported."""
    start()
    _imported.wait(timeout)


def wait_for_loads(timeout: float = 300) -> bool:
    """Wait for the preload, if it was started, to finish loading the models; False if it had not by `timeout`.

    For a test process about to exit: a model load still running in a thread when Python shuts down aborts the
    process ("terminate called without an active exception").
    """
    with _lock:
        started = _started
    return _finished.wait(timeout) if started else True


def import_now() -> None:
    """torch (with its thread count), transformers, the model code, pandas and Plotly with a first figure, in this
    thread. `attention-explorer run` calls it before Streamlit starts any thread, so no other thread can see a
    module half built; the preload calls it first.

    Not the app's cache module: its st.cache_data functions, made before Streamlit's runtime exists, would each
    log "No runtime found" (tests/test_server_log.py)."""
    import pandas  # noqa: F401
    import plotly.graph_objects as go
    import torch

    torch.set_num_threads(torch_threads())
    from attention_explorer.models.finetune import model as finetune  # noqa: F401  (the pages import these too:
    from attention_explorer.models.gpt import model as gpt  # noqa: F401  their transformers classes are made here)
    from attention_explorer.models.pretrained import loading  # noqa: F401
    from attention_explorer.models.translation import translator  # noqa: F401
    from attention_explorer.viz import bertviz_views, generation, heatmap  # noqa: F401

    go.Figure(go.Heatmap(z=[[0.0]]), layout={"title": {"text": "warm"}}).to_dict()  # Plotly loads its validators


def _load_all() -> None:
    try:
        _preload()
    finally:
        _finished.set()


def _preload() -> None:
    pending: list[tuple[Future, Callable[[], Any]]] = []
    try:
        import_now()
        from attention_explorer.models.pretrained.loading import default_model_dir, load_pretrained
        from attention_explorer.models.translation.translator import WEIGHTS, load_translator

        def translator(name: str) -> Callable[[], Any]:
            return lambda: load_translator(WEIGHTS / name)

        # the pretrained model first: the page most people open first waits for it
        jobs: list[tuple[str, Callable[[], Any]]] = [
            (f"pretrained:{default_model_dir()}", lambda: load_pretrained(default_model_dir())),
            *((f"translator:{name}", translator(name)) for name in ("bahdanau", "no_attention", "transformer")),
        ]
        with _lock:  # registered before pages may ask (they wait for _imported), so none loads a model twice
            for key, job in jobs:
                _futures[key] = Future()
                pending.append((_futures[key], job))  # kept here too: a page may take its future before it is done
    except Exception:  # a broken install: the page that imports the same code shows the error
        return
    finally:
        _imported.set()
    for future, job in pending:
        try:
            future.set_result(job())
        except Exception as exc:  # the page that asks gets the same error from its own load
            future.set_exception(exc)
    settle()


def settle() -> None:
    """Move everything alive now (modules, models) out of the garbage collector's sight.

    A full collection (Python's own, or `memory.collect_when_grown`'s) would otherwise walk the millions of
    long-lived objects of torch, transformers and the models: 0.3 core-second each time. Frozen objects are not
    walked; what a run allocates still is, so its garbage is still collected.
    """
    gc.collect()
    gc.freeze()


def settled(loaded: T) -> T:
    """`loaded` (a model just loaded), after `settle()`: what a cache loads is frozen too."""
    settle()
    return loaded


def take(key: str) -> Any | None:
    """The preloaded object for `key` (waiting for it if it is being loaded), handed over once; else None."""
    with _lock:
        future = _futures.pop(key, None)
    if future is None:
        return None
    try:
        return future.result(timeout=300)
    except Exception:
        return None  # load it again in the page, which shows the error properly
