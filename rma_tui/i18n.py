"""Chinese and English strings (TEMPORARY skeleton; full table follows)."""

from __future__ import annotations

import os
from typing import Any

LANGS = ("zh", "en")
_lang = "zh"

MESSAGES: dict[str, tuple[str, str]] = {}


class _Missing(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def set_lang(lang: str) -> None:
    global _lang
    _lang = lang if lang in LANGS else "zh"


def get_lang() -> str:
    return _lang


def resolve_lang(cli_value: str | None = None) -> str:
    if cli_value in LANGS:
        return cli_value  # type: ignore[return-value]
    env = os.environ.get("RMA_LANG")
    if env in LANGS:
        return env  # type: ignore[return-value]
    lang = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    if lang.startswith("en"):
        return "en"
    return "zh"


def t(key: str, lang: str | None = None, **params: Any) -> str:
    zh, en = MESSAGES.get(key, (key, key))
    text = zh if (lang or _lang) == "zh" else en
    return text.format_map(_Missing(params))
