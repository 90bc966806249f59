"""The README documents every report, setting and command (a setting nobody can find is a bug)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ka_core import cli, reports
from ka_core.settings import SPECS, readme_table

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(reports.REPORTS))
def test_every_report_documented(name):
    assert f"`{name}`" in README


@pytest.mark.parametrize("name", list(SPECS))
def test_every_setting_documented(name):
    s = SPECS[name]
    assert f"`{name}`" in README and f"`{s.cli}`" in README


def test_readme_settings_table_is_the_spec():
    """The table under "### Settings" lists every setting with its flag and default exactly as SPECS says."""
    section = README.split("### Settings", 1)[1].split("\n#", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|"))
    assert table == readme_table(), (
        "regenerate it: python -c 'from ka_core.settings import readme_table; print(readme_table())'"
    )


@pytest.mark.parametrize("command", list(cli.COMMANDS))
def test_every_command_documented(command):
    assert f"python -m ka_core {command}" in README or f"`{command}" in README


def test_readme_starts_with_the_two_commands():
    head = README.split("## ", 1)[0]
    assert "make run" in head and "make test" in head
