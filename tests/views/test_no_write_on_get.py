"""Opening the journey writes nothing (issue #17): the journey is written when the person
passes the CAPTCHA, and the spoken code lives in the session cookie as a token whose code
is derived on the server; each token allows one try, a replayed cookie none more."""
import pytest

from tests.conftest import ClientRequest, at_step, current_captcha_code, pass_captcha, reconfigure
from wizard.signup import captcha
from wizard.signup.models import Journey, SpentCaptcha

REFUSED = ("Le code saisi ne correspond pas ou a expiré. Recopiez le code de l’image ou de l’enregistrement, "
           "ou demandez-en un nouveau")


def journeys(database) -> int:
    return database(lambda session: session.query(Journey).count())


def field_error(page) -> str:
    return page.text_of("#code-error").removeprefix("Erreur :").strip()


def wrong(code: str) -> str:
    return code[:-1] + str((int(code[-1]) + 1) % 10)


@pytest.mark.parametrize("url, status", [("/inscription/", 303), ("/inscription/verification", 200),
                                         ("/inscription/identite", 303)])
def test_pages_opened_without_a_cookie_write_no_journey_and_are_never_limited(app, database, url, status):
    reconfigure(app, RATELIMIT_NEW_JOURNEY="3 per minute")
    assert {app.test_client().get(url).status_code for _ in range(50)} == {status}
    assert journeys(database) == 0


def test_the_funnel_counts_the_first_screen_within_the_new_journeys_allowance(app, database):
    """The one write of a cookieless GET, the CAPTCHA step's "reached" in the funnel: a
    script opening it again and again counts 3 (the allowance), not 50."""
    from sqlalchemy import func

    from wizard.operator.models import EventCount
    reconfigure(app, RATELIMIT_NEW_JOURNEY="3 per minute")
    for _ in range(50):
        assert app.test_client().get("/inscription/verification").status_code == 200
    reached = database(lambda session: session.query(func.sum(EventCount.count))
                       .filter_by(event="step_reached", step="captcha").scalar())
    assert reached == 3


def test_the_first_passed_captcha_writes_the_one_journey(app, client, client_request, database):
    for _ in range(3):
        client_request.get("/inscription/verification")  # each one a new code, none written
    assert journeys(database) == 0
    pass_captcha(client)
    assert journeys(database) == 1
    assert client_request.get("/inscription/identite").text_of("h1").endswith("Votre identité")
    assert journeys(database) == 1


def test_a_replayed_cookie_passes_once_only(app, client, client_request, database):
    client.get("/inscription/verification")
    code, cookie = current_captcha_code(client), client.get_cookie("sesame").value
    client_request.post("/inscription/verification", {"code": code}, expect_redirect="/inscription/identite")
    script = app.test_client()
    script.set_cookie("sesame", cookie)  # the cookie before the CAPTCHA, with its token
    page = ClientRequest(script).post("/inscription/verification", {"code": code})
    assert field_error(page) == REFUSED
    assert page.select_one("#code")["aria-invalid"] == "true"
    assert journeys(database) == 1


def test_a_spent_token_is_refused_even_with_its_right_code(app, client, client_request, database):
    client.get("/inscription/verification")
    code, cookie = current_captcha_code(client), client.get_cookie("sesame").value
    client_request.post("/inscription/verification", {"code": wrong(code)})  # its one try
    client.set_cookie("sesame", cookie)  # replayed: the same token again
    page = client_request.post("/inscription/verification", {"code": code})
    assert field_error(page) == REFUSED
    assert journeys(database) == 0
    assert database(lambda session: session.query(SpentCaptcha).count()) == 1  # the token's one try


def test_a_wrong_code_then_the_right_code_of_the_new_token_passes(client, client_request, database):
    client.get("/inscription/verification")
    first = current_captcha_code(client)
    page = client_request.post("/inscription/verification", {"code": wrong(first)})
    assert field_error(page) == REFUSED
    client_request.post("/inscription/verification", {"code": current_captcha_code(client)},
                        expect_redirect="/inscription/identite")
    assert journeys(database) == 1


@pytest.mark.parametrize("url", ["/inscription/verification/code.png", "/inscription/verification/code.wav"])
def test_the_image_and_the_sound_need_a_token(client, url):
    assert client.get(url).status_code == 404
    client.get("/inscription/verification")
    assert client.get(url).status_code == 200
    pass_captcha(client)
    assert client.get(url).status_code == 404  # used: forgotten with the CAPTCHA passed


def test_the_sound_reads_the_code_the_cookie_stands_for_built_once_per_code(client):
    client.get("/inscription/verification")
    sound = client.get("/inscription/verification/code.wav").data
    assert sound == captcha.spoken_code_audio(current_captcha_code(client), "fr")  # the code's cached file (noisy else)


def test_a_gone_journey_says_so_once_and_writes_nothing(client, client_request, database):
    at_step(client, "qualite")
    database(lambda session: (session.query(Journey).delete(), session.commit()))
    assert client.get("/inscription/qualite").headers["Location"] == "/inscription/verification"
    page = client_request.get("/inscription/verification")
    assert "Votre session a expiré" in page.text_of(".notice")
    assert client_request.get("/inscription/verification").select_one(".notice") is None  # said once
    assert journeys(database) == 0


def test_the_cookie_holds_a_token_never_the_code(app, client):
    client.get("/inscription/verification")
    held = app.session_interface.get_signing_serializer(app).loads(client.get_cookie("sesame").value)
    token = held["spoken_code"].pop("token")
    assert len(token) == 22 and set(held["spoken_code"]) == {"expires"}  # 16 random bytes, and when they expire
    assert current_captcha_code(client) not in repr(held)  # nowhere else in the cookie (the token aside)


def test_the_code_is_six_digits_drawn_from_the_token_by_the_secret():
    tokens = [captcha.new_spoken_token() for _ in range(200)]
    codes = [captcha.spoken_code(token, "secret-1") for token in tokens]
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert len(set(codes)) > 190  # drawn, not fixed
    assert captcha.spoken_code(tokens[0], "secret-1") == codes[0]
    assert [captcha.spoken_code(token, "secret-2") for token in tokens] != codes  # the token alone says nothing
