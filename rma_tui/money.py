"""Money as people read it: integer fen shown as yuan, exactly (never float).

One place for the whole program: the CLI, the exports, the screens and the messages.
Reading what a person types is `rma_tui.money_input`'s (it refuses with a DomainError,
whose messages show amounts through this module: so this one imports nothing of ours).
"""

from __future__ import annotations


def fen_text(fen: int) -> str:
    """Yuan with two decimals from integer fen: 1250 -> "12.50", -5 -> "-0.05"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}.{cents:02d}"


def yuan(fen: int) -> str:
    """Money with the yuan sign: 1250 -> "¥12.50", -5 -> "-¥0.05"."""
    text = fen_text(fen)
    return f"-¥{text[1:]}" if text.startswith("-") else f"¥{text}"
