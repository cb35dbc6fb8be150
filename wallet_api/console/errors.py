"""The console's own refusals, in the one exception tree."""

from schemas.errors import Forbidden


class CsrfRefused(Forbidden):
    code, title = "csrf_refused", "Missing or wrong CSRF token"
