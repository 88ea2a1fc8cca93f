"""`rma` commands for the finance area (registered on `rma_tui.cli.app` when imported)."""

from __future__ import annotations
