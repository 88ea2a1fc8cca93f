"""The review queue: submitted slips oldest first, with their flags; the
highlighted slip in a detail pane; approve (with an exception reason where the policy needs
one) or reject with a reason. A slip that stands for an online platform's after-sale request
shows the platform's refund id under its number and the platform's status under its flags.

Data comes in pages (`service.review_queue(limit, offset)`): the first page on show, the
next when the cursor reaches the last row. The app calls `reload()` every few seconds; that
reads only the audit chain head (one row) and re-reads the loaded rows only when something
in the shop changed, so a queue left open costs next to nothing and still shows what other
terminals did within a refresh. The cursor stays on the same slip across reloads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import get_current_worker

from rma_tui import i18n
from rma_tui.money import yuan
from rma_tui.screens.base import DeskScreen, ProblemMessage
from rma_tui.screens.dialogs import TextPromptDialog
from rma_tui.widgets.common import local_time, problem_from
from rma_tui.widgets.desk_bindings import translate_bindings
from rma_tui.widgets.platform_cells import number_cell, platform_status_badge
from rma_tui.widgets.slip_view import SlipDetail

if TYPE_CHECKING:
    from rma_tui.service import Database, QueueItem, SlipView

# Rows read per page. A page more is read when the cursor reaches the last row.
PAGE = 50
# The flag that is about the customer, not the slip: it never needs a policy exception.
CUSTOMER_FLAGS = ("repeat_returner",)


class ReviewScreen(DeskScreen):
    """Slips waiting for review: approve, approve as an exception (owner), or reject."""

    DEFAULT_CSS = """
    ReviewScreen #review-queue-pane {
        height: 1fr;
        width: 1fr;
    }
    ReviewScreen #review-queue {
        height: 1fr;
    }
    ReviewScreen #review-empty {
        display: none;
        color: $text-muted;
        padding: 0 1;
    }
    ReviewScreen #review-queue-pane.-empty #review-empty {
        display: block;
    }
    ReviewScreen #review-queue-pane.-empty #review-queue {
        display: none;
    }
    ReviewScreen #review-detail {
        width: 44;
    }
    /* 80x24: the detail pane goes under the queue and scrolls. */
    ReviewScreen.-narrow #review-body {
        layout: vertical;
    }
    ReviewScreen.-narrow #review-detail {
        width: 1fr;
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "approve", "approve"),
        Binding("x", "reject", "reject"),
        Binding("escape", "focus_queue", "queue", show=False),
    ]
    # Footer text per action, as i18n keys (applied in `relabel`).
    BINDING_KEYS: ClassVar[dict[str, str]] = {
        "approve": "review_key_approve",
        "reject": "review_key_reject",
    }

    class QueueLoaded(Message):
        """A worker read queue rows: the whole loaded window again, or one page more."""

        def __init__(self, items: list[QueueItem], has_more: bool, head: tuple[int, str],
                     append: bool, platform: dict[str, tuple[str, str]]) -> None:
            self.items = items
            self.has_more = has_more
            self.head = head
            self.append = append
            self.platform = platform  # slip -> (the platform's refund id, its status)
            super().__init__()

    class DetailLoaded(Message):
        """A worker read the highlighted slip."""

        def __init__(self, slip: SlipView) -> None:
            self.slip = slip
            super().__init__()

    class LoadFailed(ProblemMessage):
        """A worker could not read the queue or the slip."""

    class ActionDone(Message):
        """An approve or reject went through; `text` says what happened."""

        def __init__(self, number: str, text: str) -> None:
            self.number = number
            self.text = text
            super().__init__()

    class ActionFailed(ProblemMessage):
        """The service refused an approve or reject; nothing changed."""

    def __init__(self, *, name: str | None = None, id: str | None = "review") -> None:
        super().__init__(name=name, id=id)
        self.items: list[QueueItem] = []
        self.has_more = False
        self.loaded = False
        self.detail: SlipView | None = None
        # The platform's refund id and status of the slips that stand for an online
        # platform's after-sale request, by slip number.
        self.platform: dict[str, tuple[str, str]] = {}
        # The audit chain head when the rows were read: every change to any slip appends
        # an audit event, so an unchanged head means the rows on screen are still true.
        self._head: tuple[int, str] | None = None
        self._loading_more = False
        self._shown: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(i18n.t("review_loading"), id="review-message", classes="desk-message")
        with Horizontal(id="review-body", classes="desk-body"):
            with Vertical(id="review-queue-pane", classes="desk-pane"):
                yield DataTable(id="review-queue", cursor_type="row", zebra_stripes=True)
                yield Static(id="review-empty")
            yield SlipDetail(id="review-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.add_class("-message")
        self.relabel()
        self.reload()

    # -- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read the queue if anything changed in the shop since it was read (cheap)."""
        self._read(force=False)

    def _read(self, force: bool) -> None:
        app = self.rma
        if app.problem is not None:
            self._show_message(app.problem.text())
        elif app.database is not None:
            if self.loaded:
                self.remove_class("-message")  # a problem shown before has gone
            # Re-read the rows down to a page past the cursor, not every row ever loaded:
            # what a reload costs stays bounded by where the reviewer is, however far the
            # queue was scrolled before (the rest is read again when the cursor gets there).
            cursor = self.query_one("#review-queue", DataTable).cursor_row
            want = max(PAGE, min(len(self.items), cursor + 1 + PAGE))
            self._read_queue(app.database, app.db_location, want, None if force else self._head,
                             shop=app.shop)

    @work(thread=True, exclusive=True, group="review-queue")
    def _read_queue(self, database: Database, location: str, want: int,
                    known_head: tuple[int, str] | None, offset: int | None = None,
                    shop: str | None = None) -> None:
        """Read rows [0, want) again, or (with `offset`) one page from `offset`."""

        def read() -> Message | None:
            from rma_tui import service

            # The head first: a change after this read shows a new head next time.
            head = service.chain_head(database)
            start, limit = offset, PAGE
            if start is None and head == known_head:
                return None
            if start is not None and head != known_head:
                # Rows moved since the loaded ones were read, so offsets no longer line up:
                # read the loaded window and the next page in one go instead.
                limit, start = start + PAGE, None
            elif start is None:
                limit = want
            rows = service.review_queue(database, limit=limit + 1, offset=start or 0,
                                        shop=shop)
            platform = {s.number: (s.platform_ref, s.platform_status)
                        for s in rows if s.platform_ref}
            return self.QueueLoaded(rows[:limit], len(rows) > limit, head,
                                    append=start is not None, platform=platform)

        self.post_read(read, self.LoadFailed, location)

    @work(thread=True, exclusive=True, group="review-detail")
    def _read_detail(self, database: Database, location: str, number: str) -> None:
        from rma_tui import service

        self.post_read(lambda: self.DetailLoaded(service.get_slip(database, number)),
                       self.LoadFailed, location)

    def on_review_screen_queue_loaded(self, message: QueueLoaded) -> None:
        """Show the rows read, keeping the cursor on the slip it was on."""
        self._loading_more = False
        self._head = message.head
        if message.append:
            known = {i.number for i in self.items}
            self.items = self.items + [i for i in message.items if i.number not in known]
            self.platform = {**self.platform, **message.platform}
        else:
            self.items = list(message.items)
            self.platform = dict(message.platform)
        self.has_more = message.has_more
        self.loaded = True
        self.remove_class("-message")
        self._fill_queue()
        # The shop changed: the slip in the detail pane may have changed too.
        number = self.current_number()
        if number is not None:
            self._request_detail(number)
        else:
            self.detail = None
            self.query_one(SlipDetail).show(None)

    def on_review_screen_detail_loaded(self, message: DetailLoaded) -> None:
        """Show the highlighted slip (unless the cursor has moved on meanwhile)."""
        if message.slip.number == self.current_number():
            self.detail = message.slip
            self.query_one(SlipDetail).show(message.slip)

    def shop_changed(self) -> None:
        """Another shop: the queue is read again even if nothing changed since."""
        self._head = None

    def on_review_screen_load_failed(self, message: LoadFailed) -> None:
        """Say why the queue could not be read (the next reload reads it all again)."""
        self._loading_more = False
        self._head = None
        self._show_message(message.problem.text())

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the highlighted slip; at the last row, read the next page."""
        if event.data_table.id != "review-queue" or event.row_key.value is None:
            return
        self._request_detail(event.row_key.value)
        table = event.data_table
        app = self.rma
        if (event.cursor_row >= table.row_count - 1 and self.has_more
                and not self._loading_more and app.database is not None):
            self._loading_more = True
            self._read_queue(app.database, app.db_location, PAGE, self._head,
                             offset=len(self.items), shop=app.shop)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row: into the detail pane, to scroll it (Escape goes back)."""
        if event.data_table.id == "review-queue":
            self.query_one(SlipDetail).focus()

    def action_focus_queue(self) -> None:
        """Back from the detail pane to the queue."""
        self.query_one("#review-queue", DataTable).focus()

    def _request_detail(self, number: str) -> None:
        database = self.rma.database
        if database is not None:
            self._read_detail(database, self.rma.db_location, number)

    # -- actions --------------------------------------------------------------------------

    def action_approve(self) -> None:
        """Approve the highlighted slip; a policy exception asks the owner for a reason."""
        item = self.current_item()
        user = self.rma.user
        if item is None or user is None:
            return
        # Only the owner can approve an exception, and never a slip of their own: anyone
        # else goes straight to the service, whose refusal says exactly why.
        if self._is_exception(item) and self.rma.role == "owner" and item.created_by != user.name:
            failed = [f for f in item.flags if f not in CUSTOMER_FLAGS]
            dialog = TextPromptDialog(
                i18n.t("review_override_title", slip=item.number),
                i18n.t("review_override_label", flags="、".join(_flag_text(f) for f in failed)
                       if i18n.get_lang() == "zh" else ", ".join(_flag_text(f) for f in failed)),
                max_length=200)

            def done(reason: str | None) -> None:
                if reason:
                    self._act("approve", item.number, reason)

            self.app.push_screen(dialog, done)
        else:
            self._act("approve", item.number, None)

    def action_reject(self) -> None:
        """Reject the highlighted slip, with a reason asked in a dialog."""
        item = self.current_item()
        user = self.rma.user
        if item is None or user is None:
            return
        # Said before asking for a reason the service would refuse anyway (the service
        # still decides: it refuses the same cases on its own).
        from rma_tui import service  # loaded with the session by now

        refused = service.role_refusal(user.name, user.role, service.APPROVER_ROLES)
        if refused is not None:
            self.notify(refused.message(), severity="error")
            return
        if item.created_by == user.name:
            self.notify(i18n.t("own_slip", user=user.name, slip=item.number),
                        severity="error")
            return
        dialog = TextPromptDialog(i18n.t("review_reject_title", slip=item.number),
                                  i18n.t("review_reject_label"), max_length=200)

        def done(reason: str | None) -> None:
            if reason:
                self._act("reject", item.number, reason)

        self.app.push_screen(dialog, done)

    def _act(self, kind: str, number: str, reason: str | None) -> None:
        app = self.rma
        if app.database is not None and app.user is not None:
            self._run_action(app.database, app.db_location, app.user.name, kind, number, reason)

    @work(thread=True, exclusive=True, group="review-action")
    def _run_action(self, database: Database, location: str, actor: str, kind: str,
                    number: str, reason: str | None) -> None:
        worker = get_current_worker()
        try:
            from rma_tui import service

            if kind == "approve":
                service.approve_slip(database, actor, number, override_reason=reason)
                text = (i18n.t("review_approved_override", slip=number, reason=reason)
                        if reason else i18n.t("review_approved", slip=number))
            else:
                service.reject_slip(database, actor, number, reason or "")
                text = i18n.t("review_rejected", slip=number, reason=reason)
        except Exception as exc:  # a refusal (DomainError) or a database error: said, not raised
            if not worker.is_cancelled:
                self.post_message(self.ActionFailed(problem_from(exc, location)))
            return
        self.post_message(self.ActionDone(number, text))

    def on_review_screen_action_done(self, message: ActionDone) -> None:
        """Say what happened and read the queue again (the slip leaves it)."""
        self.notify(message.text)
        self._read(force=True)

    def on_review_screen_action_failed(self, message: ActionFailed) -> None:
        """Say why the service refused; the slip stays as it was."""
        self.notify(message.problem.text(), severity="error")
        # The slip may have been handled at another terminal meanwhile.
        self._read(force=False)

    # -- what is highlighted --------------------------------------------------------------

    def current_number(self) -> str | None:
        """The number of the highlighted slip, or None when the queue is empty."""
        table = self.query_one("#review-queue", DataTable)
        if not self.items or table.row_count == 0:
            return None
        row = min(max(table.cursor_row, 0), table.row_count - 1)
        return table.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value

    def current_item(self) -> QueueItem | None:
        """The highlighted queue row."""
        number = self.current_number()
        return next((i for i in self.items if i.number == number), None)

    def _is_exception(self, item: QueueItem) -> bool:
        # The slip's own verdict when it has been read; else the queue's flags say the same.
        if self.detail is not None and self.detail.number == item.number:
            return not self.detail.policy_ok
        return any(f not in CUSTOMER_FLAGS for f in item.flags)

    # -- drawing --------------------------------------------------------------------------

    def relabel(self) -> None:
        """Redraw every text in the current language (after a language switch)."""
        translate_bindings(self, self.BINDING_KEYS)
        self.sub_title = i18n.t("review_title")
        self.query_one("#review-empty", Static).update(i18n.t("review_empty"))
        if not self.loaded:
            app = self.rma
            self._show_message(app.problem.text() if app.problem else i18n.t("review_loading"))
        self._shown = None
        self._fill_queue()
        self.query_one(SlipDetail).relabel()

    def _show_message(self, text: str) -> None:
        self.query_one("#review-message", Static).update(text)
        self.add_class("-message")

    def _fill_queue(self) -> None:
        pane = self.query_one("#review-queue-pane")
        count = f"{len(self.items)}+" if self.has_more else str(len(self.items))
        pane.border_title = i18n.t("review_heading", count=count)
        pane.set_class(self.loaded and not self.items, "-empty")
        key = (i18n.get_lang(), tuple(self.items), tuple(sorted(self.platform.items())))
        if key == self._shown:
            return
        self._shown = key
        table: DataTable[str | Text] = self.query_one("#review-queue", DataTable)
        number = self.current_number() if table.row_count else None
        row = table.cursor_row
        table.clear(columns=True)
        table.add_column(i18n.t("col_number"), key="number")
        table.add_column(i18n.t("review_col_flags"), key="flags")
        table.add_column(i18n.t("col_customer"), key="customer")
        table.add_column(i18n.t("col_gross"), key="gross")
        table.add_column(i18n.t("review_col_by"), key="created_by")
        table.add_column(i18n.t("col_created_at"), key="created_at")
        for item in self.items:
            # A platform's request takes two lines: its refund id under the slip number,
            # its status under the flags.
            ref, status = self.platform.get(item.number, (None, ""))
            table.add_row(
                number_cell(item.number, ref),
                self._flags(item.flags, status if ref else None),
                Text(item.customer or i18n.t("none")),
                Text(yuan(item.gross_fen), justify="right"),
                Text(item.created_by),
                local_time(item.created_at),
                key=item.number,
                height=2 if ref else 1,
            )
        if not self.items:
            return
        # The same slip if it is still waiting; else the row that took its place.
        index = next((i for i, it in enumerate(self.items) if it.number == number), None)
        table.move_cursor(row=index if index is not None else min(row, len(self.items) - 1),
                          animate=False, scroll=True)

    def _flags(self, flags: tuple[str, ...], platform_status: str | None = None) -> Text:
        """The flags as badges: policy failures in the error colour, the customer's in the
        warning colour (both from the theme); a platform's request has its status on a
        second line."""
        theme = self.app.theme_variables
        text = Text()
        for flag in flags:
            if text:
                text.append(" ")
            colour = theme.get("warning" if flag in CUSTOMER_FLAGS else "error", "")
            text.append(_flag_text(flag), style=f"bold {colour}")
        if platform_status is not None:
            text.append("\n")
            text.append_text(platform_status_badge(platform_status, theme.get("accent", "")))
        return text


def _flag_text(flag: str) -> str:
    """A queue flag in the current language (an unknown flag as its code)."""
    key = f"review_flag_{flag}"
    text = i18n.t(key)
    return flag if text == key else text
