"""Loading: formats, header matching, every kind of bad input, all-or-nothing, undo."""

from __future__ import annotations

import datetime as dt
import zipfile

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ka_core import db, loading
from ka_core.errors import KaError
from ka_core.schema import TABLES
from ka_core.settings import Settings

STORES = "store_id,store_name,chain,region,ka_manager\nS1,One,Walmart,East,Li\nS2,Two,Carrefour,East,Wang\n"
PRODUCTS = "sku,brand,category,is_own,unit_cost\nK1,Ours,Dairy,Y,2\nK2,Rival,Dairy,N,\nK3,Ours,Snacks,yes,1.5\n"


@pytest.fixture
def con(tmp_path):
    c = db.connect(tmp_path / "w.duckdb")
    for table, text in (("stores", STORES), ("products", PRODUCTS)):
        p = tmp_path / f"{table}.csv"
        p.write_text(text, encoding="utf-8")
        loading.load_files(c, table, [p], user="test")
    yield c
    c.close()


def snapshot(con) -> dict:
    """Every row of every table, the bookkeeping included."""
    out = {}
    for t in [*TABLES, "ka_loads"] + [db.replaced_table(t) for t in TABLES]:
        out[t] = con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
    return out


def write(tmp_path, name: str, text: str, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def problems_of(con, tmp_path, table, text, name="bad.csv"):
    """Load a bad file; assert nothing changed; return its problems."""
    before = snapshot(con)
    with pytest.raises(loading.ValidationFailed) as exc:
        loading.load_files(con, table, [write(tmp_path, name, text)], user="test")
    assert snapshot(con) == before
    return exc.value.validation.problems


def one(problems, row, column):
    """The problem at (row, column); fails if it is not reported."""
    hits = [p for p in problems if p.row == row and p.column == column]
    assert hits, f"no problem at row {row}, column {column}: {[str(p) for p in problems]}"
    return hits[0]


# Formats and headers --------------------------------------------------------------------


def test_csv_utf8_headers_matched_loosely_and_extra_columns_reported(con, tmp_path):
    p = write(tmp_path, "s.csv", "WEEK,Store ID,s-k-u,Units,REVENUE,comment\n2025-03-05,S1,K1,10,50,hello\n")
    r = loading.load_files(con, "sales", [p], user="ann")
    assert r.loads[0]["rows_inserted"] == 1
    assert any("ignored" in n and "comment" in n for n in r.notes)
    # The week is stored as its Monday.
    assert con.execute("SELECT week, units, revenue FROM sales").fetchall() == [(dt.date(2025, 3, 3), 10.0, 50.0)]


def test_csv_gb18030_with_chinese_headers_title_rows_and_totals(con, tmp_path):
    text = (
        "2025年第12周 拜访记录\n"
        "\n"
        "拜访日期,门店编号,业务员,品类,门店品类销售额,本品排面,总排面,陈列达标,缺货商品\n"
        "2025/03/17,S1,张三,Dairy,1200,3,10,是,K1；K2\n"
        "2025-03-18,S2,李四,Dairy,800,2,8,否,\n"
        "合计,,,,2000,5,18,,\n"
    )
    p = write(tmp_path, "visits.csv", text, encoding="gb18030")
    r = loading.load_files(con, "visits", [p], user="张三")
    assert r.loads[0]["rows_inserted"] == 2
    assert any("totals row" in n and "row 6" in n for n in r.notes)
    assert any("header found on row 3" in n for n in r.notes)
    rows = con.execute("SELECT store_id, rep, display_ok, oos_skus FROM visits ORDER BY store_id").fetchall()
    assert rows == [("S1", "张三", True, "K1;K2"), ("S2", "李四", False, None)]


def test_csv_with_bom(con, tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbf" + b"week,store_id,sku,units,revenue\n2025-03-05,S1,K1,1,2\n")
    assert loading.load_files(con, "sales", [p]).loads[0]["rows_inserted"] == 1


def test_xlsx_with_real_excel_dates_and_sheet_named_like_the_table(con, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active.append(["nothing here"])
    ws = wb.create_sheet("Promotions")
    ws.append(["活动编号", "系统", "形式", "开始日期", "结束日期", "门店编号", "商品编码", "费用"])
    ws.append(["P1", "Walmart", "dm", dt.datetime(2025, 3, 4), dt.datetime(2025, 3, 12), "S1", "K1", 300])
    p = tmp_path / "promos.xlsx"
    wb.save(p)
    loading.load_files(con, "promotions", [p])
    assert con.execute("SELECT mechanic, start_date, end_date, cost FROM promotions").fetchall() == [
        ("DM", dt.date(2025, 3, 4), dt.date(2025, 3, 12), 300.0)
    ]


def test_parquet(con, tmp_path):
    p = tmp_path / "sales.parquet"
    pq.write_table(
        pa.table(
            {
                "week": pa.array([dt.date(2025, 3, 5)], pa.date32()),
                "store_id": ["S1"],
                "sku": ["K1"],
                "units": [3],
                "revenue": [7.5],
            }
        ),
        p,
    )
    loading.load_files(con, "sales", [p])
    assert con.execute("SELECT week, units, revenue FROM sales").fetchall() == [(dt.date(2025, 3, 3), 3.0, 7.5)]


# Bad input: each names the row, the column and the value; nothing is written -----------


def test_bad_values_all_reported_at_once(con, tmp_path):
    text = (
        "week,store_id,sku,units,revenue\n"
        "2025-13-01,S1,K1,1,1\n"  # row 2: bad date
        "2025-03-05,S9,K1,-1,abc\n"  # row 3: unknown store, negative, not a number
        "2025-03-05,S1,K9,1,\n"  # row 4: unknown sku, missing revenue
    )
    problems = problems_of(con, tmp_path, "sales", text)
    assert "date" in one(problems, 2, "week").expected
    assert one(problems, 3, "store_id").value == "S9"
    assert "≥ 0" in one(problems, 3, "units").expected
    assert one(problems, 3, "revenue").value == "abc"
    assert one(problems, 4, "sku").value == "K9"
    assert "missing" in one(problems, 4, "revenue").expected
    assert len(problems) == 6
    assert "bad.csv, row 3, column store_id: 'S9'" in str(one(problems, 3, "store_id"))


def test_duplicate_key_after_week_normalised(con, tmp_path):
    text = "week,store_id,sku,units,revenue\n2025-03-03,S1,K1,1,1\n2025-03-07,S1,K1,2,2\n"
    p = one(problems_of(con, tmp_path, "sales", text), 3, "week/store_id/sku")
    assert "row 2" in p.expected


def test_bad_yes_no_and_mechanic_and_dates(con, tmp_path):
    problems = problems_of(
        con,
        tmp_path,
        "products",
        "sku,brand,category,is_own\nK7,B,Dairy,maybe\n",
    )
    assert one(problems, 2, "is_own").value == "maybe"
    text = (
        "promo_id,chain,mechanic,start_date,end_date,store_id,sku,brand\n"
        "P1,Walmart,FLYER,2025-03-04,2025-03-12,S1,K1,\n"  # mechanic
        "P2,Walmart,DM,2025-03-12,2025-03-04,S1,K1,\n"  # end before start
        "P3,Walmart,DM,2025-03-04,2025-03-12,S1,,\n"  # neither sku nor brand
        "P4,Walmart,DM,2025-03-04,2025-03-12,S2,K1,\n"  # S2 is a Carrefour store
        "P5,Walmart,DM,2025-03-04,2025-03-12,,,Rival\n"  # brand without own products
        "P6,Nowhere,DM,2025-03-04,2025-03-12,,K1,\n"  # unknown chain
    )
    problems = problems_of(con, tmp_path, "promotions", text)
    assert "DM" in one(problems, 2, "mechanic").expected
    assert "on or after" in one(problems, 3, "end_date").expected
    assert "sku or a brand" in one(problems, 4, "sku").expected
    assert "chain Walmart" in one(problems, 5, "store_id").expected
    assert one(problems, 6, "brand").value == "Rival"
    assert one(problems, 7, "chain").value == "Nowhere"


def test_visit_facings_category_and_oos_references(con, tmp_path):
    text = (
        "visit_date,store_id,rep,category,own_facings,total_facings,oos_skus\n"
        "2025-03-17,S1,Li,Dairy,12,10,\n"
        "2025-03-17,S1,Li,Toys,1,10,\n"
        "2025-03-17,S2,Li,Dairy,1,10,K1;ZZ\n"
    )
    problems = problems_of(con, tmp_path, "visits", text)
    assert "own_facings ≤ total_facings" in one(problems, 2, "own_facings").expected
    assert one(problems, 3, "category").value == "Toys"
    assert "ZZ" in one(problems, 4, "oos_skus").expected


def test_market_category_reference(con, tmp_path):
    problems = problems_of(
        con, tmp_path, "market", "week,region,category,market_revenue,own_revenue\n2025-03-03,East,Toys,1,1\n"
    )
    assert one(problems, 2, "category").value == "Toys"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02garbage\x00" * 100, "not a text"),
        (b"\xff\xfe\xfa\xfb" * 50, "neither UTF-8 nor GB18030"),
        (b"week,store_id\n2025-03-03,S1\n", "no header row"),
        (b"week,store_id,sku,units,revenue\n", "no data rows"),
    ],
)
def test_refused_files_give_one_clear_line(con, tmp_path, content, message):
    p = tmp_path / "f.csv"
    p.write_bytes(content)
    before = snapshot(con)
    with pytest.raises(KaError) as exc:
        loading.load_files(con, "sales", [p])
    assert message in str(exc.value) and "f.csv" in str(exc.value)
    assert "\n" not in str(exc.value)
    assert snapshot(con) == before


def test_size_and_row_limits(con, tmp_path):
    p = write(tmp_path, "s.csv", "week,store_id,sku,units,revenue\n" + "2025-03-03,S1,K1,1,1\n" * 3)
    with pytest.raises(KaError, match="3 rows is over the limit of 2"):
        loading.load_files(con, "sales", [p], settings=Settings(max_rows=2))
    with pytest.raises(KaError, match="MB is over the limit"):
        loading.load_files(con, "sales", [p], settings=Settings(max_file_mb=0.00001))


def test_xlsx_bomb_refused_before_parsing(con, tmp_path):
    p = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 20_000_000)
    with pytest.raises(KaError, match="out of proportion"):
        loading.load_files(con, "sales", [p])


def test_missing_required_column_named(con, tmp_path):
    p = write(tmp_path, "s.csv", "week,store_id,sku,units,revenue\n")
    p.write_text("周,门店编号,商品编码,销量,金额\n2025-03-03,S1,K1,1,1\n", encoding="utf-8")
    with pytest.raises(KaError, match="no header row"):
        loading.load_files(con, "sales", [p])


# All or nothing, replace, undo ----------------------------------------------------------


def test_two_files_in_one_load_are_all_or_nothing(con, tmp_path):
    good = write(tmp_path, "good.csv", "week,store_id,sku,units,revenue\n2025-03-03,S1,K1,1,1\n")
    bad = write(tmp_path, "bad.csv", "week,store_id,sku,units,revenue\n2025-03-03,S1,K9,1,1\n")
    before = snapshot(con)
    with pytest.raises(loading.ValidationFailed):
        loading.load_files(con, "sales", [good, bad])
    assert snapshot(con) == before


def test_reload_is_idempotent_and_undo_restores_replaced_rows(con, tmp_path):
    v1 = write(tmp_path, "v1.csv", "week,store_id,sku,units,revenue\n2025-03-03,S1,K1,1,10\n2025-03-03,S2,K1,2,20\n")
    loading.load_files(con, "sales", [v1])
    after_v1 = con.execute("SELECT week, store_id, sku, units, revenue FROM sales ORDER BY ALL").fetchall()
    r = loading.load_files(con, "sales", [v1])
    assert r.loads[0]["rows_replaced"] == 2
    assert con.execute("SELECT week, store_id, sku, units, revenue FROM sales ORDER BY ALL").fetchall() == after_v1
    v2 = write(tmp_path, "v2.csv", "week,store_id,sku,units,revenue\n2025-03-03,S1,K1,5,50\n2025-03-10,S1,K1,6,60\n")
    r2 = loading.load_files(con, "sales", [v2])
    assert (r2.loads[0]["rows_inserted"], r2.loads[0]["rows_replaced"]) == (2, 1)
    out = loading.undo(con, r2.loads[0]["load_id"])
    assert (out["rows_removed"], out["rows_restored"]) == (2, 1)
    assert con.execute("SELECT week, store_id, sku, units, revenue FROM sales ORDER BY ALL").fetchall() == after_v1
    with pytest.raises(KaError, match="already undone"):
        loading.undo(con, r2.loads[0]["load_id"])


def test_undo_refused_when_a_later_load_replaced_its_rows(con, tmp_path):
    f = write(tmp_path, "f.csv", "week,store_id,sku,units,revenue\n2025-03-03,S1,K1,1,10\n")
    first = loading.load_files(con, "sales", [f]).loads[0]["load_id"]
    loading.load_files(con, "sales", [f])
    before = snapshot(con)
    with pytest.raises(KaError, match="Undo that first"):
        loading.undo(con, first)
    assert snapshot(con) == before


def test_undo_refused_when_it_would_orphan_rows(con, tmp_path):
    loading.load_files(
        con, "sales", [write(tmp_path, "f.csv", "week,store_id,sku,units,revenue\n2025-03-03,S1,K1,1,1\n")]
    )
    stores_load = con.execute("SELECT min(load_id) FROM ka_loads WHERE table_name = 'stores'").fetchall()[0][0]
    before = snapshot(con)
    with pytest.raises(KaError, match="would break references"):
        loading.undo(con, stores_load)
    assert snapshot(con) == before


def test_history_records_who_what_and_hash(con, tmp_path):
    import hashlib

    p = write(tmp_path, "f.csv", "week,store_id,sku,units,revenue\n2025-03-03,S1,K1,1,1\n")
    loading.load_files(con, "sales", [p], user="王经理")
    h = loading.history(con).iloc[0]
    assert (h["table_name"], h["file_name"], h["user_name"], h["rows_inserted"]) == ("sales", "f.csv", "王经理", 1)
    assert h["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()


# Warehouse versions ---------------------------------------------------------------------


def test_newer_warehouse_refused_unchanged(tmp_path):
    path = tmp_path / "new.duckdb"
    db.connect(path).close()
    c = duckdb.connect(str(path))
    c.execute("UPDATE ka_meta SET value = '99' WHERE key = 'schema_version'").fetchall()
    c.close()
    with pytest.raises(KaError, match="newer ka-analytics"):
        db.connect(path)
    c = duckdb.connect(str(path), read_only=True)
    assert c.execute("SELECT value FROM ka_meta").fetchall() == [("99",)]
    c.close()


def test_older_warehouse_without_bookkeeping_is_upgraded(tmp_path):
    path = tmp_path / "old.duckdb"
    c = duckdb.connect(str(path))
    c.execute(
        "CREATE TABLE stores (store_id VARCHAR, store_name VARCHAR, chain VARCHAR, region VARCHAR, city VARCHAR, format VARCHAR, ka_manager VARCHAR)"
    ).fetchall()
    c.execute("INSERT INTO stores VALUES ('S1', 'One', 'Walmart', 'East', NULL, NULL, NULL)").fetchall()
    c.close()
    c = db.connect(path)
    assert db.schema_version(c) == db.SCHEMA_VERSION
    assert c.execute("SELECT store_id, load_id FROM stores").fetchall() == [("S1", None)]
    assert c.execute("SELECT count(*) FROM ka_loads").fetchall() == [(0,)]
    c.close()


def test_preview_says_what_a_visit_sheet_changes_and_writes_nothing(tmp_path):
    from tests import tiny

    c = db.connect(tmp_path / "tiny.duckdb")
    tiny.fill(c)
    before = snapshot(c)
    p = write(tmp_path, "week2.csv", "拜访日期,门店编号,业务员,品类,门店品类销售额\n2025-01-15,B,R1,Phones,200\n")
    f = loading.read_file(p, "visits")
    from ka_core.settings import Filters

    pv = loading.preview(c, "visits", [f], Filters(date_to=dt.date(2025, 1, 26), categories=("Phones",)))
    assert pv.validation.ok and (pv.rows_new, pv.rows_replaced) == (1, 0)
    assert pv.stores == ["B"] and pv.first_date == pv.last_date == dt.date(2025, 1, 15)
    rows = {r["store_id"]: r for r in pv.changes.to_dict("records")}
    # B's week 2 becomes matched: own 50 * 3, category 250 + 200 + 200.
    assert rows["B"]["customer_share_before"] == pytest.approx(100 / 450)
    assert rows["B"]["customer_share_after"] == pytest.approx(150 / 650)
    # A's share is unchanged but North's market share moves, so its index does.
    assert rows["A"]["customer_share_before"] == rows["A"]["customer_share_after"]
    assert rows["A"]["fair_share_index_after"] == pytest.approx(0.25 / ((300 + 150) / (1200 + 650)) * 100)
    # Potentials become E 1800, A 1200, B 650, C 600 (4250): B's cum_before 3000/4250 = .71
    # makes it class A (Attack); C's 3650/4250 = .86 drops it to class B (Maintain).
    assert (rows["B"]["quadrant_before"], rows["B"]["quadrant_after"]) == ("Monitor", "Attack")
    assert (rows["C"]["quadrant_before"], rows["C"]["quadrant_after"]) == ("Defend", "Maintain")
    assert "E" not in rows
    assert snapshot(c) == before
    c.close()


def test_preview_of_a_bad_file_lists_problems(con, tmp_path):
    f = loading.read_file(write(tmp_path, "b.csv", "week,store_id,sku,units,revenue\n2025-03-03,S1,K1,x,1\n"), "sales")
    pv = loading.preview(con, "sales", [f])
    assert not pv.validation.ok and pv.changes is None
    assert one(pv.validation.problems, 2, "units").value == "x"


def test_remembered_header_mapping(con, tmp_path):
    text = "日期,店号,货号,件数,金额\n2025-03-03,S1,K1,1,10\n"
    p = write(tmp_path, "odd.csv", text)
    with pytest.raises(KaError, match="no header row"):
        loading.load_files(con, "sales", [p])
    mapping = {"日期": "week", "店号": "store_id", "货号": "sku", "件数": "units", "金额": "revenue"}
    loading.load_files(con, "sales", [p], mapping=mapping)
    loading.remember_mapping(con, "sales", mapping)
    # Next week's file with the same headers loads without a mapping.
    p2 = write(tmp_path, "odd2.csv", "日期,店号,货号,件数,金额\n2025-03-10,S1,K1,2,20\n")
    assert loading.load_files(con, "sales", [p2]).loads[0]["rows_inserted"] == 1
    with pytest.raises(KaError, match="not a column of sales"):
        loading.remember_mapping(con, "sales", {"x": "nonsense"})


def test_upgrade_from_version_1_adds_header_map_and_weekly_table(tmp_path):
    path = tmp_path / "v1.duckdb"
    c = db.connect(path)
    c.execute("INSERT INTO stores VALUES ('S1', 'One', 'W', 'E', NULL, NULL, NULL, NULL)").fetchall()
    c.execute("INSERT INTO products VALUES ('K1', 'Ours', 'Dairy', TRUE, NULL, NULL, NULL, NULL)").fetchall()
    c.execute("INSERT INTO sales VALUES (DATE '2025-03-03', 'S1', 'K1', 2, 20, NULL)").fetchall()
    c.execute("DROP TABLE ka_header_map").fetchall()
    c.execute("DROP TABLE ka_sales_weekly").fetchall()
    c.execute("UPDATE ka_meta SET value = '1'").fetchall()
    c.close()
    c = db.connect(path)
    assert db.schema_version(c) == db.SCHEMA_VERSION
    assert c.execute("SELECT count(*) FROM ka_header_map").fetchall() == [(0,)]
    # Version 3 builds the weekly table from the sales already there.
    assert c.execute("SELECT store_id, category, own_revenue, has_competitor FROM ka_sales_weekly").fetchall() == [
        ("S1", "Dairy", 20.0, 0)
    ]
    c.close()


def test_totals_row_under_an_ignored_first_column_and_times_on_dates(con, tmp_path):
    text = (
        "序号,拜访日期,门店编号,业务员,品类,门店品类销售额\n"
        "1,2025-03-17 10:30,S1,Li,Dairy,100\n"
        "2,2025-03-18T09:05:00,S2,Li,Dairy,200\n"
        "合计,,,,,300\n"
    )
    r = loading.load_files(con, "visits", [write(tmp_path, "v.csv", text)])
    assert r.loads[0]["rows_inserted"] == 2
    assert any("totals row" in n for n in r.notes) and any("序号" in n for n in r.notes)
    assert con.execute("SELECT min(visit_date), max(visit_date) FROM visits").fetchall() == [
        (dt.date(2025, 3, 17), dt.date(2025, 3, 18))
    ]
