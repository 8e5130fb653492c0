"""A small WebSub hub on loopback that records what publishers tell it."""

import contextlib
import queue
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextlib.contextmanager
def hub(*, status: int = 204):
    """Yield ``(url, received)``: each POST's form fields arrive on the ``received`` queue."""
    received: queue.Queue = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            fields = urllib.parse.parse_qs(self.rfile.read(length).decode())
            received.put({"content_type": self.headers.get("Content-Type"), **fields})
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", received
    finally:
        server.shutdown()
        server.server_close()


def drain(received: queue.Queue, count: int, *, wait: float = 10.0) -> list[dict]:
    """The next ``count`` notifications (waiting up to ``wait`` seconds for each)."""
    return [received.get(timeout=wait) for _ in range(count)]
