"""A stand-in for the insurer's API (DESIGN.md, "Insurer API") that answers after a delay,
on loopback, for the eligibility measures: POST JSON, 200 with
{"status", "contract_number", "insurer_name"}."""
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.request import Request, urlopen


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(self.server.delay_s)
        body = json.dumps({"status": "eligible", "contract_number": "BENCH-0001",
                           "insurer_name": "Mutuelle Démo"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.answered += 1

    def log_message(self, *args):
        pass


class SlowInsurer:
    """`with SlowInsurer(delay_s=1.0) as insurer:` serves at `insurer.url` until the block ends."""

    def __init__(self, delay_s: float = 1.0):
        self.delay_s = delay_s

    def __enter__(self):
        ThreadingHTTPServer.request_queue_size = 1024  # 500 checks connect at once
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.delay_s, self.server.answered = self.delay_s, 0
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/eligibility"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def calibrate(checks: int = 500, delay_s: float = 1.0) -> dict:
    """How long the stand-in takes to answer `checks` requests sent at once: the floor under
    any eligibility figure measured against it."""
    payload = json.dumps({"last_name": "Dupont", "first_name": "Jean", "birth_date": "1977-03-06",
                          "identifier": "10203050", "subscriber": None}).encode()
    with SlowInsurer(delay_s) as insurer:
        def ask(_):
            request = Request(insurer.url, data=payload, headers={"Content-Type": "application/json"})
            with urlopen(request, timeout=30) as response:
                return json.load(response)["status"]
        start = time.perf_counter()
        with ThreadPoolExecutor(checks) as pool:
            answers = list(pool.map(ask, range(checks)))
        elapsed = time.perf_counter() - start
    return {"checks": checks, "delay_s": delay_s, "seconds": elapsed,
            "eligible": sum(1 for a in answers if a == "eligible")}
