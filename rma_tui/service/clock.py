"""Time as the desk keeps it: stored in UTC, days counted in the shop's local time, and
the range of calendar days it accepts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from rma_tui.datebounds import MAX_YEAR, MIN_YEAR
from rma_tui.errors import DomainError


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(dt: datetime) -> datetime:
    """`dt` as aware UTC (SQLite hands back naive datetimes; they were stored as UTC)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def local_day(dt: datetime) -> str:
    """The shop's local calendar day (YYYY-MM-DD) of an instant: days close in local time."""
    return as_utc(dt).astimezone().strftime("%Y-%m-%d")


# The calendar days the desk takes (a day more or less stays a valid date in every time
# zone): year 1 or 9999 is a typo, and would overflow the shifts into local time.
FIRST_DAY, LAST_DAY = date(MIN_YEAR, 1, 2), date(MAX_YEAR, 12, 30)


def check_day(day: date, field: str = "date") -> date:
    """`day` if the desk can use it (FIRST_DAY to LAST_DAY), else `date_out_of_range`."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DomainError("date_out_of_range", field=field, value=day.isoformat(),
                          first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat())
    return day


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a local calendar day starts and ends at (end exclusive)."""
    check_day(day)
    start = datetime(day.year, day.month, day.day).astimezone()
    end = (datetime(day.year, day.month, day.day) + timedelta(days=1)).astimezone()
    return start.astimezone(UTC), end.astimezone(UTC)
