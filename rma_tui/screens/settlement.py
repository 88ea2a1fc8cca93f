"""The settlement screen: inspected slips -> refund method, amount, confirm, then feedback.

For the highlighted slip it shows what money moves (a return: goods value, restocking
fee, refund; an exchange: returned value, replacement value and who pays whom) and, for
an exchange, the replacement's sellable stock. A refund to the customer's account that is
more than they owe splits: the debt comes off, the rest goes the way picked with `o` (other).
Settling asks first (a modal with the
amount and the method); the service decides, and a refused settlement (short stock, a
method that needs a customer, ...) is shown next to what it names with nothing changed.
After a settlement the customer's feedback is asked (a skippable modal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, Label, RadioButton, RadioSet, Static
from textual.worker import get_current_worker

from rma_tui import i18n
from rma_tui.errors import DomainError
from rma_tui.money import yuan
from rma_tui.screens.base import DeskScreen
from rma_tui.screens.dialogs import ConfirmDialog
from rma_tui.widgets.common import Problem, problem_from
from rma_tui.widgets.desk_bindings import translate_bindings
from rma_tui.widgets.feedback_dialog import FeedbackDialog
from rma_tui.widgets.message_line import MessageLine
from rma_tui.widgets.settle_amount import (
    SettleInfo,
    amount_table,
    difference_text,
    rest_choices,
    rest_text,
    split,
    stock_table,
)
from rma_tui.widgets.slip_brief import slip_brief
from rma_tui.widgets.slip_queue import Column, SlipQueue

if TYPE_CHECKING:
    from rma_tui.service import Database, SlipSummary, SlipView

# Slips read per page; a further page is read when the cursor reaches the last row.
PAGE = 50
# The refund methods, in the service's order (service.REFUND_METHODS; not imported at
# module level so that opening the app does not import the service).
METHODS = ("original", "cash", "credit", "receivable", "platform")


def _amount(s: SlipSummary) -> str:
    """The list's money column: a return's refund, an exchange's signed difference."""
    return yuan(s.refund_fen) if s.type == "return" else yuan(s.difference_fen)


COLUMNS: list[Column] = [
    ("col_number", lambda s: s.number),
    ("col_type", lambda s: i18n.label("type", s.type)),
    ("col_customer", lambda s: s.customer or i18n.t("none")),
    ("col_total", _amount),
]


class SettlementScreen(DeskScreen):
    """Settle inspected slips: refund or exchange, posted to the books, then feedback."""

    DEFAULT_CSS = """
    SettlementScreen #settle-body {
        layout: horizontal;
        height: 1fr;
    }
    SettlementScreen #settle-queue {
        width: 50;
        height: 1fr;
    }
    SettlementScreen #settle-detail {
        width: 1fr;
        height: 1fr;
        padding: 0 1;
    }
    SettlementScreen #settle-brief, SettlementScreen #settle-amount,
    SettlementScreen #settle-stock {
        height: auto;
        margin-bottom: 1;
    }
    SettlementScreen .field-error {
        display: none;
        color: $error;
        height: auto;
    }
    SettlementScreen .field-error.-shown {
        display: block;
    }
    SettlementScreen #settle-method-label {
        text-style: bold;
    }
    SettlementScreen #settle-method {
        width: auto;
        height: auto;
        border: round $panel-lighten-2;
    }
    SettlementScreen #settle-method:focus {
        border: round $accent;
    }
    SettlementScreen #settle-rest {
        height: auto;
        color: $warning;
    }
    SettlementScreen #settle-hint {
        color: $text-muted;
        height: auto;
    }
    SettlementScreen #settle-message {
        padding: 0 1;
        display: none;
    }
    SettlementScreen #settle-message.-ok, SettlementScreen #settle-message.-error {
        display: block;
    }
    /* 80x24: the list above, the detail below, the whole column scrolls. */
    SettlementScreen.-narrow #settle-body {
        layout: vertical;
        overflow-y: auto;
    }
    SettlementScreen.-narrow #settle-queue {
        width: 1fr;
        height: 7;
    }
    SettlementScreen.-narrow #settle-detail {
        height: auto;
        overflow-y: hidden;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "settle", "settle", priority=True),
        Binding("m", "next_method", "method"),
        Binding("o", "next_rest", "rest"),
    ]
    BINDING_KEYS: ClassVar[dict[str, str]] = {
        "settle": "settle_key_settle",
        "next_method": "settle_key_method",
        "next_rest": "settle_key_rest",
    }

    class PageLoaded(Message):
        """The worker read a page of inspected slips (`offset` 0 replaces the list)."""

        def __init__(self, offset: int, rows: list[SlipSummary], more: bool) -> None:
            self.offset = offset
            self.rows = rows
            self.more = more
            super().__init__()

    class InfoLoaded(Message):
        """The worker read the highlighted slip and its stock and credit."""

        def __init__(self, info: SettleInfo) -> None:
            self.info = info
            super().__init__()

    class Settled(Message):
        """A settlement went through."""

        def __init__(self, view: SlipView) -> None:
            self.view = view
            super().__init__()

    class FeedbackSaved(Message):
        """The customer's feedback was saved."""

        def __init__(self, number: str) -> None:
            self.number = number
            super().__init__()

    class Failed(Message):
        """A read or write was refused or failed."""

        def __init__(self, error: DomainError | None, problem: Problem | None) -> None:
            self.error = error
            self.problem = problem
            super().__init__()

    def __init__(self) -> None:
        super().__init__(id="settlement")
        self.info: SettleInfo | None = None
        self._method = "original"
        self.rest = "cash"  # how the part of a refund beyond the customer's debt is paid

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="settle-body"):
            yield SlipQueue("inspected", "settle_list", "settle_empty", COLUMNS,
                            id="settle-queue")
            with VerticalScroll(id="settle-detail", classes="desk-pane"):
                yield Static(id="settle-brief")
                yield Static(id="settle-amount")
                yield Static(id="settle-stock")
                yield Static(id="settle-stock-error", classes="field-error")
                yield Label(id="settle-method-label")
                with RadioSet(id="settle-method"):
                    for method in METHODS:
                        button = RadioButton(id=f"method-{method}", value=method == "original")
                        button.display = method != "platform"  # shown for a platform's slip
                        yield button
                yield Static(id="settle-method-error", classes="field-error")
                yield Static(id="settle-rest")
                yield Static(id="settle-hint")
        yield MessageLine(id="settle-message")
        yield Footer()

    def on_mount(self) -> None:
        self.relabel()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    # -- helpers --------------------------------------------------------------------------

    @property
    def queue(self) -> SlipQueue:
        """The list of inspected slips."""
        return self.query_one(SlipQueue)

    @property
    def method(self) -> str:
        """The refund method picked."""
        return self._method

    def _pick_method(self, method: str) -> None:
        # Kept here as well as in the radio set: the set learns of a change only when its
        # message is handled, and a second key press may come first.
        self._method = method
        self.query_one(f"#method-{method}", RadioButton).value = True
        self._render_info()

    def _say(self, kind: str, key: str, **params: object) -> None:
        """Show a message line: kind ok or error."""
        self.query_one(MessageLine).say(kind, key, **params)

    def _say_error(self, error: DomainError | Problem) -> None:
        self.query_one(MessageLine).say_error(error)

    def _field_error(self, which: str, text: str) -> None:
        """Show (or with "" clear) the error under the stock (`stock`) or the method."""
        label = self.query_one(f"#settle-{which}-error", Static)
        label.update(text)
        label.set_class(bool(text), "-shown")
        if text:
            label.scroll_visible()

    def _clear_errors(self) -> None:
        self._field_error("stock", "")
        self._field_error("method", "")

    # -- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the list again (as many rows as are shown) and the highlighted slip."""
        app = self.rma
        if not self.is_mounted:  # on_mount reads once the widgets exist
            return
        if app.problem is not None:
            self._say_error(app.problem)
            return
        if app.database is not None:
            self._load_page(app.database, 0, max(PAGE, len(self.queue.rows)), app.shop)

    @work(thread=True, group="settle-page")
    def _load_page(self, database: Database, offset: int, limit: int,
                   shop: str | None = None) -> None:
        worker = get_current_worker()
        try:
            from rma_tui import service

            # One row more than shown says whether another page exists.
            rows = service.list_slips(database, status="inspected", limit=limit + 1,
                                      offset=offset, oldest_first=True, shop=shop)
        except Exception as exc:  # shown on screen; the next refresh tries again
            if not worker.is_cancelled:
                self.post_message(self.Failed(None, problem_from(exc, self.rma.db_location)))
            return
        if not worker.is_cancelled:
            self.post_message(self.PageLoaded(offset, rows[:limit], len(rows) > limit))

    def on_settlement_screen_page_loaded(self, message: PageLoaded) -> None:
        """Show the list; on a refresh, read the highlighted slip again too."""
        queue = self.queue
        first = not queue.loaded
        rows = (message.rows if message.offset == 0
                else [*queue.rows[:message.offset], *message.rows])
        queue.show(rows, message.more)
        if first:
            queue.focus_table()
            self._load_info()
        elif message.offset == 0 and self.info is not None \
                and queue.number == self.info.view.number:
            self._load_info()  # stock may have moved at another terminal

    def on_slip_queue_need_more(self, message: SlipQueue.NeedMore) -> None:
        """Read the next page."""
        database = self.rma.database
        if database is not None:
            self._load_page(database, len(self.queue.rows), PAGE, self.rma.shop)

    def on_slip_queue_highlighted(self, message: SlipQueue.Highlighted) -> None:
        """Show the slip under the cursor."""
        self._load_info()

    def _load_info(self) -> None:
        number = self.queue.number
        database = self.rma.database
        if number is None:
            self.info = None
            self._render_info()
        elif database is not None:
            self._read_info(database, number)

    @work(thread=True, exclusive=True, group="settle-info")
    def _read_info(self, database: Database, number: str) -> None:
        worker = get_current_worker()
        try:
            from rma_tui import service

            view = service.get_slip(database, number)
            # The slip view carries the replacements' stock and names and the customer's
            # store credit as they are now.
            sellable = {ln.replacement_sku: ln.replacement_sellable or 0
                        for ln in view.lines if ln.replacement_sku}
            names = {ln.replacement_sku: ln.replacement_name or ""
                     for ln in view.lines if ln.replacement_sku}
            credit = view.customer_credit_fen
            platform_channel = service.is_platform(view.channel)
            owed = (service.customer_owed(database, view.customer_phone, view.shop)
                    if view.customer_phone else None)
        except Exception as exc:
            if not worker.is_cancelled:
                self.post_message(self.Failed(None, problem_from(exc, self.rma.db_location)))
            return
        if not worker.is_cancelled:
            self.post_message(self.InfoLoaded(SettleInfo(view, sellable, names, credit,
                                                         platform_channel, owed)))

    def on_settlement_screen_info_loaded(self, message: InfoLoaded) -> None:
        """Show the slip read by the worker (another slip: back to the default method)."""
        if message.info.view.number != self.queue.number:
            return  # the cursor moved on meanwhile
        if self.info is None or self.info.view.number != message.info.view.number:
            # A platform's request is refunded by the platform, never at the till.
            view = message.info.view
            self._pick_method("platform" if view.platform_ref or view.platform_refund_fen
                              else "original")
            self._clear_errors()
            self.rest = "cash"
        self.info = message.info
        self.query_one("#method-platform").display = message.info.platform_channel
        self._render_info()

    # -- drawing --------------------------------------------------------------------------

    def _render_info(self) -> None:
        info = self.info
        detail = self.query_one("#settle-detail", VerticalScroll)
        for widget_id in ("#settle-method-label", "#settle-method", "#settle-hint"):
            self.query_one(widget_id).display = info is not None
        brief = self.query_one("#settle-brief", Static)
        amount = self.query_one("#settle-amount", Static)
        stock = self.query_one("#settle-stock", Static)
        rest = self.query_one("#settle-rest", Static)
        rest.update(rest_text(info, self.method, self.rest) if info else "")
        rest.display = bool(info and split(info, self.method))
        self.refresh_bindings()
        if info is None:
            detail.border_title = i18n.t("settle_title")
            brief.update(i18n.t("insp_pick") if self.queue.rows else "")
            amount.update("")
            stock.update("")
            stock.display = False
            return
        view = info.view
        detail.border_title = view.number
        brief.update(slip_brief(view, self.rma.role))
        amount.update(amount_table(info, self.method))
        exchange = view.type == "exchange"
        stock.display = exchange
        if exchange:
            stock.update(stock_table(info))

    # -- settling -------------------------------------------------------------------------

    def on_slip_queue_selected(self, message: SlipQueue.Selected) -> None:
        """Enter on a slip: settle it (after the confirmation)."""
        self.action_settle()

    def action_next_method(self) -> None:
        """Pick the next refund method."""
        offered = [m for m in METHODS if m != "platform"
                   or (self.info is not None and self.info.platform_channel)]
        current = offered.index(self.method) if self.method in offered else -1
        self._pick_method(offered[(current + 1) % len(offered)])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The rest key shows only while the highlighted refund splits."""
        if action == "next_rest":
            return self.info is not None and split(self.info, self.method) is not None
        return True

    def action_next_rest(self) -> None:
        """Pick the next way for the part of a refund beyond the customer's debt (only
        when the refund splits)."""
        info = self.info
        if info is None or split(info, self.method) is None:
            return
        choices = rest_choices(info.view)
        current = choices.index(self.rest) if self.rest in choices else -1
        self.rest = choices[(current + 1) % len(choices)]
        self._field_error("method", "")
        self._render_info()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        """A method picked in the radio set (arrows, Enter, mouse); an error about the old
        one no longer applies."""
        if event.pressed.id is not None and event.pressed.value:
            self._method = event.pressed.id.removeprefix("method-")
        self._field_error("method", "")
        self._render_info()

    def action_settle(self) -> None:
        """Ask, then settle the highlighted slip with the method picked."""
        info = self.info
        database = self.rma.database
        if info is None or database is None or info.view.number != self.queue.number:
            return
        from rma_tui import service

        user = self.rma.user
        # The service refuses too; asking first spares a pointless confirmation.
        refused = (service.role_refusal(user.name, user.role, service.SETTLE_ROLES)
                   if user is not None else None)
        if refused is not None:
            self._say_error(refused)
            return
        view, method = info.view, self.method
        parts = split(info, method)
        rest = self.rest if parts is not None else None
        if parts is not None:
            body = i18n.t("settle_confirm_split", slip=view.number, refund_fen=view.refund_fen,
                          part_fen=parts[0], rest_fen=parts[1], rest=rest)
        elif view.type == "return":
            body = i18n.t("settle_confirm_return", slip=view.number, refund_fen=view.refund_fen,
                          method=method)
        else:
            body = i18n.t("settle_confirm_exchange", slip=view.number,
                          qty=sum(ln.replacement_qty for ln in view.lines),
                          difference=difference_text(view.difference_fen), method=method)

        def answered(yes: bool | None) -> None:
            if yes:
                self._settle(database, view.number, method, rest)
            else:
                self._say("ok", "cb_cancelled")

        self.app.push_screen(ConfirmDialog(i18n.t("settle_confirm_title"), body), answered)

    @work(thread=True, exclusive=True, group="settle-write")
    def _settle(self, database: Database, number: str, method: str,
                rest: str | None) -> None:
        actor = self.rma.user.name if self.rma.user else ""
        try:
            from rma_tui import service

            view = service.settle_slip(database, actor, number, method, rest_method=rest)
        except DomainError as exc:
            self.post_message(self.Failed(exc, None))
            return
        except Exception as exc:
            self.post_message(self.Failed(None, problem_from(exc, self.rma.db_location)))
            return
        self.post_message(self.Settled(view))

    def on_settlement_screen_settled(self, message: Settled) -> None:
        """Say what was paid, refresh the list, and ask the customer's feedback."""
        view = message.view
        self._clear_errors()
        method = view.refund_method or ""
        if view.rest_fen:
            self._say("ok", "settle_done_split", slip=view.number, refund_fen=view.refund_fen,
                      rest_fen=view.rest_fen, rest=view.rest_method or "")
        elif view.type == "return":
            self._say("ok", "settle_done_return", slip=view.number, refund_fen=view.refund_fen,
                      method=method)
        else:
            self._say("ok", "settle_done_exchange", slip=view.number,
                      difference=difference_text(view.difference_fen), method=method)
        self.reload()
        database = self.rma.database

        def answered(feedback: tuple[int, str] | None) -> None:
            if feedback is None:
                self._say("ok", "fb_skipped")
            elif database is not None:
                self._feedback(database, view.number, *feedback)

        self.app.push_screen(FeedbackDialog(view.number), answered)

    @work(thread=True, exclusive=True, group="settle-write")
    def _feedback(self, database: Database, number: str, score: int, comment: str) -> None:
        actor = self.rma.user.name if self.rma.user else ""
        try:
            from rma_tui import service

            service.add_feedback(database, actor, number, score, comment)
        except DomainError as exc:
            self.post_message(self.Failed(exc, None))
            return
        except Exception as exc:
            self.post_message(self.Failed(None, problem_from(exc, self.rma.db_location)))
            return
        self.post_message(self.FeedbackSaved(number))

    def on_settlement_screen_feedback_saved(self, message: FeedbackSaved) -> None:
        """Confirm the feedback was kept."""
        self._say("ok", "feedback_saved", slip=message.number)

    def on_settlement_screen_failed(self, message: Failed) -> None:
        """Show why: under the stock or the method when the error names them."""
        error = message.error
        if error is None:
            if message.problem is not None:
                self._say_error(message.problem)
            return
        if error.key == "stock_short" or error.field == "qty":
            self._field_error("stock", error.message())
        elif error.field in ("method", "rest"):
            self._field_error("method", error.message())
        self._say_error(error)

    # -- language -------------------------------------------------------------------------

    def relabel(self) -> None:
        """Redraw every text in the current language."""
        translate_bindings(self, self.BINDING_KEYS)
        if not self.is_mounted:
            return
        self.queue.relabel()
        self.query_one("#settle-method-label", Label).update(i18n.t("col_method"))
        for method in METHODS:
            self.query_one(f"#method-{method}", RadioButton).label = i18n.label("method", method)
        self.query_one("#settle-hint", Static).update(i18n.t("settle_hint"))
        self.query_one(MessageLine).relabel()
        self._render_info()
