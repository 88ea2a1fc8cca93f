"""Money as people type and read it: yuan text <-> integer fen, exactly (never float)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from rma_tui.errors import DomainError

_CURRENCY = re.compile(r"[¥￥元,，\s]")


def yuan(fen: int) -> str:
    """Integer fen as ¥12.34 (a minus sign in front of negative amounts)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole}.{cents:02d}"


def parse_yuan(text: str, field: str) -> int:
    """What a clerk typed ("18.5", "¥18.50", "18元") as fen; a DomainError naming `field`
    for anything that is not a non-negative amount with at most two decimals."""
    raw = _CURRENCY.sub("", text or "")
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
    fen = value * 100
    if fen != fen.to_integral_value():
        raise DomainError("import_money_precision", field=field, value=text)
    return int(fen)
