"""Who sees what (domain.md): scopes worked out by hand on the tiny warehouse, the access
table's checks, a KA manager's visit sheet, and `--as` on the command line."""

from __future__ import annotations

import dataclasses

import pytest

from ka_core import access, db, loading, reports
from ka_core.access import LOCAL, NOBODY, Scope
from ka_core.settings import Filters
from tests import tiny
from tests.test_cli import cli

# tiny stores: A Alpha/North Li, B Beta/North Wang, C Alpha/South Li, D Beta/South Wang, E Alpha/East Zhao
ACCESS = """email,role,name,chains,regions,stores
Boss@Co.com,admin,,,,
north@co.com,director,,*,North,
alpha@co.com,director,,Alpha,,
mixed@co.com,director,,Alpha,South,E
wang@co.com,ka_manager,Wang,,,E
empty@co.com,director,,,,
"""


@pytest.fixture
def con(tmp_path):
    c = db.connect(tmp_path / "tiny.duckdb")
    tiny.fill(c)
    f = tmp_path / "access.csv"
    f.write_text(ACCESS, encoding="utf-8")
    loading.load_files(c, "access", [f], user="setup")
    yield c
    c.close()


def stores_seen(c, scope: Scope) -> set[str]:
    return set(reports.run(c, "quadrants", Filters(scope=scope))["store_id"])


@pytest.mark.parametrize(
    ("email", "role", "stores"),
    [
        ("boss@co.com", "admin", {"A", "B", "C", "D", "E"}),  # admin: everything, whatever the row says
        ("BOSS@co.com ", "admin", {"A", "B", "C", "D", "E"}),  # compared without case
        ("north@co.com", "director", {"A", "B"}),  # every chain (*) of region North
        ("alpha@co.com", "director", {"A", "C", "E"}),  # blank regions do not restrict
        ("mixed@co.com", "director", {"C", "E"}),  # Alpha ∩ South = C, plus listed E
        ("wang@co.com", "ka_manager", {"B", "D", "E"}),  # his stores (ka_manager Wang) plus E
        ("empty@co.com", "director", set()),  # a row that names nothing sees nothing
    ],
)
def test_scope_of_each_row(con, email, role, stores):
    user = access.resolve(con, email)
    assert user.role == role
    assert stores_seen(con, user.scope) == stores


def test_deny_by_default(con):
    assert access.resolve(con, "stranger@co.com") is None
    assert access.resolve(con, "") is None
    assert stores_seen(con, NOBODY) == set()
    # A Filters without a resolved scope binds NOBODY in every report.
    for name in reports.REPORTS:
        df = reports.run(con, name, Filters(scope=None))
        if name == "visit-effect":  # always its 13 weeks; with no store, no event and no number
            assert (df["events"] == 0).all() and df["effect_pct"].isna().all(), df
        else:
            assert df.empty, name
    assert stores_seen(con, LOCAL) == {"A", "B", "C", "D", "E"}


def test_scope_acts_exactly_like_the_chain_filter(con):
    """Scope Alpha = filter Alpha in every report (ABC, Pareto, promotions computed within it)."""
    for name in reports.REPORTS:
        by_filter = reports.run(con, name, Filters(chains=("Alpha",)))
        by_scope = reports.run(con, name, Filters(scope=Scope(chains=("Alpha",))))
        assert by_scope.equals(by_filter), name
        # and intersected with the filters: scope Alpha, filter Beta -> nothing of a store report
    assert reports.run(con, "quadrants", Filters(chains=("Beta",), scope=Scope(chains=("Alpha",)))).empty


def test_market_share_does_not_follow_the_scope(con):
    everything = reports.run(con, "fair-share", Filters()).set_index(["store_id", "category"])
    only_a = reports.run(con, "fair-share", Filters(scope=Scope(stores=("A",)))).set_index(["store_id", "category"])
    assert set(only_a.index.get_level_values(0)) == {"A"}
    for key, row in only_a.iterrows():
        assert row["market_share"] == pytest.approx(everything.loc[key, "market_share"])
        assert row["customer_share"] == pytest.approx(everything.loc[key, "customer_share"])


def test_promotions_with_a_row_in_scope_keep_their_sums(con):
    everything = reports.run(con, "promo-summary", Filters()).set_index("promo_id")
    only_b = Filters(scope=Scope(stores=("B",)))
    summary = reports.run(con, "promo-summary", only_b).set_index("promo_id")
    assert list(summary.index) == ["PR2"]  # PR2 covers every Beta store; PR0, PR1 only store A
    assert summary.loc["PR2"].equals(everything.loc["PR2"])  # its sums cover all its rows
    lift = reports.run(con, "promo-lift", only_b)
    assert set(lift["store_id"]) == {"B"}  # rows of stores outside the scope are not listed
    # Scope D (Beta, no sales): PR2 is listed through D, and its one store with rows is B, outside the scope.
    only_d = reports.run(con, "promo-summary", Filters(scope=Scope(stores=("D",)))).set_index("promo_id")
    assert list(only_d.index) == ["PR2"] and only_d.loc["PR2", "stores"] == 1
    assert reports.run(con, "promo-lift", Filters(scope=Scope(stores=("D",)))).empty


def test_store_detail_outside_the_scope_is_empty(con):
    f = Filters(scope=Scope(stores=("B",)))
    assert not reports.run_query(con, "store-weekly", f, store_id="B").empty
    assert reports.run_query(con, "store-weekly", f, store_id="A").empty
    assert reports.run_query(con, "store-visits", f, store_id="A").empty


def test_access_rows_refused_with_row_and_column(tmp_path):
    c = db.connect(tmp_path / "w.duckdb")
    tiny.fill(c)
    f = tmp_path / "access.csv"
    f.write_text(
        "email,role,name,chains,regions,stores\n"
        "a@co.com,boss,,,,\n"  # row 2: unknown role
        "b@co.com,director,,Alpha;Gamma,,\n"  # row 3: unknown chain
        "c@co.com,director,,,Mars,\n"  # row 4: unknown region
        'd@co.com,director,,,,"A, Z9"\n'  # row 5: unknown store (a list cell with a comma)
        "A@CO.com,director,,*,,\n"  # row 6: duplicate email (without case)
        "not-an-email,director,,*,,\n",  # row 7
        encoding="utf-8",
    )
    with pytest.raises(loading.ValidationFailed) as exc:
        loading.load_files(c, "access", [f])
    got = {(p.row, p.column) for p in exc.value.validation.problems}
    assert got == {(2, "role"), (3, "chains"), (4, "regions"), (5, "stores"), (6, "email"), (7, "email")}
    by_row = {p.row: p for p in exc.value.validation.problems}
    assert "unknown: Gamma" in by_row[3].expected and "unknown: Z9" in by_row[5].expected
    assert "row 2" in by_row[6].expected
    assert c.execute("SELECT count(*) FROM access").fetchall() == [(0,)]
    assert c.execute("SELECT count(*) FROM ka_loads").fetchall() == [(0,)]


def test_access_load_is_recorded_and_undoable(con):
    [(load_id,)] = con.execute("SELECT load_id FROM ka_loads WHERE table_name = 'access'").fetchall()
    loading.undo(con, load_id)
    assert access.resolve(con, "boss@co.com") is None


def test_ka_manager_visits_outside_his_scope_refused_by_name(con, tmp_path):
    wang = access.resolve(con, "wang@co.com")
    f = tmp_path / "visits.csv"
    f.write_text(
        "visit_date,store_id,rep,category,display_ok\n2025-02-03,B,Wang,Phones,Y\n2025-02-03,A,Wang,Phones,Y\n2025-02-04,C,Wang,Phones,Y\n",
        encoding="utf-8",
    )
    before = con.execute("SELECT count(*) FROM visits").fetchall()
    files = loading.read_files(con, "visits", [f])
    with pytest.raises(loading.ValidationFailed) as exc:
        loading.write_files(con, "visits", files, wang)
    refused = [(p.row, p.column, p.value) for p in exc.value.validation.problems]
    assert refused == [(3, "store_id", "A"), (4, "store_id", "C")]
    assert con.execute("SELECT count(*) FROM visits").fetchall() == before  # nothing written
    # His own stores load, recorded under his email.
    f.write_text("visit_date,store_id,rep,category,display_ok\n2025-02-03,B,Wang,Phones,Y\n", encoding="utf-8")
    result = loading.write_files(con, "visits", loading.read_files(con, "visits", [f]), wang)
    who = con.execute("SELECT user_name FROM ka_loads WHERE load_id = ?", [result.loads[0]["load_id"]]).fetchall()
    assert who == [("wang@co.com",)]
    # A director loads nothing.
    north = access.resolve(con, "north@co.com")
    with pytest.raises(loading.ValidationFailed) as exc:
        loading.write_files(con, "visits", loading.read_files(con, "visits", [f]), north)
    assert "may not load the visits table" in str(exc.value.validation.problems[0])


def test_rights(con):
    wang = access.resolve(con, "wang@co.com")
    boss = access.resolve(con, "boss@co.com")
    north = access.resolve(con, "north@co.com")
    assert wang.may_undo("WANG@co.com") and not wang.may_undo("boss@co.com")
    assert boss.may_undo("anyone") and boss.may_load("sales")
    assert not north.may_load("visits") and not north.may_undo("north@co.com")
    assert dataclasses.replace(wang.scope, managers=()) == Scope(stores=("E",))


def test_cli_as(con, tmp_path):
    path = tmp_path / "tiny.duckdb"
    con.close()
    r = cli("report", "quadrants", "--format", "csv", "--db", path, "--as", "alpha@co.com")
    assert r.returncode == 0, r.stderr
    assert sorted(line.split(",")[0] for line in r.stdout.splitlines()[1:]) == ["A", "C", "E"]
    r = cli("report", "quadrants", "--db", path, "--as", "stranger@co.com")
    assert r.returncode == 1 and "no access" in r.stderr and "boss@co.com" in r.stderr.lower()
    f = tmp_path / "v.csv"
    f.write_text("visit_date,store_id,rep,category,display_ok\n2025-02-03,A,Wang,Phones,Y\n", encoding="utf-8")
    r = cli("load", "visits", f, "--db", path, "--as", "wang@co.com")
    assert r.returncode == 1 and "row 2, column store_id: 'A'" in r.stderr and "nothing was written" in r.stderr
    r = cli("undo", "1", "--db", path, "--as", "wang@co.com")  # load 1 is the access table, by "setup"
    assert r.returncode == 1 and "may not undo load 1" in r.stderr
