"""Domain errors: each carries an i18n message key, the field it is about and parameters."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refused request. `key` names a message in `rma_tui.i18n`; `field` names the input."""

    def __init__(self, key: str, field: str | None = None, **params: Any) -> None:
        self.key = key
        self.field = field
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str | None = None) -> str:
        """The message in `lang` (default: the current language), naming the field."""
        from rma_tui.i18n import t

        return t(self.key, lang=lang, field=self.field or "", **self.params)

    def as_dict(self) -> dict[str, Any]:
        """A plain form for JSON output."""
        return {"error": self.key, "field": self.field, "params": self.params,
                "message_zh": self.message("zh"), "message_en": self.message("en")}
