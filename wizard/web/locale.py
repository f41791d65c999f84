"""The person's language: the one they chose, else their browser's, else French; and the
templates' gettext."""
import flask_babel
from flask import g, request, session

# English dates read the British way ("6 March 1977"); its translations are those of "en".
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def select():
    chosen = session.get("lang")
    if chosen not in _LOCALES:
        chosen = request.accept_languages.best_match(_LOCALES, "fr")
    return _LOCALES[chosen]


def init_app(app) -> None:
    """The templates' `_()` and `ngettext()` find this request's translations once, then
    reuse them: flask-babel's own callables look up the domain, the locale and its name
    again for each of the 20 to 60 strings of a page. A forced locale (an email in the
    recipient's language) is another Locale object, so it is found again."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True)


def _translations():
    try:
        namespace = g._get_current_object()  # one look-up; flask-babel's context makes three
    except RuntimeError:  # no app context: flask-babel's NullTranslations
        return flask_babel.get_translations()
    context = getattr(namespace, "_flask_babel", None)
    locale, kept = getattr(context, "babel_locale", None), getattr(context, "sesame_translations", None)
    if kept is None or locale is None or kept[0] is not locale:
        translations = flask_babel.get_translations()  # also decides the locale
        context = namespace._flask_babel
        context.sesame_translations = kept = (context.babel_locale, translations)
    return kept[1]


def choose(language: str) -> bool:
    """The person's choice of language, kept for the session; False if not offered."""
    if language not in _LOCALES:
        return False
    session["lang"] = language
    return True
