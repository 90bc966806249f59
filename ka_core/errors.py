"""Errors a user sees as a clear message, never a traceback.

A KaError carries its message and, where it concerns a place in a file, the
structured parts (code, file, row, column, value, expected): callers branch on
`code`, never on the wording of the message.
"""

from __future__ import annotations

# Codes a caller may branch on.
HEADERS = "headers"  # the file's headers do not give the table's required columns (a mapping can fix it)
NOT_RECOGNISED = "not_recognised"  # no table's required columns found in the headers
FILE = "file"  # the file itself: empty, too big, damaged, not a format we read
INPUT = "input"  # anything else the user can fix


class KaError(Exception):
    """A problem the user can act on; the message says what and how."""

    def __init__(
        self,
        message: str,
        *,
        code: str = INPUT,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
        expected: str | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.file = file
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected


class UsageError(KaError):
    """Wrong words on the command line (exit status 2)."""
