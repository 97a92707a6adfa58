"""The deployment for a class or a school: replicas behind nginx, with affinity, health checks and restarts."""

import shutil
import signal
import socket
import time
from pathlib import Path

import pytest

from attention_explorer.models.deploy import Deployment, nginx_conf
from tests.session_client import Session

pytestmark = pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(), reason="nginx is not installed"
)


def free_ports(n: int) -> int:
    """The first of n consecutive free loopback ports."""
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        if first + n > 65535:
            continue
        try:
            for port in range(first, first + n):
                with socket.socket() as t:
                    t.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise RuntimeError("no free ports")


def test_the_nginx_configuration_routes_each_browser_to_one_replica(tmp_path):
    conf = nginx_conf(tmp_path, "127.0.0.1:8080", [8601, 8602])
    assert "hash $ae_client consistent;" in conf  # affinity by the browser's own cookie
    assert conf.count("server 127.0.0.1:86") == 2
    assert "proxy_set_header Upgrade $http_upgrade;" in conf  # Streamlit's websocket passes through


def test_a_lost_replica_costs_a_student_one_reload_not_their_view(tmp_path):
    first = free_ports(3)
    deployment = Deployment(
        port=first, replicas=2, first_replica_port=first + 1, work=tmp_path / "serve", address="127.0.0.1"
    )
    deployment.start(wait=240)
    url = f"http://127.0.0.1:{first}"
    view = {"text": "the quokka sleeps under the old bridge", "layer": "3", "head": "5"}  # what the URL holds
    try:
        with Session(url, timeout=240, cookie="ae_client=student-7") as session:
            opened = session.run("bert", view)
            assert opened.finished and not opened.exceptions and b"quokka" in opened.text
            home = session.replica
            assert home in {f"127.0.0.1:{r.port}" for r in deployment.pool}
            with Session(url, timeout=60, cookie="ae_client=student-7") as again:  # the same browser: same replica
                assert again.replica == home
            lost = next(r for r in deployment.pool if f"127.0.0.1:{r.port}" == home)
            lost.process.send_signal(signal.SIGKILL)  # the replica dies mid-lesson
            lost.process.wait()
            with pytest.raises(Exception):  # noqa: B017 (the connection is gone, however the client says it)
                session.run("bert", {**view, "head": "6"})
        # the student reloads the page: same cookie, same URL
        with Session(url, timeout=240, cookie="ae_client=student-7") as reloaded:
            assert reloaded.replica is not None and reloaded.replica != home
            shown = reloaded.run("bert", view)
            assert shown.finished and not shown.exceptions
            assert b"quokka" in shown.text and b"Layer 3, head 5" in shown.text  # the same view, rebuilt from the URL
        # the health check starts the lost replica again, and it serves
        assert deployment.check() == [lost.port] and lost.starts == 2
        deadline = time.monotonic() + 240
        while not deployment.healthy(lost):
            assert time.monotonic() < deadline, "the restarted replica never answered"
            time.sleep(1)
        assert deployment.check() == []
    finally:
        deployment.stop()
    assert all(r.process.poll() is not None for r in deployment.pool) and deployment.nginx.poll() is not None
