"""Login and who sees what in the dashboard: Streamlit's own `st.login` (OIDC), the
`access` table's role and scope (ka_core/access.py), an admin's "view as".

`gate()` runs in the frame before the sidebar and every page. It leaves the
session's scope in `st.session_state[SCOPE_KEY]`, which dashboard/data.py binds
into every read; a session where the gate did not resolve a user keeps NOBODY.

Off by default: without `[auth]` in .streamlit/secrets.toml the one local user
sees everything, and the app listens on 127.0.0.1 (.streamlit/config.toml).
Served on another address without login, the app refuses, unless
KA_ALLOW_NO_LOGIN=1, and then a banner says so.
"""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from ka_core import access
from ka_core.access import LOCAL, NOBODY, User
from ka_core.i18n import t

SCOPE_KEY = "_ka_scope"  # the scope every read binds (dashboard/data.py)
USER_KEY = "_ka_user"  # the effective access.User (None without login): whom the pages show
LOGIN_KEY = "_ka_login"  # the signed-in access.User: who writes (loads are recorded under this email)
VIEW_AS_KEY = "ka_view_as"
LOCAL_ADDRESSES = ("127.0.0.1", "localhost", "::1")
ALLOW_ENV = "KA_ALLOW_NO_LOGIN"


def _secrets_auth() -> dict | None:
    """The [auth] section of secrets.toml as a dict; None when there is none (or no secrets file)."""
    try:
        if "auth" not in st.secrets:
            return None
        return _plain(st.secrets["auth"])
    except FileNotFoundError:
        return None
    except Exception as exc:  # an unreadable secrets.toml is a broken configuration
        return {"_error": str(exc)}


def _plain(value):
    """Secrets sections as plain dicts."""
    if hasattr(value, "items"):
        return {k: _plain(v) for k, v in value.items()}
    return value


def providers(conf: dict) -> list[str | None]:
    """The providers a login button offers: None for the top-level client, else each named section."""
    named = [k for k, v in conf.items() if isinstance(v, dict)]
    return named or [None]


def problems(conf: dict) -> str:
    """Why an [auth] configuration cannot work ('' when it can), as Streamlit documents it."""
    if "_error" in conf:
        return f"secrets.toml cannot be read ({conf['_error']})"
    missing = [k for k in ("redirect_uri", "cookie_secret") if not str(conf.get(k) or "").strip()]
    named = {k: v for k, v in conf.items() if isinstance(v, dict)}
    clients = named or {"": conf}
    for name, c in clients.items():
        where = f"[auth.{name}] " if name else ""
        missing += [
            f"{where}{k}"
            for k in ("client_id", "client_secret", "server_metadata_url")
            if not str(c.get(k) or conf.get(k) or "").strip()
        ]
    if missing:
        return "missing " + ", ".join(missing)
    uri = str(conf["redirect_uri"])
    if not uri.startswith(("http://", "https://")) or not uri.rstrip("/").endswith("/oauth2callback"):
        return f"redirect_uri {uri!r} must be this app's address ending in /oauth2callback"
    return ""


def _address() -> str:
    return str(st.get_option("server.address") or "")


def _logged_in() -> bool:
    try:
        return bool(st.user.is_logged_in)
    except Exception:  # st.user raises when auth is not configured
        return False


def _claims() -> dict:
    """The identity provider's claims of the signed-in user."""
    return st.user.to_dict()


def gate(lang: str, reading) -> None:
    """Resolve the session's user and scope, or draw why not and stop. `reading`: data.reading."""
    st.session_state[SCOPE_KEY] = NOBODY  # deny by default until a user is resolved
    st.session_state[USER_KEY] = st.session_state[LOGIN_KEY] = None
    conf = _secrets_auth()
    if conf is None:
        address = _address()
        if address and address not in LOCAL_ADDRESSES:
            if os.environ.get(ALLOW_ENV) != "1":
                st.error(t("open_refused", lang, address=address), icon=":material/lock:")
                st.stop()
            st.warning(t("open_banner", lang, address=address), icon=":material/public:")
        st.session_state[SCOPE_KEY] = LOCAL
        return
    problem = problems(conf)
    if problem:
        st.error(t("auth_broken", lang, problem=problem), icon=":material/error:")
        st.stop()
    if not _logged_in():
        _login_page(lang, conf)
        st.stop()
    email = access.identity(_claims())
    with reading() as con:
        me = access.resolve(con, email)
        admins = access.admin_emails(con)
        everyone = access.emails(con) if me is not None and me.is_admin else []
    if me is None:
        st.error(
            t("no_access", lang, email=email or "?", admins=", ".join(admins) or t("no_admins", lang)),
            icon=":material/block:",
        )
        st.button(t("logout", lang), on_click=st.logout, key="logout_no_access")
        st.stop()
    user = me
    with st.sidebar:
        st.caption(t("signed_in_as", lang, email=me.email, role=me.role))
        if me.is_admin and len(everyone) > 1:
            other = st.selectbox(
                t("view_as", lang),
                [None, *(e for e in everyone if e != me.email)],
                format_func=lambda e: e or t("view_as_me", lang),
                key=VIEW_AS_KEY,
            )
            if other:
                with reading() as con:
                    user = access.resolve(con, other) or me
        st.button(t("logout", lang), on_click=st.logout, key="logout")
    if user is not me:
        st.info(t("viewing_as", lang, email=user.email, role=user.role), icon=":material/visibility:")
    st.session_state[USER_KEY] = user
    st.session_state[LOGIN_KEY] = me
    st.session_state[SCOPE_KEY] = user.scope


def _login_page(lang: str, conf: dict) -> None:
    st.title(t("login_title", lang))
    st.write(t("login_text", lang))
    for p in providers(conf):
        label = t("login_button", lang, provider=(p or "SSO").title() if p else "SSO")
        if st.button(label, type="primary", key=f"login_{p or 'default'}"):
            st.login(p) if p else st.login()


def user() -> User | None:
    """The effective user of the session (None without login)."""
    return st.session_state.get(USER_KEY)


def login_user() -> User | None:
    """The signed-in user (not the one an admin views as): loads are checked and recorded as his."""
    return st.session_state.get(LOGIN_KEY)


def scope() -> access.Scope:
    """The scope every read binds; NOBODY until gate() resolved one."""
    return st.session_state.get(SCOPE_KEY, NOBODY)


# The Data page's role gate ----------------------------------------------------------------


def history_only() -> bool:
    """Directors see the Data page's history only."""
    u = user()
    return u is not None and u.role == access.DIRECTOR


def undoable(history: pd.DataFrame) -> list[dict]:
    """The loads of `history` (not undone) this session may undo, as records: all without login
    or as admin, a KA manager's own."""
    active = history[history["undone_at"].isna()].to_dict("records")
    u = user()
    if u is None:
        return active
    return [r for r in active if u.may_undo(str(r["user_name"]))]


def history_page(lang: str) -> None:
    """A director's Data page: the load history, nothing to load or undo."""
    from ka_core import i18n

    from .uploads import history

    st.info(t("history_only", lang), icon=":material/visibility:")
    st.subheader(t("history", lang))
    hist = history()
    st.dataframe(i18n.history_headers(hist.drop(columns=["sha256"]), lang), hide_index=True, key="history", height=260)
