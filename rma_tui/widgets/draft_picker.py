"""A modal list of saved drafts; Enter resumes one (dismisses its number), Esc goes back."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from rma_tui import i18n

if TYPE_CHECKING:
    from rma_tui.service import SlipSummary


class DraftPicker(ModalScreen[str | None]):
    """Choose one of the given drafts."""

    DEFAULT_CSS = """
    DraftPicker {
        align: center middle;
    }
    DraftPicker > Vertical {
        width: 90%;
        max-width: 90;
        height: auto;
        max-height: 80%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    DraftPicker OptionList {
        height: auto;
        max-height: 16;
        border: none;
    }
    DraftPicker .empty {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "back", show=False)]

    def __init__(self, drafts: list[SlipSummary]) -> None:
        super().__init__()
        self.drafts = drafts

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(i18n.t("entry_drafts_title"))
            if not self.drafts:
                yield Static(i18n.t("entry_no_drafts"), classes="empty")
            yield OptionList(*[
                Option(i18n.t("entry_draft_option", number=d.number, type=d.type,
                              customer=d.customer or i18n.t("entry_walk_in"),
                              created_at=d.created_at.astimezone().strftime("%m-%d %H:%M")),
                       id=d.number)
                for d in self.drafts
            ])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Resume the chosen draft."""
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Back without choosing."""
        self.dismiss(None)
