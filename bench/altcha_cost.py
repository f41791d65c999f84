"""What the CAPTCHA's proof of work costs, at each cost the app gives (captcha.AltchaCost:
ALTCHA_COST, doubled as a network asks for more challenges, up to ALTCHA_COST_MAX):

- a script: ALTCHA's own Python solver (`altcha.solve_challenge`, PBKDF2 in OpenSSL), the
  tool of a bot farm, timed over real solves;
- a cheap phone: WebCrypto's PBKDF2, as the ALTCHA widget calls it, timed in Chromium on
  this machine, times the attempts a solve needs on average (256: the key must start with
  one zero byte), times PHONE_SLOWER (6: the gap DevTools and Lighthouse assume between a
  desktop core and a low-end phone). An estimate: no phone is measured here, and DevTools'
  CPU throttling does not slow WebCrypto, which runs natively off the page's thread.

`python -m bench.altcha_cost` prints the table; `./dev bench` does not run it (it takes a
minute at the highest cost).
"""
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ATTEMPTS = 256  # key prefix "00": one attempt in 256 succeeds
PHONE_SLOWER = 6
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# One attempt as the widget makes it: PBKDF2/SHA-256, `cost` iterations, a 32-byte key.
ATTEMPT_JS = """async ([cost, tries]) => {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("nonce0000000000000000"),
                                            "PBKDF2", false, ["deriveBits"]);
  const start = performance.now();
  for (let i = 0; i < tries; i++) {
    await crypto.subtle.deriveBits({name: "PBKDF2", hash: "SHA-256", iterations: cost,
                                    salt: new TextEncoder().encode("salt" + i)}, key, 256);
  }
  return (performance.now() - start) / tries / 1000;
}"""


def costs(base: int, ceiling: int) -> list[int]:
    found, cost = [], base
    while cost <= ceiling:
        found.append(cost)
        cost *= 2
    return found


def script_solve_s(cost: int, solves: int) -> dict:
    import altcha
    times = []
    for _ in range(solves):
        challenge = altcha.create_challenge("PBKDF2/SHA-256", cost, hmac_secret="bench",
                                            expires_at=int(time.time()) + 600)
        start = time.perf_counter()
        altcha.solve_challenge(challenge)
        times.append(time.perf_counter() - start)
    return {"median_s": statistics.median(times), "mean_s": statistics.fmean(times), "solves": solves}


def phone_attempt_s(cost_list: list[int]) -> dict[int, float] | str:
    """Seconds per attempt of WebCrypto's PBKDF2 in Chromium on this machine, per cost."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found"
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from playwright.sync_api import sync_playwright

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<!doctype html><title>pow</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    # WebCrypto needs a secure context: http://127.0.0.1 is one, a data: page is not.
    server = HTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    found = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        for cost in cost_list:
            found[cost] = page.evaluate(ATTEMPT_JS, [cost, max(4, 64000 // cost)])
        browser.close()
    server.shutdown()
    return found


def script_attempt_s(cost: int) -> float:
    """One attempt in OpenSSL's PBKDF2 (what altcha.solve_challenge calls), in seconds."""
    import hashlib
    tries = max(8, 256000 // cost)
    start = time.perf_counter()
    for i in range(tries):
        hashlib.pbkdf2_hmac("sha256", b"nonce0000000000000000", b"salt%d" % i, cost, 32)
    return (time.perf_counter() - start) / tries


def measure(base: int = 2000, ceiling: int = 32000, solves: int = 8) -> list[dict]:
    cost_list = costs(base, ceiling)
    phone = phone_attempt_s(cost_list)
    rows = []
    for cost in cost_list:
        row = {"cost": cost, "factor": cost // base, "script_expected_s": script_attempt_s(cost) * ATTEMPTS,
               "script": script_solve_s(cost, max(3, solves * base // cost))}
        if isinstance(phone, dict):
            row["browser_here_s"] = phone[cost] * ATTEMPTS
            row["phone_estimate_s"] = phone[cost] * ATTEMPTS * PHONE_SLOWER
        else:
            row["phone_estimate_s"] = None
            row["phone_not_measured"] = phone
        rows.append(row)
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| cost (PBKDF2 iterations) | × base | a script, on average (256 attempts) | a script, median of "
             "real solves | Chromium here, on average | a cheap phone, estimated |", "|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        phone = f"{row['phone_estimate_s']:.1f} s" if row["phone_estimate_s"] is not None else \
            f"not measured ({row.get('phone_not_measured')})"
        here = f"{row['browser_here_s']:.2f} s" if row.get("browser_here_s") is not None else "–"
        lines.append(f"| {row['cost']} | {row['factor']} | {row['script_expected_s']:.2f} s | "
                     f"{row['script']['median_s']:.2f} s ({row['script']['solves']}) | {here} | {phone} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(measure()))
