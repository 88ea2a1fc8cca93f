"""Footer texts that follow the language chosen at run time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from textual.binding import Binding
from textual.dom import DOMNode

from rma_tui import i18n


def translate_bindings(
    node: DOMNode,
    keys: Mapping[str, str],
    group_of: Callable[[Binding], Binding.Group | None] | None = None,
) -> None:
    """Rewrite the descriptions of `node`'s own bindings from i18n keys (action -> key),
    and optionally their footer group.

    Binding descriptions are fixed when the class is made; the footer must show the
    language of the moment, so the node's binding map is rewritten in place.
    """
    bindings_map = node._bindings
    for key, bindings in bindings_map.key_to_bindings.items():
        bindings_map.key_to_bindings[key] = [
            replace(b, description=i18n.t(keys[b.action]),
                    group=group_of(b) if group_of else b.group)
            if b.action in keys else b
            for b in bindings
        ]
    node.refresh_bindings()
