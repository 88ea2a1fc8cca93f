"""The slip entry form beside the picked lines: without a receipt the price, the customer's
phone and the channel; then the reason and its text, the type (with the replacement of an
exchange), the condition of the goods (packaging intact, invoice present) and a note.

The form does no database work and checks nothing the service checks: `slip()` gives
the slip as typed, in plain values (`SlipForm`). Enter in a text field moves on to the
next field; choosing a reason moves on to its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Select, Static

from rma_tui import i18n
from rma_tui.errors import DomainError
from rma_tui.money import yuan
from rma_tui.money_input import parse_yuan
from rma_tui.policy import current_policy
from rma_tui.widgets.replacement import ReplacementPicker, ReplChoice

if TYPE_CHECKING:
    from rma_tui.service import SlipView
    from rma_tui.widgets.sale_lines import SaleLinesTable

# The form's text fields, in the order they are emptied for a new slip.
TEXT_FIELDS = ("#entry-price", "#entry-phone", "#entry-reason-text", "#entry-repl",
               "#entry-note")


@dataclass(frozen=True)
class SlipForm:
    """Everything the service needs, in plain values (LineInputs are built in the worker)."""

    sale_order: str | None
    slip_type: str
    channel: str | None
    lines: list[dict[str, Any]]
    note: str
    customer_phone: str | None
    draft_number: str | None
    request_id: str
    # The shop the desk works in (app.shop); None: the user's own, else the sale's shop.
    shop: str | None = None


class ReasonForm(Vertical):
    """Why the goods come back, in what state, and what the slip does about it."""

    def compose(self) -> ComposeResult:
        with Vertical(id="no-receipt-box"):
            with Horizontal(classes="entry-row"):
                yield Static(id="lbl-price", classes="entry-label")
                yield Input(id="entry-price", compact=True)
            yield Static(id="err-price", classes="field-error")
            with Horizontal(classes="entry-row"):
                yield Static(id="lbl-phone", classes="entry-label")
                yield Input(id="entry-phone", compact=True)
            yield Static(id="err-phone", classes="field-error")
            with Horizontal(classes="entry-row"):
                yield Static(id="lbl-channel", classes="entry-label")
                yield Select(self._channel_options(), id="entry-channel",
                             value="store", allow_blank=False, compact=True)
        with Horizontal(classes="entry-row"):
            yield Static(id="lbl-reason", classes="entry-label")
            yield Select(self._reason_options(), id="entry-reason",
                         prompt=i18n.t("entry_reason_prompt"), compact=True)
        yield Static(id="err-reason", classes="field-error")
        with Horizontal(classes="entry-row"):
            yield Static(id="lbl-reason-text", classes="entry-label")
            yield Input(id="entry-reason-text", compact=True)
        yield Static(id="err-reason-text", classes="field-error")
        with Horizontal(classes="entry-row"):
            yield Static(id="lbl-type", classes="entry-label")
            yield Select(self._type_options(), id="entry-type", value="return",
                         allow_blank=False, compact=True)
        yield ReplacementPicker(id="repl-box")
        with Horizontal(id="row-flags"):
            yield Checkbox(id="entry-packaging", value=True)
            yield Checkbox(id="entry-invoice", value=True)
        with Horizontal(classes="entry-row"):
            yield Static(id="lbl-note", classes="entry-label")
            yield Input(id="entry-note", compact=True)
        yield Static(id="err-note", classes="field-error")
        yield Static(id="err-form", classes="field-error")

    @staticmethod
    def _reason_options() -> list[tuple[str, str]]:
        # The service's REASONS, in its order (LABELS lists them the same way), without
        # importing the service here.
        return [(i18n.label("reason", code), code) for code in i18n.LABELS["reason"]]

    @staticmethod
    def _type_options() -> list[tuple[str, str]]:
        return [(i18n.label("type", code), code) for code in ("return", "exchange")]

    @staticmethod
    def _channel_options() -> list[tuple[str, str]]:
        return [(i18n.label("channel", code), code) for code in current_policy().channel_codes()]

    def relabel(self) -> None:
        """Redraw every text in the current language, keeping what was chosen."""
        t = i18n.t
        labels = {"lbl-price": "entry_price", "lbl-channel": "entry_channel",
                  "lbl-phone": "entry_phone",
                  "lbl-reason": "entry_reason", "lbl-reason-text": "entry_reason_text",
                  "lbl-type": "entry_type", "lbl-note": "entry_note"}
        for wid, key in labels.items():
            self.query_one(f"#{wid}", Static).update(t(key))
        self.query_one("#entry-price", Input).placeholder = t("entry_price_placeholder")
        self.query_one("#entry-phone", Input).placeholder = t("entry_phone_placeholder")
        self.query_one("#entry-reason-text", Input).placeholder = t(
            "entry_reason_text_placeholder")
        self.query_one("#entry-note", Input).placeholder = t("entry_note_placeholder")
        self.query_one("#entry-packaging", Checkbox).label = t("entry_packaging")
        self.query_one("#entry-invoice", Checkbox).label = t("entry_invoice")
        for sel_id, options in (("#entry-reason", self._reason_options()),
                                ("#entry-type", self._type_options()),
                                ("#entry-channel", self._channel_options())):
            select: Select[str] = self.query_one(sel_id, Select)
            value = select.value
            if sel_id == "#entry-reason":
                select.prompt = t("entry_reason_prompt")
            with select.prevent(Select.Changed):
                select.set_options(options)
                if value is not Select.NULL:
                    # A select without a blank keeps its first option after set_options;
                    # setting that same value again would not redraw the shown label.
                    other = next((v for _, v in options if v != value), None)
                    if other is not None:
                        select.value = other
                    select.value = value
        self.query_one(ReplacementPicker).relabel()

    # -- what was typed ---------------------------------------------------------------------

    @property
    def slip_type(self) -> str:
        """"return" or "exchange"."""
        return str(self.query_one("#entry-type", Select).value)

    @property
    def channel(self) -> str:
        """The channel chosen (it counts only without a receipt)."""
        return str(self.query_one("#entry-channel", Select).value)

    @property
    def phone(self) -> str | None:
        """The customer's phone typed (without a receipt), None when left empty."""
        return self.query_one("#entry-phone", Input).value.strip() or None

    @property
    def note(self) -> str:
        """The note typed."""
        return self.query_one("#entry-note", Input).value

    @property
    def has_reason(self) -> bool:
        """Whether a reason has been chosen."""
        return self.query_one("#entry-reason", Select).value is not Select.NULL

    @property
    def price_typed(self) -> bool:
        """Whether anything is typed as the price (without a receipt)."""
        return bool(self.query_one("#entry-price", Input).value.strip())

    def price_or_none(self) -> int | None:
        """The price typed (without a receipt) in fen, None when it is not money (yet)."""
        try:
            return parse_yuan(self.query_one("#entry-price", Input).value, "unit_price")
        except DomainError:
            return None

    def slip(self, table: SaleLinesTable, no_receipt: bool, *, sale_order: str | None,
             draft_number: str | None, request_id: str, shop: str | None) -> SlipForm:
        """The slip as typed, with the lines picked in `table`. Raises DomainError when,
        without a receipt, the price is not money; everything else is checked by the
        service (which names the field)."""
        lines = self._slip_lines(table, no_receipt)
        return SlipForm(
            sale_order=sale_order,
            slip_type=self.slip_type,
            channel=self.channel if no_receipt else None,
            lines=lines,
            note=self.note,
            customer_phone=self.phone if no_receipt else None,
            draft_number=draft_number,
            request_id=request_id,
            shop=shop,
        )

    def _slip_lines(self, table: SaleLinesTable, no_receipt: bool) -> list[dict[str, Any]]:
        """The lines picked in `table` as the service takes them (`LineInput` fields), each
        with this form's reason, condition and replacement. Raises DomainError when,
        without a receipt, the price typed is not money."""
        reason_value = self.query_one("#entry-reason", Select).value
        reason = reason_value if isinstance(reason_value, str) else ""
        slip_type = self.slip_type
        repl = self.query_one(ReplacementPicker).chosen
        price: int | None = None
        if no_receipt and table.picks:
            price = parse_yuan(self.query_one("#entry-price", Input).value, "unit_price")
        lines = []
        for i in sorted(table.picks):
            row = table.lines[i]
            lines.append({
                "sku": row.sku, "qty": table.picks[i], "reason": reason,
                "reason_text": self.query_one("#entry-reason-text", Input).value,
                "replacement_sku": (repl.sku if repl else row.sku)
                if slip_type == "exchange" else None,
                "packaging_intact": self.query_one("#entry-packaging", Checkbox).value,
                "invoice_present": self.query_one("#entry-invoice", Checkbox).value,
                "unit_price_fen": price,
            })
        return lines

    # -- filling and emptying ---------------------------------------------------------------

    def reset(self) -> None:
        """Empty for the next customer: a return at the counter, no reason, goods and
        invoice present, no replacement."""
        picker = self.query_one(ReplacementPicker)
        picker.forget()
        for wid in TEXT_FIELDS:
            self.query_one(wid, Input).value = ""
        self.query_one("#entry-reason", Select).clear()
        self.query_one("#entry-type", Select).value = "return"
        self.query_one("#entry-channel", Select).value = "store"
        self.query_one("#entry-packaging", Checkbox).value = True
        self.query_one("#entry-invoice", Checkbox).value = True
        picker.hide_matches()
        picker.show_info()

    def fill(self, slip: SlipView, no_receipt: bool) -> None:
        """Show a resumed draft: its first line's reason, condition and replacement (every
        line of a slip shares them), its type and note, and without a receipt the price
        and channel."""
        if no_receipt:
            first_price = slip.lines[0].unit_price_fen if slip.lines else 0
            self.query_one("#entry-price", Input).value = yuan(first_price).lstrip("¥")
            self.query_one("#entry-channel", Select).value = slip.channel
        picker = self.query_one(ReplacementPicker)
        first = slip.lines[0] if slip.lines else None
        if first is not None:
            self.query_one("#entry-reason", Select).value = first.reason
            self.query_one("#entry-reason-text", Input).value = first.reason_text
            self.query_one("#entry-packaging", Checkbox).value = first.packaging_intact
            self.query_one("#entry-invoice", Checkbox).value = first.invoice_present
            if first.replacement_sku and first.replacement_sku != first.sku:
                picker.chosen = ReplChoice(first.replacement_sku, first.replacement_sku)
                self.query_one("#entry-repl", Input).value = first.replacement_sku
        self.query_one("#entry-type", Select).value = slip.type
        self.query_one("#entry-note", Input).value = slip.note
        picker.show_info()

    # -- moving on --------------------------------------------------------------------------

    @on(Select.Changed, "#entry-reason")
    def _reason_chosen(self, event: Select.Changed) -> None:
        if event.select.has_focus:
            self.query_one("#entry-reason-text", Input).focus()

    @on(Input.Submitted, "#entry-price, #entry-phone, #entry-reason-text, #entry-note")
    def _enter_moves_on(self) -> None:
        self.screen.focus_next()

    def on_replacement_picker_chosen(self) -> None:
        """After choosing the replacement, on to the condition of the goods."""
        self.query_one("#entry-packaging", Checkbox).focus()
