"""App-wide error answers: an HTML page in the visitor's language, or JSON `{error}` under /api/."""
from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError

from .marks import N_

API_PREFIX = "/api/"

# status -> (page message msgid, API message)
MESSAGES = {
    400: (N_("The request could not be understood."), "the request could not be understood"),
    404: (N_("Nothing was found at this address."), "nothing was found at this address"),
    405: (N_("This address does not accept that kind of request."), "this address does not accept this method"),
    413: (N_("The upload is too large; go back and choose a smaller file."), "the request body is too large"),
    414: (N_("The address is too long."), "the address is too long"),
    429: (N_("Too many requests from your connection; please wait a minute and try again."),
          "too many requests; slow down and retry later"),
    500: (N_("Something went wrong on our side; please try again."), "something went wrong on our side"),
}
CSRF_MESSAGE = N_("This form has expired or did not come from our site; please open the page again and retry.")


def answer(code, page_message=None):
    """The error answer for this request: JSON under /api/, else the error page."""
    if request.path.startswith(API_PREFIX):
        response = jsonify(error=MESSAGES[code][1])
        response.status_code = code
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Cache-Control"] = "no-store"
        return response
    return render_template("error.html", code=code, message=page_message or MESSAGES[code][0]), code


def _handler(code):
    def handle(error):
        response = answer(code)
        if code == 405 and getattr(error, "valid_methods", None):
            response = _with_allow(response, error.valid_methods)
        return response
    return handle


def _with_allow(response, methods):
    if isinstance(response, tuple):
        body, status = response
        return body, status, {"Allow": ", ".join(methods)}
    response.headers["Allow"] = ", ".join(methods)
    return response


def init_app(app):
    for code in MESSAGES:
        app.register_error_handler(code, _handler(code))
    app.register_error_handler(CSRFError, lambda error: answer(400, CSRF_MESSAGE))
