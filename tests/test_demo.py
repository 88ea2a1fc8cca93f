"""The demo shop: believable sizes, every state, every rule kept, the same for the same seed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func
from sqlmodel import select

from rma_tui import service as sv
from rma_tui.demo import build_demo
from rma_tui.store.db import Database
from rma_tui.store.migrate import upgrade
from rma_tui.store.models import Customer, Product, ReceivableMove, Sale, SaleLine, Slip

TODAY = datetime(2026, 3, 1, tzinfo=UTC)


def _build(path, seed: int = 42):  # type: ignore[no-untyped-def]
    db = Database(str(path))
    upgrade(db)
    stages: list[tuple[str, int, int]] = []
    summary = build_demo(db, seed=seed, today=TODAY,
                         progress=lambda stage, done, total: stages.append((stage, done, total)))
    return db, summary, stages


@pytest.fixture(scope="module")
def demo(tmp_path_factory):  # type: ignore[no-untyped-def]
    """One small demo (seed 42), built once for the whole module."""
    db, summary, stages = _build(tmp_path_factory.mktemp("demo") / "demo.db")
    yield db, summary, stages
    db.dispose()


def _count(db: Database, model) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def test_sizes_are_a_small_shop(demo) -> None:  # type: ignore[no-untyped-def]
    db, summary, _ = demo
    assert 140 <= _count(db, Product) <= 160
    assert 380 <= _count(db, Customer) <= 420
    assert 5_500 <= _count(db, SaleLine) <= 6_500
    assert 3_000 <= _count(db, Sale) <= 3_500
    assert 450 <= _count(db, Slip) <= 550
    assert summary.sale_lines == _count(db, SaleLine)
    assert summary.slips == _count(db, Slip)
    assert {u.name: u.role for u in sv.list_users(db)} == {
        "owner": "owner", "clerk": "clerk", "clerk2": "clerk", "warehouse": "warehouse",
        "finance": "finance"}


def test_every_state_channel_and_method(demo) -> None:  # type: ignore[no-untyped-def]
    db, _, _ = demo
    counts = sv.count_by_status(db)
    assert all(counts[st] > 0 for st in sv.STATUSES), counts
    with db.read() as s:
        channels = {"store", "online", "taobao", "jd", "pdd"}
        assert set(s.exec(select(Sale.channel).distinct()).all()) == channels
        assert set(s.exec(select(Slip.channel).distinct()).all()) == channels
        # Platform requests in every state the platforms report, refunds they made.
        assert set(s.exec(select(Slip.platform_status).where(
            Slip.platform_ref.is_not(None)).distinct()).all()) == {  # type: ignore[union-attr]
            "requested", "agreed", "shipped", "refunded", "closed"}
        assert s.exec(select(func.count()).select_from(Slip).where(
            Slip.platform_refund_fen > 0)).one() >= 3
        assert set(s.exec(select(Slip.type).distinct()).all()) == {"return", "exchange"}
        methods = set(s.exec(select(Slip.refund_method).where(
            Slip.refund_method.is_not(None)).distinct()).all())  # type: ignore[union-attr]
        assert methods == set(sv.REFUND_METHODS)
        assert s.exec(select(func.count()).select_from(Slip).where(
            Slip.override_by == "owner")).one() > 0
        assert set(s.exec(select(Sale.payment_method).distinct()).all()) == set(sv.PAYMENT_METHODS)
    assert len(sv.list_parcels(db)) == 1  # the parcel nobody expected


def test_customers_on_account(demo) -> None:  # type: ignore[no-untyped-def]
    """Sales on account, paid back in time, some still owed, some refunds taken off the
    account; no customer ever owes less than nothing."""
    db, summary, _ = demo
    assert summary.account_sales > 0 and summary.account_payments > 0
    with db.read() as s:
        assert set(s.exec(select(ReceivableMove.kind).distinct()).all()) >= {
            "sale", "payment", "refund"}
        balances = s.exec(select(func.sum(ReceivableMove.delta_fen))
                          .group_by(ReceivableMove.customer_id)).all()
    assert min(balances) >= 0 and max(balances) > 0


def test_alerts_and_verify(demo) -> None:  # type: ignore[no-untyped-def]
    db, summary, _ = demo
    assert len(sv.alerts(db)) >= 1
    assert summary.low_stock >= 1
    report = sv.verify(db)
    assert report.ok, report.as_dict()


def test_approver_never_creator_and_events_before_today(demo) -> None:  # type: ignore[no-untyped-def]
    db, _, _ = demo
    for sm in sv.list_slips(db, status="closed", limit=20) + \
            sv.list_slips(db, status="rejected", limit=20):
        view = sv.get_slip(db, sm.number)
        assert view.created_by in ("clerk", "clerk2")
        for ev in view.events:
            assert ev.at < TODAY
            if ev.action in ("approve", "reject"):
                assert ev.user != view.created_by
    with db.read() as s:
        assert s.exec(select(func.max(Sale.sold_at))).one() is not None


def test_progress_is_reported(demo) -> None:  # type: ignore[no-untyped-def]
    _, _, stages = demo
    names = {st for st, _, _ in stages}
    assert {"setup", "sales", "slips"} <= names
    for name in names:
        last = [(d, t) for st, d, t in stages if st == name][-1]
        assert last[0] == last[1]


def _fingerprint(db: Database) -> tuple:  # type: ignore[type-arg]
    with db.read() as s:
        slips = s.exec(select(Slip.number, Slip.status, Slip.refund_fen, Slip.difference_fen)
                       .order_by(Slip.id)).all()  # type: ignore[arg-type]
    return sv.count_by_status(db), [tuple(r) for r in slips]


def test_same_seed_same_shop(demo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db, summary, _ = demo
    again, summary2, _ = _build(tmp_path / "again.db")
    try:
        assert _fingerprint(again) == _fingerprint(db)
        assert summary2.sale_lines == summary.sale_lines
        assert [r.sellable for r in sv.stock(again)] == [r.sellable for r in sv.stock(db)]
    finally:
        again.dispose()


def test_unknown_size_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from rma_tui.errors import DomainError

    db = Database(str(tmp_path / "x.db"))
    upgrade(db)
    with pytest.raises(DomainError):
        build_demo(db, size="huge", today=TODAY)
    db.dispose()
