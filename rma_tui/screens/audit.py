"""The audit screen: the audit trail newest first, narrowed by slip number,
user and local date range; Enter (or t) on an event of a slip opens the slip's whole
timeline; v verifies the hash chain and, when it is broken, names the first broken row in
red and puts the cursor on it.

Data comes in keyset pages (`reads.audit.audit_trail(before=seq)`): the first page on
show, the next when the cursor reaches the last row. The app calls `reload()` every few
seconds; that reads only the chain head (one row) and re-reads the loaded rows only when a
new event was appended, keeping the cursor on the same event.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, Static

from rma_tui import i18n
from rma_tui.errors import DomainError
from rma_tui.screens.base import DeskScreen, ProblemMessage, head_if_changed
from rma_tui.widgets.audit_timeline import SlipTimelineScreen
from rma_tui.widgets.common import local_time
from rma_tui.widgets.desk_bindings import translate_bindings
from rma_tui.widgets.message_line import MessageLine

if TYPE_CHECKING:
    from rma_tui.reads.audit import AuditFilter, AuditRow, ChainStatus
    from rma_tui.service import Database

# Rows read per page. A page more is read when the cursor reaches the last row.
PAGE = 50
# Filter fields: (input id, i18n key of its placeholder).
FILTERS = (("audit-slip", "audit_filter_slip"), ("audit-user", "audit_filter_user"),
           ("audit-since", "audit_filter_since"), ("audit-until", "audit_filter_until"))


def parse_day(text: str, field: str) -> date | None:
    """A YYYY-MM-DD local day typed in a filter ("" is no limit); DomainError otherwise."""
    text = text.strip()
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError("bad_date", field=field, value=text) from None


class AuditScreen(DeskScreen):
    """The audit trail: filter, page, open a slip's timeline, verify the chain."""

    DEFAULT_CSS = """
    AuditScreen #audit-filters {
        height: 3;
        margin: 0 1;
    }
    AuditScreen #audit-filters Input {
        width: 1fr;
    }
    AuditScreen #audit-message {
        padding: 0 2;
        display: none;
    }
    AuditScreen #audit-message.-ok {
        display: block;
        color: $success;
    }
    AuditScreen #audit-message.-info {
        display: block;
        color: $text-muted;
    }
    /* Colours again here: a line that said -info keeps that class, and this rule must
       outrank it. */
    AuditScreen #audit-message.-error {
        display: block;
        color: $error;
        text-style: bold;
    }
    AuditScreen #audit-pane {
        height: 1fr;
        margin: 0 1;
    }
    AuditScreen #audit-table {
        height: 1fr;
    }
    AuditScreen #audit-empty {
        display: none;
        color: $text-muted;
        padding: 0 1;
    }
    AuditScreen #audit-pane.-empty #audit-empty {
        display: block;
    }
    AuditScreen #audit-current {
        height: auto;
        max-height: 2;
        padding: 0 1;
        border-top: solid $primary-darken-2;
        color: $text-muted;
    }
    AuditScreen #audit-pane.-empty #audit-current {
        display: none;
    }
    AuditScreen #audit-pane.-empty #audit-table {
        display: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "verify", "verify"),
        Binding("t", "timeline", "timeline"),
        Binding("f,slash", "focus_filters", "filter"),
        Binding("c", "clear_filters", "clear"),
        Binding("escape", "focus_table", "table", show=False),
    ]
    # Footer text per action, as i18n keys (applied in `relabel`).
    BINDING_KEYS: ClassVar[dict[str, str]] = {
        "verify": "audit_key_verify",
        "timeline": "audit_key_timeline",
        "focus_filters": "audit_key_filter",
        "clear_filters": "audit_key_clear",
    }

    class TrailLoaded(Message):
        """A worker read trail rows: the first window again, or one page more."""

        def __init__(self, rows: list[AuditRow], next_before: int | None,
                     head: tuple[int, str], append: bool, focus_seq: int | None) -> None:
            self.rows = rows
            self.next_before = next_before
            self.head = head
            self.append = append
            self.focus_seq = focus_seq
            super().__init__()

    class LoadFailed(ProblemMessage):
        """A worker could not read the trail."""

    class Verified(Message):
        """The chain was checked."""

        def __init__(self, status: ChainStatus) -> None:
            self.status = status
            super().__init__()

    def __init__(self, *, name: str | None = None, id: str | None = "audit") -> None:
        super().__init__(name=name, id=id)
        self.rows: list[AuditRow] = []
        self.next_before: int | None = None
        self.loaded = False
        self.filter: AuditFilter | None = None
        self.chain: ChainStatus | None = None
        # The chain head when the rows were read: an unchanged head, an unchanged trail.
        self._head: tuple[int, str] | None = None
        self._loading_more = False
        self._shown: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="audit-filters"):
            for input_id, _ in FILTERS:
                yield Input(id=input_id, max_length=32)
        yield MessageLine(id="audit-message")
        with Vertical(id="audit-pane", classes="desk-pane"):
            yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="audit-empty")
            # The highlighted event's whole summary: the table's column may cut it, and at
            # 80 columns it is off to the right.
            yield Static(id="audit-current", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.relabel()
        self.query_one("#audit-table", DataTable).focus()
        self.reload()

    # -- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read the trail if an event was appended since it was read (cheap)."""
        self._read(force=False)

    def _read(self, force: bool, focus_seq: int | None = None, before: int | None = None
              ) -> None:
        app = self.rma
        if app.problem is not None:
            self.query_one(MessageLine).say_error(app.problem)
            return
        if app.database is None:
            return
        from rma_tui.reads.audit import AuditFilter

        # The shop the desk shows: a shop's own user sees only their shop's trail.
        filt = replace(self.filter or AuditFilter(), shop=app.shop)
        want = max(PAGE, len(self.rows)) if before is None else PAGE
        self._read_trail(app.database, app.db_location, filt, want, before,
                         None if force else self._head, False, focus_seq)

    @work(thread=True, exclusive=True, group="audit-trail")
    def _read_trail(self, database: Database, location: str, filt: AuditFilter, limit: int,
                    before: int | None, known_head: tuple[int, str] | None, append: bool,
                    focus_seq: int | None) -> None:
        """Read `limit` rows older than `before` (None: from the newest)."""
        def read() -> Message | None:
            from rma_tui.reads.audit import audit_trail

            # A page more is read whatever the head; the window again only if it moved.
            head = head_if_changed(database, None if append else known_head)
            if head is None:
                return None
            page = audit_trail(database, filt, limit=limit, before=before)
            return self.TrailLoaded(page.rows, page.next_before, head, append, focus_seq)

        self.post_read(read, self.LoadFailed, location)

    def on_audit_screen_trail_loaded(self, message: TrailLoaded) -> None:
        """Show the rows read, keeping the cursor on the event it was on (or `focus_seq`)."""
        self._loading_more = False
        self._head = message.head
        if message.append:
            known = {r.seq for r in self.rows}
            self.rows = self.rows + [r for r in message.rows if r.seq not in known]
        else:
            self.rows = list(message.rows)
        self.next_before = message.next_before
        self.loaded = True
        self._fill()
        if message.focus_seq is not None:
            self._cursor_to(message.focus_seq)

    def on_audit_screen_load_failed(self, message: LoadFailed) -> None:
        """Say why the trail could not be read (the next reload reads it all again)."""
        self._loading_more = False
        self._head = None
        self.query_one(MessageLine).say_error(message.problem)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the event's whole summary; at the last row, read the next (older) page."""
        if event.data_table.id != "audit-table":
            return
        self._show_current()
        app = self.rma
        if (event.cursor_row >= event.data_table.row_count - 1 and self.next_before is not None
                and not self._loading_more and app.database is not None):
            from rma_tui.reads.audit import AuditFilter

            self._loading_more = True
            self._read_trail(app.database, app.db_location,
                             replace(self.filter or AuditFilter(), shop=app.shop),
                             PAGE, self.next_before, self._head, True, None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on an event: the timeline of its slip."""
        if event.data_table.id == "audit-table":
            self.action_timeline()

    # -- filters --------------------------------------------------------------------------

    @on(Input.Submitted, "#audit-filters Input")
    def apply_filters(self) -> None:
        """Enter in any filter field: read the trail narrowed by all of them."""
        from rma_tui.reads.audit import AuditFilter

        values = {input_id: self.query_one(f"#{input_id}", Input).value
                  for input_id, _ in FILTERS}
        try:
            since = parse_day(values["audit-since"], i18n.t("audit_filter_since"))
            until = parse_day(values["audit-until"], i18n.t("audit_filter_until"))
        except DomainError as exc:
            self.query_one(MessageLine).say_error(exc)
            return
        self.filter = AuditFilter(slip=values["audit-slip"].strip(),
                                  user=values["audit-user"].strip(), since=since, until=until)
        self.query_one(MessageLine).say("none", "")  # no class shown: the line hides
        self.rows = []
        self.query_one("#audit-table", DataTable).focus()
        self._read(force=True)

    def action_focus_filters(self) -> None:
        """Into the first filter field (the slip number)."""
        self.query_one("#audit-slip", Input).focus()

    def action_focus_table(self) -> None:
        """Back from a filter field to the events."""
        self.query_one("#audit-table", DataTable).focus()

    def action_clear_filters(self) -> None:
        """Empty every filter and read the whole trail again."""
        for input_id, _ in FILTERS:
            self.query_one(f"#{input_id}", Input).value = ""
        self.filter = None
        self.rows = []
        self._read(force=True)

    # -- timeline and verify --------------------------------------------------------------

    def action_timeline(self) -> None:
        """Open the highlighted event's slip: its whole timeline."""
        row = self.current_row()
        database = self.rma.database
        if row is None or database is None:
            return
        if row.slip is None:
            self.query_one(MessageLine).say("error", "audit_no_slip", seq=row.seq)
            return
        self.app.push_screen(SlipTimelineScreen(database, row.slip))

    def action_verify(self) -> None:
        """Recompute the hash chain; name the first broken row."""
        database = self.rma.database
        if database is None:
            return
        self.query_one(MessageLine).say("info", "audit_verifying")
        self._verify(database, self.rma.db_location)

    @work(thread=True, exclusive=True, group="audit-verify")
    def _verify(self, database: Database, location: str) -> None:
        from rma_tui.reads.audit import verify_trail

        self.post_read(lambda: self.Verified(verify_trail(database)), self.LoadFailed, location)

    def on_audit_screen_verified(self, message: Verified) -> None:
        """Say the verdict; on a broken chain, put the cursor on the row it names (reading
        the page that holds it when it is not loaded)."""
        status = self.chain = message.status
        self._say_chain()
        target = status.target_seq
        if status.ok or target is None:
            return
        if any(r.seq == target for r in self.rows):
            self._cursor_to(target)
        elif self.filter is None or self.filter.empty:
            self.rows = []
            self._read(force=True, focus_seq=target, before=target + 1)

    def _say_chain(self) -> None:
        status = self.chain
        if status is None:
            return
        line = self.query_one(MessageLine)
        if status.ok:
            line.say("ok", "audit_chain_ok", count=status.count)
        else:
            line.say("error", f"audit_chain_{status.kind}", seq=status.seq, id=status.id,
                     found=status.found_seq, detail=status.detail)

    # -- what is highlighted --------------------------------------------------------------

    def current_row(self) -> AuditRow | None:
        """The highlighted event, or None when the table is empty."""
        table = self.query_one("#audit-table", DataTable)
        if not self.rows or table.row_count == 0:
            return None
        index = min(max(table.cursor_row, 0), table.row_count - 1)
        key = table.coordinate_to_cell_key(Coordinate(index, 0)).row_key.value
        return next((r for r in self.rows if str(r.seq) == key), None)

    def _cursor_to(self, seq: int) -> None:
        index = next((i for i, r in enumerate(self.rows) if r.seq == seq), None)
        if index is not None:
            table = self.query_one("#audit-table", DataTable)
            table.move_cursor(row=index, animate=False, scroll=True)
            table.focus()

    # -- drawing --------------------------------------------------------------------------

    def _show_current(self) -> None:
        row = self.current_row()
        text = ""
        if row is not None:
            what = " ".join(x for x in (i18n.label("action", row.action), row.slip or "",
                                        row.summary()) if x)
            text = f"#{row.seq} {row.user}: {what}"
        self.query_one("#audit-current", Static).update(text)

    def on_resize(self) -> None:
        """Give the summary column the width there is now."""
        self._fill()

    def relabel(self) -> None:
        """Redraw every text in the current language (after a language switch)."""
        translate_bindings(self, self.BINDING_KEYS)
        self.sub_title = i18n.t("audit_title")
        for input_id, key in FILTERS:
            self.query_one(f"#{input_id}", Input).placeholder = i18n.t(key)
        self.query_one("#audit-empty", Static).update(i18n.t("audit_empty"))
        self.query_one(MessageLine).relabel()
        self._shown = None
        self._fill()

    def _fill(self) -> None:
        pane = self.query_one("#audit-pane")
        count = f"{len(self.rows)}+" if self.next_before is not None else str(len(self.rows))
        pane.border_title = (i18n.t("audit_heading", count=count) if self.loaded
                             else i18n.t("audit_loading"))
        pane.set_class(self.loaded and not self.rows, "-empty")
        width = self.size.width or 120
        key = (i18n.get_lang(), width, tuple(r.seq for r in self.rows),
               tuple(r.hash for r in self.rows))
        if key == self._shown:
            return
        self._shown = key
        table: DataTable[str | Text] = self.query_one("#audit-table", DataTable)
        current = self.current_row() if table.row_count else None
        row_index = table.cursor_row
        from rma_tui.reads.audit import change_text  # the rows came from it: loaded

        headers = [(i18n.t("audit_col_seq"), "seq"), (i18n.t("col_at"), "at"),
                   (i18n.t("col_user"), "user"), (i18n.t("col_action"), "action"),
                   (i18n.t("audit_col_slip"), "slip"), (i18n.t("audit_col_change"), "change")]
        cells = [(str(r.seq), local_time(r.at), r.user, i18n.label("action", r.action),
                  r.slip or "", change_text(r.from_status, r.to_status)) for r in self.rows]
        summaries = [r.summary() for r in self.rows]
        # Widths are set here, not measured by the table: each column as wide as its widest
        # cell, and the summary takes what they leave (so a row is read without a sideways
        # scroll; the slip's timeline shows it whole). The table's own measuring runs when
        # idle and could leave a row drawn at the header's width after a re-fill.
        widths = [max([cell_len(h), *(cell_len(c[i]) for c in cells)])
                  for i, (h, _) in enumerate(headers)]
        # Two cells of padding per column, the pane's border and margin, the scrollbar.
        room = max(16, width - sum(widths) - 2 * len(widths) - 8)
        summary_width = min(room, max([cell_len(i18n.t("audit_col_summary")),
                                       *(cell_len(x) for x in summaries)]))
        table.clear(columns=True)
        for (label, column), w in zip(headers, widths, strict=True):
            table.add_column(label, key=column, width=w)
        table.add_column(i18n.t("audit_col_summary"), key="summary", width=summary_width)
        for r, c, text in zip(self.rows, cells, summaries, strict=True):
            summary = Text(text, no_wrap=True)
            summary.truncate(summary_width, overflow="ellipsis")
            table.add_row(Text(c[0], justify="right"), c[1], Text(c[2]), c[3], c[4], c[5],
                          summary, key=str(r.seq))
        if not self.rows:
            self._show_current()
            return
        index = next((i for i, r in enumerate(self.rows)
                      if current is not None and r.seq == current.seq), None)
        table.move_cursor(row=index if index is not None else min(row_index, len(self.rows) - 1),
                          animate=False, scroll=True)
        self._show_current()
