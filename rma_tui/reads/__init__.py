"""The reads and the analysis: what the screens, the CLI and the exports show an owner.

    reports        returns by product, reason, channel, customer, supplier, shop and period;
                   problem products; the trend and its forecast
    forecast       the forecast methods and their back-test
    compliance     how each slip met the policy's service targets
    report_tables  the reports as exportable tables (CSV / XLSX / JSON)
    finance, stock, customers, audit   the reads of those screens and commands

Only reads: read-only SQL over the store, using the service's public vocabulary and views;
every change goes through `rma_tui.service`.
"""
