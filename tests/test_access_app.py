"""The dashboard per role, with AppTest and a faked st.user: what each page shows, what the
downloads hold, the login page, a user missing from access, a broken [auth], an open address."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ka_core import db, i18n, loading
from tests import apptest, tiny
from tests.test_access import ACCESS

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-long-random-secret-for-the-tests",
    "client_id": "ka",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
STORE = i18n.label("store_id", "en")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    d = tmp_path_factory.mktemp("access_app")
    c = db.connect(d / "tiny.duckdb")
    tiny.fill(c)
    (d / "access.csv").write_text(ACCESS, encoding="utf-8")
    loading.load_files(c, "access", [d / "access.csv"], user="setup")
    c.close()
    return d / "tiny.duckdb"


@pytest.fixture
def app(warehouse, monkeypatch):
    serving = apptest.serving(warehouse, monkeypatch)
    next(serving)

    def make(email: str | None, page: str = "visits", auth: dict | None = AUTH, **state) -> AppTest:
        def signed_in(at: AppTest) -> None:
            if auth is not None:
                at.secrets = {"auth": auth}
            at.user = {"is_logged_in": True, "email": email} if email else {"is_logged_in": False}

        return apptest.open_page(page, setup=signed_in, **state)

    yield make
    next(serving, None)


def stores_shown(at: AppTest) -> set[str]:
    out: set[str] = set()
    for df in at.dataframe:
        v = df.value
        if STORE in v.columns:
            out |= set(v[STORE])
    return out


def test_logged_out_sees_the_login_page_only(app):
    at = app(None)
    assert [b.label for b in at.button] == ["Sign in with SSO"]
    assert not at.dataframe and not at.metric


@pytest.mark.parametrize(
    ("email", "stores", "chains"),
    [
        ("wang@co.com", {"B", "D", "E"}, ["Alpha", "Beta"]),
        ("alpha@co.com", {"A", "C", "E"}, ["Alpha"]),
        ("north@co.com", {"A", "B"}, ["Alpha", "Beta"]),
        ("boss@co.com", {"A", "B", "C", "D", "E"}, ["Alpha", "Beta"]),
    ],
)
def test_each_role_sees_its_stores_and_pickers(app, email, stores, chains):
    at = app(email, period="all")
    assert stores_shown(at) == stores  # the visit coverage table lists every store of the scope
    chain_picker = next(m for m in at.sidebar.multiselect if m.key == "chains")
    assert chain_picker.options == chains
    assert any(email in c.value for c in at.sidebar.caption)


def test_a_store_outside_the_scope_cannot_be_picked_by_state(app):
    """A KA manager asks the Share page for store A (outside his scope): nothing of it is shown."""
    at = app("wang@co.com", page="share", period="all", store="A")
    assert "A" not in stores_shown(at)


def test_unknown_email_sees_whom_to_ask(app):
    at = app("stranger@co.com")
    assert "no access" in at.error[0].value and "boss@co.com" in at.error[0].value
    assert not at.dataframe and not at.metric


def test_director_sees_the_data_page_history_only(app):
    at = app("north@co.com", page="data")
    assert not at.get("file_uploader") and not [s for s in at.selectbox if s.key == "undo_id"]
    assert any("history only" in i.value for i in at.info)
    assert at.dataframe  # the history


def test_ka_manager_undoes_only_his_own_loads(app):
    at = app("wang@co.com", page="data")
    undo = [s for s in at.selectbox if s.key == "undo_id"]
    assert not undo  # the only load is the access table's, by "setup"


def test_admin_views_as_another_user(app):
    at = app("boss@co.com", period="all", ka_view_as="wang@co.com")
    assert stores_shown(at) == {"B", "D", "E"}
    assert any("Viewing as wang@co.com" in i.value for i in at.info)


def test_broken_auth_config_is_a_clear_message(app):
    broken = {k: v for k, v in AUTH.items() if k != "cookie_secret"}
    at = app("boss@co.com", auth=broken)
    assert "missing cookie_secret" in at.error[0].value and not at.dataframe


def test_served_beyond_localhost_without_login_is_refused(app, monkeypatch):
    from dashboard import auth

    monkeypatch.setattr(auth, "_address", lambda: "0.0.0.0")
    at = app(None, auth=None)
    assert "without login" in at.error[0].value and not at.dataframe
    monkeypatch.setenv(auth.ALLOW_ENV, "1")
    at = app(None, auth=None, period="all")
    assert any("without login" in w.value for w in at.warning)
    assert stores_shown(at) == {"A", "B", "C", "D", "E"}


def test_downloads_hold_only_the_stores_in_scope(app, monkeypatch, downloads_clicked):
    """Every CSV a page offers is written from the same rows as its table: a KA manager's hold his stores."""
    from dashboard import tables

    written = []
    real = tables.sheets.csv_bytes

    def spy(df):
        written.append(df)
        return real(df)

    monkeypatch.setattr(tables.sheets, "csv_bytes", spy)
    app("wang@co.com", period="all")
    with_stores = [df for df in written if STORE in df.columns]
    assert with_stores  # the visit coverage download at least
    for df in with_stores:
        assert set(df[STORE]) <= {"B", "D", "E"}
    assert {"B", "D", "E"} <= set().union(*(set(df[STORE]) for df in with_stores))
