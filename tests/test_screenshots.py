"""The journey in pictures (tests/browser/screenshots.py, `./dev screenshots`) keeps up with
the journey: every step has its pictures, every picture is of a screen the walk reaches, and
the galleries of the README and docs/operators.md are the command's. No picture is taken here."""
from tests.browser import screenshots
from wizard.signup import steps

SHOT_NAMES = [screen for screen, _ in screenshots.SHOTS + screenshots.KIOSK_SHOTS + screenshots.SIGN_IN_SHOTS]


def test_every_step_of_the_journey_has_its_pictures():
    missing = [step.name for step in steps.STEPS if step.name not in SHOT_NAMES]
    assert not missing, f"add them to SHOTS (tests/browser/screenshots.py), run ./dev screenshots: {missing}"


def test_the_pictures_are_of_the_walks_screens_in_their_order():
    for walker, shots in screenshots.WALKS:
        names, walk = [screen for screen, _ in shots], list(walker.MOVES)
        assert all(name in walk for name in names), walker
        assert names == sorted(names, key=walk.index), walker
    assert len(set(SHOT_NAMES)) == len(SHOT_NAMES)


def test_the_pictures_are_committed_and_none_is_left_over():
    expected = {screenshots.file_name(screen, width) for screen in SHOT_NAMES for width in screenshots.WIDTHS}
    assert {path.name for path in screenshots.FOLDER.glob("*.png")} == expected, "run ./dev screenshots"


def test_the_galleries_are_the_commands():
    for page, folder in screenshots.PAGES.items():
        text = page.read_text("utf-8")
        assert screenshots.with_gallery(text, folder) == text, f"{page.name}: run ./dev screenshots"
