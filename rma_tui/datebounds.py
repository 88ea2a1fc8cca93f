"""The years the desk can work with: a datetime outside them cannot be shifted into local
time and back (year 1 or 9999 overflows), and is a typo anyway. Shared by the service (the
days it accepts) and the store (the cells `verify` calls damaged)."""

from __future__ import annotations

MIN_YEAR, MAX_YEAR = 1900, 9998
