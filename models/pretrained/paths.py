"""Which local model directories a visitor may open: only those under folders the server's owner allows.

A classroom server must not let any visitor make it open any path it can read. The owner lists the allowed
folders in ATTENTION_EXPLORER_MODEL_ROOTS (separated by ':'), or `*` for any path (a single-user run);
unset, no local directory can be opened. A typed path is resolved with every link followed and must stay
inside an allowed folder; anything else is refused with a message that reveals nothing about the rest of
the filesystem (whether a path outside exists, or what it holds, is never said).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOTS_VARIABLE = "ATTENTION_EXPLORER_MODEL_ROOTS"
ANY_PATH = "*"
MAX_PATH_CHARS = 1024


class PathRefused(ValueError):
    """A typed model path the server will not open; the message is safe to show to anyone."""


def allowed_roots(setting: str | None = None) -> list[Path] | None:
    """The allowed folders (resolved), [] for none, None for any path. Reads the environment by default."""
    raw = os.environ.get(ROOTS_VARIABLE, "") if setting is None else setting
    if raw.strip() == ANY_PATH:
        return None
    roots = []
    for part in raw.split(os.pathsep):
        if part.strip():
            try:
                roots.append(Path(part.strip()).expanduser().resolve())
            except (OSError, RuntimeError):
                continue  # a misconfigured root allows nothing
    return roots


def describe_roots(roots: list[Path] | None) -> str:
    """How the page says which folders are allowed (the owner chose them, so they may be shown)."""
    if roots is None:
        return "any folder (this server allows every path)"
    if not roots:
        return "no folder"
    return ", ".join(str(r) for r in roots)


def resolve_model_dir(typed: str, roots: list[Path] | None) -> Path:
    """The real directory a typed path names, if the server allows it; PathRefused otherwise.

    Relative paths are taken inside the first allowed folder. `~` means the server user's home, `~name`
    is refused. Links are followed before the check, so a link cannot lead out of an allowed folder.
    """
    text = typed.strip()
    if not text:
        raise PathRefused("Type the path of a model directory.")
    if len(text) > MAX_PATH_CHARS or "\x00" in text or any(len(part) > 255 for part in text.split("/")):
        raise PathRefused("That is not a folder path (too long, or it holds characters a path cannot have).")
    if roots is not None and not roots:
        raise PathRefused(
            "This server does not open local model directories. Whoever runs it can allow folders with "
            f"{ROOTS_VARIABLE}=/path/to/models (or `attention-explorer run --model-root /path/to/models`)."
        )
    if text.startswith("~") and not (text == "~" or text.startswith("~/")):
        raise PathRefused("Paths of other users' home folders (~name) are not opened. Give the full path.")
    try:
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = (roots[0] if roots else Path.cwd()) / path
        real = path.resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise PathRefused("That path cannot be read as a folder path.") from exc
    if roots is not None and not any(real == root or root in real.parents for root in roots):
        raise PathRefused(f"That path is outside the folders this server allows ({describe_roots(roots)}).")
    try:
        is_dir = real.is_dir()
    except OSError:
        is_dir = False
    if not is_dir:
        raise PathRefused(f"There is no folder at {text!r}. Give the folder that holds config.json.")
    return real
