"""Reads of the audit trail (审计): the filtered, paged trail; one slip's whole timeline;
and the chain check in a structured form (which row broke, and how).

Nothing here writes. Pages are keyset pages on `seq` (newest first): a page is
`seq < before` with a LIMIT, so the thousandth page costs what the first does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import col, select

from rma_tui import i18n
from rma_tui.errors import DomainError
from rma_tui.money import yuan
from rma_tui.reads.reports import window
from rma_tui.service import as_utc, verify_chain
from rma_tui.store.db import Database
from rma_tui.store.models import AuditEvent, ChainHead, Customer, Slip

# A whole slip number (TH-/HH-YYYYMMDD-NNNN): matched exactly; anything shorter is a
# "contains" search (a clerk types the tail of the number they see on paper).
_FULL_NUMBER = re.compile(r"^[A-Z]{2}-\d{8}-\d{4,}$")
# Detail fields that hold integer fen (the service names some of them without `_fen`).
_MONEY = frozenset({"gross_fen", "refund_fen", "difference_fen", "cost", "value",
                    "expected_credit", "debit", "credit"})


@dataclass(frozen=True)
class AuditFilter:
    """What the trail is narrowed to; every field optional. Dates are local calendar days,
    both inclusive."""

    slip: str = ""
    user: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None
    # Only what happened in this shop (a shop's own user sees nothing else): its slips'
    # events, and the events that name it (its stock, its till, its day closes, transfers
    # from or to it). None: the whole chain's trail.
    shop: str | None = None

    @property
    def empty(self) -> bool:
        """True when nothing narrows the trail."""
        return not (self.slip.strip() or self.user.strip() or self.action.strip()
                    or self.since or self.until)


@dataclass(frozen=True)
class AuditRow:
    """One audit event as the trail shows it."""

    seq: int
    id: int
    at: datetime
    user: str
    action: str
    slip: str | None
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]
    request_id: str | None
    hash: str

    def summary(self, lang: str | None = None) -> str:
        """A short human reading of the event's detail (amounts in yuan, verdict, reason)."""
        return summarize(self.action, self.detail, lang)

    def as_dict(self) -> dict[str, Any]:
        """The `rma audit --json` contract."""
        return {"seq": self.seq, "id": self.id, "at": self.at.isoformat(), "user": self.user,
                "action": self.action, "slip": self.slip, "from_status": self.from_status,
                "to_status": self.to_status, "detail": self.detail,
                "request_id": self.request_id, "hash": self.hash,
                "summary": self.summary()}


@dataclass(frozen=True)
class AuditPage:
    """A page of the trail, newest first; `next_before` continues it (None at the end)."""

    rows: list[AuditRow]
    next_before: int | None


@dataclass(frozen=True)
class SlipTimeline:
    """A slip's head and every audit event about it, oldest first."""

    number: str
    type: str
    status: str
    channel: str
    customer: str | None
    customer_phone: str | None
    created_by: str
    created_at: datetime
    gross_fen: int
    refund_fen: int
    difference_fen: int
    refund_method: str | None
    close_reason: str | None
    events: list[AuditRow]


@dataclass(frozen=True)
class ChainStatus:
    """The audit chain check, structured.

    `kind` is None when the chain holds; else "altered" (row `seq`/`id` does not hash to
    what it says), "missing" (seq `seq` is absent: the next row found is `found_seq`/`id`),
    "head" (the head names `seq` but the chain ends at `found_seq`: rows removed from the
    end) or "no_head" (rows but no head at all)."""

    ok: bool
    count: int
    kind: str | None
    seq: int | None
    id: int | None
    found_seq: int | None
    detail: str

    @property
    def target_seq(self) -> int | None:
        """The row a screen should point at: the broken one, or the row found in its place."""
        if self.kind == "altered":
            return self.seq
        return self.found_seq

    def message(self, lang: str | None = None) -> str:
        """The result in words, naming the row."""
        if self.ok:
            return i18n.t("audit_chain_ok", lang, count=self.count)
        return i18n.t(f"audit_chain_{self.kind}", lang, seq=self.seq, id=self.id,
                      found=self.found_seq, detail=self.detail)


# ---------------------------------------------------------------------------------------
# The trail
# ---------------------------------------------------------------------------------------


def _row(ev: AuditEvent, number: str | None) -> AuditRow:
    try:
        detail = json.loads(ev.detail_json) if ev.detail_json else {}
    except ValueError:  # an altered row may hold anything: show it, never crash
        detail = {"raw": ev.detail_json}
    if not isinstance(detail, dict):
        detail = {"raw": detail}
    return AuditRow(ev.seq, ev.id or 0, as_utc(ev.at), ev.user, ev.action, number,
                    ev.from_status, ev.to_status, detail, ev.request_id, ev.hash)


def audit_trail(db: Database, filt: AuditFilter | None = None, limit: int = 50,
                before: int | None = None) -> AuditPage:
    """The trail narrowed by `filt`, newest first, `limit` rows with seq < `before`."""
    filt = filt or AuditFilter()
    limit = max(1, min(int(limit), 10_000))
    q = (select(AuditEvent, Slip.number)
         .join(Slip, col(Slip.id) == col(AuditEvent.slip_id), isouter=True))
    number = filt.slip.strip().upper()
    if number:
        if _FULL_NUMBER.match(number):
            q = q.where(col(Slip.number) == number)
        else:
            q = q.where(col(Slip.number).contains(number, autoescape=True))
    if filt.user.strip():
        q = q.where(col(AuditEvent.user) == filt.user.strip())
    if filt.action.strip():
        q = q.where(col(AuditEvent.action) == filt.action.strip())
    q = q.where(*window(AuditEvent.at, filt.since, filt.until))
    if filt.shop is not None:
        q = q.where(of_shop(filt.shop))
    if before is not None:
        q = q.where(col(AuditEvent.seq) < before)
    q = q.order_by(col(AuditEvent.seq).desc()).limit(limit + 1)
    with db.read() as s:
        found = s.exec(q).all()
        rows = [_row(ev, n) for ev, n in found[:limit]]
    more = len(found) > limit
    return AuditPage(rows, rows[-1].seq if more and rows else None)


def of_shop(shop: str) -> Any:
    """The audit events of shop `shop`: about its slips, or (no slip) naming it in their
    detail as the shop a write went to, or a transfer's source or destination."""
    detail = col(AuditEvent.detail_json)
    named = or_(*(detail.contains(json.dumps({key: shop}, ensure_ascii=False)[1:-1],
                                  autoescape=True)
                  for key in ("shop", "from", "to")))
    return or_(col(Slip.shop) == shop, and_(col(AuditEvent.slip_id).is_(None), named))


def slip_timeline(db: Database, number: str, shop: str | None = None,
                  viewer: str = "") -> SlipTimeline:
    """Slip `number` with every audit event about it, oldest first; refused for a slip of
    another shop than `shop` (the shop the viewer may see; None: every shop)."""
    number = number.strip().upper()
    with db.read() as s:
        slip = s.exec(select(Slip).where(col(Slip.number) == number)).first()
        if slip is None:
            raise DomainError("unknown_slip", field="slip", number=number)
        if shop is not None and slip.shop != shop:
            raise DomainError("shop_denied", field="slip", user=viewer, own=shop,
                              shop=slip.shop)
        customer = s.get(Customer, slip.customer_id) if slip.customer_id else None
        events = s.exec(select(AuditEvent).where(col(AuditEvent.slip_id) == slip.id)
                        .order_by(col(AuditEvent.seq))).all()
        return SlipTimeline(
            number=slip.number, type=slip.type, status=slip.status, channel=slip.channel,
            customer=customer.name if customer else None,
            customer_phone=customer.phone if customer else None,
            created_by=slip.created_by, created_at=as_utc(slip.created_at),
            gross_fen=slip.gross_fen, refund_fen=slip.refund_fen,
            difference_fen=slip.difference_fen, refund_method=slip.refund_method,
            close_reason=slip.close_reason,
            events=[_row(ev, slip.number) for ev in events])


def audit_users(db: Database) -> list[str]:
    """Everyone who appears in the trail (for filter hints), by name."""
    with db.read() as s:
        return [u for (u,) in s.execute(select(AuditEvent.user).distinct()
                                        .order_by(col(AuditEvent.user))).all()]


def trail_head(db: Database) -> tuple[int, str]:
    """The chain head (seq, hash): unchanged head, unchanged trail (a cheap refresh test)."""
    with db.read() as s:
        head = s.get(ChainHead, 1)
        return (head.seq, head.hash) if head else (0, "0" * 64)


# ---------------------------------------------------------------------------------------
# The chain
# ---------------------------------------------------------------------------------------

def verify_trail(db: Database) -> ChainStatus:
    """`service.verify_chain`, as a ChainStatus naming the row it found broken."""
    with db.read() as s:
        check = verify_chain(s)
        total = int(s.exec(select(func.count()).select_from(AuditEvent)).one())
    count = check.params.get("count", total)
    return chain_status(check.ok, check.detail, count if isinstance(count, int) else total,
                        check.params)


def chain_status(ok: bool, detail: str, count: int,
                 params: dict[str, Any] | None = None) -> ChainStatus:
    """A `verify_chain` result (ok flag, detail and params) as a ChainStatus."""
    p = params or {}
    if ok:
        return ChainStatus(True, count, None, None, None, None, detail)
    kind = p.get("problem", "other")
    return ChainStatus(False, count, kind, p.get("seq"), p.get("id"), p.get("found_seq"),
                       detail)


# ---------------------------------------------------------------------------------------
# Summaries
# ---------------------------------------------------------------------------------------


def change_text(from_status: str | None, to_status: str | None) -> str:
    """A status change as "from → to" in the current language ("" when there is none)."""
    if not from_status and not to_status:
        return ""
    before = i18n.label("status", from_status) if from_status else "∅"
    after = i18n.label("status", to_status) if to_status else ""
    return f"{before} → {after}"


def _money_params(detail: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for k, v in detail.items():
        if k in _MONEY and isinstance(v, int) and not isinstance(v, bool):
            params[k.removesuffix("_fen") + "_yuan"] = yuan(v)
        params[k] = v
    return params


def summarize(action: str, detail: dict[str, Any], lang: str | None = None) -> str:
    """The event's detail in a few words of `lang`: amounts as yuan, the policy verdict,
    the reason given. Unknown shapes fall back to `key=value` pairs."""
    t = i18n.t
    d = _money_params(detail)
    sep = "、" if (lang or i18n.get_lang()) == "zh" else ", "
    if action == "submit":
        if d.get("policy_ok"):
            return t("audit_sum_policy_ok", lang)
        failed = d.get("failed") or []
        rules = sep.join(i18n.label("rule", str(r), lang) for r in failed)
        return t("audit_sum_policy_fail", lang, rules=rules or "—")
    if action == "approve":
        if d.get("auto"):
            return t("audit_sum_auto", lang)
        if d.get("override"):
            return t("audit_sum_override", lang, reason=d.get("reason", ""))
        return ""
    if action == "settle":
        parts = []
        if d.get("refund_fen"):
            parts.append(t("audit_sum_refund", lang, refund_yuan=d["refund_yuan"],
                           method=i18n.label("method", str(d.get("method", "")), lang)))
        if d.get("difference_fen"):
            parts.append(t("audit_sum_difference", lang, difference_yuan=d["difference_yuan"]))
        return sep.join(parts) or i18n.label("method", str(d.get("method", "")), lang)
    if action == "inspect":
        grades = d.get("grades") or []
        return sep.join(t("audit_sum_grade", lang, sku=g.get("sku", ""),
                          resellable=g.get("resellable", 0), defective=g.get("defective", 0),
                          scrap=g.get("scrap", 0))
                        for g in grades if isinstance(g, dict))
    if action == "stock_adjust":
        d["location"] = i18n.label("location", str(d.get("location", "")), lang)
        d["qty"] = f"{d.get('qty', 0):+d}" if isinstance(d.get("qty"), int) else d.get("qty")
    if "key" in d:  # `t` takes the message key and the language by these names
        d["setting"] = d.pop("key")
    d.pop("lang", None)
    if action == "user_add":
        d["role"] = i18n.label("role", str(d.get("role", "")), lang)
    if not detail and action != "edit":
        return ""
    key = "audit_sum_import" if action.endswith("_import") else f"audit_sum_{action}"
    if key in i18n.MESSAGES:
        return t(key, lang, **d)
    # Unknown: the raw pairs, money as yuan, still short.
    return " ".join(f"{k}={d.get(k.removesuffix('_fen') + '_yuan', v) if k in _MONEY else v}"
                    for k, v in detail.items())

