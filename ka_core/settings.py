"""Filters (what to look at) and Settings (how numbers are computed), each defined once."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, fields

from .errors import KaError


@dataclass(frozen=True)
class Filters:
    """The scope of a report. Empty tuples mean "all"."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    chains: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    def params(self) -> dict:
        """Bound parameters shared by every report query (see sql/scope.sql).

        The lists bind as list parameters; an empty list selects everything:
        `(cardinality($chains) = 0 OR array_contains($chains, chain))`.
        """
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "chains": list(self.chains),
            "regions": list(self.regions),
            "categories": list(self.categories),
        }

    def describe(self) -> str:
        """Human-readable text of the scope, for titles and exports."""
        parts = []
        if self.date_from or self.date_to:
            parts.append(f"{self.date_from or '…'} – {self.date_to or '…'}")
        for label, values in (
            ("chain", self.chains),
            ("region", self.regions),
            ("category", self.categories),
        ):
            if values:
                parts.append(f"{label}: {', '.join(values)}")
        return "; ".join(parts) or "all data"


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str
    zh: str
    cli: str


@dataclass(frozen=True)
class Settings:
    """Every setting that changes a number. Defaults from domain.md."""

    a_cut: float = 0.80
    b_cut: float = 0.95
    fsi_threshold: float = 100.0
    level: str = "region"
    baseline_weeks: int = 8
    post_weeks: int = 4
    # Loading limits (not numbers on screen, but settings all the same).
    max_file_mb: float = field(default_factory=lambda: float(os.environ.get("KA_MAX_FILE_MB", 500)))
    max_rows: int = field(default_factory=lambda: int(os.environ.get("KA_MAX_ROWS", 50_000_000)))

    def __post_init__(self) -> None:
        problems = []
        if not 0 < self.a_cut < 1:
            problems.append(f"--a-cut {self.a_cut}: expected a fraction between 0 and 1, e.g. 0.8")
        if not 0 < self.b_cut <= 1 or self.b_cut < self.a_cut:
            problems.append(
                f"--b-cut {self.b_cut}: expected a fraction between the A cut ({self.a_cut}) and 1"
            )
        if not self.fsi_threshold > 0:
            problems.append(f"--fsi-threshold {self.fsi_threshold}: expected a number > 0, e.g. 100")
        if self.level not in ("region", "national"):
            problems.append(f"--level {self.level}: expected region or national")
        if not 1 <= self.baseline_weeks <= 104:
            problems.append(f"--baseline-weeks {self.baseline_weeks}: expected 1 to 104 weeks")
        if not 0 <= self.post_weeks <= 52:
            problems.append(f"--post-weeks {self.post_weeks}: expected 0 to 52 weeks")
        if problems:
            raise KaError("; ".join(problems))

    def params(self) -> dict:
        return {
            "a_cut": self.a_cut,
            "b_cut": self.b_cut,
            "fsi_threshold": self.fsi_threshold,
            "national": self.level == "national",
            "baseline_weeks": self.baseline_weeks,
            "post_weeks": self.post_weeks,
        }


SETTINGS_HELP: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("a_cut", 0.80, "Class A: stores (or chains) before this cumulative share.", "A类累计占比", "--a-cut"),
        Setting("b_cut", 0.95, "Class B: before this cumulative share; the rest are C.", "B类累计占比", "--b-cut"),
        Setting(
            "fsi_threshold",
            100.0,
            "Fair-share index below which a store is below fair share (Attack/Monitor).",
            "公平份额指数阈值",
            "--fsi-threshold",
        ),
        Setting(
            "level",
            "region",
            "Market share per region, or national.",
            "市场份额层级",
            "--level",
        ),
        Setting(
            "baseline_weeks",
            8,
            "Weeks before a promotion whose mean units are its baseline.",
            "基线周数",
            "--baseline-weeks",
        ),
        Setting(
            "post_weeks",
            4,
            "Weeks after a promotion checked for a post-promotion dip.",
            "促销后周数",
            "--post-weeks",
        ),
        Setting("max_file_mb", 500.0, "Largest file accepted for loading (MB); env KA_MAX_FILE_MB.", "文件大小上限", "--max-file-mb"),
        Setting("max_rows", 50_000_000, "Most rows accepted in one file; env KA_MAX_ROWS.", "行数上限", "--max-rows"),
    )
}

assert set(SETTINGS_HELP) == {f.name for f in fields(Settings)}, "every setting needs its help"
