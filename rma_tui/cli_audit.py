"""`rma` commands for the audit area (registered on `rma_tui.cli.app` when imported)."""

from __future__ import annotations
