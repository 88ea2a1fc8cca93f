"""`rma` commands for the customers area (registered on `rma_tui.cli.app` when imported)."""

from __future__ import annotations
