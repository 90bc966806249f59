"""Names of chains, regions, categories, cities, formats and mechanics in the user's language.

The `names` table (data-contract.md) gives each value of a kind a Chinese name
(`zh`) and an English one (`en`, else the value). The UI shows them; every
upload accepts a value, its zh or its en, and stores the value.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from .schema import MECHANICS, NAME_KINDS

Lookup = dict[str, dict[str, tuple[str, str]]]  # kind -> value -> (zh, en)

# Where the values of each kind live (table, column); mechanics are the contract's list.
VALUES_OF = {
    "chain": (("stores", "chain"), ("promotions", "chain")),
    "region": (("stores", "region"), ("market", "region")),
    "category": (("products", "category"), ("market", "category"), ("visits", "category")),
    "city": (("stores", "city"),),
    "format": (("stores", "format"),),
    "mechanic": (),
}


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Create `names` (and its replaced-rows twin) in a warehouse made before it existed."""
    from .db import table_ddl

    con.execute(table_ddl("names")).fetchall()
    con.execute(table_ddl("names", prefix="ka_replaced_", extra="replaced_by INTEGER NOT NULL")).fetchall()


def exists(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'names' AND table_schema = 'main'"
        ).fetchall()[0][0]
    )


def lookup(con: duckdb.DuckDBPyConnection) -> Lookup:
    """Every name: kind -> value -> (zh, en); empty when the warehouse has no names yet."""
    out: Lookup = {k: {} for k in NAME_KINDS}
    if not exists(con):
        return out
    for kind, value, zh, en in con.execute("SELECT kind, value, zh, en FROM names ORDER BY ALL").fetchall():
        out.setdefault(kind, {})[value] = (zh, en or value)
    return out


def shown(value, kind: str, names: Lookup, lang: str):
    """A value as the user reads it: its zh in Chinese, its en in English, else the value."""
    if not isinstance(value, str) or kind not in names:
        return value
    pair = names[kind].get(value)
    if pair is None:
        return value
    return pair[0] if lang == "zh" else pair[1]


def frame(df: pd.DataFrame, names: Lookup, lang: str) -> pd.DataFrame:
    """A copy of `df` whose chain, region, category, city, format and mechanic columns show names."""
    kinds = [c for c in df.columns if c in NAME_KINDS and names.get(c)]
    if not kinds:
        return df
    out = df.copy()
    for c in kinds:
        out[c] = [shown(v, c, names, lang) for v in out[c]]
    return out


def value_sql(kind: str, text: str) -> str:
    """SQL turning a cell (`text`, an SQL expression) that holds a value, its zh or its en, into the value."""
    return (
        f"coalesce((SELECT min(n.value) FROM names AS n WHERE n.kind = '{kind}' "
        f"AND ({text} = n.value OR {text} = n.zh OR lower({text}) = lower(n.en))), {text})"
    )


def known_values_sql() -> str:
    """SQL of every (kind, value) the warehouse holds, for the `names` checks."""
    parts = [f"SELECT '{k}' AS kind, {c} AS value FROM {t}" for k, pairs in VALUES_OF.items() for t, c in pairs]
    parts += [f"SELECT 'mechanic', '{m}'" for m in MECHANICS]
    return " UNION ".join(parts)
