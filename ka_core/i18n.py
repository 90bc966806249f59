"""One translation table (English / 简体中文).

Metric names come from ka_core.metrics and setting labels from
ka_core.settings (the same definitions the command line uses); everything
else on screen is a key here. Number and date formats are in ka_core.fmt.
"""

from __future__ import annotations

from .metrics import METRICS, QUADRANT_ZH
from .settings import SPECS

LANGS = {"en": "English", "zh": "简体中文"}

TEXT: dict[str, tuple[str, str]] = {
    # frame
    "app_title": ("KA analytics", "KA 重点客户分析"),
    "language": ("Language", "语言"),
    "filters": ("Filters", "筛选"),
    "period": ("Period", "期间"),
    "4w": ("Last 4 weeks", "最近4周"),
    "13w": ("Last 13 weeks", "最近13周"),
    "52w": ("Last 52 weeks", "最近52周"),
    "ytd": ("Year to date", "年初至今"),
    "all": ("All data", "全部数据"),
    "custom": ("Custom", "自定义"),
    "from": ("From", "从"),
    "to": ("To", "到"),
    "chains": ("Chains", "系统"),
    "regions": ("Regions", "大区"),
    "categories": ("Categories", "品类"),
    "all_values": ("All", "全部"),
    "settings": ("Settings", "参数设置"),
    # each setting's label, and the labels of its choices, from its one definition
    **{name: (spec.label, spec.zh) for name, spec in SPECS.items()},
    **{v: labels for spec in SPECS.values() for v, labels in spec.choice_labels.items()},
    "period_shown": ("{start} – {end}", "{start} 至 {end}"),
    "compared_with": ("vs previous {n} weeks", "对比前{n}周"),
    "no_data": (
        "Nothing matches these filters. Widen the period or clear a chain, region or category filter.",
        "没有符合筛选条件的数据。请扩大期间，或清除系统、大区、品类筛选。",
    ),
    "download_csv": ("CSV", "CSV"),
    "download_xlsx": ("Excel", "Excel"),
    "creating_demo": ("Creating the demo warehouse (first start)…", "首次启动：正在创建演示数据…"),
    "warehouse_busy": (
        "The dashboard cannot open the warehouse. If another program is writing to it, wait until it is done and reload this page.",
        "仪表板无法打开数据仓库。如有其他程序正在写入，请待其完成后刷新本页。",
    ),
    # pages
    "page_overview": ("Overview", "总览"),
    "page_share": ("Share vs market", "份额对比"),
    "page_quadrants": ("Attack / defend", "进攻/防守"),
    "page_promotions": ("Promotions", "促销"),
    "page_visits": ("Visits", "拜访"),
    "page_data": ("Data", "数据"),
    "overview_title": ("Where we stand", "我们的位置"),
    "kpi_own_sales": ("Own sales", "本品销售额"),
    "kpi_attack": ("Attack stores", "进攻门店"),
    "kpi_roi": ("Promotion ROI", "促销投资回报"),
    "pareto_title": ("Own sales by chain (Pareto, A/B/C)", "各系统本品销售额（帕累托，ABC分级）"),
    "visit_next_title": ("Stores to visit next: biggest opportunity first", "下一步拜访：机会额最大的门店"),
    "visit_next_help": (
        "Opportunity = revenue we would gain if the store reached market share. "
        "Days since last visit “—”: not visited in the period.",
        "机会额 = 门店达到市场份额可增加的销售额。距上次拜访天数为“—”：期间内未拜访。",
    ),
    "share_title": ("Customer share against market share, by store", "各门店客户份额与市场份额对比"),
    "fair_share_line": ("Fair share (customer share = market share)", "公平份额线（客户份额 = 市场份额）"),
    "pick_store": ("Store detail", "门店详情"),
    "pick_store_help": (
        "Click a store in the chart or a row of the table, or pick it here.",
        "在图中点击门店、在表中选择一行，或在此选择。",
    ),
    "store_weekly_title": ("{store}: weekly sales and share", "{store}：每周销售与份额"),
    "visit_marker": ("Visit", "拜访"),
    "weekly_own": ("Own sales", "本品销售额"),
    "weekly_category": ("Category sales (all brands)", "品类销售额（所有品牌）"),
    "week": ("Week", "周"),
    "revenue_axis": ("Revenue", "销售额"),
    "share_axis": ("Share", "份额"),
    "quadrant_title": ("Attack / defend: potential against fair-share index", "进攻/防守：采购潜力与公平份额指数"),
    "potential_axis": ("Potential (category sales, log scale)", "采购潜力（品类销售额，对数坐标）"),
    "fsi_axis": ("Fair-share index (100 = fair share)", "公平份额指数（100 = 公平份额）"),
    "a_cut_line": (" A cut: class A by potential →", " A类分界：按潜力为A类 →"),
    "quadrant_counts": ("Stores and opportunity per quadrant", "各象限门店数与机会额"),
    "ka_compare_title": ("KA list by potential against KA list by own sales", "按潜力的KA名单与按销售的KA名单"),
    "ka_compare_help": (
        "Missed: KA by potential but not by own sales — attack targets the traditional list misses. "
        "Over-served: KA by own sales but not by potential.",
        "遗漏：按潜力是KA、按本品销售不是——传统名单遗漏的进攻目标。过度服务：按本品销售是KA、按潜力不是。",
    ),
    "missed": ("missed", "遗漏"),
    "missed_title": ("Missed: KA by potential only", "遗漏：仅按潜力为KA"),
    "over_served_title": ("Over-served: KA by own sales only", "过度服务：仅按销售为KA"),
    "attack_not_visited": ("Attack stores not visited", "未拜访进攻门店"),
    "over-served": ("over-served", "过度服务"),
    "promo_summary_title": ("Promotions: incremental gross profit against cost", "促销：增量毛利与费用"),
    "lift_by_mechanic_title": ("Median lift by mechanic", "各促销形式的提升中位数"),
    "best_promos": ("Best promotions (ROI)", "最佳促销（投资回报）"),
    "worst_promos": ("Worst promotions (ROI)", "最差促销（投资回报）"),
    "pick_promo": ("Promotion detail", "促销详情"),
    "promo_weekly_title": ("{promo}: weekly units against baseline", "{promo}：每周销量与基线"),
    "units_axis": ("Units", "销量"),
    "baseline": ("Baseline", "基线"),
    "promo_weeks": ("Promotion weeks", "促销周"),
    "post_weeks_band": ("Post weeks", "促销后周"),
    "oos_marker": ("OOS found on visit", "拜访发现缺货"),
    "method_title": ("How these numbers are computed", "计算方法"),
    "method_text": (
        "Baseline: mean weekly units over the {b} weeks before the promotion, skipping weeks under any promotion and "
        "weeks without sales (fewer than 2 weeks: no baseline). Lift = promo units ÷ baseline − 1. Incremental gross "
        "profit = incremental revenue − incremental units × unit cost. ROI = (incremental gross profit − cost) ÷ cost. "
        "Post-promotion dip over the {p} weeks after. Change the weeks in the sidebar settings.",
        "基线：促销前{b}周的平均周销量（跳过任何促销周及无销售周；少于2周则无基线）。提升 = 促销周销量 ÷ 基线 − 1。"
        "增量毛利 = 增量销售额 − 增量销量 × 单位成本。投资回报率 = (增量毛利 − 费用) ÷ 费用。促销后下滑按其后{p}周计算。"
        "可在侧边栏参数设置中修改周数。",
    ),
    "coverage_attack": ("Attack stores visited", "进攻门店覆盖"),
    "coverage_below": ("Under-sellers visited", "低于公平份额覆盖"),
    "price_rate": ("Price compliant", "价格合规"),
    "oos_rate_kpi": ("Visits finding OOS", "发现缺货"),
    "display_rate": ("Display OK", "陈列达标"),
    "promo_exec_rate": ("Promotion executed", "促销执行"),
    "coverage_attack_help": (
        "Share of Attack stores (high potential, below fair share) visited at least once in the period.",
        "期间内至少拜访一次的进攻门店（高潜力、低于公平份额）占比。",
    ),
    "coverage_below_help": (
        "Under-sellers: stores below the fair-share threshold. Share of them visited at least once in the period.",
        "期间内至少拜访一次的低于公平份额门店占比。",
    ),
    "price_rate_help": (
        "Share of visits where prices were compliant (among visits where it was checked).",
        "价格合规的拜访占比（仅计检查过价格的拜访）。",
    ),
    "oos_rate_kpi_help": (
        "Share of visits that found at least one of our SKUs out of stock.",
        "发现至少一个本品缺货的拜访占比。",
    ),
    "display_rate_help": ("Share of visits where the display met the standard.", "陈列达标的拜访占比。"),
    "promo_exec_rate_help": ("Share of visits where the running promotion was executed.", "促销执行到位的拜访占比。"),
    "abc_cut": ("{cls} up to {cut} of sales", "{cls}类：累计至{cut}"),
    "quadrant_tick": ("<b>{q}</b><br>opp. {opp}", "<b>{q}</b><br>{opp}"),
    "all_visited": ("Every store in scope was visited in the last {n} days.", "范围内所有门店在最近{n}天内均有拜访。"),
    "roi_zero": ("ROI = 0 (profit pays the cost)", "投资回报率 = 0（毛利等于费用）"),
    "oos_times": ("OOS×{n}", "缺货×{n}"),
    "missed_potential": ("Potential in missed stores", "遗漏门店的采购潜力"),
    "missed_potential_help": (
        "Category sales (all brands) of the stores that are KA by potential but not by own sales.",
        "按潜力为KA、按本品销售不是的门店的品类总销售额（所有品牌）。",
    ),
    "no_visits_store": ("No visit to this store in the period.", "期间内没有拜访过这家门店。"),
    "chains_title": ("Where we stand in each chain", "各系统现状"),
    "shelf_line": ("Shelf share = customer share", "排面占比 = 客户份额"),
    "promo_table_title": ("Every promotion in the period", "期间内全部促销"),
    "promo_rows_title": ("{promo} by store and SKU", "{promo}：按门店与商品"),
    "store_visits_title": ("Visits to {store} in the period", "{store}：期间内的拜访"),
    "by_manager_title": ("Visits per KA manager, and their Attack stores visited", "各KA经理拜访次数及进攻门店覆盖"),
    "attack": ("Attack stores", "进攻门店"),
    "attack_visited": ("Attack stores visited", "已拜访进攻门店"),
    "stores": ("Stores", "门店数"),
    "not_visited_title": ("Stores not visited for {n}+ days", "超过{n}天未拜访的门店"),
    "days": ("Not visited for at least (days)", "未拜访天数不少于"),
    "shelf_title": (
        "Share of shelf against customer share (shelf should follow sales)",
        "排面占比与客户份额（排面应跟随销售）",
    ),
    "of": ("{a} of {b}", "{b}家中的{a}家"),
    # data page
    "data_title": ("Data: templates, uploads and history", "数据：模板、上传与记录"),
    "who": ("Your name (recorded with every load)", "您的姓名（每次上传都会记录）"),
    "who_needed": ("Enter your name first: every load records who made it.", "请先输入姓名：每次上传都会记录上传人。"),
    "step_template": ("1 · Download a template", "1 · 下载模板"),
    "table": ("Table", "数据表"),
    "headers_lang": ("Header language", "表头语言"),
    "prefill_manager": ("Pre-fill a KA manager's stores (visit sheet)", "预填KA经理的门店（拜访表）"),
    "nobody": ("— empty template —", "— 空白模板 —"),
    "week_of": ("Week of", "周"),
    "download_template": ("Download template", "下载模板"),
    "step_upload": (
        "2 · Upload files (CSV, Excel or Parquet, up to {mb} MB)",
        "2 · 上传文件（CSV、Excel或Parquet，最大{mb} MB）",
    ),
    "auto_table": ("Recognise from the headers", "根据表头识别"),
    "recognised_as": ("{file}: recognised as {table}", "{file}：识别为{table}"),
    "not_recognised": (
        "{file}: the headers do not match a table. Choose the table, then map the columns below.",
        "{file}：表头无法匹配数据表。请选择数据表，然后在下方对应列。",
    ),
    "map_columns": ("Map the file's columns to {table}", "将文件的列对应到{table}"),
    "remember": ("Remember this mapping for next time", "记住此对应关系"),
    "apply_mapping": ("Apply mapping", "应用对应关系"),
    "preview": ("Preview (problem rows first; problem cells in red)", "预览（问题行在前，问题单元格标红）"),
    "step_check": ("3 · Check", "3 · 检查"),
    "problems_found": (
        "Problems found: {n}. Nothing will be saved until every one is fixed.",
        "发现{n}个问题。全部修正前不会保存任何数据。",
    ),
    "download_problems": ("Download the problem list (CSV)", "下载问题清单（CSV）"),
    "all_good": ("No problem found in {rows} rows.", "{rows}行数据均无问题。"),
    "step_confirm": ("4 · Confirm and save", "4 · 确认并保存"),
    "will_add": ("New rows", "新增行"),
    "will_replace": ("Rows replacing existing ones", "替换已有行"),
    "stores_covered": ("Stores", "门店"),
    "dates_covered": ("Dates", "日期"),
    "share_changes": ("Stores whose numbers change (before → after)", "数据将变化的门店（之前 → 之后）"),
    "no_share_change": ("No store's share or quadrant changes.", "没有门店的份额或象限发生变化。"),
    "save": ("Save to the warehouse", "保存到数据仓库"),
    "saved": (
        "Saved: load {ids}. Every page now shows the new data.",
        "已保存：上传批次 {ids}。所有页面已显示新数据。",
    ),
    "history": ("Load history", "上传记录"),
    "undo": ("Undo a load", "撤销上传"),
    "undo_confirm": (
        "I understand: this restores the data as it was before that load.",
        "我确认：这将把数据恢复到该次上传之前的状态。",
    ),
    "undo_button": ("Undo load", "撤销"),
    "undone": (
        "Load {id} undone: {removed} rows removed, {restored} restored.",
        "已撤销批次{id}：删除{removed}行，恢复{restored}行。",
    ),
    "before_after": ("{a} → {b}", "{a} → {b}"),
    # the meeting pack (Overview, ka_core/export.py)
    "vs_previous": ("vs previous period", "对比上期"),
    "vs_year_ago": ("vs a year ago", "同比"),
    "yoy_short": ("YoY", "同比"),
    "prev_short": ("vs prev.", "环比"),
    "year_ago_none": ("no year-ago data", "无同期数据"),
    "targets_title": ("Targets: attainment against the time elapsed", "目标：达成率对比时间进度"),
    "targets_chart_title": (
        "{behind} of {n} chains behind the time elapsed ({expected})",
        "{n}个系统中{behind}个落后于时间进度（{expected}）",
    ),
    "trend_title": ("Customer share by chain, week by week", "各系统客户份额周趋势"),
    "trend_chart_title": (
        "Customer share by week: {chain} leads at {share} in the latest week",
        "客户份额周趋势：最近一周{chain}最高，为{share}",
    ),
    "pareto_point": (
        "{n} chains make {share} of own sales (class A)",
        "{n}个系统贡献{share}的本品销售额（A类）",
    ),
    "quadrant_point": (
        "{n} Attack stores hold {opp} of opportunity",
        "{n}家进攻门店蕴含{opp}的机会额",
    ),
    "source_line": ("Source: ka-analytics · {period} · {filters}", "来源：ka-analytics · {period} · {filters}"),
    "all_filters": ("all chains, regions, categories", "全部系统、大区、品类"),
    "pack_title": ("Key accounts: meeting pack", "重点客户：会议资料"),
    "pack_kpis": ("Headline figures", "核心指标"),
    "pack_chains": ("Fair share by chain", "各系统公平份额"),
    "pack_quadrants": ("Attack / defend quadrants", "进攻/防守象限"),
    "pack_pareto": ("Chains by own sales (Pareto)", "系统销售帕累托"),
    "pack_attack": ("Stores to attack, biggest opportunity first", "进攻门店：按机会额排序"),
    "pack_promos": ("Promotions: best return first", "促销：按投资回报排序"),
    "pack_visits": ("Visit coverage", "拜访覆盖"),
    "pack_trend": ("Weekly trend", "周趋势"),
    "pack_targets": ("Targets", "目标"),
    "kpi": ("Figure", "指标"),
    "value": ("Value", "数值"),
    "meeting_pack": ("Meeting pack", "会议资料"),
    "meeting_pack_help": (
        "PDF, PowerPoint or Excel of this page's filters, in the language shown.",
        "按当前筛选和语言导出 PDF、PowerPoint 或 Excel。",
    ),
    "pack_format": ("Format", "格式"),
    "pack_make": ("Make the meeting pack", "生成会议资料"),
    "pack_download": ("Download {name}", "下载 {name}"),
    "generated": ("Generated {when}", "生成于 {when}"),
    "store_page_title": ("Store {store}", "门店 {store}"),
    "page_store": ("Store", "门店"),
    "store_promos_title": ("Promotions in this store", "本店促销"),
    "no_promos_store": ("No promotion in this store in the period.", "期间内本店没有促销。"),
}

# Login, roles and scope (dashboard/auth.py).
TEXT.update(
    {
        "login_title": ("Sign in", "登录"),
        "login_text": (
            "This dashboard shows each person the stores of their role. Sign in with your company account.",
            "本看板按角色显示各自负责的门店。请使用公司账号登录。",
        ),
        "login_button": ("Sign in with {provider}", "使用 {provider} 登录"),
        "logout": ("Sign out", "退出登录"),
        "signed_in_as": ("Signed in as {email} ({role})", "当前用户：{email}（{role}）"),
        "no_access": (
            "{email} has no access to this dashboard yet. Ask an admin to add you to the access table: {admins}.",
            "{email} 尚无本看板的访问权限。请联系管理员将您加入权限表：{admins}。",
        ),
        "no_admins": ("no admin is set up yet", "尚未设置管理员"),
        "auth_broken": (
            "Login is configured in .streamlit/secrets.toml [auth] but cannot work: {problem}. "
            "Fix the file and restart the dashboard (README: Serving a team).",
            "已在 .streamlit/secrets.toml 的 [auth] 中配置登录，但配置无效：{problem}。"
            "请修改后重启看板（见 README：团队使用）。",
        ),
        "open_refused": (
            "This dashboard is served on {address} without login, so anyone on the network could see and change "
            "the data. Configure login ([auth] in .streamlit/secrets.toml), serve it on 127.0.0.1 only, or set "
            "KA_ALLOW_NO_LOGIN=1 to allow it.",
            "本看板在 {address} 上无登录对外提供，网络中任何人都能查看和修改数据。请配置登录"
            "（.streamlit/secrets.toml 的 [auth]），或仅在 127.0.0.1 上提供，或设置 KA_ALLOW_NO_LOGIN=1 以允许。",
        ),
        "open_banner": (
            "Served on {address} without login (KA_ALLOW_NO_LOGIN): everyone on the network sees and changes all data.",
            "无登录对外提供（KA_ALLOW_NO_LOGIN）：网络中的任何人都能查看和修改全部数据。",
        ),
        "view_as": ("View as", "以他人身份查看"),
        "view_as_me": ("myself", "我自己"),
        "viewing_as": (
            "Viewing as {email} ({role}): you see exactly what they see.",
            "正在以 {email}（{role}）的身份查看：与其所见完全一致。",
        ),
        "history_only": ("Your role (director) sees the load history only.", "您的角色（总监）只能查看上传记录。"),
    }
)


def t(key: str, lang: str, **kw) -> str:
    """The text of `key` in `lang` (English when missing), formatted with kw."""
    en, zh = TEXT[key]
    s = zh if lang == "zh" else en
    return s.format(**kw) if kw else s


# Columns of the loaded tables shown as they are (a store's visit rows): English
# labels here, Chinese from the data contract's aliases (ka_core.schema).
COLUMNS = {
    "visit_date": "Visit date",
    "rep": "Rep",
    "store_category_sales": "Category sales reported",
    "own_facings": "Own facings",
    "total_facings": "Total facings",
    "display_ok": "Display OK",
    "promo_executed": "Promotion executed",
    "price_compliant": "Price compliant",
    "oos_skus": "Out-of-stock SKUs",
    "competitor_activity": "Competitor activity",
    "notes": "Notes",
}


def label(metric: str, lang: str) -> str:
    """A column's label: metrics from the shared definitions, table columns from the contract."""
    m = METRICS.get(metric)
    if m is not None:
        return m.zh if lang == "zh" else m.label
    if metric in COLUMNS:
        from .schema import TABLES

        return TABLES["visits"].column(metric).zh if lang == "zh" else COLUMNS[metric]
    return TEXT[metric][1 if lang == "zh" else 0] if metric in TEXT else metric


# Effects with confidence (issue 13).
TEXT.update(
    {
        "promo_effects_title": (
            "Lift: own baseline against control stores (90% interval)",
            "提升：自身基线 vs 对照门店（90% 区间）",
        ),
        "naive_lift": ("Naive lift (own baseline)", "简单提升（自身基线）"),
        "control_lift": ("Lift vs control stores", "相对对照门店提升"),
        "significant_yes": ("significant", "显著"),
        "significant_no": ("not significant", "不显著"),
        "lift_axis": ("Lift %", "提升 %"),
        "effects_caption": (
            "The naive lift compares the promoted weeks with the store's own weeks before; the season, "
            "chain-wide price moves or the weather read as lift. Against control stores (same chain and "
            "region without the promotion) they cancel out. The bar is a 90% interval from placebo weeks "
            "(the promotion moved to weeks where it did not run); filled dots are significant. "
            "The {n} costliest promotions in the period.",
            "简单提升只与门店自身促销前的周相比，季节、全系统调价或天气都会被当成提升；与对照门店"
            "（同系统同大区、没有该促销的门店）相比则可抵消。横线为安慰剂周（把促销挪到未举办的周）"
            "得出的 90% 区间；实心点为显著。显示期间内费用最高的 {n} 个促销。",
        ),
        "best_significant": ("Best promotions (ROI, significant lift only)", "最佳促销（投资回报，仅限提升显著）"),
        "none_significant": ("No promotion with a significant lift in this scope.", "此范围内没有提升显著的促销。"),
        "control_line": ("Control stores (scaled to the baseline)", "对照门店（按基线换算）"),
        "visit_effect_title": ("Sales around a visit, against control stores", "拜访前后销售（相对对照门店）"),
        "visit_effect_note": (
            "An association, not proof: managers visit stores with problems. Weeks before the visit close "
            "to 0 support the reading but do not prove it. {n} visits after 8 weeks without one; band: 90% "
            "bootstrap interval.",
            "仅为相关，不是因果：经理往往去有问题的门店。拜访前几周接近 0 支持这一解读，但不能证明。"
            "共 {n} 次（此前 8 周未拜访）；阴影为 90% 自助法区间。",
        ),
        "weeks_from_visit": ("Weeks from the visit", "距拜访周数"),
        "visit_effect_none": (
            "No first visit after 8 weeks without one (with 3 unvisited control stores) in this scope.",
            "此范围内没有「8 周未拜访后的首次拜访」（且有 3 家未拜访的对照门店）。",
        ),
    }
)


def report_title(name: str, lang: str) -> str:
    """A report's title from its definition (ka_core.reports), as the command line names it."""
    from .reports import REPORTS

    return REPORTS[name].zh if lang == "zh" else REPORTS[name].label


def help_text(metric: str, lang: str) -> str:
    m = METRICS[metric]
    return (m.help_zh or m.help) if lang == "zh" else m.help


MECHANICS_ZH = {"DM": "DM 海报", "TG": "TG 端架", "TPR": "TPR 特价", "PROMOTER": "促销员", "BUNDLE": "捆绑"}


def mechanic(code: str, lang: str) -> str:
    """A promotion mechanic as people call it: the code in English, code and name in Chinese."""
    return MECHANICS_ZH.get(code, code) if lang == "zh" else code


def quadrant(q: str, lang: str) -> str:
    return QUADRANT_ZH.get(q, q) if lang == "zh" else q


HISTORY = {
    "load_id": ("Load", "批次"),
    "table_name": ("Table", "数据表"),
    "file_name": ("File", "文件"),
    "rows_inserted": ("Rows written", "写入行数"),
    "rows_replaced": ("Rows replaced", "替换行数"),
    "user_name": ("By", "上传人"),
    "loaded_at": ("When", "时间"),
    "undone_at": ("Undone", "已撤销"),
}


def history_headers(df, lang: str):
    """The load log with headers in the chosen language."""
    return df.rename(columns={k: v[1 if lang == "zh" else 0] for k, v in HISTORY.items()})


# Loading in the user's language (issue 11) ---------------------------------------------

# What a cell of each kind must hold (English from ka_core.schema.EXPECTED).
EXPECTED_ZH = {
    "text": "一个值",
    "number": "一个 ≥ 0 的数字",
    "date": "日期，如 2025-03-17 或 2025/03/17",
    "week": "日期，如 2025-03-17（该周任意一天）",
    "bool": "是/否（Y/N、yes/no、true/false、1/0、是/否）",
    "mechanic": "以下之一：DM、TG、TPR、PROMOTER、BUNDLE",
    "sku_list": "商品编码，以 ; 或 , 分隔",
}

# Chinese help of the contract's columns, by English help text (ka_core.schema).
COLUMN_HELP_ZH = {
    "Retail chain (KA system), e.g. Walmart": "零售系统（KA系统），如沃尔玛",
    "Hypermarket, supermarket…": "大卖场、超市…",
    "Yes for our own products": "本品填“是”",
    "Our cost per unit, for gross profit": "本品单位成本，用于计算毛利",
    "Blank: every store of the chain": "留空：该系统的所有门店",
    "Blank: every own SKU of the brand": "留空：该品牌的所有本品",
    "Total cost of the promotion": "促销总费用",
    "The store's total sales of the category that week, all brands": "该门店当周该品类的总销售额（所有品牌）",
}


def expected(kind: str, lang: str) -> str:
    """What a cell of a column kind must hold, in the user's language."""
    from .schema import EXPECTED

    return EXPECTED_ZH.get(kind, EXPECTED[kind]) if lang == "zh" else EXPECTED[kind]


def column_help(col, lang: str) -> str:
    """A contract column's help text in the user's language ('' when it has none)."""
    return COLUMN_HELP_ZH.get(col.help, col.help) if lang == "zh" else col.help


# The load history and undo, in the user's language.
TEXT.update(
    {
        "undo_pick": ("Pick the load to undo", "选择要撤销的上传"),
        "undo_none_picked": ("— pick a load —", "— 请选择 —"),
        "undo_removes": (
            "Undoing load {id} removes {rows} {table} rows loaded from {file} by {user} on {when}.",
            "撤销批次{id}将删除{user}于{when}从{file}上传的{rows}行{table}数据。",
        ),
        "undo_restores": (
            "It puts back the {rows} earlier rows that load replaced.",
            "并恢复该批次替换掉的{rows}行原有数据。",
        ),
        "undo_blocked": (
            "A later load replaced {rows} of its rows: load {id} ({file}, by {user}). "
            "Those rows now hold the later values; undo load {id} first, then this one.",
            "之后的上传替换了其中{rows}行：批次{id}（{file}，{user}）。这些行现为较新的数据；请先撤销批次{id}，再撤销本批次。",
        ),
        "undo_already": ("Load {id} was undone on {when}.", "批次{id}已于{when}撤销。"),
        "load_choice": (
            "Load {id} · {table} · {file} · {rows} rows · {user} · {when}",
            "批次{id} · {table} · {file} · {rows}行 · {user} · {when}",
        ),
        "undone_on": ("undone {when}", "已于{when}撤销"),
        "empty_rows_skipped": ("Empty rows skipped", "跳过的空行"),
        "confirm_counts": (
            "{new} to add, {replaced} to replace (before → after below), {blank} empty rows skipped.",
            "新增{new}行，替换{replaced}行（替换前后见下表），跳过{blank}个空行。",
        ),
        "replaced_rows": ("Rows this load replaces (before → after)", "本次上传替换的行（之前 → 之后）"),
        "sheet_warnings": (
            "{n} rows report a category total below our own sales: counted as our own sales. Check them on the sheet.",
            "{n}行填写的品类总销售额低于本品销售额：按本品销售额计。请在表中核对。",
        ),
    }
)
HISTORY["status"] = ("Status", "状态")


# What the loader expected, in Chinese: its English sentences (ka_core.loading) as patterns.
_EXPECTED_PATTERNS_ZH = [
    (r"missing: expected (.+)", "缺少：应为{0}"),
    (r"expected a store_id of the stores table", "应为门店表中的门店编号"),
    (r"expected a sku of the products table", "应为商品表中的商品编码"),
    (r"expected a category of the products table", "应为商品表中的品类"),
    (r"expected a chain of the stores table", "应为门店表中的系统"),
    (r"expected own_facings ≤ total_facings", "本品排面应不大于总排面"),
    (r"expected SKU codes of the products table; unknown: (.+)", "应为商品表中的商品编码；未知：{0}"),
    (r"expected an end_date on or after start_date (.+)", "结束日期应不早于开始日期 {0}"),
    (r"expected a sku or a brand .*", "应填写商品编码或品牌（促销须注明促销对象）"),
    (r"expected a store of chain (.+) \(this store is in (.+)\)", "应为系统 {0} 的门店（该门店属于 {1}）"),
    (r"expected a brand with own products .*", "应为有本品的品牌（本品 = 是）"),
    (r"expected each key once; the same key is on row (\d+) of (.+)", "每个键只能出现一次；相同的键在 {1} 第 {0} 行"),
    (r"expected a name of its own: it is already the (\S+) (.+)", "名称不能重复：它已是{0} {1}"),
    (
        r"expected a store in your scope \((\d+) stores\): (.*); nothing was written",
        "应为您权限范围内的门店（共 {0} 家）：{1}；未写入任何数据",
    ),
    (r"(.+) \((\S+)\) may not load the (\S+) table; ask an admin\.", "{0}（{1}）无权上传 {2} 表；请联系管理员。"),
    (
        r"a category total below our own sales of it that week \((.+)\); counted as our own sales",
        "品类总销售额低于当周本品销售额（{0}）；按本品销售额计",
    ),
    (r"expected (.+)", "应为{0}"),
]


def expected_text(text: str, lang: str) -> str:
    """A loader's 'expected …' sentence in the user's language (the value kinds translated too)."""
    import re

    from .schema import EXPECTED

    if lang != "zh" or not text:
        return text
    for pattern, zh in _EXPECTED_PATTERNS_ZH:
        m = re.fullmatch(pattern, text)
        if m:
            parts = [_kind_zh(g, EXPECTED) for g in m.groups()]
            return zh.format(*parts)
    return text


def _kind_zh(text: str, english: dict) -> str:
    """'a number ≥ 0' -> '一个 ≥ 0 的数字'; a date range note kept readable."""
    suffix = ""
    if text.endswith(" between 1900 and 2199"):
        text, suffix = text[: -len(" between 1900 and 2199")], "，年份在 1900 至 2199 之间"
    for kind, en in english.items():
        if text == en:
            return EXPECTED_ZH[kind] + suffix
    return text + suffix


# A file refused whole (ka_core.loading's KaError messages), in Chinese: "file: reason".
_REFUSALS_ZH = [
    (r"(.+?): the file is empty\.", "{0}：文件是空的。"),
    (r"(.+?): the header is there but no data rows follow\.", "{0}：只有表头，没有数据行。"),
    (
        r"(.+?): every row is empty \(nothing beyond (.+)\); nothing to load\.",
        "{0}：每一行除 {1} 外都是空的，没有可上传的数据。",
    ),
    (
        r"(.+?): no header row with the required columns of (\S+) in the first (\d+) rows\. Expected: (.+)\. Found: (.*)\.",
        "{0}：前 {2} 行中没有包含 {1} 必填列的表头。应有：{3}。找到：{4}。",
    ),
    (r"(.+?): missing required columns? (.+)", "{0}：缺少必填列 {1}"),
    (r"(.+?): columns '(.+)' and '(.+)' both mean (\S+); keep one\.", "{0}：列“{1}”和“{2}”都表示 {3}；请只保留一列。"),
    (
        r"(.+?), row (\d+): bytes (.+?) are not .*",
        "{0}，第 {1} 行：字节 {2} 无法识别为文字。请在 Excel 中另存为“CSV UTF-8”或 .xlsx。",
    ),
    (
        r"(.+?): column '(.+)' holds (.+) values \(a nested type\); expected one plain value per cell for (\S+)\.",
        "{0}：列“{1}”为嵌套类型（{2}）；{3} 每个单元格应只有一个值。",
    ),
    (r"(.+?): not a readable Parquet file\.", "{0}：无法读取的 Parquet 文件。"),
    (r"(.+?): not a valid \.xlsx file.*", "{0}：不是有效的 .xlsx 文件（可能已损坏或为旧版 .xls）。"),
    (r"(.+?): not recognised", "{0}：无法识别对应的数据表"),
]


def refusal_text(message: str | None, lang: str) -> str | None:
    """A loader's refusal of a whole file in the user's language (English when no pattern fits)."""
    import re

    if lang != "zh" or not message:
        return message
    for pattern, zh in _REFUSALS_ZH:
        m = re.fullmatch(pattern, message, flags=re.S)
        if m:
            return zh.format(*m.groups())
    return message


# The command line in the user's language (issue 11): `--lang zh` or KA_LANG=zh --------------

TEXT.update(
    {
        "cli_error": ("error: {msg}", "错误：{msg}"),
        "cli_warning": ("warning: {msg}", "警告：{msg}"),
        "cli_warehouse_ready": (
            "Warehouse ready: {path} (schema version {version}).",
            "数据仓库已就绪：{path}（结构版本 {version}）。",
        ),
        "cli_demo_ready": (
            "Demo warehouse ready: {path} in {s} s ({rows}).",
            "演示数据仓库已就绪：{path}，用时 {s} 秒（{rows}）。",
        ),
        "cli_loaded": (
            "Load {id}: {file} -> {table}: {rows} rows written, {replaced} of them replacing existing rows.",
            "批次 {id}：{file} → {table}：写入 {rows} 行，其中 {replaced} 行替换了已有的行。",
        ),
        "cli_more_problems": (
            "… and {n} more (--errors FILE writes them all).",
            "……另有 {n} 个问题（--errors 文件 可写出全部问题）。",
        ),
        "cli_errors_file": ("Every problem is in {path}.", "全部问题已写入 {path}。"),
        "cli_unknown_value": (
            "Note: no {what} named {value!r}; known: {known}.",
            "注意：没有名为 {value!r} 的{what}；已有：{known}。",
        ),
        "cli_none": ("none", "无"),
        "cli_no_rows": ("(no rows: nothing matches these filters)", "（没有数据：没有符合这些筛选条件的行）"),
        "cli_pack_written": (
            "Meeting pack written: {path} ({size} bytes, {s} s).",
            "会议资料已生成：{path}（{size} 字节，用时 {s} 秒）。",
        ),
        "cli_lake_ready": (
            "Lake ready: {dir} in {s} s ({files} Parquet files; {rows}; last load {last}).",
            "数据湖已就绪：{dir}，用时 {s} 秒（{files} 个 Parquet 文件；{rows}；最后批次 {last}）。",
        ),
        "cli_no_loads": ("No loads yet.", "还没有上传记录。"),
        "cli_undone": (
            "Undid load {id} ({file} -> {table}): {removed} rows removed, {restored} earlier rows restored.",
            "已撤销批次 {id}（{file} → {table}）：删除 {removed} 行，恢复先前的 {restored} 行。",
        ),
        "cli_interrupted": ("Interrupted; nothing was changed.", "已中断；没有任何更改。"),
        "cli_unexpected": (
            "unexpected {kind}: {msg}. Nothing was changed. (KA_DEBUG=1 shows details.)",
            "意外错误 {kind}：{msg}。没有任何更改。（设置 KA_DEBUG=1 可查看详情。）",
        ),
        "cli_bad_lang": ("KA_LANG={value!r}: expected en or zh", "KA_LANG={value!r}：应为 en 或 zh"),
        "cli_from_after_to": ("--from {a} is after --to {b}", "--from {a} 晚于 --to {b}"),
        "cli_sha": ("sha256", "文件校验码"),
    }
)

# Notes of a load (ka_core.loading), in Chinese.
_NOTES_ZH = [
    (r"(.+?): row (\d+) is a totals row \((.*)\); skipped\.", "{0}：第 {1} 行是合计行（{2}），已跳过。"),
    (r"(.+?): header found on row (\d+); the rows above it are titles\.", "{0}：表头在第 {1} 行；其上方的行是标题。"),
    (r"(.+?): ([\d,]+) empty rows \(nothing beyond (.+)\) skipped\.", "{0}：跳过 {1} 个空行（除 {2} 外没有内容）。"),
    (r"(.+?): columns ignored \(not in the (\S+) table\): (.+)\.", "{0}：已忽略不属于 {1} 表的列：{2}。"),
]


def _waited_zh(seconds: str | None) -> str:
    return f"（已等待 {seconds} 秒；--wait 秒数 可等待更久）" if seconds else ""


# Refusals of the command line and the warehouse (KaError messages), in Chinese; a template
# may be a function of the groups (an optional part).
_ERRORS_ZH = [
    (
        r"The warehouse (.+) is in use by another program \(the dashboard, or another command\)"
        r"(?: \(waited (\S+) s; --wait SECONDS waits longer\))?\. Nothing was changed\. "
        r"Stop it, or try again when it is done\.",
        lambda path, waited: (
            f"数据仓库 {path} 正被另一个程序（仪表板或另一个命令）使用{_waited_zh(waited)}。"
            "没有任何更改。请关闭它，或等它完成后重试。"
        ),
    ),
    (
        r"No warehouse at (.+)\. Create one with .*",
        "{0} 处没有数据仓库。请用 `python -m ka_core init --demo`（演示数据）或 `python -m ka_core init`（空仓库）创建。",
    ),
    (
        r"(.+?): no access \(no row for this email in the access table\)\. Ask an admin: (.+)\.",
        "{0}：没有访问权限（access 表中没有此邮箱）。请联系管理员：{1}。",
    ),
    (r"(\d+) problems? found; nothing was written\.", "发现 {0} 个问题；没有写入任何数据。"),
    (r"(.+?): no such file\.", "{0}：文件不存在。"),
    (
        r"(.+?): ([\d,.]+) MB is over the limit of (\S+) MB \(setting max_file_mb / KA_MAX_FILE_MB\)\.",
        "{0}：{1} MB 超过上限 {2} MB（设置 max_file_mb / KA_MAX_FILE_MB）。",
    ),
    (
        r"(.+?): ([\d,]+) rows is over the limit of ([\d,]+) \(setting max_rows / KA_MAX_ROWS\)\.",
        "{0}：{1} 行超过上限 {2} 行（设置 max_rows / KA_MAX_ROWS）。",
    ),
    (
        r"(.+?): more than ([\d,]+) rows, over the limit \(setting max_rows / KA_MAX_ROWS\)\.",
        "{0}：超过 {1} 行，超出上限（设置 max_rows / KA_MAX_ROWS）。",
    ),
    (
        r"(.+?): this is not a text \(CSV\) file; expected CSV, XLSX or Parquet\.",
        "{0}：这不是文本（CSV）文件；应为 CSV、XLSX 或 Parquet。",
    ),
    (r"(.+?): not a readable CSV file \((.+)\)\.", "{0}：无法读取的 CSV 文件（{1}）。"),
    (r"(.+?): cannot read this workbook \((.+)\)\.", "{0}：无法读取此工作簿（{1}）。"),
    (
        r"(.+?): refused: the workbook unpacks to (.+)",
        "{0}：已拒绝：工作簿解压后的大小与文件大小不成比例，不像是数据表。",
    ),
    (
        r"There is no load (\d+); `python -m ka_core history` lists them\.",
        "没有批次 {0}；`python -m ka_core history` 可列出全部批次。",
    ),
    (r"Load (\d+) \((.+)\) was already undone at (.+)\.", "批次 {0}（{1}）已于 {2} 撤销。"),
    (
        r"Load (\d+) cannot be undone alone: later load (.+) replaced some of its rows\. Undo that first\. "
        r"Nothing was changed\.",
        "批次 {0} 不能单独撤销：之后的批次 {1} 替换了其中部分行。请先撤销该批次。没有任何更改。",
    ),
    (
        r"Undoing load (\d+) \((.+)\) would break references: (.+)\. Nothing was changed\.",
        "撤销批次 {0}（{1}）会破坏引用关系：{2}。没有任何更改。",
    ),
    (
        r"(.+?) \((\S+)\) may not undo load (\d+) by (.+)\. Nothing was changed\.",
        "{0}（{1}）无权撤销 {3} 上传的批次 {2}。没有任何更改。",
    ),
    (
        r"Nothing to export: no sales in this period\. Widen the period or load sales first\.",
        "没有可导出的内容：此期间没有销售数据。请放宽期间或先上传销售数据。",
    ),
    (
        r"Cannot export to (.+): expected a file name ending in \.pdf, \.pptx or \.xlsx\.",
        "无法导出到 {0}：文件名应以 .pdf、.pptx 或 .xlsx 结尾。",
    ),
    (
        r"The meeting pack draws its charts with Chromium, which is not installed .*",
        "会议资料用 Chromium 绘制图表，但未安装 Chromium（apt-get install chromium；见 README）。",
    ),
    (r"Unknown table (.+); expected one of: (.+)\.", "未知的数据表 {0}；应为以下之一：{1}。"),
    (
        r"The warehouse (.+) has schema version (\d+), this program expects (\d+)\. .*",
        "数据仓库 {0} 的结构版本为 {1}，本程序需要 {2}。请先以写入方式打开一次（任意 load 或 init）进行升级。",
    ),
    (
        r"(.+?) is not a DuckDB warehouse ka-analytics can read: (.+)",
        "{0} 不是 ka-analytics 能读取的 DuckDB 数据仓库：{1}",
    ),
    (
        r"No lake at (.+?) \((.+) is missing\)\..*",
        "{0} 处没有数据湖（缺少 {1}）。请用 `python -m ka_core lake {0}` 写出。",
    ),
    (r"--from (\S+) is after --to (\S+)", "--from {0} 晚于 --to {1}"),
]


def _translate(message: str, patterns) -> str | None:
    import re

    for pattern, zh in patterns:
        m = re.fullmatch(pattern, message, flags=re.S)
        if m:
            return zh(*m.groups()) if callable(zh) else zh.format(*m.groups())
    return None


def note_text(note: str, lang: str) -> str:
    """A note of a load (a totals row skipped, columns ignored…) in the user's language."""
    if lang != "zh":
        return note
    return _translate(note, _NOTES_ZH) or note


def message_text(message: str, lang: str) -> str:
    """A refusal (KaError message) in the user's language: the command line's and the
    warehouse's, and the loader's refusals of a whole file (English when no pattern fits)."""
    if lang != "zh" or not message:
        return message
    return _translate(message, _ERRORS_ZH) or refusal_text(message, lang) or message


# Charts that make their point (issue 12, item 3): titles that state it, short legend names,
# and the scope in the source line.
TEXT.update(
    {
        "fair_share_line_short": ("Fair share", "公平份额线"),
        "share_point": (
            "{n} stores below fair share hold {opp} of opportunity (top {k} labelled)",
            "{n}家门店低于公平份额，蕴含{opp}机会额（标注前{k}家）",
        ),
        "store_point_below": (
            "{store}: customer share {cs}, below the market's {ms}",
            "{store}：客户份额{cs}，低于市场份额{ms}",
        ),
        "store_point_above": (
            "{store}: customer share {cs}, at or above the market's {ms}",
            "{store}：客户份额{cs}，不低于市场份额{ms}",
        ),
        "quadrant_bars_point": (
            "{n} Attack stores hold {share} of the opportunity",
            "{n}家进攻门店占{share}的机会额",
        ),
        "promo_profit_point": (
            "{n} of {m} promotions paid back their cost (above the line)",
            "{m}个促销中{n}个收回费用（线上方）",
        ),
        "lift_point": ("{mech} lifts most: median {lift}", "{mech}提升最高：中位数{lift}"),
        "promo_weekly_point": (
            "{promo}: {units} extra units, ROI {roi}",
            "{promo}：增量{units}件，投资回报{roi}",
        ),
        "by_manager_point": (
            "{a} of {b} Attack stores visited by {n} KA managers",
            "{n}位KA经理拜访了{b}家进攻门店中的{a}家",
        ),
        "shelf_point": (
            "{n} of {m} stores have less shelf than their customer share",
            "{m}家门店中{n}家的排面份额低于客户份额",
        ),
        "promo_effects_point": (
            "{k} of {n} promotions lift sales significantly against control stores",
            "{n}个促销中{k}个相对对照门店显著提升销售",
        ),
        "visit_effect_point": (
            "Own sales {effect} against control stores {k} weeks after a visit",
            "拜访后第{k}周本品销售相对对照门店{effect}",
        ),
        "scope_of": ("scope: {who}", "范围：{who}"),
        "quadrant_picked": ("Stores in {q}", "{q}门店"),
        "quadrant_pick_help": (
            "Click a bar (or a store in the chart) to list a quadrant's stores; click a row to open the store.",
            "点击柱形（或图中门店）列出该象限门店；点击一行打开门店页。",
        ),
        "chart_filters_help": (
            "Click a chain's bar, line or point to filter the dashboard to it (clear it in the sidebar).",
            "点击某系统的柱形、折线或数据点即可筛选到该系统（在侧边栏清除）。",
        ),
        "open_store_help": ("Click a row to open the store's page.", "点击一行打开门店页。"),
    }
)

TEXT.update(
    {
        "a_cut_short": (" class A by potential →", " 潜力A类 →"),
        "roi_zero_short": ("Break-even (ROI = 0)", "盈亏平衡（ROI = 0）"),
    }
)


# The command line's own words (issue 11): --help of every command and argparse's usage errors ------

# argparse's texts (its gettext messages, Python 3.11) in Chinese; ka_core.cli hands them to argparse
# under --lang zh / KA_LANG=zh. English: argparse's own.
ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示此帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r（应为%(type)s）",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "最多只能给一个值",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
    "ambiguous option: %(option)s could match %(matches)s": "有歧义的选项：%(option)s 可能是 %(matches)s",
    "ignored explicit argument %r": "此选项不接受值 %r",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "必须给出以下参数之一：%s",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
}


def argparse_text(msgid: str, lang: str) -> str:
    """One of argparse's own texts in the user's language (argparse's English when untranslated)."""
    return ARGPARSE_ZH.get(msgid, msgid) if lang == "zh" else msgid


TEXT.update(
    {
        # the parser (ka_core.cli._parser): descriptions, help of each option, metavars
        "cli_description": (
            "ka-analytics: key-account analytics on a local DuckDB warehouse.",
            "ka-analytics：基于本地 DuckDB 数据仓库的重点客户分析。",
        ),
        "cli_h_db": (
            "the warehouse file (default: $KA_DB, else data/ka.duckdb)",
            "数据仓库文件（默认：$KA_DB，否则 data/ka.duckdb）",
        ),
        "cli_h_as": (
            "run with this user's scope and rights from the access table",
            "以 access 表中该用户的范围和权限运行",
        ),
        "cli_h_wait": (
            "wait this long for another program's write to finish (default 60)",
            "等待其他程序写入完成的最长秒数（默认 60）",
        ),
        "cli_h_lang": (
            "language of the messages, the table output and the export (default $KA_LANG, else en)",
            "提示信息、表格输出和导出的语言（默认 $KA_LANG，否则 en）",
        ),
        "cli_h_command": ("the command (COMMAND --help: its options)", "命令（命令 --help：查看其选项）"),
        "cli_h_init": (
            "create the warehouse (with --demo: fill it with demo data)",
            "创建数据仓库（加 --demo：填入演示数据）",
        ),
        "cli_h_demo": ("fill it with the deterministic demo data set", "填入固定的演示数据集"),
        "cli_h_stores": ("demo stores (default 160)", "演示门店数（默认 160）"),
        "cli_h_weeks": ("demo weeks (default 104)", "演示周数（默认 104）"),
        "cli_h_seed": ("demo random seed (default 7)", "演示数据的随机种子（默认 7）"),
        "cli_h_force": ("replace an existing warehouse file", "替换已有的数据仓库文件"),
        "cli_h_load": ("validate and load files into a table", "校验文件并上传到数据表"),
        "cli_h_table": ("{tables}", "数据表：{tables}"),
        "cli_h_files": ("CSV, XLSX or Parquet files", "CSV、XLSX 或 Parquet 文件"),
        "cli_h_user": ("who loads (default: the login name)", "上传人（默认：登录名）"),
        "cli_h_errors": ("write every problem found to this CSV file", "把发现的全部问题写入此 CSV 文件"),
        "cli_h_report": ("print a report", "输出报表"),
        "cli_h_name": ("{reports}", "报表：{reports}"),
        "cli_h_format": ("output: table (default), csv or json", "输出格式：table（默认）、csv 或 json"),
        "cli_h_from": ("first day of the period (YYYY-MM-DD)", "期间的第一天（YYYY-MM-DD）"),
        "cli_h_to": ("last day of the period (YYYY-MM-DD)", "期间的最后一天（YYYY-MM-DD）"),
        "cli_h_chain": ("only this chain (repeat for several)", "只看此系统（可重复给出多个）"),
        "cli_h_region": ("only this region (repeat for several)", "只看此大区（可重复给出多个）"),
        "cli_h_category": ("only this category (repeat for several)", "只看此品类（可重复给出多个）"),
        "cli_h_engine": (
            "duckdb (the warehouse, default) or spark (PySpark over --lake DIR; same rows)",
            "duckdb（数据仓库，默认）或 spark（用 PySpark 读取 --lake 目录；结果相同）",
        ),
        "cli_h_lake": (
            "the lake the spark engine reads (written by `lake DIR`)",
            "spark 引擎读取的数据湖（由 `lake 目录` 写出）",
        ),
        "cli_h_spark_master": (
            "Spark master (default local[*]; sc://host:port for Spark Connect, or env SPARK_REMOTE)",
            "Spark 主节点（默认 local[*]；Spark Connect 用 sc://主机:端口，或环境变量 SPARK_REMOTE）",
        ),
        "cli_h_lake_cmd": (
            "write a Parquet copy of every table + manifest.json to DIR",
            "把每张表的 Parquet 副本和 manifest.json 写入目录",
        ),
        "cli_h_dir": (
            "the lake folder (an earlier lake there is replaced when the new one is complete)",
            "数据湖目录（新数据湖写完后替换其中原有的数据湖）",
        ),
        "cli_h_export": (
            "write the meeting pack: FILE.pdf, FILE.pptx or FILE.xlsx",
            "生成会议资料：文件.pdf、文件.pptx 或 文件.xlsx",
        ),
        "cli_h_file": (
            "FILE.pdf, FILE.pptx or FILE.xlsx; several at once share the reports and the charts' pictures",
            "文件.pdf、文件.pptx 或 文件.xlsx；同时给出多个时共用报表和图表图片",
        ),
        "cli_h_bench": (
            "measure every report against its floor and pandas (bench --help)",
            "测量每个报表的速度，并与下限和 pandas 对比（bench --help）",
        ),
        "cli_h_history": ("list the load log", "列出上传记录"),
        "cli_h_undo": ("undo a load", "撤销一次上传"),
        "cli_h_load_id": ("the load's number (history lists them)", "批次号（history 可列出）"),
        "cli_h_setting": ("{help} (default {default}{env})", "{help}（默认 {default}{env}）"),
        "cli_h_env": ("; env {env}", "；环境变量 {env}"),
        "cli_m_path": ("PATH", "路径"),
        "cli_m_email": ("EMAIL", "邮箱"),
        "cli_m_seconds": ("SECONDS", "秒数"),
        "cli_m_command": ("COMMAND", "命令"),
        "cli_m_table": ("TABLE", "数据表"),
        "cli_m_file": ("FILE", "文件"),
        "cli_m_csv": ("CSV", "CSV文件"),
        "cli_m_report": ("REPORT", "报表"),
        "cli_m_date": ("DATE", "日期"),
        "cli_m_chain": ("C", "系统"),
        "cli_m_region": ("R", "大区"),
        "cli_m_category": ("C", "品类"),
        "cli_m_dir": ("DIR", "目录"),
        "cli_m_url": ("URL", "地址"),
        "cli_m_load_id": ("LOAD_ID", "批次号"),
        "cli_m_user": ("USER", "姓名"),
        "cli_m_stores": ("STORES", "门店数"),
        "cli_m_weeks": ("WEEKS", "周数"),
        "cli_m_seed": ("SEED", "种子"),
        "cli_m_x": ("X", "数值"),
        "cli_m_n": ("N", "整数"),
        "cli_m_text": ("TEXT", "文本"),
        # argparse names a type by its function: these are the names in Chinese
        "cli_type_int": ("int", "整数"),
        "cli_type_float": ("float", "数字"),
        "cli_not_date": (
            "{value!r} is not a date; expected YYYY-MM-DD",
            "{value!r} 不是日期；应为 年-月-日（YYYY-MM-DD）",
        ),
        # usage errors of the commands
        "cli_demo_size": ("--stores must be ≥ 1 and --weeks ≥ 12", "--stores 应 ≥ 1，且 --weeks 应 ≥ 12"),
        "cli_lake_without_spark": (
            "--lake and --spark-master go with --engine spark",
            "--lake 和 --spark-master 只能与 --engine spark 一起使用",
        ),
        "cli_spark_needs_lake": (
            "--engine spark reads a lake: give --lake DIR (write one with `python -m ka_core lake DIR`)",
            "--engine spark 读取数据湖：请给出 --lake 目录（用 `python -m ka_core lake 目录` 写出）",
        ),
    }
)

# Settings refused (ka_core.settings): on the command line by flag, in the dashboard by label.
TEXT.update(
    {
        "setting_bad": ("{name} {value}: expected {what}", "{name}为 {value}：应为{what}"),
        "setting_bad_ui": (
            "{name}: {value} is not valid; expected {what}. The default, {default}, is used.",
            "{name}：{value} 无效，应为{what}。现按默认值 {default} 计算。",
        ),
        "setting_number": ("a number", "数字"),
        "setting_whole_number": ("a whole number", "整数"),
        "setting_text": ("text", "文本"),
    }
)
SEPARATOR = {"en": "; ", "zh": "；"}  # between the parts of one message


def joined(parts: list[str], lang: str) -> str:
    """Parts of one message in a row, with the language's separator."""
    return SEPARATOR["zh" if lang == "zh" else "en"].join(parts)


_ERRORS_ZH.append((r"(KA_\w+)=(.+): expected a number", "{0}={1}：应为数字"))
_ERRORS_ZH.append((r"(KA_\w+)=(.+): expected a whole number", "{0}={1}：应为整数"))
