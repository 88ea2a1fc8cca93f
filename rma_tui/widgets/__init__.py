"""Reusable widgets."""

from rma_tui.widgets.status_counts import StatusCounts

__all__ = ["StatusCounts"]
