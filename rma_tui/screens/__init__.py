"""One module per screen; what they share with the widgets is in `rma_tui.widgets.common`."""
