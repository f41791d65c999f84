"""Every "too many requests" page says when the person can try again (from the limit that
was hit) and leads back to the page they were on."""
from tests.conftest import Page, at_step, reconfigure


def _refused(client, url, data, referrer=None):
    headers = {"Referer": f"http://localhost{referrer}"} if referrer else {}
    response = client.post(url, data=data, headers=headers)
    assert response.status_code == 429, response.status_code
    return response, Page(response.get_data(as_text=True), "html.parser")


def test_the_page_says_when_to_try_again_and_leads_back(app, client):
    reconfigure(app, RATELIMIT_CAPTCHA="2 per minute")
    client.get("/inscription/verification")
    for _ in range(2):
        client.post("/inscription/verification", data={"code": "000000"})
    response, page = _refused(client, "/inscription/verification", {"code": "000000"},
                              referrer="/inscription/verification")
    assert "Vous pourrez réessayer dans 1 minute." in page.text_of("#wizard-step")
    assert page.select_one("#wizard-step a")["href"] == "/inscription/verification"
    assert 1 <= int(response.headers["Retry-After"]) <= 61


def test_an_hourly_limit_says_minutes_and_a_form_without_referrer_leads_to_its_page(app, client):
    reconfigure(app, RATELIMIT_IDENTITY="1 per hour")
    at_step(client, "identite")
    client.post("/inscription/identite", data={"last_name": ""})
    response, page = _refused(client, "/inscription/identite", {"last_name": ""})
    minutes = int(page.text_of("#wizard-step").split("réessayer dans ")[1].split(" ")[0])
    assert 2 <= minutes <= 60 and int(response.headers["Retry-After"]) > 60
    assert page.select_one("#wizard-step a")["href"] == "/inscription/"


def test_a_referrer_from_elsewhere_is_not_followed(app, client):
    reconfigure(app, RATELIMIT_CAPTCHA="1 per minute")
    client.get("/inscription/verification")
    client.post("/inscription/verification", data={"code": "1"})
    response = client.post("/inscription/verification", data={"code": "1"},
                           headers={"Referer": "https://evil.example/inscription/verification"})
    page = Page(response.get_data(as_text=True), "html.parser")
    assert page.select_one("#wizard-step a")["href"] == "/inscription/"


def test_in_english(app, client):
    reconfigure(app, RATELIMIT_CAPTCHA="1 per minute")
    client.post("/langue", data={"lang": "en", "next": "/"})
    client.get("/inscription/verification")
    client.post("/inscription/verification", data={"code": "1"})
    _response, page = _refused(client, "/inscription/verification", {"code": "1"})
    assert "You can try again in 1 minute." in page.text_of("#wizard-step")
    assert page.text_of("#wizard-step a") == "Back to the page you were on"
