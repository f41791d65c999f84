"""The RGAA audit grid (wizard/data/rgaa.toml) covers the 106 criteria on every screen of
the browser walk, and every test it names exists."""
import ast
import tomllib
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from bs4 import BeautifulSoup

from tests.browser.support import ALL_FRANCECONNECT_SCREENS, ALL_KIOSK_SCREENS, ALL_SCREENS, SIGN_IN_SCREENS
from wizard.pages import rgaa

ROOT = Path(__file__).resolve().parents[1]
# RGAA 4.1: how many criteria each of the 13 themes holds (106 in all).
PER_THEME = {1: 9, 2: 2, 3: 3, 4: 13, 5: 8, 6: 2, 7: 5, 8: 10, 9: 4, 10: 14, 11: 13, 12: 11, 13: 12}


def test_the_grid_lists_the_walks_screens():
    assert rgaa.grid().screens == ALL_SCREENS + ALL_KIOSK_SCREENS + ALL_FRANCECONNECT_SCREENS + SIGN_IN_SCREENS


def test_the_grid_holds_the_106_criteria_in_order():
    ids = [criterion.id for criterion in rgaa.grid().criteria]
    assert ids == [f"{theme}.{n}" for theme, count in PER_THEME.items() for n in range(1, count + 1)]
    assert all(criterion.title.endswith("?") for criterion in rgaa.grid().criteria)


def test_every_criterion_has_a_status_on_every_screen():
    for criterion in rgaa.grid().criteria:
        assert list(criterion.by_screen) == rgaa.grid().screens, criterion.id
        assert all(finding.status in rgaa.STATUSES for finding in criterion.by_screen.values()), criterion.id


def defined_tests(path: Path) -> set:
    return {node.name for node in ast.walk(ast.parse(path.read_text("utf-8")))
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def test_every_named_test_exists():
    named = {finding.test for criterion in rgaa.grid().criteria for finding in criterion.by_screen.values()
             if finding.test}
    missing = [name for name in sorted(named) if not (ROOT / name.split("::")[0]).is_file()
               or name.split("::")[1] not in defined_tests(ROOT / name.split("::")[0])]
    assert missing == []


def document(**changes):
    data = tomllib.loads(rgaa.GRID.read_text("utf-8"))
    data["criterion"][0].update(changes)
    return data


@pytest.mark.parametrize(("changes", "problem"), [
    ({"status": None}, "status None"),
    ({"status": "presque"}, "status 'presque'"),
    ({"test": None, "manual": None}, "one test or one manual check, not none"),
    ({"manual": "Relu."}, "one test or one manual check, not ['manual', 'test']"),
    ({"except": [{"screens": ["nowhere"], "status": "conforme"}]}, "unknown screen 'nowhere'"),
    ({"except": [{"screens": ["landing"]}]}, "status None"),
])
def test_a_criterion_without_a_status_or_a_way_is_refused(changes, problem):
    data = document(**changes)
    for key in [key for key, value in changes.items() if value is None]:
        del data["criterion"][0][key]
    with pytest.raises(ValueError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        rgaa.parse(data)


def test_a_group_named_like_a_screen_is_refused():
    data = document()
    data["groups"]["captcha"] = ["captcha", "kiosk-mode"]
    with pytest.raises(ValueError, match="a group has a screen's name"):
        rgaa.parse(data)


def test_one_non_conforme_makes_the_grid_partial():
    data = document()
    data["criterion"][0]["except"] = [{"screens": ["captcha"], "status": "non conforme", "manual": "Défaut."}]
    grid = rgaa.parse(data)
    assert grid.criteria[0].status == rgaa.NON_CONFORME and not grid.fully_conformant
    applicable = grid.count(rgaa.CONFORME) + 1
    assert grid.rate == pytest.approx(100 * (applicable - 1) / applicable)


def test_the_statement_and_the_audit_page_say_what_the_grid_says(client):
    grid = rgaa.grid()
    statement = BeautifulSoup(client.get("/accessibilite").data, "html.parser").main.get_text(" ")
    assert ("totalement conforme" in statement) == grid.fully_conformant
    assert ("partiellement conforme" in statement) != grid.fully_conformant
    footer = BeautifulSoup(client.get("/").data, "html.parser").footer.get_text(" ")
    assert ("Accessibilité : totalement conforme" in footer) == grid.fully_conformant
    audit = BeautifulSoup(client.get("/accessibilite/audit").data, "html.parser")
    assert [h2.get_text() for h2 in audit.main.find_all("h2")] == [
        f"{theme}. {name}" for theme, name in rgaa.THEMES.items()]
    criteria = audit.select(".audit-criteria > li")
    assert len(criteria) == 106
    assert criteria[0].find("strong").get_text() == "Critère 1.1"
    assert f"Taux de conformité : {format_decimal(round(grid.rate, 1), locale='fr')} %" in audit.main.get_text(" ")


def test_one_failing_criterion_makes_the_statement_partial(client, monkeypatch):
    data = document()
    data["criterion"][5]["except"] = [{"screens": ["identity"], "status": "non conforme", "manual": "Défaut."}]
    monkeypatch.setattr(rgaa, "grid", lambda: rgaa.parse(data))  # the views read it per request
    statement = BeautifulSoup(client.get("/accessibilite").data, "html.parser").main.get_text(" ")
    assert "partiellement conforme" in statement and "totalement" not in statement
    assert "4.1.2 : 1 critère n’est pas respecté." in statement
    footer = BeautifulSoup(client.get("/").data, "html.parser").footer.get_text(" ")
    assert "Accessibilité : partiellement conforme" in footer
    audit = BeautifulSoup(client.get("/accessibilite/audit").data, "html.parser")
    assert audit.select(".audit-criteria > li")[5].find("p").get_text(" ", strip=True).startswith(
        "Critère 1.6 : non conforme")
    rate = rgaa.grid().rate  # 1.6 was not applicable: one criterion now fails out of those that apply
    assert f"Taux de conformité : {format_decimal(round(rate, 1), locale='fr')} %" in audit.main.get_text(" ")
    assert "," in format_decimal(round(rate, 1), locale="fr")


def test_two_failing_criteria_are_counted_in_the_plural_in_both_languages(client, monkeypatch):
    data = document()
    for index in (5, 6):
        data["criterion"][index]["except"] = [{"screens": ["identity"], "status": "non conforme", "manual": "Défaut."}]
    monkeypatch.setattr(rgaa, "grid", lambda: rgaa.parse(data))
    statement = BeautifulSoup(client.get("/accessibilite").data, "html.parser").main.get_text(" ")
    assert "4.1.2 : 2 critères ne sont pas respectés." in statement
    client.post("/langue", data={"lang": "en", "next": "/accessibilite"})
    statement = BeautifulSoup(client.get("/accessibilite").data, "html.parser").main.get_text(" ")
    assert "4.1.2: 2 criteria are not met." in statement


def test_the_audit_page_in_english(client, client_request):
    client.post("/langue", data={"lang": "en", "next": "/accessibilite/audit"})
    page = BeautifulSoup(client.get("/accessibilite/audit").data, "html.parser")
    assert page.h1.get_text() == "RGAA 4.1 audit results"
    title = page.select_one(".audit-criteria > li span[lang=fr]")
    assert title.get_text() == rgaa.grid().criteria[0].title
