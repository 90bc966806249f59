"""Issue 11: undo by choice with a summary, the formatted history."""

from __future__ import annotations

import pandas as pd
import pytest

from ka_core import db, loading, upload
from tests.test_loading import PRODUCTS, STORES

VISIT = "visit_date,store_id,rep,category,store_category_sales\n"


@pytest.fixture
def con(tmp_path):
    c = db.connect(tmp_path / "w.duckdb")
    for table, text in (("stores", STORES), ("products", PRODUCTS)):
        p = tmp_path / f"{table}.csv"
        p.write_text(text, encoding="utf-8")
        loading.load_files(c, table, [p], user="admin")
    yield c
    c.close()


def load(con, tmp_path, name, text, user):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return loading.load_files(con, "visits", [p], user=user).loads[0]["load_id"]


def test_undo_summary_says_what_it_removes_and_what_a_later_load_means(con, tmp_path):
    first = load(con, tmp_path, "w12.csv", VISIT + "2025-03-17,S1,Li,Dairy,100\n2025-03-17,S2,Li,Dairy,200\n", "Li")
    later = load(con, tmp_path, "fix.csv", VISIT + "2025-03-17,S1,Li,Dairy,150\n", "Wang")
    plan = loading.undo_plan(con, first)
    assert (plan["removes"], plan["restores"]) == (1, 0)  # S1's row now belongs to the later load
    lines, possible = upload.undo_summary(plan, "en")
    assert not possible
    assert lines[0].startswith(f"Undoing load {first} removes 1 visits rows loaded from w12.csv by Li on ")
    assert f"A later load replaced 1 of its rows: load {later} (fix.csv, by Wang)" in lines[1]
    lines, possible = upload.undo_summary(loading.undo_plan(con, later), "zh")
    assert possible and "撤销批次" in lines[0] and "拜访" in lines[0] and "恢复该批次替换掉的1行" in lines[1]
    # The plan changes nothing; the undo it describes does what it said.
    r = loading.undo(con, later)
    assert (r["rows_removed"], r["rows_restored"]) == (1, 1)


def test_history_is_formatted_without_none(con, tmp_path):
    first = load(
        con, tmp_path, "big.csv", VISIT + "".join(f"2025-03-{d:02d},S1,Li,Dairy,1\n" for d in range(1, 29)), "Li"
    )
    loading.undo(con, first)
    frame = upload.history_frame(loading.history(con), "zh")
    assert list(frame.columns) == ["批次", "数据表", "文件", "写入行数", "替换行数", "上传人", "时间", "状态"]
    row = frame.iloc[0]
    assert row["数据表"] == "拜访" and row["写入行数"] == "28" and row["状态"].startswith("已于")
    assert "年" in row["时间"] and "None" not in frame.to_string() and "NaT" not in frame.to_string()
    en = upload.history_frame(pd.concat([loading.history(con)] * 1), "en")
    assert en.iloc[-1]["Status"] == ""  # stores: never undone


def test_confirmation_counts_and_shows_replaced_rows_before_after(con, tmp_path):
    load(con, tmp_path, "w12.csv", VISIT + "2025-03-17,S1,Li,Dairy,100\n", "Li")
    p = tmp_path / "next.csv"
    p.write_text(VISIT + "2025-03-17,S1,Li,Dairy,150\n2025-03-17,S2,Li,Dairy,80\n2025-03-18,S2,Li,Dairy,\n")
    pv = loading.preview(con, "visits", loading.read_files(con, "visits", [p]))
    assert (pv.rows_new, pv.rows_replaced, pv.blank_rows) == (1, 1, 1)
    frame = upload.replacements_frame(pv.replacements, "visits", "en")
    assert frame.to_dict("records") == [
        {
            "row": 2,
            "visit_date": "2025-03-17",
            "store_id": "S1",
            "category": "Dairy",
            "rep": "Li",
            "store_category_sales": "100 → 150",
        }
    ]
    zh = upload.replacements_frame(pv.replacements, "visits", "zh")
    assert list(zh.columns) == ["行", "拜访日期", "门店编号", "品类", "业务员", "门店品类销售额"]


# 3 · Names ---------------------------------------------------------------------------------


def test_uploads_accept_a_value_its_zh_or_its_en_and_store_the_value(con, tmp_path):
    p = tmp_path / "names.csv"
    p.write_text("kind,value,zh,en\ncategory,Dairy,乳品,Milk products\nchain,Walmart,沃尔玛,\nregion,East,华东,\n")
    loading.load_files(con, "names", [p])
    for i, (cat, chain, region) in enumerate([("乳品", "沃尔玛", "华东"), ("milk products", "Walmart", "East")]):
        load(con, tmp_path, f"v{i}.csv", VISIT + f"2025-03-1{i},S1,Li,{cat},10\n", "Li")
        s = tmp_path / f"s{i}.csv"
        s.write_text(f"store_id,store_name,chain,region\nN{i},New,{chain},{region}\n")
        loading.load_files(con, "stores", [s])
    assert con.execute("SELECT DISTINCT category FROM visits").fetchall() == [("Dairy",)]
    assert con.execute("SELECT DISTINCT chain, region FROM stores WHERE store_id LIKE 'N%'").fetchall() == [
        ("Walmart", "East")
    ]


def test_a_name_that_is_another_value_or_name_is_refused(con, tmp_path):
    p = tmp_path / "names.csv"
    p.write_text("kind,value,zh,en\nchain,Carrefour,沃尔玛,Walmart\nchain,Walmart,沃尔玛,\nsize,X,大,\n")
    with pytest.raises(loading.ValidationFailed) as exc:
        loading.load_files(con, "names", [p])
    got = {(x.row, x.column, x.value) for x in exc.value.validation.problems}
    assert got == {(2, "zh", "沃尔玛"), (3, "zh", "沃尔玛"), (2, "en", "Walmart"), (4, "kind", "size")}
    assert con.execute("SELECT count(*) FROM names").fetchall() == [(0,)]


def test_names_show_in_the_users_language(con, tmp_path):
    from ka_core import names

    p = tmp_path / "names.csv"
    p.write_text("kind,value,zh,en\ncategory,Dairy,乳品,\nchain,Walmart,沃尔玛,Walmart Inc.\n")
    loading.load_files(con, "names", [p])
    lookup = names.lookup(con)
    df = pd.DataFrame({"chain": ["Walmart", "Carrefour"], "category": ["Dairy", None], "n": [1, 2]})
    zh = names.frame(df, lookup, "zh")
    assert (
        zh["chain"].tolist() == ["沃尔玛", "Carrefour"] and zh["category"][0] == "乳品" and pd.isna(zh["category"][1])
    )
    assert names.frame(df, lookup, "en")["chain"].tolist() == ["Walmart Inc.", "Carrefour"]
    assert df["chain"].tolist() == ["Walmart", "Carrefour"]  # the input is not changed


def test_problems_in_chinese_name_the_column_by_the_users_header(con, tmp_path):
    p = tmp_path / "拜访.csv"
    p.write_text("拜访日期,门店编号,业务员,品类,门店品类销售额\n2025-03-17 25:99,S9,Li,Dairy,很多\n", encoding="utf-8")
    raws = loading.read_files(con, "visits", [p])
    with pytest.raises(loading.ValidationFailed) as exc:
        loading.write_files(con, "visits", raws)
    frame = upload.problems_frame(exc.value.validation.problems, "zh", raws, "visits")
    assert list(frame.columns) == ["文件", "行", "列", "值", "应为"]
    got = {r["列"]: r["应为"] for r in frame.to_dict("records")}
    assert got == {
        "拜访日期": "应为日期，如 2025-03-17 或 2025/03/17，年份在 1900 至 2199 之间",
        "门店编号": "应为门店表中的门店编号",
        "门店品类销售额": "应为一个 ≥ 0 的数字",
    }
    # English headers in the file: the message says the file's own header, in English mode too.
    en = upload.problems_frame(exc.value.validation.problems, "en", raws, "visits")
    assert set(en["column"]) == {"拜访日期", "门店编号", "门店品类销售额"}


@pytest.mark.parametrize(
    "text, zh",
    [
        ("store_id,store_name,chain,region\n", "e.csv：只有表头，没有数据行。"),
        (
            "store_id,store_id,store_name,chain,region\nS3,S3,a,b,c\n",
            "e.csv：列“store_id”和“store_id”都表示 store_id；请只保留一列。",
        ),
        (
            "门店编号,门店名称,系统\nS3,a,b\n",
            "e.csv：前 10 行中没有包含 stores 必填列的表头。应有：store_id (门店编号), store_name (门店名称), "
            "chain (系统), region (大区)。找到：门店编号, 门店名称, 系统。",
        ),
    ],
)
def test_refusals_in_chinese(con, tmp_path, text, zh):
    from ka_core import i18n
    from ka_core.errors import KaError

    p = tmp_path / "e.csv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(KaError) as exc:
        loading.load_files(con, "stores", [p])
    assert i18n.refusal_text(str(exc.value), "zh") == zh
    assert i18n.refusal_text(str(exc.value), "en") == str(exc.value)
