"""The grading form of an inspection: per slip line, resellable / defective / scrap and a note."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from rma_tui import i18n

GRADES = ("resellable", "defective", "scrap")


@dataclass(frozen=True)
class GradeLine:
    """One received slip line to grade."""

    sku: str
    name: str
    qty: int


@dataclass(frozen=True)
class GradeValues:
    """What was entered for one line (counts already parsed)."""

    sku: str
    resellable: int
    defective: int
    scrap: int
    note: str


class GradeRow(Vertical):
    """One line: its product and quantity, three counts with the running total, a note, and
    the place where an error about this line is shown."""

    def __init__(self, index: int, line: GradeLine) -> None:
        super().__init__(id=f"grade-row-{index}", classes="grade-row")
        self.index = index
        self.line = line

    def compose(self) -> ComposeResult:
        yield Static(classes="grade-title")
        with Horizontal(classes="grade-counts"):
            for grade in GRADES:
                yield Label(classes=f"grade-label grade-label-{grade}")
                # Everything resellable by default: the common case needs no typing.
                yield Input(str(self.line.qty if grade == "resellable" else 0),
                            id=f"grade-{self.index}-{grade}", classes=f"grade-count {grade}",
                            type="integer", max_length=7, compact=True)
            yield Static(classes="grade-total")
        with Horizontal(classes="grade-note-row"):
            yield Label(classes="grade-label grade-label-note")
            yield Input(id=f"grade-{self.index}-note", classes="grade-note", max_length=2000,
                        compact=True)
        yield Static(classes="grade-error")

    def on_mount(self) -> None:
        self.relabel()

    def relabel(self) -> None:
        """Redraw the texts in the current language."""
        ln = self.line
        self.query_one(".grade-title", Static).update(
            i18n.t("insp_line", sku=ln.sku, name=ln.name, qty=ln.qty))
        for grade in GRADES:
            self.query_one(f".grade-label-{grade}", Label).update(i18n.label("grade", grade))
        self.query_one(".grade-label-note", Label).update(i18n.t("insp_note"))
        self.update_total()

    def count(self, grade: str) -> int | None:
        """The count entered for `grade`, or None when it is not a whole number >= 0."""
        raw = self.query_one(f"#grade-{self.index}-{grade}", Input).value.strip()
        return int(raw) if raw.isdigit() else None

    def update_total(self) -> None:
        """Show the running total against the received quantity."""
        counts = [self.count(g) for g in GRADES]
        total = sum(c or 0 for c in counts)
        label = self.query_one(".grade-total", Static)
        label.update(i18n.t("insp_total", total=total, qty=self.line.qty))
        label.set_class(total != self.line.qty or None in counts, "-off")

    def show_error(self, text: str) -> None:
        """Show (or with "" clear) the error about this line."""
        error = self.query_one(".grade-error", Static)
        error.update(text)
        error.display = bool(text)
        self.set_class(bool(text), "-error")

    def values(self) -> GradeValues | str:
        """The parsed counts, or the message saying which count is not a number."""
        counts: dict[str, int] = {}
        for grade in GRADES:
            value = self.count(grade)
            if value is None:
                raw = self.query_one(f"#grade-{self.index}-{grade}", Input).value
                return i18n.t("insp_bad_number", value=raw.strip() or "—",
                              field=i18n.label("grade", grade))
            counts[grade] = value
        note = self.query_one(f"#grade-{self.index}-note", Input).value
        return GradeValues(self.line.sku, counts["resellable"], counts["defective"],
                           counts["scrap"], note)


class GradeForm(Vertical):
    """Every line of one received slip. Enter in any field posts `Submitted`."""

    DEFAULT_CSS = """
    GradeForm {
        height: auto;
    }
    GradeForm .grade-row {
        height: auto;
        padding: 0 1;
        margin-bottom: 1;
        border-left: outer $primary;
    }
    GradeForm .grade-row.-error {
        border-left: outer $error;
    }
    GradeForm .grade-title {
        text-style: bold;
    }
    GradeForm .grade-counts, GradeForm .grade-note-row {
        height: 1;
    }
    GradeForm .grade-label {
        width: auto;
        padding-right: 1;
        color: $text-muted;
    }
    GradeForm .grade-count {
        width: 5;
        margin-right: 1;
        background: $boost;
    }
    GradeForm .grade-total {
        width: auto;
        color: $success;
    }
    GradeForm .grade-total.-off {
        color: $warning;
        text-style: bold;
    }
    GradeForm .grade-note {
        width: 1fr;
        background: $boost;
    }
    GradeForm .grade-error {
        display: none;
        color: $error;
        height: auto;
    }
    """

    class Submitted(Message):
        """The user pressed Enter in the form: grade the slip with what is entered."""

        def __init__(self, number: str) -> None:
            self.number = number
            super().__init__()

    def __init__(self, number: str, lines: list[GradeLine], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.number = number
        self.lines = lines

    def compose(self) -> ComposeResult:
        for i, line in enumerate(self.lines):
            yield GradeRow(i, line)

    @property
    def rows(self) -> list[GradeRow]:
        """The rows, in line order."""
        return list(self.query(GradeRow))

    def relabel(self) -> None:
        """Redraw the texts in the current language."""
        for row in self.rows:
            row.relabel()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Keep each line's running total current while typing."""
        for row in self.rows:
            if event.input in row.query(Input):
                row.update_total()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter anywhere in the form submits it."""
        event.stop()
        self.post_message(self.Submitted(self.number))

    def clear_errors(self) -> None:
        """Remove every line's error."""
        for row in self.rows:
            row.show_error("")

    def show_error(self, sku: str | None, text: str) -> bool:
        """Show `text` next to the line of `sku` (the first such line); False if none."""
        for row in self.rows:
            if row.line.sku == sku:
                row.show_error(text)
                row.scroll_visible()
                return True
        return False

    def values(self) -> list[GradeValues] | None:
        """Every line's counts, or None after showing which line has a non-number."""
        self.clear_errors()
        out: list[GradeValues] = []
        for row in self.rows:
            got = row.values()
            if isinstance(got, str):
                row.show_error(got)
                return None
            out.append(got)
        return out

    def focus_first(self) -> None:
        """Put the cursor in the first count of the first line."""
        inputs = list(self.query(Input))
        if inputs:
            inputs[0].focus()
