"""The console's reports: exact figures from known counts, the small-cell rule (and its
second cell), charts drawn as SVG with the same numbers, the CSV equal to the table."""
import csv
import io
from datetime import timedelta

import pytest

from tests.conftest import Page, normalize_spaces
from tests.views.operator_support import signed_in_staff
from wizard.core import clock
from wizard.extensions import db
from wizard.operator import events


@pytest.fixture
def console(app, client):
    return signed_in_staff(app, client)


def counted(app, *rows, when=None):
    """rows: (event, amount, keywords for events.count); all on `when` (today by default)."""
    with app.app_context():
        for event, amount, keywords in rows:
            context = events.Context(**keywords.pop("context", {}))
            for _ in range(amount):
                events.count(db.session, event, when or clock.now(), context=context, **keywords)
        db.session.commit()


def table(page: Page, slug: str) -> list[list[str]]:
    """A table as its rows of texts, its headers first."""
    element = page.select_one(f"#report-{slug} table")
    assert element is not None, slug
    return [[normalize_spaces(cell.get_text()) for cell in row.select("th, td")] for row in element.select("tr")]


def csv_rows(client, page: Page, slug: str) -> list[list[str]]:
    link = page.select_one(f"#report-{slug} a[download]")["href"]
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))


def test_the_funnel_shows_reached_completed_drop_off_and_median_time(app, console, client_request):
    counted(app, (events.STEP_REACHED, 40, {"step": "captcha"}), (events.STEP_COMPLETED, 30, {"step": "captcha"}),
            (events.STEP_TIME, 30, {"step": "captcha", "duration": 25}),
            (events.STEP_REACHED, 30, {"step": "identity"}), (events.STEP_COMPLETED, 3, {"step": "identity"}))
    page = client_request.get("/operateur/parcours")
    rows = table(page, "etapes")
    assert rows[0] == ["Étape", "Atteinte", "Terminée", "Abandon", "Temps médian"]
    assert rows[1] == ["Vérification de sécurité", "40", "30", "25 %", "≤ 30 s"]
    assert rows[2] == ["Votre identité", "30", "< 5", "–", "–"]  # 3: hidden, and so is what reveals it
    assert rows[3][1:] == ["< 5", "< 5", "–", "–"]
    assert len(rows) == 1 + 9
    assert csv_rows(client_request.client, page, "etapes") == rows


def test_a_split_hides_small_cells_and_the_second_cell_that_would_reveal_one(app, console, client_request):
    counted(app, (events.STEP_REACHED, 20, {"step": "captcha", "context": {"language": "fr"}}),
            (events.STEP_REACHED, 9, {"step": "captcha", "context": {"language": "en"}}),
            (events.STEP_REACHED, 2, {"step": "captcha", "context": {"language": "de"}}))
    response = client_request.post("/operateur/parcours", {"du": "", "au": "", "par": "language"})
    assert response.errors() == ["Saisissez le premier jour de la période", "Saisissez le dernier jour de la période"]
    today = clock.now().date()
    client_request.post("/operateur/parcours", {"du": (today - timedelta(days=6)).strftime("%d/%m/%Y"),
                                                "au": today.isoformat(), "par": "language"},
                        expect_redirect=f"/operateur/parcours?du={today - timedelta(days=6)}&au={today}&par=language")
    page = client_request.get(f"/operateur/parcours?du={today - timedelta(days=6)}&au={today}&par=language")
    rows = table(page, "atteintes")
    assert rows[0] == ["Étape", "de", "anglais", "français", "Total"]
    # 2 is small; with the total shown, 9 (the smallest shown) is hidden too: 31 - 20 would give 11.
    assert rows[1] == ["Vérification de sécurité", "< 5", "< 5", "20", "31"]
    assert csv_rows(client_request.client, page, "atteintes") == rows
    svg = page.select_one("#report-atteintes svg")
    assert svg["role"] == "img" and svg["aria-label"] == "Étapes atteintes, par Langue"
    texts = [normalize_spaces(text.get_text()) for text in svg.select("text")]
    assert "20" in texts and "9" not in texts and "2" not in texts and texts.count("< 5") >= 2


def test_a_hidden_cell_draws_no_bar(app, console, client_request):
    counted(app, (events.STEP_REACHED, 3, {"step": "captcha"}), (events.STEP_REACHED, 8, {"step": "identity"}))
    svg = client_request.get("/operateur/parcours").select_one("#report-etapes svg")
    widths = [rect["width"] for rect in svg.select("rect.chart-series-0")[1:]]  # after the legend's
    assert widths[:2] == ["0", "330"]


def test_deliveries_by_state_delay_and_failure_reason(app, console, client_request):
    counted(app, (events.MESSAGE_QUEUED, 12, {"channel": "email", "detail": "activation"}),
            (events.MESSAGE_DELIVERED, 6, {"channel": "email", "detail": "activation", "duration": 3}),
            (events.MESSAGE_DELIVERED, 5, {"channel": "email", "detail": "activation", "duration": 700}),
            (events.MESSAGE_RETRIED, 7, {"channel": "email", "detail": "SMTPServerDisconnected"}),
            (events.MESSAGE_FAILED, 1, {"channel": "sms", "detail": "TimeoutError"}))
    page = client_request.get("/operateur/envois")
    assert table(page, "etats")[1] == ["e-mail", "12", "11", "7", "< 5", "≤ 5 s", "≤ 20 min"]
    assert table(page, "echecs")[1:] == [["e-mail : SMTPServerDisconnected", "7"], ["SMS : TimeoutError", "< 5"]]
    assert csv_rows(client_request.client, page, "echecs") == table(page, "echecs")


def test_eligibility_outcomes_calls_and_durations(app, console, client_request):
    counted(app, (events.ELIGIBILITY_OUTCOME, 8, {"detail": "eligible", "duration": 2}),
            (events.ELIGIBILITY_OUTCOME, 5, {"detail": "not_found", "duration": 100}),
            (events.INSURER_CALL, 13, {"detail": "ok", "duration": 1}),
            (events.INSURER_CALL, 6, {"detail": "timeout", "duration": 10}))
    page = client_request.get("/operateur/eligibilite", htmx=True)
    assert table(page, "resultats")[1:] == [["éligible", "8"], ["inconnu de l’assureur", "5"],
                                            ["informations discordantes", "< 5"], ["assureur injoignable", "< 5"]]
    assert table(page, "appels")[1:] == [["réponse", "13", "≤ 1 s", "≤ 1 s"], ["erreur", "< 5", "–", "–"],
                                         ["délai dépassé", "6", "≤ 10 s", "≤ 10 s"]]
    assert table(page, "durees")[1:] == [["médiane", "≤ 2 s"], ["95e centile", "≤ 2 min"]]


def test_kiosks_scans_started_and_accounts_created(app, console, client_request):
    counted(app, (events.KIOSK_SCAN, 9, {"context": {"kiosk": "agence-nord"}}),
            (events.STEP_REACHED, 7, {"step": "captcha", "context": {"kiosk": "agence-nord"}}),
            (events.STEP_COMPLETED, 5, {"step": "credentials", "context": {"kiosk": "agence-nord"}}),
            (events.STEP_REACHED, 50, {"step": "captcha"}))
    page = client_request.get("/operateur/bornes")
    assert table(page, "bornes")[1:] == [["agence-nord", "9", "7", "5"]]


def test_the_period_counts_only_its_days(app, console, client_request):
    counted(app, (events.STEP_REACHED, 6, {"step": "captcha"}), when=clock.now() - timedelta(days=40))
    assert table(client_request.get("/operateur/parcours"), "etapes")[1][1] == "< 5"
    old = (clock.now() - timedelta(days=40)).date()
    assert table(client_request.get(f"/operateur/parcours?du={old}&au={old}"), "etapes")[1][1] == "6"


@pytest.mark.parametrize(("data", "errors"), [
    ({"du": "31/02/2026", "au": "2026-13-01", "par": ""}, [
        "Saisissez le premier jour sous la forme 30/11/2026", "Saisissez le dernier jour sous la forme 30/11/2026"]),
    ({"du": "2026-11-30", "au": "2026-11-01", "par": ""}, ["Le dernier jour doit venir après le premier"]),
    ({"du": "2020-01-01", "au": "2026-11-01", "par": ""},
     ["Les chiffres sont gardés 13 mois : choisissez une période plus courte"]),
    ({"du": "2026-11-01", "au": "2026-11-30", "par": "email"}, ["Choisissez une des répartitions proposées"]),
    ({"du": "<script>" * 100, "au": "\x00", "par": "'; DROP TABLE"}, [
        "Saisissez le premier jour sous la forme 30/11/2026", "Saisissez le dernier jour de la période"]),
])
def test_a_wrong_period_is_told_next_to_its_field(console, client_request, data, errors):
    page = client_request.post("/operateur/parcours", data)
    assert page.errors() == errors
    assert page.select_one("#report-etapes table") is not None  # the last 30 days


def test_a_wrong_period_in_the_address_is_no_error_page(console, client_request):
    page = client_request.get("/operateur/parcours?du=demain&au=2026-01-01&par=x")
    assert page.errors()
    assert client_request.client.get("/operateur/parcours/etapes.csv?du=demain").status_code == 200


def test_unknown_reports_and_tables_are_not_found(console, client_request):
    client_request.get("/operateur/inconnu", status=404)
    assert client_request.client.get("/operateur/parcours/inconnu.csv").status_code == 404


def test_the_reports_are_for_staff_only(client):
    for url in ("/operateur/parcours", "/operateur/envois/etats.csv"):
        assert client.get(url).headers["Location"] == "/operateur/connexion"


def test_the_console_speaks_english_too(app, console, client_request):
    counted(app, (events.STEP_REACHED, 6, {"step": "captcha"}))
    client_request.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client_request.get("/operateur/parcours")
    assert table(page, "etapes")[0] == ["Step", "Reached", "Completed", "Drop-off", "Median time"]
    assert page.text_of("h1") == "Journey"


def test_every_csv_equals_its_table(app, console, client_request):
    counted(app, (events.STEP_REACHED, 7, {"step": "captcha", "context": {"device": "mobile", "kiosk": "agence"}}),
            (events.KIOSK_SCAN, 6, {"context": {"kiosk": "agence"}}),
            (events.MESSAGE_RETRIED, 5, {"channel": "sms", "detail": "HTTPError"}),
            (events.ELIGIBILITY_OUTCOME, 9, {"detail": "mismatch", "duration": 30}))
    for url in ("/operateur/parcours?par=device", "/operateur/envois", "/operateur/eligibilite", "/operateur/bornes"):
        page = client_request.get(url)
        slugs = [element["id"].removeprefix("report-") for element in page.select(".console-report")]
        assert slugs
        for slug in slugs:
            assert csv_rows(client_request.client, page, slug) == table(page, slug), (url, slug)


def test_the_other_reports_take_a_period_without_a_split(app, console, client_request):
    counted(app, (events.MESSAGE_QUEUED, 6, {"channel": "sms", "detail": "phone_code"}),
            when=clock.now() - timedelta(days=3))
    day = (clock.now() - timedelta(days=3)).date()
    client_request.post("/operateur/envois", {"du": day.strftime("%d/%m/%Y"), "au": day.strftime("%d/%m/%Y")},
                        expect_redirect=f"/operateur/envois?du={day}&au={day}")
    assert table(client_request.get(f"/operateur/envois?du={day}&au={day}"), "etats")[2][:2] == ["SMS", "6"]
