"""The layout keeps its promises: figures never load torch, imports use the package name, the CLI answers."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIRS = ["models", "viz", "pages"]
VIZ_MODULES = sorted(p.stem for p in (ROOT / "viz").glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("module", VIZ_MODULES)
def test_a_figure_module_loads_neither_torch_nor_transformers(module):
    code = (
        "import sys, importlib\n"
        f"importlib.import_module('attention_explorer.viz.{module}')\n"
        "print(sorted(m for m in ('torch', 'transformers', 'streamlit') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert out.stdout.strip() == "[]", f"viz.{module} loaded {out.stdout.strip()}"


def python_files():
    for folder in [*PACKAGE_DIRS, "tests", "benchmarks"]:
        yield from (ROOT / folder).rglob("*.py")
    yield ROOT / "app.py"


def test_no_module_imports_the_folders_by_their_bare_names():
    """`import models…` would load a second copy of every class beside `attention_explorer.models…`."""
    offenders = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in PACKAGE_DIRS]
    assert offenders == []


def test_no_page_module_sits_where_streamlit_would_list_a_helper_as_a_page():
    """Streamlit's legacy router lists every pages/*.py: only real pages live there, helpers in pages/shared/."""
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    for path in (ROOT / "pages").glob("*.py"):
        if path.name != "__init__.py":
            assert f'"pages/{path.name}"' in app, f"{path.name} is not a page of app.py's navigation"
            assert f'url_path="{path.stem}"' in app or path.stem == "home", f"{path.name}: url_path must be its name"


def test_the_command_line_lists_its_commands_without_loading_torch():
    code = (
        "import sys\nfrom attention_explorer.models.cli import main\n"
        "rc = main(['--help'])\nprint('torch' in sys.modules, rc)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert "attention-explorer train MODEL" in out.stdout
    assert out.stdout.strip().endswith("False 0")
