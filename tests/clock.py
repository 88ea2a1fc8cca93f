"""Dates for command lines that the desk compares with the real clock.

A literal date a rule compares with today (a follow-up's due date, a window) is a time bomb:
it turns from future to past on its day and the test then fails for a reason it is not
about. Compute such dates here, from today's local date (the shop's "today").
"""

from __future__ import annotations

from datetime import date, timedelta


def day_from_today(days: int) -> str:
    """The local date `days` after today (before, when negative), as YYYY-MM-DD."""
    return (date.today() + timedelta(days=days)).isoformat()
