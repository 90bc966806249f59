"""Who sees what (domain.md): the `access` table's roles and scopes, resolved once per user.

A `Scope` is what the query layer binds into every report (`Filters.scope`,
`sql/access.sql`): the stores a user may see. Resolution denies by default:
an email missing from `access`, a row that names nothing, or no identity at all
resolve to `NOBODY`, which selects no store. `LOCAL` is the one person on one
machine without login (and the command line without `--as`): every store.

Rights follow the role: an admin sees every store and may load and undo
anything; a director reads; a KA manager reads, loads visit sheets for the
stores of his scope (rows for other stores are refused, named) and undoes his
own loads.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from .errors import KaError

ADMIN, DIRECTOR, KA_MANAGER = "admin", "director", "ka_manager"
ROLES = (ADMIN, DIRECTOR, KA_MANAGER)
ALL = "*"

# A list cell of the access table: values separated by ; or , (also the full-width forms).
SPLIT = "[;,；，]"


@dataclass(frozen=True)
class Scope:
    """The stores a user may see (domain.md, "Who sees what"); lists hold `*` for "every value".

    The stores whose chain is in `chains` and whose region is in `regions` (a blank
    list does not restrict when the other is filled; both blank: none by this
    rule), plus `stores`, plus the stores whose ka_manager is in `managers`.
    """

    everything: bool = False
    chains: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    stores: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()

    def params(self) -> dict:
        """The bound parameters of sql/access.sql."""
        return {
            "scope_all": self.everything,
            "scope_chains": list(self.chains),
            "scope_regions": list(self.regions),
            "scope_stores": list(self.stores),
            "scope_managers": list(self.managers),
        }


LOCAL = Scope(everything=True)  # no login: the one local user sees everything
NOBODY = Scope()  # deny by default: no store


@dataclass(frozen=True)
class User:
    """A row of `access`, resolved: the identity, its role and the scope it sees."""

    email: str
    role: str
    name: str
    scope: Scope

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    def may_load(self, table: str) -> bool:
        """Admins load every table; KA managers their visit sheets; directors nothing."""
        return self.role == ADMIN or (self.role == KA_MANAGER and table == "visits")

    def may_undo(self, loaded_by: str) -> bool:
        """Admins undo any load; KA managers their own; directors none."""
        return self.role == ADMIN or (self.role == KA_MANAGER and loaded_by.strip().lower() == self.email)


def split(cell: str | None) -> tuple[str, ...]:
    """A list cell (`A; B`, `A,B`, `*`) as its values, blanks dropped."""
    import re

    return tuple(v.strip() for v in re.split(SPLIT, cell or "") if v.strip())


def scope_of(role: str, name: str | None, chains: str | None, regions: str | None, stores: str | None) -> Scope:
    """The scope of one access row (admins: everything, whatever the row says)."""
    if role == ADMIN:
        return LOCAL
    if role not in ROLES:
        return NOBODY
    managers = (name.strip(),) if role == KA_MANAGER and name and name.strip() else ()
    return Scope(False, split(chains), split(regions), split(stores), managers)


def _has_access_table(con: duckdb.DuckDBPyConnection) -> bool:
    rows = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'access'").fetchall()
    return bool(rows[0][0])


def identity(claims: dict) -> str:
    """The email of a login (the `email` claim, else `preferred_username`), lower case; '' when none."""
    for key in ("email", "preferred_username"):
        value = claims.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip().lower()
    return ""


def resolve(con: duckdb.DuckDBPyConnection, email: str | None) -> User | None:
    """The user of `email` (compared without case), or None when `access` has no row for it."""
    if not email or not _has_access_table(con):
        return None
    cur = con.cursor()
    try:
        rows = cur.execute(
            "SELECT email, role, name, chains, regions, stores FROM access WHERE lower(trim(email)) = ?",
            [email.strip().lower()],
        ).fetchall()
    finally:
        cur.close()
    if not rows:
        return None
    e, role, name, chains, regions, stores = rows[0]
    return User(e.strip().lower(), role, name or "", scope_of(role, name, chains, regions, stores))


def resolve_or_refuse(con: duckdb.DuckDBPyConnection, email: str) -> User:
    """`--as EMAIL`: the user, or KaError "no access"."""
    user = resolve(con, email)
    if user is None:
        admins = ", ".join(admin_emails(con)) or "nobody yet: load an access table"
        raise KaError(f"{email}: no access (no row for this email in the access table). Ask an admin: {admins}.")
    return user


def admin_emails(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Whom to ask for access."""
    if not _has_access_table(con):
        return []
    cur = con.cursor()
    try:
        return [
            r[0]
            for r in cur.execute("SELECT lower(trim(email)) FROM access WHERE role = 'admin' ORDER BY 1").fetchall()
        ]
    finally:
        cur.close()


def emails(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every email of `access` (an admin's "view as" choices)."""
    if not _has_access_table(con):
        return []
    cur = con.cursor()
    try:
        return [r[0] for r in cur.execute("SELECT lower(trim(email)) FROM access ORDER BY 1").fetchall()]
    finally:
        cur.close()


SCOPED_STORES = "SELECT store_id, chain, region FROM stores WHERE store_id IN (SELECT store_id FROM access_stores)"


def stores_in_scope(con: duckdb.DuckDBPyConnection, scope: Scope):
    """(store_id, chain, region) of the stores `scope` sees: what the pickers and the sidebar offer."""
    from .db import load_sql, query

    sql = "WITH\n" + load_sql("access") + "\n" + SCOPED_STORES + " ORDER BY store_id"
    return query(con, sql, scope.params()).to_pandas()


# Checks of a load (ka_core/loading.py calls them) -----------------------------------------

# Rows of the access table that cannot work; each SELECT yields (file, row, column, value, expected)
# over the typed rows `t`, like loading's reference checks.
_LIST_ITEMS = "unnest(string_split(regexp_replace({col}, '\\s*" + SPLIT + "\\s*', ';', 'g'), ';'))"


def _unknown(col: str, known: str, what: str) -> str:
    items = _LIST_ITEMS.format(col=col)
    return f"""SELECT _file, _row, '{col}', {col}, 'expected {what} (or *), separated by ; or ,; unknown: ' || unknown
        FROM (SELECT _file, _row, {col}, string_agg(item, ', ' ORDER BY item) AS unknown
              FROM (SELECT _file, _row, {col}, trim({items}) AS item FROM t WHERE {col} IS NOT NULL) x
              WHERE item <> '' AND item <> '*' AND item NOT IN ({known})
              GROUP BY _file, _row, {col}) u"""


ACCESS_CHECKS = [
    "SELECT _file, _row, 'role', role, 'expected one of " + ", ".join(ROLES) + f"' FROM t WHERE role NOT IN {ROLES!r}",
    "SELECT _file, _row, 'email', email, 'expected an email address (name@company)' FROM t WHERE email NOT LIKE '%_@_%'",
    """SELECT _file, _row, 'email', email,
              'expected each email once (compared without case); the same email is on row '
              || CAST(first_row AS VARCHAR) || ' of ' || first_file
       FROM (SELECT *, first_value(_row) OVER w AS first_row, first_value(_file) OVER w AS first_file,
                    row_number() OVER w AS n,
                    row_number() OVER (PARTITION BY email ORDER BY _file, _row) AS n_exact
             FROM t WHERE email IS NOT NULL
             WINDOW w AS (PARTITION BY lower(email) ORDER BY _file, _row)) d
       WHERE n > 1 AND n_exact = 1""",  # exact repeats: loading's key check reports them
    _unknown("chains", "SELECT chain FROM stores", "chains of the stores table"),
    _unknown("regions", "SELECT region FROM stores", "regions of the stores table"),
    _unknown("stores", "SELECT store_id FROM stores", "store_ids of the stores table"),
]


def load_checks(table: str) -> list[str]:
    """Checks loading runs on the typed rows of `table`, beyond types and references."""
    return ACCESS_CHECKS if table == "access" else []


SCOPE_SHOWN = 20  # stores of a scope a refusal names


def out_of_scope(con: duckdb.DuckDBPyConnection, table: str, user: User | None) -> list[tuple]:
    """Rows of the validated load (temp table ka_new) this user may not write, as
    (file, row, column, value, expected); a whole table he may not load is one problem."""
    if user is None or user.role == ADMIN:
        return []
    if not user.may_load(table):
        return [("", None, None, None, f"{user.email} ({user.role}) may not load the {table} table; ask an admin.")]
    # What was expected names his stores (the first SCOPE_SHOWN), so the row can be put right.
    sql = (
        "WITH\n" + _access_sql() + ",\n"
        "mine AS (SELECT list(store_id ORDER BY store_id) AS ids FROM access_stores)\n"
        "SELECT _file, _row, 'store_id', store_id, "
        "'expected a store in your scope (' || CAST(len(ids) AS VARCHAR) || ' stores): ' "
        f"|| coalesce(array_to_string(ids[1:{SCOPE_SHOWN}], ', '), '') "
        f"|| CASE WHEN len(ids) > {SCOPE_SHOWN} THEN ', …' ELSE '' END || '; nothing was written' "
        "FROM ka_new, mine WHERE store_id NOT IN (SELECT store_id FROM access_stores) ORDER BY _file, _row"
    )
    from .db import used_params

    return con.execute(sql, used_params(sql, user.scope.params())).fetchall()


def _access_sql() -> str:
    from .db import load_sql

    return load_sql("access")
