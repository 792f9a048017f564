"""Response helpers the blueprints share."""
from flask import current_app


def private(body, status=200):
    """A page or answer for one person's eyes (a panel page, a form with their data): never kept by a cache."""
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "no-store"
    return response
