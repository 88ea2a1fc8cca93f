"""A read-only view of one slip (opened from the command palette): header, lines, amounts,
policy verdict and history. Escape (or q) closes it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import get_current_worker

from rma_tui import i18n
from rma_tui.money import fen_text as money
from rma_tui.render import (
    local_time,
    pairs,
    slip_events_table,
    slip_money_rows,
    slip_verdict_table,
    table,
)
from rma_tui.widgets.common import Problem, phone_text, problem_from

if TYPE_CHECKING:
    from rma_tui.service import Database, SlipView


class SlipDetailScreen(ModalScreen[None]):
    """Shows `service.get_slip(number)`; changes nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "close"),
    ]

    class Loaded(Message):
        """The worker read the slip (or why it could not)."""

        def __init__(self, slip: SlipView | None, problem: Problem | None) -> None:
            self.slip = slip
            self.problem = problem
            super().__init__()

    def __init__(self, database: Database, number: str) -> None:
        super().__init__(classes="dialog", id="slip-detail")
        self.database = database
        self.number = number

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box", id="slip-detail-box") as box:
            box.border_title = self.number
            box.border_subtitle = i18n.t("slip_detail_close")
            with VerticalScroll(id="slip-detail-body"):
                yield Static(i18n.t("app_loading"), id="slip-detail-content")

    def on_mount(self) -> None:
        self.query_one("#slip-detail-body").focus()
        self._load()

    @work(thread=True, exclusive=True, group="slip-detail")
    def _load(self) -> None:
        worker = get_current_worker()
        try:
            from rma_tui import service

            message = self.Loaded(service.get_slip(self.database, self.number), None)
        except Exception as exc:  # shown in the dialog
            message = self.Loaded(None, problem_from(exc, self.database.url))
        if not worker.is_cancelled:
            self.post_message(message)

    def on_slip_detail_screen_loaded(self, message: Loaded) -> None:
        """Draw the slip, or say why it cannot be shown."""
        content = self.query_one("#slip-detail-content", Static)
        if message.slip is not None:
            content.update(slip_renderable(message.slip, getattr(self.app, "role", None)))
        elif message.problem is not None:
            content.update(Text(message.problem.text()))

    def action_close(self) -> None:
        """Close the view."""
        self.dismiss(None)


def slip_renderable(v: SlipView, role: str | None = None) -> RenderableType:
    """A slip as a person reads it, in the current language (as `rma slip show` prints it),
    the customer's phone as user `role` may see it."""
    t, label = i18n.t, i18n.label
    head = [
        (t("col_type"), label("type", v.type)),
        (t("col_status"), label("status", v.status)),
        (t("col_channel"), label("channel", v.channel)),
        (t("col_customer"), (v.customer or t("none"))
         + (f" {shown}" if (shown := phone_text(role, v.customer_phone)) else "")),
        (t("col_sale"), v.sale or t("none")),
        (t("col_created_by"), f"{v.created_by}  {local_time(v.created_at)}"),
    ]
    if v.note:
        head.append((t("col_note"), v.note))
    parts: list[RenderableType] = [pairs(head + slip_money_rows(v))]
    parts.append(_Lines(v))
    verdict = slip_verdict_table(v)
    if verdict is not None:
        parts.append(verdict)
    if v.override_by:
        parts.append(Text(t("cli_override", user=v.override_by, reason=v.override_reason or "")))
    parts.append(slip_events_table(v))
    if v.feedback:
        parts.append(Text(f"{t('col_feedback')}: {v.feedback[0]}/5 {v.feedback[1]}"))
    return Group(*parts)


class _Lines:
    """The slip's lines: one table when there is room, else one small block per line (an
    eight-column table in 80 columns would cut every name and reason)."""

    WIDE = 96

    def __init__(self, v: SlipView) -> None:
        self.v = v

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        t, label = i18n.t, i18n.label
        rows = []
        for ln in self.v.lines:
            repl = f"{ln.replacement_sku} x{ln.replacement_qty}" if ln.replacement_sku else ""
            grade = "/".join(str(g) for g in ln.grade) if ln.grade else ""
            reason = label("reason", ln.reason) + (f" {ln.reason_text}" if ln.reason_text else "")
            rows.append((ln.sku, ln.name, ln.qty, money(ln.unit_price_fen), reason, repl,
                         money(ln.refund_fen), grade))
        headers = [t("col_sku"), t("col_name"), t("col_qty"), t("col_unit_price"),
                   t("col_reason"), t("col_replacement_sku"), t("col_refund"), t("col_grade")]
        if options.max_width >= self.WIDE:
            yield table(headers, rows, title=t("lines_heading"), right=(2, 3, 6))
            return
        yield Text(t("lines_heading"), style="bold", justify="center")
        for row in rows:
            yield pairs([(h, value) for h, value in zip(headers, row, strict=True)
                         if value not in ("", None)])
