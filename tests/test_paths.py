"""Model directories a visitor may open: only under the folders the server's owner allows, links followed."""

import os

import pytest

from attention_explorer.models.pretrained.paths import PathRefused, allowed_roots, resolve_model_dir


@pytest.fixture
def root(tmp_path):
    (tmp_path / "models" / "bert").mkdir(parents=True)
    (tmp_path / "models" / "bert" / "config.json").write_text("{}", encoding="utf-8")
    (tmp_path / "secret").mkdir()
    os.symlink(tmp_path / "secret", tmp_path / "models" / "escape")
    return tmp_path / "models"


def test_roots_from_the_setting(tmp_path):
    assert allowed_roots("") == [] and allowed_roots("*") is None
    assert allowed_roots(f"{tmp_path}{os.pathsep}{tmp_path}/x") == [tmp_path.resolve(), (tmp_path / "x").resolve()]


def test_a_directory_inside_an_allowed_folder_opens(root):
    assert resolve_model_dir(str(root / "bert"), [root.resolve()]) == (root / "bert").resolve()
    assert resolve_model_dir("bert", [root.resolve()]) == (root / "bert").resolve()  # relative to the first root


@pytest.mark.parametrize("typed", ["/", "/etc", "/proc/self", "../..", "../secret", "escape", "bert/../../secret"])
def test_paths_leading_out_are_refused_without_saying_what_is_there(root, typed):
    with pytest.raises(PathRefused, match="outside the folders this server allows") as info:
        resolve_model_dir(typed, [root.resolve()])
    assert "secret" not in str(info.value) or typed in ("../secret", "bert/../../secret")


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "Type the path"),
        ("~nosuchuser", "other users' home"),
        ("~nosuchuser/models", "other users' home"),
        ("x" * 5000, "not a folder path"),
        ("a/" + "b" * 300, "not a folder path"),
        ("bad\x00path", "not a folder path"),
        ("missing", "There is no folder"),
    ],
)
def test_odd_input_gets_a_clear_refusal(root, typed, message):
    with pytest.raises(PathRefused, match=message):
        resolve_model_dir(typed, [root.resolve()])


def test_no_roots_means_no_local_directory_and_any_means_any(root):
    with pytest.raises(PathRefused, match="does not open local model directories"):
        resolve_model_dir(str(root / "bert"), [])
    assert resolve_model_dir(str(root / "escape"), None) == (root.parent / "secret").resolve()
