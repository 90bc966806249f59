"""Errors a user sees as a clear message, never a traceback."""

from __future__ import annotations


class KaError(Exception):
    """A problem the user can act on; the message says what and how."""


class UsageError(KaError):
    """Wrong words on the command line (exit status 2)."""
