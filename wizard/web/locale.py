"""The person's language: the one they chose, else their browser's, else French."""
from flask import request, session

# English dates read the British way ("6 March 1977"); its translations are those of "en".
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def select():
    chosen = session.get("lang")
    if chosen not in _LOCALES:
        chosen = request.accept_languages.best_match(_LOCALES, "fr")
    return _LOCALES[chosen]




def choose(language: str) -> bool:
    """The person's choice of language, kept for the session; False if not offered."""
    if language not in _LOCALES:
        return False
    session["lang"] = language
    return True
