"""`attention-explorer serve`: N app replicas behind nginx, for a class or a school.

    attention-explorer serve --replicas 2 --port 8080      # then open http://<this machine>:8080

Starts N `attention-explorer run` processes on loopback ports, writes an nginx configuration into a work
folder and runs Debian's nginx in front of them (in the foreground, as this command's child). The script
keeps the deployment alive: every few seconds it asks each replica's `/_stcore/health` and starts again a
replica that has died.

Affinity. A Streamlit session is one websocket, and the files a page offers for download are kept by the
replica that made them, so a browser must keep talking to one replica. Open-source nginx has no sticky
cookie; here nginx gives each new browser a random `ae_client` cookie and routes by a consistent hash of
it. When a replica is lost, its browsers' next request hashes to another replica: the page reconnects
there with a new session, and because the whole view lives in the URL, the student sees the same view.

Every replica gets the same cookie secret (Streamlit signs its XSRF cookie with it) and the same
model-path rules. Ctrl-C (or SIGTERM) stops nginx and every replica.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from attention_explorer.models.pretrained.paths import ANY_PATH, ROOTS_VARIABLE
from attention_explorer.models.serve import environment, streamlit_command

NGINX_CONF = """\
# written by `attention-explorer serve`; edited copies are overwritten at the next start
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {work}/tmp/body;
    proxy_temp_path {work}/tmp/proxy;
    fastcgi_temp_path {work}/tmp/fastcgi;
    uwsgi_temp_path {work}/tmp/uwsgi;
    scgi_temp_path {work}/tmp/scgi;

    # a browser's affinity key: its ae_client cookie, or (first request) a fresh random id it is then given
    map $cookie_ae_client $ae_client {{ "" $request_id; default $cookie_ae_client; }}
    map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}

    upstream attention_explorer {{
        hash $ae_client consistent;
{servers}
    }}

    server {{
        listen {listen};
        location / {{
            proxy_pass http://attention_explorer;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_read_timeout 1d;              # a student's websocket stays open for the lesson
            proxy_buffering off;                # downloads stream through, never buffered to disk here
            proxy_next_upstream error timeout;  # a replica that is down: the next one answers
            add_header Set-Cookie "ae_client=$ae_client; Path=/; HttpOnly; SameSite=Lax" always;
            add_header X-Replica $upstream_addr always;  # which replica answered (for tests and logs)
        }}
    }}
}}
"""


def nginx_conf(work: Path, listen: str, ports: Sequence[int]) -> str:
    """The nginx configuration of a deployment whose replicas listen on these loopback ports."""
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in ports)
    return NGINX_CONF.format(work=work, listen=listen, servers=servers)


def answers(url: str, timeout: float = 5) -> bool:
    """Whether `url` answers 200 within `timeout` seconds."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return reply.status == 200
    except OSError:
        return False


@dataclass
class Replica:
    port: int
    process: subprocess.Popen | None = None
    log: Path | None = None
    starts: int = 0
    ready: bool = False  # answered a health check since it was (re)started
    failures: int = 0  # health checks failed in a row since it was ready


@dataclass
class Deployment:
    """N replicas and nginx; `start()`, `check()` (restart dead replicas), `stop()`."""

    port: int = 8080
    replicas: int = 2
    first_replica_port: int = 8601
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="attention-explorer-serve-")))
    address: str = "0.0.0.0"
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    pool: list[Replica] = field(default_factory=list)
    nginx: subprocess.Popen | None = None

    def start(self, wait: float = 300.0) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise SystemExit("nginx is not installed: `sudo apt-get install nginx` (Debian's package), then retry.")
        self.work.mkdir(parents=True, exist_ok=True)
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.work / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        self.env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))  # one secret for all
        self.pool = [Replica(self.first_replica_port + i) for i in range(self.replicas)]
        for replica in self.pool:
            self._launch(replica)
        self._wait_healthy(self.pool, wait)
        threads = [threading.Thread(target=warm, args=(r.port, wait), daemon=True) for r in self.pool]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        conf = self.work / "nginx.conf"
        conf.write_text(nginx_conf(self.work, f"{self.address}:{self.port}", [r.port for r in self.pool]))
        self.nginx = subprocess.Popen(
            [nginx, "-p", str(self.work), "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=open(self.work / "nginx.out", "w"),  # noqa: SIM115 (nginx owns it until it exits)
        )
        self._wait_url(f"http://127.0.0.1:{self.port}/_stcore/health", wait, self.nginx)

    def _launch(self, replica: Replica) -> None:
        replica.log = self.work / f"replica-{replica.port}.log"
        # Streamlit itself, not `attention-explorer run`: a replica's process is the server, so killing it
        # (a health check's restart, a test) stops the server and frees its port
        command = streamlit_command(["--server.port", str(replica.port), "--server.address", "127.0.0.1"])
        with open(replica.log, "a") as log:
            replica.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        replica.starts += 1
        replica.ready, replica.failures = False, 0

    def healthy(self, replica: Replica) -> bool:
        return answers(f"http://127.0.0.1:{replica.port}/_stcore/health")

    def check(self, hung_after: int = 3) -> list[int]:
        """Start again every replica whose process exited, or that stopped answering `hung_after` health
        checks in a row after it had been ready (a replica loading its models is left alone); the ports."""
        restarted = []
        for replica in self.pool:
            dead = replica.process is None or replica.process.poll() is not None
            if not dead:
                if self.healthy(replica):
                    replica.ready, replica.failures = True, 0
                elif replica.ready:
                    replica.failures += 1
                    if replica.failures >= hung_after and replica.process is not None:
                        replica.process.kill()
                        replica.process.wait()
                        dead = True
            if dead:
                self._launch(replica)
                restarted.append(replica.port)
        return restarted

    def _wait_healthy(self, replicas: Sequence[Replica], wait: float) -> None:
        for replica in replicas:
            self._wait_url(f"http://127.0.0.1:{replica.port}/_stcore/health", wait, replica.process)

    def _wait_url(self, url: str, wait: float, process: subprocess.Popen | None) -> None:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                self.stop()
                raise SystemExit(f"a process of the deployment exited while starting; see the logs in {self.work}")
            if answers(url):
                return
            time.sleep(0.5)
        self.stop()
        raise SystemExit(f"{url} did not answer within {wait:.0f} s; see the logs in {self.work}")

    def stop(self) -> None:
        processes = [p for p in [self.nginx, *(r.process for r in self.pool)] if p is not None]
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def warm(port: int, wait: float = 300.0, page: str = "bert") -> bool:
    """Open `page` once in a replica, as a first visitor would: its models load now, not in a student's wait.

    A replica loads its models when its first page runs; behind nginx the first visitor of each replica
    would wait for that. One session over the websocket, the way a browser asks for a page.
    """
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    message = BackMsg()
    message.rerun_script.page_name = page
    deadline = time.monotonic() + wait
    try:
        with connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"], max_size=None) as ws:  # type: ignore[list-item]
            ws.send(message.SerializeToString())
            while time.monotonic() < deadline:
                reply = ForwardMsg()
                reply.ParseFromString(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
                if reply.WhichOneof("type") == "script_finished" and reply.script_finished in (
                    ForwardMsg.FINISHED_SUCCESSFULLY,
                    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
                ):
                    return True
    except Exception:  # a replica that cannot be warmed still serves; it loads later
        return False
    return False


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="attention-explorer serve", description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2, help="app processes (each ~1 core busy, ~1-1.5 GB)")
    parser.add_argument("--port", type=int, default=8080, help="the port nginx listens on (what students open)")
    parser.add_argument("--address", default="0.0.0.0", help="the address nginx listens on")
    parser.add_argument("--first-replica-port", type=int, default=8601, help="replicas use this port and the next")
    parser.add_argument("--work", type=Path, default=None, help="folder for nginx's config, logs and temp files")
    parser.add_argument("--check-every", type=float, default=5.0, help="seconds between health checks")
    parser.add_argument("--model-root", action="append", default=[], help="as `attention-explorer run`")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    env = environment(args.model_root)
    if env.get(ROOTS_VARIABLE) == ANY_PATH:
        print("note: every replica may open any path (ATTENTION_EXPLORER_MODEL_ROOTS=*): not for a shared server")
    kwargs = {"work": args.work} if args.work else {}
    deployment = Deployment(
        port=args.port,
        replicas=args.replicas,
        first_replica_port=args.first_replica_port,
        address=args.address,
        env=env,
        **kwargs,
    )
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    deployment.start()
    print(
        f"serving on http://{args.address}:{args.port} with {args.replicas} replicas "
        f"(ports {args.first_replica_port}–{args.first_replica_port + args.replicas - 1}); logs in {deployment.work}",
        flush=True,
    )
    try:
        while not stopping:
            time.sleep(args.check_every)
            if deployment.nginx is not None and deployment.nginx.poll() is not None:
                print(f"nginx exited; see {deployment.work / 'error.log'}", flush=True)
                return 1
            for port in deployment.check():
                print(f"replica on port {port} had stopped: started again", flush=True)
    finally:
        deployment.stop()
    return 0
