"""The CAPTCHA gate: ALTCHA by default, hCaptcha when configured, the spoken code without JS."""
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import altcha
import pytest
from captcha.audio import AudioCaptcha

from tests.conftest import current_captcha_code, reconfigure
from wizard.core import clock
from wizard.signup import captcha
from wizard.signup.models import SpentCaptcha


def solved_altcha(client) -> str:
    challenge = altcha.Challenge.from_dict(client.get("/inscription/verification/defi.json").get_json())
    return altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()


def test_the_gate_comes_first(client_request):
    client_request.get("/inscription/identite", status=303)
    page = client_request.get("/inscription/verification")
    assert page.text_of("h1") == "Étape 1 sur 5 : Vérification de sécurité"
    assert page.select_one("altcha-widget")["challenge"] == "/inscription/verification/defi.json"
    assert page.select_one("input#code")["inputmode"] == "numeric"
    assert page.select_one("img.spoken-code-image")["alt"]
    assert page.select_one("a[href^='/inscription/verification/code.wav']")


def test_the_spoken_code_opens_the_journey(client, client_request):
    client.get("/inscription/verification")
    code = current_captcha_code(client)
    spaced = f"{code[:3]} {code[3:]}"
    client_request.post("/inscription/verification", {"code": spaced}, expect_redirect="/inscription/identite")
    client_request.get("/inscription/identite")


def test_a_wrong_code_is_refused_and_replaced(client, client_request):
    client.get("/inscription/verification")
    code = current_captcha_code(client)
    wrong = "000000" if code != "000000" else "111111"
    page = client_request.post("/inscription/verification", {"code": wrong})
    assert page.errors() == ["Le code saisi ne correspond pas ou a expiré. Recopiez le code de l’image "
                             "ou de l’enregistrement, ou demandez-en un nouveau"]
    assert page.select_one("#code")["aria-invalid"] == "true"
    assert current_captcha_code(client) != code  # a new code is drawn (same by chance: 1 in a million)
    client_request.post("/inscription/verification", {"code": code})  # the old one no longer works
    client_request.get("/inscription/identite", status=303)


def test_an_expired_code_is_refused(client, client_request, monkeypatch):
    client.get("/inscription/verification")
    code = current_captcha_code(client)
    later = clock.now() + timedelta(minutes=6)
    monkeypatch.setattr(clock, "now", lambda: later)
    page = client_request.post("/inscription/verification", {"code": code})
    assert len(page.errors()) == 1


def test_new_code_button_gives_a_new_code(client, client_request):
    client.get("/inscription/verification")
    image_before = client.get("/inscription/verification/code.png").data
    page = client_request.post("/inscription/verification", {"renew": "1"})
    assert page.errors() == []
    assert client.get("/inscription/verification/code.png").data != image_before


def test_image_and_audio_are_served_and_never_cached(client):
    client.get("/inscription/verification")
    image = client.get("/inscription/verification/code.png")
    audio = client.get("/inscription/verification/code.wav")
    assert image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")
    assert audio.mimetype == "audio/wav" and audio.data.startswith(b"RIFF")
    assert image.headers["Cache-Control"] == audio.headers["Cache-Control"] == "no-store"


@pytest.mark.postgres  # used once or counted once, whatever the timing: on PostgreSQL
def test_solved_altcha_opens_one_journey_only(app, client_request):
    payload = solved_altcha(client_request.client)
    client_request.get("/inscription/verification")
    client_request.post("/inscription/verification", {"altcha": payload}, expect_redirect="/inscription/identite")
    other = app.test_client()
    other.get("/inscription/verification")
    replay = other.post("/inscription/verification", data={"altcha": payload})
    assert replay.status_code == 200
    assert other.get("/inscription/identite").status_code == 303


@pytest.mark.parametrize("payload", ["", "garbage", "e30=", "eyJjaGFsbGVuZ2UiOiAxfQ==", "x" * 5000])
def test_forged_altcha_payloads_are_refused(client_request, payload):
    client_request.get("/inscription/verification")
    page = client_request.post("/inscription/verification", {"altcha": payload})
    assert len(page.errors()) == 1


def test_an_altcha_signed_with_another_secret_is_refused(client_request):
    challenge = altcha.create_challenge("PBKDF2/SHA-256", 50, hmac_secret="not-our-secret")
    payload = altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()
    client_request.get("/inscription/verification")
    assert len(client_request.post("/inscription/verification", {"altcha": payload}).errors()) == 1


class FakeSiteverify(BaseHTTPRequestHandler):
    answers = {}
    received = []
    delay = 0

    def do_POST(self):
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        FakeSiteverify.received.append(form)
        if FakeSiteverify.delay:
            threading.Event().wait(FakeSiteverify.delay)
        body = json.dumps(self.answers.get(form["response"][0], {"success": False})).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def siteverify():
    server = HTTPServer(("127.0.0.1", 0), FakeSiteverify)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeSiteverify.received.clear()
    FakeSiteverify.delay = 0
    yield f"http://127.0.0.1:{server.server_port}/siteverify"
    server.shutdown()


def hcaptcha_app(app, verify_url, sitekey="site-key-1"):
    reconfigure(app, HCAPTCHA_SITEKEY=sitekey, HCAPTCHA_SECRET="secret-1",
                      HCAPTCHA_VERIFY_URL=verify_url, HCAPTCHA_TIMEOUT_SECONDS=1)
    return app.test_client()


def test_hcaptcha_is_checked_by_our_siteverify_call(app, siteverify):
    FakeSiteverify.answers = {"good-token": {"success": True, "hostname": "sesame.example"}}
    client = hcaptcha_app(app, siteverify)
    page = client.get("/inscription/verification").get_data(as_text=True)
    assert 'class="h-captcha" data-sitekey="site-key-1"' in page
    response = client.post("/inscription/verification", data={"h-captcha-response": "good-token"})
    assert response.headers["Location"] == "/inscription/identite"
    sent = FakeSiteverify.received[-1]
    assert sent["secret"] == ["secret-1"] and sent["sitekey"] == ["site-key-1"]


@pytest.mark.parametrize("answer", [
    {"success": False, "error-codes": ["invalid-input-response"]},
    {"success": True, "hostname": "dummy-key-pass"},  # the public test keys, with a real sitekey
])
def test_hcaptcha_refusals(app, siteverify, answer):
    FakeSiteverify.answers = {"token": answer}
    client = hcaptcha_app(app, siteverify)
    client.get("/inscription/verification")
    assert client.post("/inscription/verification", data={"h-captcha-response": "token"}).status_code == 200


def test_hcaptcha_test_keys_pass_only_with_the_test_sitekey(app, siteverify):
    FakeSiteverify.answers = {"token": {"success": True, "hostname": "dummy-key-pass"}}
    client = hcaptcha_app(app, siteverify, sitekey="10000000-ffff-ffff-ffff-000000000001")
    client.get("/inscription/verification")
    assert client.post("/inscription/verification", data={"h-captcha-response": "token"}).status_code == 303


def test_hcaptcha_fails_closed_when_siteverify_is_slow_or_down(app, siteverify):
    FakeSiteverify.answers = {"token": {"success": True, "hostname": "x"}}
    FakeSiteverify.delay = 2
    client = hcaptcha_app(app, siteverify)
    client.get("/inscription/verification")
    assert client.post("/inscription/verification", data={"h-captcha-response": "token"}).status_code == 200
    down = hcaptcha_app(app, "http://127.0.0.1:9/siteverify")
    down.get("/inscription/verification")
    assert down.post("/inscription/verification", data={"h-captcha-response": "token"}).status_code == 200


def test_captcha_posts_are_rate_limited(app, client):
    reconfigure(app, RATELIMIT_CAPTCHA="3 per minute")
    client.get("/inscription/verification")
    statuses = [client.post("/inscription/verification", data={"code": "0"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    page = client.post("/inscription/verification", data={"code": "0"}).get_data(as_text=True)
    assert "Trop de tentatives" in page


def test_the_sound_of_a_code_is_built_once_and_limited(app, client, monkeypatch):
    built = []
    real_generate = AudioCaptcha.generate
    monkeypatch.setattr(AudioCaptcha, "generate", lambda self, code: built.append(code) or real_generate(self, code))
    reconfigure(app, RATELIMIT_SPOKEN_CODE="3 per minute")
    client.get("/inscription/verification")
    sounds = [client.get("/inscription/verification/code.wav") for _ in range(3)]
    assert len(built) == 1 and sounds[0].data == sounds[2].data
    refused = client.get("/inscription/verification/code.wav")
    assert refused.status_code == 429


def test_the_purge_deletes_spent_captchas_once_their_challenge_has_expired(app, database, client_request,
                                                                           monkeypatch):
    client_request.get("/inscription/verification")
    client_request.post("/inscription/verification", {"altcha": solved_altcha(client_request.client)},
                        expect_redirect="/inscription/identite")
    assert database(lambda session: session.query(SpentCaptcha).count()) == 1
    moment = clock.now() + timedelta(minutes=app.config["CAPTCHA_MINUTES"] + 1)
    monkeypatch.setattr(clock, "now", lambda: moment)
    result = app.test_cli_runner().invoke(args=["purge-journeys"])
    assert "1 spent CAPTCHA(s)" in result.output
    assert database(lambda session: session.query(SpentCaptcha).count()) == 0


# --- the proof of work's cost rises with a network's challenges, then falls back -------------

def challenge_cost(client, address: str) -> int:
    reply = client.get("/inscription/verification/defi.json", environ_base={"REMOTE_ADDR": address})
    assert reply.status_code == 200
    return reply.get_json()["parameters"]["cost"]


@pytest.mark.parametrize(("recent", "cost"), [(0, 2000), (20, 2000), (21, 4000), (40, 4000), (41, 8000),
                                              (160, 16000), (161, 32000), (100000, 32000)])
def test_the_cost_doubles_each_time_the_count_doubles_up_to_its_ceiling(recent, cost):
    assert captcha.AltchaCost(base=2000, free=20, ceiling=32000).for_recent(recent) == cost


@pytest.mark.parametrize(("address", "network"), [
    ("203.0.113.77", "203.0.113.0/24"), ("2001:db8:1234:5678::1", "2001:db8:1234::/48"),
    ("not an address", "not an address"), ("", "unknown")])
def test_a_network_is_a_slash_24_or_a_slash_48(address, network):
    assert captcha.network(address) == network


def test_a_busy_network_pays_more_its_neighbours_too_and_other_networks_do_not(app, client):
    reconfigure(app, ALTCHA_COST=50, ALTCHA_COST_FREE=3, ALTCHA_COST_MAX=400)
    # 3 free, then 4 to 6 (up to twice as many) at twice the cost, 7 to 12 at four times.
    assert [challenge_cost(client, "198.51.100.7") for _ in range(7)] == [50, 50, 50, 100, 100, 100, 200]
    assert challenge_cost(client, "198.51.100.200") == 200  # the same /24
    assert challenge_cost(client, "192.0.2.1") == 50  # another network
    assert challenge_cost(client, "2001:db8:1::1") == 50


def test_the_cost_falls_back_as_the_challenges_age_out(app, client):
    reconfigure(app, ALTCHA_COST=50, ALTCHA_COST_FREE=2, ALTCHA_COST_MAX=400, ALTCHA_COST_WINDOW_SECONDS=1)
    assert [challenge_cost(client, "198.51.100.7") for _ in range(4)] == [50, 50, 100, 100]
    time.sleep(2.1)  # two windows: the sliding count is empty again
    assert challenge_cost(client, "198.51.100.7") == 50


def test_a_costlier_challenge_is_still_solved_and_accepted(app, client):
    reconfigure(app, ALTCHA_COST=50, ALTCHA_COST_FREE=1, ALTCHA_COST_MAX=400)
    client.get("/inscription/verification")
    for _ in range(4):  # the 5th is more than four times the free one
        challenge_cost(client, "127.0.0.1")
    challenge = altcha.Challenge.from_dict(client.get("/inscription/verification/defi.json").get_json())
    assert challenge.parameters.cost == 400
    payload = altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()
    response = client.post("/inscription/verification", data={"altcha": payload})
    assert response.status_code == 303
