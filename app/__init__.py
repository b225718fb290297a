"""Elevsag: one shared case file per SOSU student, for schools and municipalities."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, request, session
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from config import Config, config_from_env


class DatabaseId(IntegerConverter):
    """`<int:...>` limited to what an INTEGER column holds, so huge numbers answer 404."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config_class: type[Config] | None = None) -> Flask:
    config_class = config_class or config_from_env()
    config_class.validate()
    app = Flask(
        __name__,
        template_folder="../templates",
        instance_relative_config=False,
    )
    app.config.from_object(config_class)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    # Ids in URLs are database integers: a larger number is simply not found.
    app.url_map.converters["int"] = DatabaseId

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_request_hooks(app)
    register_template_helpers(app)
    return app


def select_locale() -> str:
    """Danish unless the person chose English (in this session or on their account)."""
    languages = current_app.config["LANGUAGES"]
    if request and request.path.startswith("/api/"):
        # The JSON API: as the caller's Accept-Language asks (docs/api.md), else Danish.
        asked = request.accept_languages.best_match(list(languages))
        return asked or current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (every model must be known to Alembic)
    from app.auth.sessions import load_user_from_session
    from app.extensions import babel, csrf, db, limiter, login_manager, mail, migrate, talisman

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from sqlalchemy import event

            from app.extensions import tune_sqlite

            event.listen(db.engine, "connect", tune_sqlite)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_fast_gettext(app)
    limiter.init_app(app)
    mail.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself
    login_manager.session_protection = None  # the server-side login session does this job
    login_manager.user_loader(load_user_from_session)

    csp = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    talisman.init_app(
        app,
        force_https=False,  # TLS ends at the proxy; HSTS below tells browsers to stay on it
        strict_transport_security=app.config["HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        content_security_policy=csp,
        frame_options="DENY",
        referrer_policy="same-origin",
        permissions_policy={"camera": "()", "microphone": "()", "geolocation": "()"},
    )


def _migrations_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "migrations"


def register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.attachments import bp as attachments_bp
    from app.auditlog import bp as auditlog_bp
    from app.auth import bp as auth_bp
    from app.casefile import bp as casefile_bp
    from app.export import bp as export_bp
    from app.imports import bp as imports_bp
    from app.journey import bp as journey_bp
    from app.main import bp as main_bp
    from app.me import bp as me_bp
    from app.partnership import bp as partnership_bp
    from app.retention import bp as retention_bp
    from app.reviews import bp as reviews_bp
    from app.risk import bp as risk_bp
    from app.students import bp as students_bp
    from app.support import bp as support_bp
    from app.training import bp as training_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(students_bp, url_prefix="/students")
    app.register_blueprint(journey_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(support_bp)
    app.register_blueprint(training_bp)
    app.register_blueprint(casefile_bp)
    app.register_blueprint(export_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(risk_bp)
    app.register_blueprint(imports_bp, url_prefix="/imports")
    app.register_blueprint(partnership_bp, url_prefix="/partnership")
    app.register_blueprint(me_bp, url_prefix="/me")
    app.register_blueprint(attachments_bp)
    app.register_blueprint(retention_bp)
    app.register_blueprint(auditlog_bp, url_prefix="/access-log")

    from app.api import init_app as init_api

    init_api(app)  # the JSON API (flask-smorest) under /api/v1


def register_errorhandlers(app: Flask) -> None:
    from app.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)


def register_request_hooks(app: Flask) -> None:
    @app.after_request
    def no_store(response):
        # Pages may show student data; never let a browser or proxy keep a copy.
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response


def register_template_helpers(app: Flask) -> None:
    from app import dates, labels
    from app.attachments import files as attachment_files
    from app.auth.sessions import seconds_left
    from app.forms import error_links
    from app.models import Programme

    app.jinja_env.filters["format_date"] = dates.pattern_text  # e.g. the timeline's months
    # The one way pages and PDFs show dates and times (docs/dates.md).
    app.jinja_env.filters["date"] = dates.date_text
    app.jinja_env.filters["datetime"] = dates.datetime_text
    # Programme codes from a query row (e.g. "EUX_PA") as people write them ("EUX PA").
    app.jinja_env.filters["programme_code"] = Programme.display_code
    app.jinja_env.globals["labels"] = labels  # also visible inside imported macros
    app.jinja_env.globals["error_links"] = error_links  # the error summary's list of links
    app.jinja_env.globals["session_seconds_left"] = seconds_left  # the idle-logout warning
    # The attachment lists (templates/_macros/attachments.html).
    app.jinja_env.globals["file_size"] = labels.file_size
    app.jinja_env.globals["attachment_hint"] = attachment_files.upload_hint

    @app.context_processor
    def inject_globals():
        from app.access import CASE_ROLES, nav_sections
        from app.notifications import unread_notifications

        unread = None
        if current_user.is_authenticated and current_user.has_role(*CASE_ROLES):
            unread = unread_notifications(current_user)
        return {
            "current_locale": str(get_locale()),
            "languages": app.config["LANGUAGES"],
            "unread_notifications": unread,
            "nav": nav_sections(current_user),
        }


def install_fast_gettext(app: Flask) -> None:
    """The templates' _() and ngettext() look the request's translations up once, not once
    per string (Flask-Babel's own callables walk `g` and the locale on every call: about a
    tenth of a page's rendering time). `force_locale` and `refresh` change or clear the
    Babel context, so the cache is kept there and checked against its locale."""
    from flask import g
    from flask_babel import get_translations
    from jinja2 import pass_context
    from markupsafe import Markup

    def translations():
        ctx = g.get("_flask_babel")
        if ctx is not None:
            cached = getattr(ctx, "elevsag_translations", None)
            if cached is not None and cached[0] is getattr(ctx, "babel_locale", None):
                return cached[1]
        found = get_translations()
        ctx = g.get("_flask_babel")
        if ctx is not None and hasattr(ctx, "babel_locale"):
            ctx.elevsag_translations = (ctx.babel_locale, found)
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

    # `_()` is the templates' most frequent call (some 70 on every page for the layout alone,
    # 175 on the student page). Jinja's own goes through three calls and formats the
    # translation on every use; this one does what they do in one, and keeps the result of
    # a string without variables per catalogue (so per language), escaped or not as the
    # template is: the same text, formatted once.
    formatted: dict[tuple[object, bool, str], str] = {}

    def format_(text: str, autoescape: bool, variables: dict) -> str:
        # As Jinja's: the catalogue's text is trusted markup, the variables are escaped.
        return (Markup(text) if autoescape else text) % variables  # noqa: S704

    @pass_context
    def underscore(context, string: str, **variables) -> str:
        found = translations()
        autoescape = context.eval_ctx.autoescape
        if variables:
            return format_(found.ugettext(string), autoescape, variables)
        key = (found, autoescape, string)
        text = formatted.get(key)
        if text is None:
            text = format_(found.ugettext(string), autoescape, {})
            if len(formatted) < 20_000:  # a bound, should a template translate data
                formatted[key] = text
        return text

    underscore.formatted = formatted  # type: ignore[attr-defined]  # read by the tests
    app.jinja_env.globals["_"] = underscore
