"""`verify`: the invariants of DESIGN.md checked over the whole database, each check on its
own read, never an exception for damaged data; and the audit chain recomputed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import func, or_, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from rma_tui.errors import DomainError
from rma_tui.service.channels import channel_codes
from rma_tui.service.close import day_figures
from rma_tui.service.unit import (
    CHAIN_COLUMNS,
    UNREADABLE,
    chain_row_hash,
    raw_datetime,
    refund_counted,
)
from rma_tui.service.views import Check, Finding, VerifyReport
from rma_tui.service.vocabulary import (
    ACCOUNTS,
    COGS,
    JOURNAL_KINDS,
    MAX_FEN,
    MAX_ID,
    MAX_QTY,
    PAYMENT_METHODS,
    REASONS,
    RECEIVABLE,
    RECEIVABLE_MOVE_KINDS,
    REFUND_METHODS,
    RELEASED,
    REST_METHODS,
    ROLES,
    SLIP_TYPES,
    STATUSES,
    STORE_CREDIT,
    TRANSITIONS,
)
from rma_tui.store.cells import ColumnRule, scan
from rma_tui.store.db import Database
from rma_tui.store.models import (
    LOCATIONS,
    Account,
    AuditEvent,
    ChainHead,
    CreditMove,
    Customer,
    JournalEntry,
    Posting,
    ReceivableMove,
    RequestRecord,
    SaleLine,
    Slip,
    SlipLine,
    StockLevel,
    StockMove,
)

# Bounds of the values a cell may hold (`verify` reports any other as damage). Money per row
# stays within MAX_FEN, so the sums of a journal of millions of rows cannot overflow; a
# day's totals are sums themselves.
MAX_DAY_FEN = 10**15


_ACCOUNT_KINDS = frozenset(kind for _, _, kind in ACCOUNTS.values())


def cell_rules() -> dict[tuple[str, str], ColumnRule]:
    """What each column may hold beyond its type (and the JSON shape its model declares):
    the desk's vocabulary and the bounds of quantities and money."""
    def one_of(values: Iterable[str]) -> ColumnRule:
        return ColumnRule(allowed=frozenset(values))

    qty = ColumnRule(low=0, high=MAX_QTY)
    rules: dict[tuple[str, str], ColumnRule] = {
        ("slips", "type"): one_of(SLIP_TYPES),
        ("slips", "status"): one_of(STATUSES),
        ("slips", "refund_method"): one_of(REFUND_METHODS),
        ("slips", "rest_method"): one_of(REST_METHODS),
        ("receivable_moves", "kind"): one_of(RECEIVABLE_MOVE_KINDS),
        ("sales", "payment_method"): one_of(PAYMENT_METHODS),
        ("slip_lines", "reason_code"): one_of(REASONS),
        ("stock_levels", "location"): one_of(LOCATIONS),
        ("stock_moves", "location"): one_of(LOCATIONS),
        ("journal_entries", "kind"): one_of(JOURNAL_KINDS),
        ("audit_events", "from_status"): one_of(STATUSES),
        ("audit_events", "to_status"): one_of(STATUSES),
        ("accounts", "kind"): one_of(_ACCOUNT_KINDS),
        ("sale_lines", "qty"): ColumnRule(low=1, high=MAX_QTY),
        ("slip_lines", "qty"): ColumnRule(low=1, high=MAX_QTY),
        ("supplier_returns", "qty"): ColumnRule(low=1, high=MAX_QTY),
        ("slip_lines", "replacement_qty"): qty,
        ("inspection_grades", "resellable"): qty,
        ("inspection_grades", "defective"): qty,
        ("inspection_grades", "scrap"): qty,
        ("stock_levels", "qty"): qty,
        ("stock_moves", "qty"): ColumnRule(low=-MAX_QTY, high=MAX_QTY),
        ("stock_alerts", "sellable"): qty,
        ("stock_alerts", "reorder_point"): qty,
        ("products", "reorder_point"): qty,
        ("feedback", "score"): ColumnRule(low=1, high=5),
        ("daily_closes", "entries"): ColumnRule(low=0, high=MAX_ID),
    }
    for name in ("slips", "sales", "sale_lines", "customers"):
        rules[(name, "channel")] = one_of(channel_codes())
    for name in ("users", "notifications", "follow_ups"):
        rules[(name, "role")] = one_of(ROLES)
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if column.name.endswith("fen_value") and (table.name, column.name) not in rules:
                rules[(table.name, column.name)] = ColumnRule(low=-MAX_FEN, high=MAX_FEN)
    rules[("daily_closes", "debit_fen")] = ColumnRule(low=0, high=MAX_DAY_FEN)
    rules[("daily_closes", "credit_fen")] = ColumnRule(low=0, high=MAX_DAY_FEN)
    return rules


def damage_error(db: Database | str, exc: BaseException) -> DomainError | None:
    """A DomainError naming the damaged cells when `exc` came from reading one, else None.

    For the places that meet an unexpected error (the CLI, the app's screens): a damaged
    database is said as such, with what to do, instead of a traceback. `db` is the open
    database or where it is (a path or URL)."""
    if isinstance(db, Database):
        return db.damage_error(exc)
    try:
        database = Database(db)
    except Exception:
        return None
    try:
        return database.damage_error(exc)
    finally:
        database.dispose()


_CHECK_ROW_LIMIT = 10  # findings kept per check (the SQL asks for at most 5 of each kind)


def _checked(name: str, findings: Sequence[Finding], ok_detail: str,
             params: dict[str, Any] | None = None) -> Check:
    """A check's result: passing with `ok_detail`, or failing with its findings (the
    English text of the first of them is the detail)."""
    kept = tuple(findings[:_CHECK_ROW_LIMIT])
    detail = "; ".join(f.text("en") for f in kept) or ok_detail
    return Check(name, not kept, detail, params or {}, kept)


def _guarded(db: Database, name: str, run: Callable[[Session], Check]) -> Check:
    """Run one check in its own read transaction; whatever it meets (a damaged value, an
    overflowing sum), the result is a failing check, never an exception."""
    try:
        with db.read() as s:
            return run(s)
    except Exception as exc:
        if isinstance(exc, DomainError):
            error = exc.message("en")
        else:
            error = (str(getattr(exc, "orig", None) or exc).splitlines() or [""])[0]
        error = error[:200] or type(exc).__name__
        return _checked(name, [Finding("verify_check_crashed", {"error": error})], "")


def verify(db: Database) -> VerifyReport:
    """Check every cell, I1-I7, the audit chain, store credit, closed days and (on SQLite)
    the file's integrity. Never raises on damaged data: each check runs on its own, and
    whatever it cannot read is a failing check naming it."""
    checks: list[Check] = []
    if db.sqlite:
        checks.append(_guarded(db, "integrity", _check_integrity))
    checks.append(_guarded(db, "cells", _check_cells))
    for name, run in _CHECKS:
        checks.append(_guarded(db, name, run))
    return VerifyReport(checks)


def _check_integrity(s: Session) -> Check:
    res = [str(r[0]) for r in s.execute(text("PRAGMA integrity_check")).all()]
    findings = [] if res == ["ok"] else [Finding("verify_integrity", {"detail": r})
                                          for r in res[:5]]
    return _checked("integrity", findings, "ok")


def _check_cells(s: Session) -> Check:
    cells = scan(s.connection(), SQLModel.metadata.sorted_tables, cell_rules(),
                 limit=_CHECK_ROW_LIMIT)
    findings = [Finding("verify_cell", c.as_dict()) for c in cells]
    return _checked("cells", findings, "every cell holds what its column allows",
                    {"tables": len(SQLModel.metadata.sorted_tables)})


def _check_credit(s: Session) -> Check:
    """Each customer's credit moves add up to their balance; all balances = the 2205 account."""
    moved = (
        select(CreditMove.customer_id, func.sum(CreditMove.delta_fen).label("m"))
        .group_by(col(CreditMove.customer_id))
        .subquery()
    )
    bad = s.execute(
        select(Customer.phone, Customer.credit_fen, moved.c.m)
        .join(moved, moved.c.customer_id == col(Customer.id), isouter=True)
        .where(col(Customer.credit_fen) != func.coalesce(moved.c.m, 0))
        .limit(5)
    ).all()
    findings = [Finding("verify_credit_customer", {"phone": p, "balance": b, "moves": m})
                for p, b, m in bad]
    held = int(s.exec(select(func.coalesce(func.sum(Customer.credit_fen), 0))).one())
    owed = int(
        s.exec(
            select(func.coalesce(func.sum(Posting.credit_fen - Posting.debit_fen), 0)).where(
                Posting.account_code == STORE_CREDIT
            )
        ).one()
    )
    if held != owed:
        findings.append(Finding("verify_credit_account", {"held": held, "owed": owed}))
    return _checked("credit", findings, f"balances = moves = 2205 ({held})", {"total": held})


def _check_receivables(s: Session) -> Check:
    """Per shop, what customers owe by their receivable moves = the 1122 account's debit
    balance there (the subledger equals its account)."""
    moves = dict(s.execute(
        select(ReceivableMove.shop, func.sum(ReceivableMove.delta_fen))
        .group_by(col(ReceivableMove.shop))).all())
    books = dict(s.execute(
        select(JournalEntry.shop, func.sum(Posting.debit_fen - Posting.credit_fen))
        .join(JournalEntry, col(JournalEntry.id) == col(Posting.entry_id))
        .where(Posting.account_code == RECEIVABLE)
        .group_by(col(JournalEntry.shop))).all())
    findings = [
        Finding("verify_receivable_account",
                {"shop": shop, "ledger": int(moves.get(shop) or 0),
                 "account": int(books.get(shop) or 0)})
        for shop in sorted({*moves, *books})
        if int(moves.get(shop) or 0) != int(books.get(shop) or 0)]
    total = sum(int(v or 0) for v in moves.values())
    return _checked("receivables", findings, f"customers' moves = 1122 per shop ({total})",
                    {"total": total})


def _check_closes(s: Session) -> Check:
    """A closed day's postings are what they were when it was closed: every account's
    debit and credit, the entries, and the sales and refunds by method."""
    findings: list[Finding] = []
    rows = s.execute(text(
        "SELECT id, day, shop, starts_at, ends_at, debit_fen, credit_fen, entries, totals_json "
        "FROM daily_closes ORDER BY day, shop")).all()
    for row_id, day, shop, starts, ends, debit0, credit0, entries0, totals_json in rows:
        start, end = raw_datetime(starts), raw_datetime(ends)
        try:
            recorded = json.loads(totals_json)
        except (TypeError, ValueError):
            recorded = None
        if start is None or end is None or not isinstance(recorded, dict):
            findings.append(Finding("verify_close_unreadable", {"day": day, "shop": shop,
                                                                "id": row_id}))
            continue
        debit, credit, entries, totals = day_figures(s, start, end, shop)
        if (debit, credit, entries) != (debit0, credit0, entries0):
            findings.append(Finding("verify_close_totals", {
                "day": day, "shop": shop, "debit": debit0, "credit": credit0,
                "entries": entries0, "now_debit": debit, "now_credit": credit,
                "now_entries": entries}))
            continue
        for part in sorted(set(totals) | set(recorded)):
            then, now = recorded.get(part, {}), totals.get(part, {})
            for key in sorted(set(then) | set(now), key=str):
                if then.get(key) != now.get(key):
                    findings.append(Finding("verify_close_part", {
                        "day": day, "shop": shop, "part": part, "item": key,
                        "then": then.get(key), "now": now.get(key)}))
    return _checked("daily-close", findings, "closed days unchanged")


def _check_stock(s: Session) -> Check:
    moves = (
        select(StockMove.product_id, StockMove.location, StockMove.shop,
               func.sum(StockMove.qty).label("q"))
        .group_by(col(StockMove.product_id), col(StockMove.location), col(StockMove.shop))
        .subquery()
    )
    same_place = ((moves.c.product_id == StockLevel.product_id)
                  & (moves.c.location == StockLevel.location) & (moves.c.shop == StockLevel.shop))
    bad = s.execute(
        sa_select(col(StockLevel.product_id), col(StockLevel.location), col(StockLevel.shop),
                  col(StockLevel.qty), moves.c.q)
        .join(moves, same_place, isouter=True)
        .where(or_(col(StockLevel.qty) != func.coalesce(moves.c.q, 0), col(StockLevel.qty) < 0))
        .limit(5)
    ).all()
    orphan = s.execute(
        select(moves.c.product_id, moves.c.location, moves.c.shop, moves.c.q)
        .join(StockLevel, same_place, isouter=True)
        .where(col(StockLevel.product_id).is_(None), moves.c.q != 0)
        .limit(5)
    ).all()
    findings = [Finding("verify_stock_level", {"product": p, "location": loc, "shop": sh,
                                               "level": lv, "moves": mv})
                for p, loc, sh, lv, mv in bad]
    findings += [Finding("verify_stock_orphan", {"product": p, "location": loc, "shop": sh,
                                                 "moves": q})
                 for p, loc, sh, q in orphan]
    return _checked("I1 stock", findings, "levels = Σ moves, none negative")


def _check_journal(s: Session) -> Check:
    bad = s.execute(
        select(Posting.entry_id, func.sum(Posting.debit_fen), func.sum(Posting.credit_fen))
        .group_by(col(Posting.entry_id))
        .having(func.sum(Posting.debit_fen) != func.sum(Posting.credit_fen))
        .limit(5)
    ).all()
    d, c = s.execute(
        select(
            func.coalesce(func.sum(Posting.debit_fen), 0),
            func.coalesce(func.sum(Posting.credit_fen), 0),
        )
    ).one()
    findings = [Finding("verify_entry_unbalanced", {"entry": e, "debit": dd, "credit": cc})
                for e, dd, cc in bad]
    if d != c:
        findings.append(Finding("verify_journal_unbalanced", {"debit": d, "credit": c}))
    return _checked("I2 money", findings, f"Σ debit = Σ credit = {d}", {"total": d})


def _check_returnable(s: Session) -> Check:
    returned = (
        select(SlipLine.sale_line_id, func.sum(SlipLine.qty).label("q"))
        .join(Slip, col(Slip.id) == col(SlipLine.slip_id))
        .where(col(Slip.status).not_in(RELEASED), col(SlipLine.sale_line_id).is_not(None))
        .group_by(col(SlipLine.sale_line_id))
        .subquery()
    )
    bad = s.execute(
        select(SaleLine.id, SaleLine.qty, returned.c.q)
        .join(returned, returned.c.sale_line_id == col(SaleLine.id))
        .where(returned.c.q > SaleLine.qty)
        .limit(5)
    ).all()
    findings = [Finding("verify_over_returned", {"line": i, "sold": q, "returned": r})
                for i, q, r in bad]
    return _checked("I3 returnable", findings, "returned ≤ sold")


def _check_refunds(s: Session) -> Check:
    refunded = (
        select(SlipLine.sale_line_id, func.sum(SlipLine.refund_fen).label("r"))
        .join(Slip, col(Slip.id) == col(SlipLine.slip_id))
        .where(refund_counted(), col(SlipLine.sale_line_id).is_not(None))
        .group_by(col(SlipLine.sale_line_id))
        .subquery()
    )
    bad = s.execute(
        select(SaleLine.id, SaleLine.qty * SaleLine.unit_price_fen, refunded.c.r)
        .join(refunded, refunded.c.sale_line_id == col(SaleLine.id))
        .where(refunded.c.r > SaleLine.qty * SaleLine.unit_price_fen)
        .limit(5)
    ).all()
    zero = s.execute(select(SlipLine.id).where(SlipLine.qty <= 0).limit(5)).all()
    findings = [Finding("verify_over_refunded", {"line": i, "paid": p, "refunded": r})
                for i, p, r in bad]
    findings += [Finding("verify_zero_qty", {"line": i}) for (i,) in zero]
    # A settled slip's money must match its lines: no refund beyond what the lines carry.
    over = s.execute(
        select(Slip.number)
        .where(
            Slip.type == "return",
            col(Slip.status).in_(("settled", "closed")),
            Slip.refund_fen > Slip.gross_fen,
        )
        .limit(5)
    ).all()
    findings += [Finding("verify_refund_over_gross", {"slip": n}) for (n,) in over]
    return _checked("I4 refund", findings, "refunds ≤ paid")


def _check_cost(s: Session) -> Check:
    bad = s.execute(
        select(SlipLine.id, SlipLine.unit_cost_fen, SaleLine.unit_cost_fen)
        .join(SaleLine, col(SaleLine.id) == col(SlipLine.sale_line_id))
        .where(SlipLine.unit_cost_fen != SaleLine.unit_cost_fen)
        .limit(5)
    ).all()
    # The cost reversed at inspection must equal Σ qty × original unit cost of the slip.
    reversed_cost = (
        select(JournalEntry.slip_id, func.sum(Posting.credit_fen).label("c"))
        .join(Posting, col(Posting.entry_id) == col(JournalEntry.id))
        .where(JournalEntry.kind == "return_cost", Posting.account_code == COGS)
        .group_by(col(JournalEntry.slip_id))
        .subquery()
    )
    expected = (
        select(SlipLine.slip_id, func.sum(SlipLine.qty * SlipLine.unit_cost_fen).label("e"))
        .group_by(col(SlipLine.slip_id))
        .subquery()
    )
    mism = s.execute(
        select(reversed_cost.c.slip_id, reversed_cost.c.c, expected.c.e)
        .join(expected, expected.c.slip_id == reversed_cost.c.slip_id)
        .where(reversed_cost.c.c != expected.c.e)
        .limit(5)
    ).all()
    findings = [Finding("verify_line_cost", {"line": i, "cost": a, "sale_cost": b})
                for i, a, b in bad]
    findings += [Finding("verify_reversed_cost", {"slip": i, "reversed": c, "expected": e})
                 for i, c, e in mism]
    return _checked("I5 cost", findings, "returns valued at sale cost")


def _check_lifecycle(s: Session) -> Check:
    findings: list[Finding] = []
    edges = s.execute(
        select(func.min(AuditEvent.seq), AuditEvent.from_status, AuditEvent.to_status)
        .where(col(AuditEvent.to_status).is_not(None))
        .group_by(col(AuditEvent.from_status), col(AuditEvent.to_status))
    ).all()
    for seq, a, b in edges:
        if (a, b) not in TRANSITIONS:
            findings.append(Finding("verify_bad_edge", {"seq": seq, "from_status": a,
                                                        "to_status": b}))
    last = (
        select(AuditEvent.slip_id, func.max(AuditEvent.seq).label("m"))
        .where(col(AuditEvent.to_status).is_not(None))
        .group_by(col(AuditEvent.slip_id))
        .subquery()
    )
    mism = s.execute(
        select(Slip.number, Slip.status, AuditEvent.to_status)
        .join(last, last.c.slip_id == col(Slip.id), isouter=True)
        .join(AuditEvent, col(AuditEvent.seq) == last.c.m, isouter=True)
        .where(
            or_(col(AuditEvent.to_status).is_(None), col(AuditEvent.to_status) != col(Slip.status))
        )
        .limit(5)
    ).all()
    findings += [Finding("verify_status_not_audited", {"slip": n, "status": st, "audit": a})
                 for n, st, a in mism]
    return _checked("I6 lifecycle", findings[:5], "every change audited")


def _raw_rows(s: Session, table: str, names: Sequence[str],
              order: str | None = None) -> Iterable[tuple[Any, ...]]:
    """The columns `names` of every row of `table`, read without the ORM's type processing:
    on SQLite text and bytes come as bytes and are decoded here (`UNREADABLE` when they
    are not UTF-8), so a damaged cell is a value that does not fit, never an exception."""
    quote = s.get_bind().dialect.identifier_preparer.quote
    if s.get_bind().dialect.name == "sqlite":
        picks = ", ".join(f"CASE WHEN typeof({quote(n)}) IN ('text', 'blob') "
                          f"THEN CAST({quote(n)} AS BLOB) ELSE {quote(n)} END" for n in names)
    else:
        picks = ", ".join(quote(n) for n in names)
    q = f"SELECT {picks} FROM {quote(table)}" + (f" ORDER BY {quote(order)}" if order else "")
    for row in s.execute(text(q)).yield_per(2000):
        yield tuple(_decoded(v) for v in row)


def _decoded(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return UNREADABLE
    return value


def verify_chain(s: Session) -> Check:
    """Recompute the audit hash chain; name the first broken row. Damaged cells in a row
    (a bad datetime, bytes, text that is not UTF-8) make that row the broken one.

    A failed check's params say where, for screens: `problem` "altered" (row `seq`/`id`
    does not hash to what it says), "missing" (seq `seq` is absent; the next row found is
    `found_seq`/`id`), "head" (the head names `seq`, the chain ends at `found_seq`) or
    "no_head" (rows without a head: the tail may have gone with it)."""
    prev = "0" * 64
    expect_seq = 1
    count = 0
    rows = _raw_rows(s, "audit_events", ("id", *CHAIN_COLUMNS, "prev_hash", "hash"), "seq")
    for row in rows:
        row_id, seq, values, prev_hash, row_hash = row[0], row[1], row[1:-2], row[-2], row[-1]
        count += 1
        if seq != expect_seq:
            params = {"problem": "missing", "seq": expect_seq, "found_seq": seq, "id": row_id}
            return _checked("chain", [Finding("verify_chain_missing", params)], "", params)
        if prev_hash != prev or chain_row_hash(prev, values) != row_hash:
            params = {"problem": "altered", "seq": seq, "found_seq": seq, "id": row_id}
            return _checked("chain", [Finding("verify_chain_altered", params)], "", params)
        prev = row_hash
        expect_seq += 1
    head = next((h[1:] for h in _raw_rows(s, "chain_head", ("id", "seq", "hash")) if h[0] == 1),
                None)
    if head is None and count:
        params = {"problem": "no_head", "seq": None, "found_seq": count, "id": None}
        return _checked("chain", [Finding("verify_chain_no_head", params)], "", params)
    if head is not None and (head[0] != count or head[1] != prev):
        params = {"problem": "head", "seq": head[0], "found_seq": count, "id": None}
        return _checked("chain", [Finding("verify_chain_head", params)], "", params)
    return _checked("chain", [], f"{count} events, head {prev[:12]}",
                    {"count": count, "head": prev[:12]})


def _check_requests(s: Session) -> Check:
    dup = s.execute(
        select(AuditEvent.request_id, func.count())
        .where(col(AuditEvent.request_id).is_not(None))
        .group_by(col(AuditEvent.request_id))
        .having(func.count() > 1)
        .limit(5)
    ).all()
    orphan = s.execute(
        select(RequestRecord.request_id)
        .join(AuditEvent, col(AuditEvent.request_id) == col(RequestRecord.request_id), isouter=True)
        .where(col(AuditEvent.id).is_(None))
        .limit(5)
    ).all()
    findings = [Finding("verify_request_twice", {"request": r, "count": n}) for r, n in dup]
    findings += [Finding("verify_request_orphan", {"request": r}) for (r,) in orphan]
    return _checked("I7 requests", findings, "each request applied once")


def _check_refund_once(s: Session) -> Check:
    # I8: a slip's refund is paid once whichever way: one refund entry per slip, and a
    # slip the platform refunded carries no other method.
    twice = s.execute(
        sa_select(col(JournalEntry.slip_id), func.count())
        .where(col(JournalEntry.kind) == "refund", col(JournalEntry.slip_id).is_not(None))
        .group_by(col(JournalEntry.slip_id)).having(func.count() > 1).limit(5)
    ).all()
    numbers = {i: n for i, n in s.execute(sa_select(col(Slip.id), col(Slip.number)).where(
        col(Slip.id).in_([i for i, _ in twice]))).all()}
    findings = [Finding("verify_refund_twice", {"slip": numbers.get(i, i), "count": n})
                for i, n in twice]
    mixed = s.execute(
        sa_select(col(Slip.number), col(Slip.refund_method))
        .where(col(Slip.platform_refund_fen) > 0,
               or_(col(Slip.refund_method).is_(None), col(Slip.refund_method) != "platform"))
        .limit(5)
    ).all()
    findings += [Finding("verify_platform_refund_method", {"slip": n, "method": m or ""})
                 for n, m in mixed]
    return _checked("I8 refund once", findings, "each refund paid once")


# The checks after the file and the cells, in the order they are reported.
_CHECKS: tuple[tuple[str, Callable[[Session], Check]], ...] = (
    ("I1 stock", _check_stock),
    ("I2 money", _check_journal),
    ("I3 returnable", _check_returnable),
    ("I4 refund", _check_refunds),
    ("I5 cost", _check_cost),
    ("I6 lifecycle", _check_lifecycle),
    ("chain", verify_chain),
    ("I7 requests", _check_requests),
    ("I8 refund once", _check_refund_once),
    ("credit", _check_credit),
    ("receivables", _check_receivables),
    ("daily-close", _check_closes),
)


def chain_head(db: Database) -> tuple[int, str]:
    """The audit chain head (seq, hash), for archives."""
    with db.read() as s:
        head = s.get(ChainHead, 1)
        return (head.seq, head.hash) if head else (0, "0" * 64)


def accounts(db: Database) -> list[Account]:
    """The chart of accounts."""
    with db.read() as s:
        return list(s.exec(select(Account).order_by(col(Account.code))).all())


def account_balances(db: Database) -> dict[str, tuple[int, int]]:
    """Σ debit and Σ credit per account code."""
    with db.read() as s:
        rows = s.execute(
            select(
                Posting.account_code, func.sum(Posting.debit_fen), func.sum(Posting.credit_fen)
            ).group_by(col(Posting.account_code))
        ).all()
        return {a: (int(d), int(c)) for a, d, c in rows}
