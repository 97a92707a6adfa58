"""A class at once, as a correctness check (timings are the benchmark's job, never a gate here).

Ten real Streamlit sessions over the websocket (no browser) type their own sentences into the BERT page at the
same moment: every run finishes, no page shows an exception, and each session sees its own sentence and no
one else's. Then one session types 30 long sentences: the server's memory stays within a stated bound.
"""

from __future__ import annotations

import pytest

from benchmarks import bench_load
from tests import browser_support as bs
from tests.session_client import Session

GROWTH_BOUND_MB = 400  # 30 different sentences of ~300 tokens each: the caches are bounded, memory must be too


@pytest.fixture(scope="module")
def server():
    with bs.streamlit_server(timeout=180) as url:
        with Session(url, timeout=300) as warm:
            warm.run("bert", {"text": "warm up ."})
        yield url


def test_ten_students_at_once_each_see_their_own_sentence(server):
    result = bench_load.class_of(server, "bert", students=10, runs=1, seed=1, pid=server.pid)
    assert result["errors"] == []
    assert len(result["opened"]) == 10 and len(result["runs"]) == 10


def test_memory_stays_bounded_over_thirty_long_sentences(server):
    words = [
        "the",
        "old",
        "river",
        "carries",
        "cold",
        "water",
        "past",
        "quiet",
        "towns",
        "and",
        "green",
        "fields",
        "while",
        "birds",
        "sing",
    ]
    with Session(server, timeout=300) as session:
        session.run("bert", {"text": "one more warm up sentence ."})
        before = bs.rss_mb(server.pid)
        for k in range(30):
            text = " ".join(words[(k + i) % len(words)] for i in range(300)) + f" marker{k} ."
            run = session.run("bert", {"text": text})
            assert run.finished and not run.exceptions
        after = bs.rss_mb(server.pid)
    assert after - before < GROWTH_BOUND_MB, f"server memory grew {after - before:.0f} MB over 30 long sentences"
