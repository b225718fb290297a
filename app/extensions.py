"""Extension instances, unbound. `create_app` binds them to an app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect

from app.models.base import Base

# Objects stay loaded after commit: a view that logs a read and then renders needs no reload.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# No default limits: only the routes that need throttling (login) declare one.
limiter = Limiter(key_func=get_remote_address)
talisman = Talisman()
# SMTP sending for the outbox worker (app.mail.delivery); configured by MAIL_* settings.
mail = Mail()


def tune_sqlite(dbapi_connection, _record) -> None:
    """SQLite, the embedded default: enforce foreign keys (ON DELETE CASCADE/SET NULL as on
    PostgreSQL), and write-ahead logging with normal syncing, so a commit (every page logs its
    access) does not wait for a full disk flush and readers never block the writer."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()
