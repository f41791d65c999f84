"""Kiosks, posters, scanned and typed codes, and hand-offs to another device."""
import re
from datetime import timedelta

import pytest

from tests.conftest import ClientRequest, at_step, normalize_spaces, reconfigure
from wizard.core import clock
from wizard.extensions import db
from wizard.kiosk import start_codes
from wizard.kiosk.models import StartCode
from wizard.signup.models import Journey

KIOSK = "agence-paris-11"


def shown_code(page) -> str:
    return page.select_one(".short-code .visually-hidden").get_text().replace(" ", "")


def scan_link(app, code: str) -> str:
    return "/k/" + start_codes.sign(code, app.config["SECRET_KEY"])


def notices(client, url="/inscription/verification") -> list[str]:
    """The notices the page says at its top (flashed by the view before)."""
    return [normalize_spaces(notice.get_text()) for notice in ClientRequest(client).get(url).select("main .notice")]


NEW_JOURNEY = "Une nouvelle inscription commence."
NOT_VALID = "Ce code n’est pas valable : vérifiez chaque caractère. " + NEW_JOURNEY


def later(monkeypatch, **delta):
    moment = clock.now() + timedelta(**delta)
    monkeypatch.setattr(clock, "now", lambda: moment)


def test_kiosk_screen(client_request):
    page = client_request.get(f"/borne?kiosque={KIOSK}")
    qr = page.select_one(".qr[role=img]")
    assert qr["aria-label"] == ("QR code : scannez-le avec l’appareil photo de votre téléphone pour commencer "
                                "votre inscription")
    assert qr.select_one("svg path")
    code = shown_code(page)
    assert re.fullmatch(f"[{start_codes.ALPHABET}]{{6}}", code)
    assert page.text_of(".short-code [aria-hidden=true]") == f"{code[:3]} {code[3:]}"
    assert page.text_of(".typed-address") == "127.0.0.1:5000/code"
    poll = page.select_one("#kiosk-code")
    assert poll["data-hx-trigger"] == "every 15s" and poll["data-hx-swap"] == "outerHTML"
    assert page.select_one(f"a[href='/borne?kiosque={KIOSK}']").get_text() == "Nouveau code"
    assert page.select_one("meta[http-equiv=refresh]") is None


@pytest.mark.parametrize("kiosk", ["", "UPPER", "a" * 41, "../etc", "x y"])
def test_unknown_kiosk_ids_are_not_found(client_request, kiosk):
    client_request.get(f"/borne?kiosque={kiosk}", status=404)


def test_only_configured_kiosks_when_a_list_is_given(app, client_request):
    reconfigure(app, KIOSKS=("agence-lyon",))
    client_request.get(f"/borne?kiosque={KIOSK}", status=404)
    client_request.get("/borne?kiosque=agence-lyon")


def test_a_scanned_code_starts_a_journey_noting_the_kiosk(app, client_request, database):
    code = shown_code(client_request.get(f"/borne?kiosque={KIOSK}"))
    phone = app.test_client()
    response = phone.get(scan_link(app, code))
    assert response.status_code == 303 and response.headers["Location"] == "/inscription/"
    assert phone.get("/inscription/").headers["Location"] == "/inscription/verification"
    kiosks = database(lambda s: [j.kiosk_id for j in s.query(Journey)])
    assert kiosks == [KIOSK]


@pytest.mark.postgres  # used once or counted once, whatever the timing: on PostgreSQL
def test_a_code_serves_once(app, client_request, database):
    code = shown_code(client_request.get(f"/borne?kiosque={KIOSK}"))
    app.test_client().get(scan_link(app, code))
    second = app.test_client()
    assert second.get(scan_link(app, code)).headers["Location"] == "/inscription/"
    assert notices(second) == ["Ce code a déjà servi : chaque code ne peut servir qu’une fois. " + NEW_JOURNEY]
    assert database(lambda s: s.query(Journey).count()) == 2  # the second phone starts a journey of its own


def test_an_expired_code_says_so_and_starts_anyway(app, client_request, monkeypatch):
    code = shown_code(client_request.get(f"/borne?kiosque={KIOSK}"))
    later(monkeypatch, minutes=11)
    phone = app.test_client()
    phone.get(scan_link(app, code))
    assert notices(phone) == ["Ce code a expiré : il n’est valable que quelques minutes. " + NEW_JOURNEY]


@pytest.mark.parametrize("token", ["forged", "QUJDREVG.xxxx", "A" * 300])
def test_a_tampered_link_is_refused(app, client, token):
    assert client.get(f"/k/{token}").headers["Location"] == "/inscription/"
    assert notices(client) == [NOT_VALID]


def test_a_signature_for_another_code_does_not_open_it(app, client_request, database):
    code = shown_code(client_request.get(f"/borne?kiosque={KIOSK}"))
    token = start_codes.sign(code, app.config["SECRET_KEY"])
    payload, signature = token.split(".", 1)
    other = start_codes.sign("ACDEFG", app.config["SECRET_KEY"]).split(".", 1)[1]
    client = app.test_client()
    client.get(f"/k/{payload}.{other}")
    assert notices(client) == [NOT_VALID]
    assert database(lambda s: s.get(StartCode, code).used_at) is None  # the kiosk's code still serves


@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {first} {last} ", "{first}-{last}"])
def test_the_code_can_be_typed(app, client_request, typed):
    code = shown_code(client_request.get(f"/borne?kiosque={KIOSK}"))
    phone = app.test_client()
    entry = typed.format(code=code, lower=code.lower(), first=code[:3], last=code[3:])
    response = phone.post("/code", data={"code": entry})
    assert response.headers["Location"] == "/inscription/"


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Saisissez le code de 6 caractères affiché"),
    ("ZZZZZZ", "Ce code n’est pas valable : vérifiez chaque caractère."),
    ("<script>", "Ce code n’est pas valable : vérifiez chaque caractère."),
    ("A" * 50, "Le code comporte 6 caractères"),
])
def test_typed_code_refusals(client_request, typed, message):
    page = client_request.post("/code", {"code": typed})
    assert page.errors() == [message]
    assert page.select_one("#code")["aria-invalid"] == "true"


def test_the_kiosk_keeps_its_code_until_used_or_nearly_expired(app, client_request, monkeypatch):
    code = shown_code(client_request.get(f"/borne?kiosque={KIOSK}"))
    poll = f"/borne/code?kiosque={KIOSK}&actuel={code}"
    assert shown_code(client_request.get(poll, htmx=True)) == code
    later(monkeypatch, minutes=9, seconds=30)
    assert shown_code(client_request.get(poll, htmx=True)) != code


def test_a_used_code_is_replaced_at_once(app, client_request):
    code = shown_code(client_request.get(f"/borne?kiosque={KIOSK}"))
    app.test_client().get(scan_link(app, code))
    fresh = client_request.get(f"/borne/code?kiosque={KIOSK}&actuel={code}", htmx=True)
    assert shown_code(fresh) != code
    assert "HX-Push-Url" not in fresh.response.headers


def test_the_poster_points_at_the_start_with_the_kiosk_noted(app, client_request, database):
    page = client_request.get(f"/borne/affiche?kiosque={KIOSK}")
    assert page.text_of(".poster-link strong") == f"127.0.0.1:5000/?kiosque={KIOSK}"
    assert len(page.select(".kiosk-steps li")) == 4
    client_request.get(f"/?kiosque={KIOSK}")
    at_step(client_request.client, "identite")
    assert database(lambda s: s.query(Journey).one().kiosk_id) == KIOSK


def test_a_journey_is_handed_over_with_its_answers(app, client, client_request, database):
    at_step(client, "qualite")
    page = client_request.get("/inscription/continuer-sur-mon-telephone")
    code = shown_code(page)
    status = page.select_one("#handoff-status")
    assert status["data-hx-trigger"] == "every 3s"
    assert database(lambda s: s.get(StartCode, code).purpose) == "handoff"

    phone = app.test_client()
    assert phone.get(scan_link(app, code)).headers["Location"] == "/inscription/"
    assert phone.get("/inscription/").headers["Location"] == "/inscription/qualite"
    assert notices(phone, "/inscription/qualite") == [
        "Votre inscription continue sur cet appareil : vos réponses sont là."]
    assert ClientRequest(phone).get("/inscription/identite").select_one("#last_name")["value"] == "Dupont"

    taken = client_request.get(f"/inscription/continuer-sur-mon-telephone/etat?code={code}", htmx=True)
    assert taken.select_one("#handoff-status").get("data-hx-trigger") is None
    assert taken.text_of("#wizard-status") == "Votre inscription continue sur votre téléphone. " \
                                              "Vous pouvez fermer cette page."
    assert client.get("/inscription/qualite").headers["Location"] == "/inscription/verification"
    assert notices(client) == ["Votre inscription se poursuit sur un autre appareil. Vous pouvez en commencer une "
                               "nouvelle ici."]
    # The phone's: the first device's new one is written once it passes the CAPTCHA.
    assert database(lambda s: s.query(Journey).count()) == 1


def test_the_handoff_status_only_reads(app, client, client_request, database):
    at_step(client, "qualite")
    code = shown_code(client_request.get("/inscription/continuer-sur-mon-telephone"))
    before = database(lambda s: [(j.id, j.updated_at) for j in s.query(Journey)])
    response = client.get(f"/inscription/continuer-sur-mon-telephone/etat?code={code}",
                          headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert database(lambda s: [(j.id, j.updated_at) for j in s.query(Journey)]) == before


def test_a_handoff_code_expires(app, client, client_request, monkeypatch):
    at_step(client, "qualite")
    code = shown_code(client_request.get("/inscription/continuer-sur-mon-telephone"))
    later(monkeypatch, minutes=11)
    phone = app.test_client()
    phone.get(scan_link(app, code))
    assert phone.get("/inscription/").headers["Location"] == "/inscription/verification"


def test_every_step_offers_to_continue_on_a_phone(client, client_request):
    at_step(client, "identite")
    page = client_request.get("/inscription/identite")
    assert page.select_one(".handoff-link a")["href"] == "/inscription/continuer-sur-mon-telephone"


def test_kiosk_mode_wipes_everything_when_left(app, client, client_request, database):
    response = client.post("/borne/commencer", data={"kiosque": KIOSK})
    assert response.headers["Location"] == "/inscription/"
    at_step(client, "qualite")
    page = client_request.get("/inscription/qualite")
    assert "kiosk-mode" in page.select_one("body")["class"]
    dialog = page.select_one("dialog#kiosk-idle")
    assert dialog["data-idle-seconds"] == "120" and dialog["data-warning-seconds"] == "30"
    response = client.post("/borne/quitter")
    assert response.headers["Location"] == f"/borne?kiosque={KIOSK}"
    assert database(lambda s: [j.answers for j in s.query(Journey) if j.answers]) == []
    assert client.get("/inscription/qualite").headers["Location"] == "/inscription/verification"


def test_kiosk_mode_forgets_a_journey_left_idle(app, client, monkeypatch):
    client.post("/borne/commencer", data={"kiosque": KIOSK})
    at_step(client, "qualite")
    later(monkeypatch, seconds=151)
    assert client.get("/inscription/qualite").headers["Location"] == "/inscription/verification"


def test_in_production_an_unlisted_kiosk_writes_no_start_code(new_app):
    app = new_app(KIOSKS=("agence-lyon",), KIOSKS_ANY_ID=False)
    for kiosk in ("agence-paris-11", "n-importe-quoi"):
        assert app.test_client().get(f"/borne?kiosque={kiosk}").status_code == 404
    with app.app_context():
        assert db.session.query(StartCode).count() == 0
    assert app.test_client().get("/borne?kiosque=agence-lyon").status_code == 200
    unlisted = new_app(KIOSKS=(), KIOSKS_ANY_ID=False)  # KIOSKS unset in production: no kiosk
    assert unlisted.test_client().get("/borne?kiosque=agence-lyon").status_code == 404


def test_production_lists_its_kiosks():
    from wizard.config import Production
    assert Production.KIOSKS_ANY_ID is False


def test_reloading_the_kiosk_screen_shows_the_same_code(client_request, database):
    first = shown_code(client_request.get(f"/borne?kiosque={KIOSK}"))
    assert shown_code(client_request.get(f"/borne?kiosque={KIOSK}")) == first
    assert database(lambda session: session.query(StartCode).count()) == 1


def test_the_purge_deletes_start_codes_a_day_after_they_expired(app, database, client_request, monkeypatch):
    client_request.get(f"/borne?kiosque={KIOSK}")
    later(monkeypatch, days=1, minutes=11)
    result = app.test_cli_runner().invoke(args=["purge-journeys"])
    assert "1 start code(s)" in result.output
    assert database(lambda session: session.query(StartCode).count()) == 0


def test_a_scan_asks_before_replacing_a_journey_in_progress(app, client, client_request, database):
    """A GET may come from another site's link: it changes nothing; the button does."""
    code = shown_code(ClientRequest(app.test_client()).get(f"/borne?kiosque={KIOSK}"))
    at_step(client, "qualite")
    before = database(lambda s: s.query(Journey).one().answers)
    page = client_request.get(scan_link(app, code))
    assert page.text_of("h1") == "Vous avez déjà une inscription en cours"
    assert page.text_of("main a[href='/inscription/']") == "Reprendre mon inscription en cours"
    assert database(lambda s: s.get(StartCode, code).used_at) is None
    assert database(lambda s: s.query(Journey).one().answers) == before
    form = page.select_one("main form")
    client_request.post(form["action"], expect_redirect="/inscription/")
    assert database(lambda s: s.get(StartCode, code).used_at) is not None
    assert client.get("/inscription/qualite").headers["Location"] == "/inscription/verification"  # a new one


def test_the_captcha_steps_handoff_writes_the_journey_it_hands_over(app, client, client_request, database):
    client_request.get("/inscription/verification")
    assert database(lambda s: s.query(Journey).count()) == 0
    code = shown_code(client_request.get("/inscription/continuer-sur-mon-telephone"))
    assert database(lambda s: s.get(StartCode, code).journey_id) == database(lambda s: s.query(Journey.id).scalar())
    phone = app.test_client()
    phone.get(scan_link(app, code))
    assert notices(phone) == [
        "Votre inscription continue sur cet appareil : vos réponses sont là."]
