"""One helper decides between the whole page and the HTMX partial.

No other code reads HX-* request headers.
"""
from flask import current_app, make_response, redirect, render_template, request

from wizard.extensions import htmx


def wants_partial() -> bool:
    # A history-restore request rebuilds the page from nothing: it needs the whole page.
    return bool(htmx) and not htmx.history_restore_request


def render_page(template: str, status: int = 200, push_url: bool = True, **context):
    partial = wants_partial()
    response = make_response(render_template(template, partial=partial, **context), status)
    response.vary.add("HX-Request")
    if partial and push_url:
        # The address bar follows the swap, so Back and reload land on this screen.
        response.headers["HX-Push-Url"] = request.full_path.rstrip("?")
    elif partial and htmx.boosted:
        # An answer that keeps the address (an error page): HTMX would push the address
        # of a boosted link or form by itself.
        response.headers["HX-Push-Url"] = "false"
    return response


def fragment(template: str, **context) -> str:
    """A fragment polled by everyone waiting (thousands every 2 s): the template alone,
    with what it is given and the environment's globals (`_`, `url_for`). None of the
    pages' context processors run (the idle warnings, the brand, the legal texts): a
    fragment shows none of it."""
    return current_app.jinja_env.get_template(template).render(partial=wants_partial(), **context)


def fragment_response(html: str):
    """A fragment's answer: it keeps the address bar (no HX-Push-Url)."""
    response = make_response(html)
    response.vary.add("HX-Request")
    return response


def redirect_whole_page(url: str):
    """After signing in or out the layout changes (the idle warning comes or goes): the
    next screen is loaded as a whole page, not swapped in. HTMX follows a 303 by itself
    and would swap the partial, so it is told to navigate instead."""
    if wants_partial():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


def from_htmx() -> bool:
    """This request was made by HTMX: JavaScript runs in this browser."""
    return bool(htmx)
