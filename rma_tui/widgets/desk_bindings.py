"""Footer texts that follow the language chosen at run time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from textual.dom import DOMNode

from rma_tui import i18n


def translate_bindings(node: DOMNode, keys: Mapping[str, str]) -> None:
    """Rewrite the descriptions of `node`'s own bindings from i18n keys (action -> key).

    Binding descriptions are fixed when the class is made; the footer must show the
    language of the moment, so the node's binding map is rewritten in place (as the app
    does for its own bindings).
    """
    bindings_map = node._bindings
    for key, bindings in bindings_map.key_to_bindings.items():
        bindings_map.key_to_bindings[key] = [
            replace(b, description=i18n.t(keys[b.action])) if b.action in keys else b
            for b in bindings
        ]
    node.refresh_bindings()
