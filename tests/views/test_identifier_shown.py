"""The identifier (here a NIR) is shown whole on the summary the person is checking, and in
the identity step's field when they go back to change it (they must see what they typed);
nowhere else: the other screens of the signup name it by its last 4 characters at most."""
import re

import pytest

from tests.conftest import IDENTITY, SUBSCRIBER, pass_captcha, reconfigure

NIR_TYPED = "2 53 07 2A 073 004 43"
NIR = "253072A07300443"


def whole_nir_in(html: str) -> bool:
    """Spaces, dots and tags aside: the 15 characters, in any grouping."""
    return NIR in re.sub(r"[^0-9A-Za-z]", "", html)


@pytest.fixture
def nir_journey(app, client):
    reconfigure(app, IDENTIFIER_KIND="nir")
    pass_captcha(client)
    for path, data in (("identite", {**IDENTITY, "identifier": NIR_TYPED}), ("qualite", {"role": "beneficiary"}),
                       ("souscripteur", SUBSCRIBER)):
        assert client.post(f"/inscription/{path}", data=data).status_code == 303
    return client


def test_whole_on_the_summary_and_in_the_field_when_going_back(nir_journey):
    summary = nir_journey.get("/inscription/recapitulatif")
    assert summary.status_code == 200 and whole_nir_in(summary.get_data(as_text=True))
    back = nir_journey.get("/inscription/identite")
    assert back.status_code == 200 and whole_nir_in(back.get_data(as_text=True))
    for page in (summary, back):  # never kept by the browser or a proxy
        assert "no-store" in page.headers["Cache-Control"]


def test_nowhere_else_in_the_signup(nir_journey):
    shown = {path: nir_journey.get(path) for path in ("/inscription/qualite", "/inscription/souscripteur")}
    assert nir_journey.post("/inscription/recapitulatif", data={"accept_terms": "y"}).status_code == 303
    shown["/inscription/identifiants"] = nir_journey.get("/inscription/identifiants")
    for path, page in shown.items():
        assert page.status_code == 200, path
        assert not whole_nir_in(page.get_data(as_text=True)), path
