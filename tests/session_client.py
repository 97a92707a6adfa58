"""A Streamlit session driven over the websocket, as the browser drives it, without a browser.

For load and memory measurements: a browser per simulated student would eat the same two cores as the
server. The client speaks Streamlit's own protocol (its protobuf messages): it opens a page with a query
string (our pages take their sentence and choices from the link) and waits for the run to finish.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlparse

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import ClientConnection, connect


@dataclass
class Run:
    """What one script run sent back."""

    seconds: float
    finished: bool  # the run ended (not cut short by a new one, not timed out)
    exceptions: list[str] = field(default_factory=list)  # exception elements the page showed
    text: bytes = b""  # every delta, serialised: search it for what the page showed
    messages: int = 0
    bytes_received: int = 0


class Session:
    """One browser tab's worth of Streamlit session, over a websocket."""

    def __init__(self, base_url: str, timeout: float = 120.0, cookie: str | None = None):
        """cookie: sent with the websocket handshake, as a browser sends its cookies (e.g. a proxy's affinity)."""
        parsed = urlparse(base_url)
        self.cookie = cookie
        self.replica: str | None = None  # which replica answered, when a deployment's nginx says (X-Replica)
        self.origin = f"{parsed.scheme}://{parsed.netloc}"
        self.url = f"ws://{parsed.netloc}/_stcore/stream"
        self.timeout = timeout
        self.ws: ClientConnection | None = None
        self.page_hash = ""

    def __enter__(self) -> Session:
        self.ws = connect(
            self.url,
            subprotocols=["streamlit"],  # type: ignore[list-item]
            origin=self.origin,  # type: ignore[arg-type]
            max_size=None,
            open_timeout=self.timeout,
            additional_headers={"Cookie": self.cookie} if self.cookie else None,
        )
        response = self.ws.response
        self.replica = response.headers.get("X-Replica") if response is not None else None
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
            self.ws = None

    def run(self, page: str, params: dict[str, str] | None = None) -> Run:
        """Run `page` (its URL path, "" for home) with these link parameters; wait for the run to finish."""
        assert self.ws is not None, "use the session in a with-block"
        msg = BackMsg()
        msg.rerun_script.query_string = urlencode(params or {})
        msg.rerun_script.page_name = page
        if self.page_hash:
            msg.rerun_script.page_script_hash = ""
        start = time.perf_counter()
        self.ws.send(msg.SerializeToString())
        run = Run(seconds=0.0, finished=False)
        chunks: list[bytes] = []
        deadline = start + self.timeout
        while time.perf_counter() < deadline:
            try:
                raw = self.ws.recv(timeout=max(0.1, deadline - time.perf_counter()))
            except TimeoutError:
                break
            data = raw if isinstance(raw, bytes) else raw.encode()
            run.messages += 1
            run.bytes_received += len(data)
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "delta":
                chunks.append(data)
                element = fwd.delta.new_element
                if element.WhichOneof("type") == "exception":
                    run.exceptions.append(element.exception.message)
            elif kind == "script_finished":
                status = fwd.script_finished
                if status in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                    run.finished = True
                    break
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    break
                # FINISHED_EARLY_FOR_RERUN: our pages rerun themselves once on a cold deep link; keep reading
        run.seconds = time.perf_counter() - start
        run.text = b"".join(chunks)
        return run
