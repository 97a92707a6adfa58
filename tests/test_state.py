"""Links that restore a view: parameters checked and moved to the nearest valid value, never an exception."""

import math

import pytest
from streamlit.testing.v1 import AppTest

from attention_explorer.pages.shared.state import Field
from tests.test_pages import APP

LAYER = Field("k", "layer", int, 0, lo=0, hi=5)


@pytest.mark.parametrize(
    "raw, value, noted",
    [
        ("3", 3, False),
        ("9", 5, True),
        ("-2", 0, True),
        ("abc", 0, True),
        ("2.5", 0, True),
        ("nan", 0, True),
        ("inf", 0, True),
        ("1e400", 0, True),
        ("4.0", 4, False),
        ("", 0, True),
    ],
)
def test_numbers_from_a_link(raw, value, noted):
    got, note = LAYER.parse(raw)
    assert got == value and isinstance(got, int)
    assert (note is not None) == noted


def test_text_and_flags_from_a_link():
    text = Field("t", "text", str, "x", max_len=10)
    assert text.parse("hello") == ("hello", None)
    cut, note = text.parse("a" * 100_000)
    assert cut == "a" * 10 and "100,000 characters" in note
    flag = Field("p", "projector", bool, False)
    assert flag.parse("1") == (True, None) and flag.parse("off") == (False, None)
    assert flag.parse("maybe")[0] is False and flag.parse("maybe")[1]
    temperature = Field("temp", "temperature", float, 1.0, lo=0.1, hi=5.0)
    assert temperature.parse("0.5") == (0.5, None)
    assert temperature.parse("50")[0] == 5.0 and not math.isnan(temperature.parse("nan")[0])


def test_only_values_other_than_the_default_go_into_the_link():
    assert LAYER.to_param(0) is None and LAYER.to_param(3) == "3"
    assert Field("t", "text", str, "x", max_len=4).to_param("abcdefgh") == "abcd"


def opened(page: str, **params: str) -> AppTest:
    """A fresh session opening `page` from a link with these parameters."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(page)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    return at


def test_a_link_restores_the_seq2seq_view_and_the_view_writes_the_link():
    at = opened("pages/seq2seq.py", text="the black cat will sleep .", decoding="Beam search", beam="5", step="2")
    assert at.text_input(key="s2s_text").value == "the black cat will sleep ."
    assert at.radio(key="s2s_mode").value == "Beam search"
    assert at.slider(key="s2s_width").value == 5 and at.slider(key="s2s_step").value == 2
    at.slider(key="s2s_width").set_value(3).run()
    assert at.query_params["beam"] == ["3"] or at.query_params["beam"] == "3"


def test_a_bad_link_gives_the_nearest_view_and_says_so():
    at = opened("pages/transformer.py", layer="9", head="-1", attention="nonsense", text="x" * 100_000)
    assert at.selectbox(key="tf_layer").value == 2  # the Transformer has 3 layers
    assert at.selectbox(key="tf_head").value == 0
    assert at.radio(key="tf_kind").value == "Encoder self-attention"
    notes = " ".join(i.value for i in at.info)
    assert "“layer” = 9" in notes and "“attention”" in notes and "100,000 characters" in notes


def test_the_sentence_typed_on_one_page_starts_the_next():
    at = opened("pages/seq2seq.py")
    at.text_input(key="s2s_text").input("the small dog will eat .").run()
    at.switch_page("pages/transformer.py").run()
    assert not at.exception
    assert at.text_input(key="tf_text").value == "the small dog will eat ."


def test_returning_to_a_page_shows_the_view_left_there():
    at = opened("pages/positions.py")
    at.slider(key="pe_d").set_value(64).run()
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/positions.py").run()
    assert not at.exception
    assert at.slider(key="pe_d").value == 64


def test_a_link_restores_the_gpt_view_and_moves_a_step_past_the_generation():
    at = opened("pages/gpt.py", text="the old king did not", words="3", step="40", layer="1", head="2")
    assert at.text_input(key="gpt_text").value == "the old king did not"
    assert at.number_input(key="gpt_budget").value == 3
    assert at.slider(key="gpt_step").value == 2  # three words generated at most: steps 0–2
    assert (at.selectbox(key="gpt_layer").value, at.selectbox(key="gpt_head").value) == (1, 2)
    at.selectbox(key="gpt_head").select(3).run()
    assert at.query_params["head"] in (["3"], "3")


def test_the_fine_tune_page_opens_on_the_most_changed_head_unless_the_link_names_one():
    at = opened("pages/finetune.py", text="did the cat sleep")
    table = at.dataframe[0].value  # the most changed heads, largest first
    best = (int(table["layer"][0]), int(table["head"][0]))
    assert (at.selectbox(key="ft_head_layer").value, at.selectbox(key="ft_head").value) == best
    other = (best[0], (best[1] + 1) % 12)
    at = opened("pages/finetune.py", text="did the cat sleep", hlayer=str(other[0]), head=str(other[1]), layer="abc")
    assert (at.selectbox(key="ft_head_layer").value, at.selectbox(key="ft_head").value) == other
    assert at.selectbox(key="ft_layer").value == 5
    assert "“layer” is not a number" in " ".join(i.value for i in at.info)
