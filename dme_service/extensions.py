"""The app's extensions, created unbound here and bound to an app in create_app.

`db` is our own small SQLAlchemy 2.x wrapper (dme_service.db), not Flask-SQLAlchemy: one engine
per app and one Session per request. `csrf` protects every state-changing request; `login_manager`
is configured by dme_service.web (server-side sessions over the UserSession table).
"""

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from dme_service.db import Database

db = Database()
csrf = CSRFProtect()
login_manager = LoginManager()
