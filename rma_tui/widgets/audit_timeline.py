"""A slip's whole timeline from the audit trail, in a modal: who did what and when, with the
policy verdict, the reasons and the amounts of each step. Read-only; Escape (or q) closes.

Usage::

    from rma_tui.widgets.audit_timeline import SlipTimelineScreen

    app.push_screen(SlipTimelineScreen(database, "TH-20261120-0001"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
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
from rma_tui.money import yuan
from rma_tui.render import local_time, pairs, table
from rma_tui.widgets.common import Problem, phone_text, problem_from

if TYPE_CHECKING:
    from rma_tui.reads.audit import AuditRow, SlipTimeline
    from rma_tui.service import Database


def timeline_renderable(tl: SlipTimeline, role: str | None = None) -> RenderableType:
    """The slip's head and its events as a person reads them, in the current language
    (the customer's phone as user `role` may see it)."""
    t, label = i18n.t, i18n.label
    head: list[tuple[str, object]] = [
        (t("col_type"), label("type", tl.type)),
        (t("col_status"), label("status", tl.status)),
        (t("col_channel"), label("channel", tl.channel)),
        (t("col_customer"), (tl.customer or t("none"))
         + (f" {shown}" if (shown := phone_text(role, tl.customer_phone)) else "")),
        (t("col_created_by"), f"{tl.created_by}  {local_time(tl.created_at)}"),
        (t("col_gross"), yuan(tl.gross_fen)),
        (t("col_refund"), yuan(tl.refund_fen)),
    ]
    if tl.type == "exchange":
        head.append((t("col_difference"), yuan(tl.difference_fen)))
    if tl.refund_method:
        head.append((t("col_method"), label("method", tl.refund_method)))
    if tl.close_reason:
        head.append((t("col_reason"), tl.close_reason))
    parts: list[RenderableType] = [pairs(head)]
    if tl.events:
        parts.append(table(
            [t("audit_col_seq"), t("col_at"), t("col_user"), t("col_action"),
             t("audit_col_change"), t("audit_col_summary")],
            [_event_cells(e) for e in tl.events],
            title=t("audit_timeline_heading"), right=(0,)))
    else:
        parts.append(Text(t("audit_timeline_empty"), style="dim"))
    return Group(*parts)


def _event_cells(e: AuditRow) -> tuple[str, ...]:
    from rma_tui.reads.audit import change_text  # loaded with the data by now

    return (str(e.seq), local_time(e.at), e.user, i18n.label("action", e.action),
            change_text(e.from_status, e.to_status), e.summary())


class SlipTimelineScreen(ModalScreen[None]):
    """Shows `reads.audit.slip_timeline(number)`; changes nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "close"),
    ]

    class Loaded(Message):
        """The worker read the timeline (or why it could not)."""

        def __init__(self, timeline: SlipTimeline | None, problem: Problem | None) -> None:
            self.timeline = timeline
            self.problem = problem
            super().__init__()

    def __init__(self, database: Database, number: str) -> None:
        super().__init__(classes="dialog", id="audit-timeline")
        self.database = database
        self.number = number
        self.timeline: SlipTimeline | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box", id="audit-timeline-box") as box:
            box.border_title = self.number
            box.border_subtitle = i18n.t("audit_timeline_close")
            with VerticalScroll(id="audit-timeline-body"):
                yield Static(i18n.t("app_loading"), id="audit-timeline-content")

    def on_mount(self) -> None:
        # Nearly the whole terminal, as the slip view: inline styles, because the app's
        # stylesheet sizes every `.dialog-box` for small questions and outranks
        # DEFAULT_CSS.
        box = self.query_one("#audit-timeline-box")
        box.styles.width = "100%"
        box.styles.max_width = 120
        box.styles.height = "100%"
        box.styles.padding = 0
        body = self.query_one("#audit-timeline-body")
        body.styles.height = "1fr"
        body.styles.padding = (0, 1)
        body.focus()
        self._load()

    @work(thread=True, exclusive=True, group="audit-timeline")
    def _load(self) -> None:
        worker = get_current_worker()
        try:
            from rma_tui.reads.audit import slip_timeline

            app = self.app
            message = self.Loaded(slip_timeline(
                self.database, self.number, shop=getattr(app, "shop", None),
                viewer=getattr(app, "user_name", "")), None)
        except Exception as exc:  # shown in the dialog
            message = self.Loaded(None, problem_from(exc, self.database.url))
        if not worker.is_cancelled:
            self.post_message(message)

    def on_slip_timeline_screen_loaded(self, message: Loaded) -> None:
        """Draw the timeline, or say why it cannot be shown."""
        content = self.query_one("#audit-timeline-content", Static)
        self.timeline = message.timeline
        if message.timeline is not None:
            box = self.query_one("#audit-timeline-box")
            box.border_title = (f"{message.timeline.number}  "
                                f"{i18n.t('audit_timeline_heading')}")
            content.update(timeline_renderable(message.timeline,
                                               getattr(self.app, "role", None)))
        elif message.problem is not None:
            content.update(Text(message.problem.text()))

    def action_close(self) -> None:
        """Close the view."""
        self.dismiss(None)
