"""`attention-explorer run`: start the app with the settings in its .streamlit/config.toml, from any folder.

Streamlit reads .streamlit/config.toml only from the current folder; an installed package lives elsewhere,
so every setting in the package's own file is passed on the command line (a later flag wins).
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

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
    """Extra arguments go to `streamlit run`, e.g. `attention-explorer run --server.port 8600`."""
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), *config_flags(), *(argv or [])]
    return subprocess.call(command)
