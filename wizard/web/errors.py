"""The error pages: the same layout and partial logic as every other page."""
from flask_wtf.csrf import CSRFError

from wizard.web.rendering import render_page


def init_app(app) -> None:
    def page(template, status):
        return lambda error: render_page(template, status=status, push_url=False)

    app.register_error_handler(404, page("errors/404.html", 404))
    app.register_error_handler(405, page("errors/404.html", 405))
    app.register_error_handler(413, page("errors/413.html", 413))
    app.register_error_handler(429, page("errors/429.html", 429))
    app.register_error_handler(500, page("errors/500.html", 500))
    app.register_error_handler(CSRFError, page("errors/csrf.html", 400))
