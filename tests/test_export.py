"""The meeting pack (`python -m ka_core export`): the PDF is rendered and read back, the deck
and the workbook are opened, and their numbers are the reports' numbers for the same filters.

Needs Chromium (charts), poppler-utils (pdftoppm, pdftotext, pdffonts) and a CJK font: installed
here with apt-get when missing, as tests/browser.py installs Chromium.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ka_core import db, export, fmt, reports, views
from ka_core.demo import create_demo
from ka_core.settings import Filters, Settings

ROOT = Path(__file__).resolve().parents[1]
APT = ("chromium", "poppler-utils", "fonts-wqy-microhei", "fonts-noto-cjk")
FILTERS = Filters(date_from=dt.date(2026, 8, 24), date_to=dt.date(2026, 11, 22))  # the last 13 weeks


def ensure_pack_tools() -> None:
    """Chromium, poppler-utils and the CJK fonts, from Debian, when one is missing."""
    have = (
        Path("/usr/bin/chromium").exists()
        and shutil.which("pdftotext")
        and Path("/usr/share/fonts/truetype/wqy").exists()
    )
    if have:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("Chromium, poppler-utils or the CJK fonts are missing and apt-get is not available (need root).")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *APT], check=True, env=env)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    ensure_pack_tools()
    path = tmp_path_factory.mktemp("pack") / "demo.duckdb"
    con = db.connect(path)
    create_demo(con, stores=40, weeks=104)
    con.close()
    return path


def _export(warehouse: Path, name: str, *args: str) -> Path:
    out = warehouse.parent / name
    got = subprocess.run(
        [sys.executable, "-m", "ka_core", "export", str(out), "--db", str(warehouse), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert got.returncode == 0, got.stderr
    # --lang zh speaks Chinese on the command line too (issue 11)
    assert ("会议资料已生成" if "zh" in args else "Meeting pack written") in got.stdout
    return out


def _numbers(warehouse: Path, lang: str):
    con = db.connect(warehouse, read_only=True)
    try:
        k = views.kpis(con, FILTERS, Settings())
        targets = reports.run(con, "targets", FILTERS)
        q = reports.run(con, "quadrants", FILTERS)
    finally:
        con.close()
    attack = q[q["quadrant"] == "Attack"].sort_values(["opportunity", "store_id"], ascending=[False, True])
    return k, targets, attack


PERIOD = ["--from", "2026-08-24", "--to", "2026-11-22"]


def test_pdf_has_the_reports_numbers_embedded_fonts_and_pages(warehouse):
    pdf = _export(warehouse, "pack.pdf", *PERIOD)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    k, targets, attack = _numbers(warehouse, "en")
    assert "Key accounts: meeting pack" in text
    assert "2026-08-24 – 2026-11-22" in text  # the period as dates
    assert fmt.money(k.own_sales, "en") in text
    assert fmt.pct(k.customer_share, "en") in text and fmt.index(k.fair_share_index, "en") in text
    for v in targets["own_revenue"]:
        assert fmt.money_full(v, "en") in text
    for sid, opp in zip(attack["store_id"].head(5), attack["opportunity"].head(5), strict=True):
        assert sid in text and fmt.money_full(opp, "en") in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # emb = yes for every font
    # Rendered: the pages are pictures with ink on them (charts and tables), landscape A4.
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(warehouse.parent / "page")], check=True)
    pages = sorted(warehouse.parent.glob("page-*.png"))
    assert len(pages) >= 6
    from PIL import Image

    for page in pages[:3]:
        im = Image.open(page).convert("L")
        assert im.width > im.height
        ink = sum(im.histogram()[:200]) / (im.width * im.height)  # share of pixels darker than the paper
        assert ink > 0.01, page


def test_chinese_pdf_shows_chinese_in_an_embedded_cjk_font(warehouse):
    pdf = _export(warehouse, "pack_zh.pdf", *PERIOD, "--lang", "zh")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    k, _, _ = _numbers(warehouse, "zh")
    assert "重点客户：会议资料" in text and "进攻门店" in text
    assert fmt.money(k.own_sales, "zh") in text
    # Chains by their Chinese names (the names table), in the tables and the source lines alike.
    con = db.connect(warehouse, read_only=True)
    zh_chains = [zh for _, zh in con.execute("SELECT value, zh FROM names WHERE kind = 'chain'").fetchall()]
    con.close()
    assert "沃尔玛" in zh_chains and "沃尔玛" in text and "Walmart" not in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYi" in fonts or "CJK" in fonts


def test_zh_deck_opens_with_slides_pictures_and_east_asian_typeface(warehouse):
    from pptx import Presentation

    deck = Presentation(str(_export(warehouse, "pack_zh.pptx", *PERIOD, "--lang", "zh")))
    titles = []
    pictures = 0
    for slide in deck.slides:
        shapes = list(slide.shapes)
        titles.append(shapes[0].text_frame.text if shapes[0].has_text_frame else "")
        pictures += sum(1 for s in shapes if s.shape_type == 13)  # MSO_SHAPE_TYPE.PICTURE
    for part in (
        "核心指标",
        "目标",
        "周趋势",
        "各系统公平份额",
        "系统销售帕累托",
        "进攻/防守象限",
        "进攻门店：按机会额排序",
        "拜访覆盖",
    ):
        assert part in titles, (part, titles)
    assert "促销：按投资回报排序" in titles
    assert pictures >= 4  # targets, trend, Pareto, quadrants
    xml = deck.slides[1].shapes[0].text_frame.paragraphs[0].runs[0]._r.xml
    assert f'typeface="{export.PPTX_EA_FONT}"' in xml and "<a:ea " in xml


def test_workbook_cells_carry_number_formats(warehouse):
    from openpyxl import load_workbook

    wb = load_workbook(_export(warehouse, "pack.xlsx", *PERIOD))
    assert set(reports.REPORTS) <= set(wb.sheetnames)
    fs = wb["fair-share"]
    header = [c.value for c in fs[1]]
    assert fs.freeze_panes == "A2" and fs.auto_filter.ref
    col = {h: i + 1 for i, h in enumerate(header)}
    share = fs.cell(2, col["Customer share"])
    money = fs.cell(2, col["Own sales"])
    assert isinstance(share.value, float) and 0 <= share.value <= 1 and share.number_format == "0.0%"
    assert isinstance(money.value, float) and money.number_format == '"¥"#,##0'
    assert fs[1][0].font.bold
    trend = wb["trend"]
    assert trend.cell(2, 1).number_format == "yyyy-mm-dd"
    kpis = wb.worksheets[0]
    assert kpis.cell(4, 2).number_format == '"¥"#,##0'  # own sales
    assert kpis.cell(5, 2).number_format == "0.0%"  # customer share


def test_a_bad_file_name_is_a_usage_error(warehouse):
    got = subprocess.run(
        [sys.executable, "-m", "ka_core", "export", "pack.docx", "--db", str(warehouse)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert got.returncode == 2 and ".pdf, .pptx or .xlsx" in got.stderr and "Traceback" not in got.stderr
