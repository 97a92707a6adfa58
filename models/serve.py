"""`attention-explorer run`: start the app with the settings in its .streamlit/config.toml, from any folder.

Streamlit reads .streamlit/config.toml only from the current folder; an installed package lives elsewhere,
so every setting in the package's own file is passed on the command line (a later flag wins). The server runs
in this process, which starts loading the models before the first visitor opens a page.
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

from attention_explorer.models.pretrained.paths import ANY_PATH, ROOTS_VARIABLE

ROOT = Path(__file__).resolve().parent.parent  # the package root: app.py, pages/, .streamlit/


def config_flags(path: Path = ROOT / ".streamlit" / "config.toml") -> list[str]:
    """Every option in a Streamlit config file as command-line flags (--section.key value)."""
    if not path.is_file():
        return []
    flags = []
    for section, options in tomllib.loads(path.read_text(encoding="utf-8")).items():
        for key, value in options.items():
            if isinstance(value, dict):  # e.g. [theme.light]: Streamlit only takes these from files
                continue
            flags += [f"--{section}.{key}", str(value).lower() if isinstance(value, bool) else str(value)]
    return flags


def main(argv: Sequence[str] | None = None) -> int:
    """`--model-root DIR` (repeatable) allows local model directories under DIR; `--any-model-path` allows
    any path (a single-user run). Other arguments go to `streamlit run`, e.g. `--server.port 8600`."""
    parser = argparse.ArgumentParser(prog="attention-explorer run", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model-root", action="append", default=[], help="a folder whose model directories may be opened"
    )
    parser.add_argument("--any-model-path", action="store_true", help="allow every path (only for a single-user run)")
    args, streamlit_args = parser.parse_known_args(argv)
    os.environ.update(environment(args.model_root, args.any_model_path))
    # Streamlit runs in this process, so the models are ready before the first visitor arrives: importing torch
    # and transformers alone takes seconds (the first page drew in 9 s after `streamlit run`, where that visitor
    # waited for them). The imports happen here, before Streamlit has started any thread of its own; the models
    # then load in the background while the server starts.
    from attention_explorer.pages.shared import warmup

    print("Attention Explorer: loading torch, transformers and the models…", flush=True)
    warmup.import_now()
    warmup.start()
    from streamlit.web import cli as streamlit_cli

    return streamlit_cli.main(
        args=["run", str(ROOT / "app.py"), *config_flags(), *streamlit_args], prog_name="streamlit"
    )


def streamlit_command(streamlit_args: Sequence[str] = ()) -> list[str]:
    """The `streamlit run` command line of the app, with its config file's settings (later flags win)."""
    return [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), *config_flags(), *streamlit_args]


def environment(model_roots: Sequence[str] = (), any_model_path: bool = False) -> dict[str, str]:
    """This process's environment with the model-path rules set from `--model-root` / `--any-model-path`."""
    env = dict(os.environ)
    if any_model_path:
        env[ROOTS_VARIABLE] = ANY_PATH
    elif model_roots:
        env[ROOTS_VARIABLE] = os.pathsep.join(str(Path(r).expanduser().resolve()) for r in model_roots)
    return env
