"""Money as people type it: "12.5", "¥12.50", "12元" read as integer fen, exactly (never
float), or refused naming the field. Used by the CLI, the CSV import and the screens."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from rma_tui.errors import DomainError

# A yuan sign in front, or 元 after, and spaces are allowed; thousands separators are not
# (in a CSV file "1,000" is ambiguous).
_DECORATION = re.compile(r"^\s*[¥￥]?|元?\s*$")
# Amounts of 10**15 yuan and more are typos (the service refuses far less: MAX_FEN), and
# refusing them here keeps the exact conversion below small.
_MAX_YUAN_DIGITS = 15


def parse_yuan(text: str | None, field: str) -> int:
    """What a person typed ("12.5", "¥12.50", "12元") as integer fen; a DomainError naming
    `field` for anything that is not a non-negative amount with at most two decimals."""
    raw = _DECORATION.sub("", text or "")
    if not raw:
        raise DomainError("required", field=field)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise DomainError("import_bad_money", field=field, value=text) from None
    if not value.is_finite():
        raise DomainError("import_bad_money", field=field, value=text)
    if value < 0:
        raise DomainError("money_negative", field=field, value=text)
    if value.is_zero():  # also "0e999999": zero whatever its exponent
        return 0
    if value.adjusted() >= _MAX_YUAN_DIGITS:
        # "1e999999999" would overflow the Decimal context, "1e5000" the int conversion.
        raise DomainError("too_large", field=field, value=text)
    # Exactly, from the digits: `value * 100` rounds to the context's 28 digits, which
    # would quietly take "1.0000000000000000000000000001" as 1.00.
    _sign, digits, exp = value.as_tuple()
    assert isinstance(exp, int)  # finite, checked above
    if exp < -2:
        finer = -2 - exp  # digits finer than a fen: all must be zero
        if any(digits[-finer:]):
            raise DomainError("import_money_precision", field=field, value=text)
        digits, exp = digits[:-finer], -2
    return int("".join(map(str, digits)) or "0") * 10 ** (exp + 2)
