"""`python -m rma_tui`: the same as the `rma` command."""

from rma_tui.cli import main

if __name__ == "__main__":
    main()
