"""The platforms a file can be read as: each column map's name with its display name, as
the choices of a drop-down (importing requests, reconciling refunds)."""

from __future__ import annotations

from rma_tui import i18n
from rma_tui.errors import DomainError


def platform_choices() -> tuple[tuple[str, str], ...]:
    """(map name, "显示名 (name)") for every column map, sorted by name. A map that cannot
    be read is still offered by its name: reading a file with it then says what is wrong.
    Raises the DomainError of a mistyped RMA_PLATFORM_MAPS folder."""
    from rma_tui.platform_files import load_map, map_names

    choices = []
    for name in map_names():
        try:
            pmap = load_map(name)
        except DomainError:
            choices.append((name, name))
            continue
        shown = pmap.name_zh if i18n.get_lang() == "zh" else pmap.name_en
        choices.append((name, f"{shown} ({name})"))
    return tuple(choices)
