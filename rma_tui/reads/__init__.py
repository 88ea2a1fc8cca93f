"""Read models and queries for the stock, customers, finance and audit screens and CLI.

Only reads: every change goes through `rma_tui.service`, which owns these modules.
"""
