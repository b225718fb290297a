"""Error pages. A 500 rolls back the session so a half-done change is never committed.

A database that is briefly away (a restart, a failover, a connection that was cut) answers
503 with Retry-After, and a form posted in that moment comes back with what was typed.

A form refused for a stale CSRF token, or posted after the idle logout, never loses what was
typed either (`form_refused`, `logged_out`): nothing is saved, and the page comes back filled.
"""

from __future__ import annotations

from contextlib import nullcontext, suppress
from functools import cache
from urllib.parse import urlsplit

import psycopg
from flask import (
    Flask,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_url
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect as sa_inspect
from werkzeug.exceptions import HTTPException

from app.extensions import db, limiter, login_manager

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("No access"), _l("You do not have access to this page.")),
    404: (_l("Page not found"), _l("The page does not exist, or you do not have access to it.")),
    405: (_l("Not allowed"), _l("This action cannot be done in that way.")),
    # A request body over MAX_CONTENT_LENGTH: in practice a file too large to attach.
    413: (
        _l("The file is too large"),
        _l(
            "What you sent was too large and was not stored. An attachment can be at most "
            "%(max)s. Go back and choose a smaller file."
        ),
    ),
    429: (
        _l("Too many attempts"),
        _l("Too many attempts in a short time. Wait a few minutes and try again."),
    ),
    500: (_l("Something went wrong"), _l("An error occurred. Nothing was saved. Try again.")),
    503: (
        _l("Try again in a moment"),
        _l("The database is not answering right now. Try again in a moment."),
    ),
}

# Errors that mean "the database is away", not "the program is wrong". A DBAPIError that is
# not an OperationalError (e.g. InterfaceError) counts only when SQLAlchemy found that the
# connection was lost (connection_invalidated).
DATABASE_AWAY = (
    sa_exc.OperationalError,  # refused, timed out, terminated, restarting, ...
    sa_exc.DisconnectionError,  # raised by the pool when a connection fails its ping
    sa_exc.TimeoutError,  # no pooled connection became free in time
    psycopg.OperationalError,  # the driver's own, should one arrive unwrapped
)


def _render(code: int, message=None):
    if is_api_request():
        return problem(code, detail=str(message) if message else None)
    title, text = MESSAGES[code]
    if code == 413 and message is None:
        from app.labels import file_size

        text = str(text) % {"max": file_size(current_app.config["ATTACHMENT_MAX_BYTES"])}
    return render_template("errors/error.html", code=code, title=title, text=message or text), code


# --- the JSON API (app.api): every error is an RFC 9457 problem document -------------------

API_PREFIX = "/api/"
PROBLEM_TYPE = "application/problem+json"

API_TEXTS = {
    400: _l("The request could not be understood."),
    401: _l("A valid API token is needed: send it as Authorization: Bearer <token>."),
    403: _l("This API client may not do that."),
    404: _l("Not found, or not visible to this API client."),
    405: _l("This method is not allowed here."),
    409: _l("Someone else changed this meanwhile: fetch it again and send its new version."),
    422: _l("The request has invalid values; see errors."),
    429: _l("Too many requests in a short time. Wait and try again."),
    500: _l("An error occurred. Nothing was saved."),
    503: _l("The database is not answering right now. Try again in a moment."),
}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def problem(status: int, *, detail=None, errors=None, headers=None, title=None):
    """An RFC 9457 problem document: type (about:blank: the status says it all), title (the
    status's name), status, detail (in the request's language) and, for 422, `errors`: the
    messages per field."""
    from werkzeug.http import HTTP_STATUS_CODES

    body = {
        "type": "about:blank",
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": str(detail or API_TEXTS.get(status, "")) or HTTP_STATUS_CODES.get(status, ""),
    }
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="elevsag"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _field_errors(data) -> dict | None:
    """webargs' validation messages ({"json": {"field": [...]}}) or ours ({"field": [...]}),
    as {"field": ["message", ...]}."""
    messages = (data or {}).get("errors") or (data or {}).get("messages")
    if not isinstance(messages, dict):
        return None
    flat = {}
    for key, value in messages.items():
        if key in ("json", "query", "path", "headers", "form") and isinstance(value, dict):
            flat.update({str(k): _messages(v) for k, v in value.items()})
        else:
            flat[str(key)] = _messages(value)
    return flat


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _messages(v)]
    if isinstance(value, list | tuple):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


def api_http_error(error: HTTPException):
    """Any HTTP error under /api/ (a 422 of webargs with its field messages, a 401, ...) as a
    problem; elsewhere werkzeug's own answer, as before."""
    if not is_api_request():
        return error
    data = getattr(error, "data", None) or {}
    status = error.code or 500
    headers = dict(data.get("headers") or {})
    if status == 405 and getattr(error, "valid_methods", None):
        headers.setdefault("Allow", ", ".join(error.valid_methods))
    return problem(status, detail=data.get("message"), errors=_field_errors(data), headers=headers)


def register(app: Flask) -> None:
    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(
            code,
            lambda error, code=code: api_http_error(error) if is_api_request() else _render(code),
        )
    app.register_error_handler(HTTPException, api_http_error)

    app.register_error_handler(CSRFError, form_refused)
    login_manager.unauthorized_handler(logged_out)

    @app.errorhandler(sa_exc.DBAPIError)
    def dbapi_error(error):
        if isinstance(error, sa_exc.OperationalError) or error.connection_invalidated:
            return database_away(error)
        raise error  # a programming or data error: the 500 below

    for error_class in DATABASE_AWAY:
        app.register_error_handler(error_class, database_away)

    @app.errorhandler(500)
    def internal_error(error):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s", request.path)
        return _render(500)


# --- a form refused: stale token, or logged out meanwhile -----------------------------------

REFUSED = _l(
    "Your session had expired or the form was too old. What you typed is kept – check it and "
    "send it again."
)
LOGGED_OUT = (
    _l("You have been logged out"),
    _l(
        "You were logged out because you had not been active for a while. Nothing was saved, "
        "but what you typed is kept below. Log in again (the link opens a new window), then "
        'come back here and press "Send again".'
    ),
)


def form_refused(error):
    """A POST whose CSRF token is missing, stale or forged: never saved. A logged-in person
    gets the same page again as its GET shows it, filled with what they typed, the message at
    the first typed field and a fresh token, so pressing save again is enough. Otherwise (a
    route without a GET page, or not logged in) what was typed is shown on a page of its own."""
    db.session.rollback()
    if request.method == "POST" and _same_origin():
        page = _view_again_filled()
        if page is not None:
            return page
        if not current_user.is_authenticated and _anything_typed():
            return _kept_page(*LOGGED_OUT, 400, login=True)
        if _anything_typed():
            return _kept_page(MESSAGES[400][0], REFUSED, 400)
    return _render(400, REFUSED)


def logged_out(*_args):
    """Flask-Login's answer to a request that needs a login: the login page, except for a
    form with typed text posted after the session ended, which comes back on a page of its
    own (the login redirect would drop it)."""
    if request.method == "POST" and _anything_typed():
        return _kept_page(*LOGGED_OUT, 401, login=True)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def _view_again_filled():
    """Run the route's own GET view with the posted values as its forms' data (app/forms.py,
    `g.form_refused`); None when the route has no GET or the view would not show the page
    (it redirects to the login, or refuses)."""
    rule = request.url_rule
    if rule is None or "GET" not in (rule.methods or ()):
        return None  # a POST-only route is never run without its token
    request.form  # noqa: B018  (read the posted body while the request is still a POST)
    request.method = "GET"
    g.form_refused = REFUSED
    try:
        response = current_app.make_response(
            current_app.view_functions[request.endpoint](**(request.view_args or {}))
        )
    except HTTPException:
        response = None
    finally:
        request.method = "POST"
    if response is None or response.status_code != 200 or response.mimetype != "text/html":
        g.form_refused = None
        return None
    response.status_code = 400
    return response


def _same_origin() -> bool:
    """The refused form was sent from one of our own pages (or the browser did not say where
    from): another site's forged form is refused plainly, its text never shown as if typed."""
    sender = request.headers.get("Origin") or request.headers.get("Referer")
    if not sender or sender == "null":
        return not sender
    parts = urlsplit(sender)
    return f"{parts.scheme}://{parts.netloc}" == request.host_url.rstrip("/")


def _anything_typed() -> bool:
    return any(kind != "hidden" for _name, _label, _value, kind in _typed_fields())


def _kept_page(title, text, code: int, login: bool = False):
    """What was typed on a page of its own, with a fresh token and a "Send again" button."""
    page = render_template(
        "errors/unavailable.html",
        title=title,
        text=text,
        fields=_typed_fields(),
        action=request.script_root + request.full_path.rstrip("?"),
        login_url=url_for("auth.login", next=request.path) if login else None,
    )
    return page, code


# --- the database is away -----------------------------------------------------------------


def database_away(error):
    """503 with Retry-After; a POSTed form is shown again, filled in, ready to send again.

    Neither this handler nor its template touches the database: the user is treated as not
    logged in for this one page (the loader or the notification count would query again).
    """
    seconds = current_app.config.get("DATABASE_RETRY_AFTER_SECONDS", 5)
    current_app.logger.warning(
        "Database unavailable, answered 503: %s on %s %s",
        _describe(error),
        request.method,
        request.path,
    )
    locale = _known_locale()
    if is_api_request():
        with suppress(Exception):
            db.session.rollback()
        limiter.context.view_rate_limit = None
        return problem(503, headers={"Retry-After": str(seconds)})
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: drop it rather than return it to the pool
        with suppress(Exception):
            db.session.invalidate()
    # SQLAlchemy has already invalidated the whole pool if the connection was lost (and
    # pool_pre_ping catches any connection it did not recognise as dead), so the next
    # request connects afresh.
    g._login_user = login_manager.anonymous_user()
    # On a throttled route (login) Flask-Limiter would replace our Retry-After with its own
    # window (15 minutes) and add its X-RateLimit headers: this answer is about the database.
    limiter.context.view_rate_limit = None
    with force_locale(locale) if locale else nullcontext():
        page = render_template(
            "errors/unavailable.html",
            title=MESSAGES[503][0],
            text=MESSAGES[503][1],
            fields=_typed_fields(),
            action=request.script_root + request.full_path.rstrip("?"),
        )
    return page, 503, {"Retry-After": str(seconds)}


def _describe(error) -> str:
    """The driver's message without the SQL statement and its parameters (these may hold
    personal data)."""
    original = getattr(error, "orig", None) or error
    message = str(original).strip().splitlines()[0] if str(original).strip() else ""
    if isinstance(original, sa_exc.StatementError):
        message = message.split("[SQL:")[0].strip()
    return f"{type(original).__name__}: {message[:200]}"


def _known_locale() -> str | None:
    """The person's language, from what is already in memory (never a query)."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    user = g.get("_login_user")
    state = sa_inspect(user, raiseerr=False) if user is not None else None
    loaded = state.dict.get("locale") if state is not None else None
    return loaded if loaded in languages else None


@cache
def _declared_fields() -> tuple[frozenset[str], frozenset[str], dict[str, list]]:
    """From every form class in the app: the names of password fields, of hidden fields, and
    each name's labels (lazy strings). A form does not say which class it came from, so a
    name counts as a password if any form has a password field by that name."""
    from flask_wtf import FlaskForm
    from wtforms.fields import HiddenField, PasswordField
    from wtforms.fields.core import UnboundField

    passwords, hidden, labels = set(), set(), {}
    classes, seen = [FlaskForm], set()
    while classes:
        form_class = classes.pop()
        if form_class in seen:
            continue
        seen.add(form_class)
        classes.extend(form_class.__subclasses__())
        for name, value in vars(form_class).items():
            if not isinstance(value, UnboundField):
                continue
            if issubclass(value.field_class, PasswordField):
                passwords.add(name)
            elif issubclass(value.field_class, HiddenField):
                hidden.add(name)
            label = value.args[0] if value.args else value.kwargs.get("label")
            if label is not None:
                labels.setdefault(name, []).append(label)
    return frozenset(passwords), frozenset(hidden), labels


def _label(name: str, labels: dict[str, list]) -> str:
    """The field's label if every form that has this field agrees on it, else its name."""
    texts = {str(label) for label in labels.get(name, ())}
    return texts.pop() if len(texts) == 1 else name


def _typed_fields() -> list[tuple[str, str, str, str]]:
    """(name, label, value, kind) for every field of a POSTed form, in order. Everything the
    person typed in this request is echoed (Jinja escapes it) except passwords, which are
    asked for again, and the CSRF token, for which the page makes a fresh one."""
    if request.method != "POST":
        return []
    passwords, hidden, labels = _declared_fields()
    fields = []
    for name, value in request.form.items(multi=True):
        if name == "csrf_token":
            continue
        label = _label(name, labels)
        if name in passwords or "password" in name.lower():
            fields.append((name, label, "", "password"))
        elif name in hidden or value == "" or (label == name and "\n" not in value):
            # A choice or a field whose label is not known for sure (e.g. "category") is
            # sent again unseen rather than shown under its raw name.
            fields.append((name, label, value, "hidden"))
        elif "\n" in value or len(value) > 80:
            fields.append((name, label, value, "textarea"))
        else:
            fields.append((name, label, value, "text"))
    return fields
