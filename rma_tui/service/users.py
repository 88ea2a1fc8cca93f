"""Users, PINs and settings: adding users, signing in (wrong PINs counted, a wait after too
many), PINs set and waits cleared, who may run a destructive command or archive the books,
how much of a phone number a role sees, and the first-run setup of a shop."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from rma_tui.errors import DomainError
from rma_tui.service.channels import channel_codes, channel_value
from rma_tui.service.clock import as_utc, utcnow
from rma_tui.service.unit import (
    acting_user,
    append_audit,
    ascii_digits,
    choice_of,
    hash_pin,
    once_per_request,
    pin_matches,
    role_refusal,
    shop_code,
    text_value,
)
from rma_tui.service.views import UserView
from rma_tui.service.vocabulary import (
    ARCHIVE_ROLES,
    DESTRUCTIVE_ACTIONS,
    DESTRUCTIVE_ROLES,
    EXPORT_PHONE_ROLES,
    PHONE_ROLES,
    ROLES,
    UNLOCK_ROLES,
)
from rma_tui.store.db import Database
from rma_tui.store.models import DEFAULT_SHOP, RequestRecord, Setting, Shop, User


def add_user(
    db: Database,
    actor: str | None,
    name: str,
    role: str,
    pin: str | None = None,
    request_id: str | None = None,
    now: datetime | None = None,
    shop: str | None = None,
) -> UserView:
    """Add a user. Only an owner may, except the very first user, who must be an owner.

    `shop` ties the user to one shop of the chain (they see and act there only); None: every
    shop. An owner of one shop adds users of that shop only."""
    now = now or utcnow()
    name = text_value(name, "name", required=True, max_len=64)
    role = choice_of(role, ROLES, "role")
    pin = _pin(pin)
    with db.write() as s:
        first = s.exec(select(func.count()).select_from(User)).one() == 0
        if first:
            if role != "owner":
                raise DomainError("first_user_owner", field="role")
            by = actor or name
        elif actor is None and request_id and s.get(RequestRecord, request_id.strip()):
            # I7: the first owner's request (made with no actor) replayed later answers as
            # then; `once_per_request` still refuses it unless it is the very same request.
            by = name
        else:
            by = acting_user(s, actor, ("owner",)).name

        def work() -> str:
            if s.exec(select(User).where(User.name == name)).first() is not None:
                raise DomainError("user_exists", field="name", name=name)
            home = None if shop is None else shop_code(s, shop)
            adder = s.exec(select(User).where(User.name == by)).first()
            if adder is not None and adder.shop is not None and home != adder.shop:
                # A shop's owner cannot make chain-wide users or users of other shops.
                raise DomainError("shop_denied", field="shop", user=by, shop=home or "*",
                                  own=adder.shop)
            s.add(
                User(name=name, role=role, pin_hash=hash_pin(pin) if pin else None, created_at=now,
                     shop=home)
            )
            append_audit(
                s, by, "user_add", now, detail={"name": name, "role": role, "shop": home},
                request_id=request_id
            )
            return name

        once_per_request(s, request_id, "user_add", [by, name, role, bool(pin), shop], work, now)
        user = s.exec(select(User).where(User.name == name)).one()
        return _user_view(user)


def _pin(pin: str | None) -> str | None:
    """A PIN is 4 to 12 digits (or none at all)."""
    if pin is None:
        return None
    pin = pin.strip()
    if not ascii_digits(pin) or not 4 <= len(pin) <= 12:
        raise DomainError("bad_pin", field="pin")
    return pin


def _user_view(u: User) -> UserView:
    return UserView(u.name, u.role, u.pin_hash is not None, u.active, u.shop)


def list_users(db: Database) -> list[UserView]:
    """Every user, by name."""
    with db.read() as s:
        rows = s.exec(select(User).order_by(col(User.name))).all()
        return [_user_view(u) for u in rows]


def get_user(db: Database, name: str) -> UserView | None:
    """One user, or None."""
    with db.read() as s:
        u = s.exec(select(User).where(User.name == name)).first()
        return _user_view(u) if u else None


# Wrong PINs in a row a user may make before waiting; the first wait, doubling with each
# further wrong PIN, up to the longest (the owner can clear it at any time).
PIN_TRIES = 5


PIN_FIRST_WAIT = timedelta(minutes=1)


PIN_LONGEST_WAIT = timedelta(days=1)


def pin_wait(failures: int) -> timedelta:
    """How long a user waits after `failures` wrong PINs in a row (none below PIN_TRIES)."""
    if failures < PIN_TRIES:
        return timedelta(0)
    return min(PIN_FIRST_WAIT * 2 ** min(failures - PIN_TRIES, 20), PIN_LONGEST_WAIT)


def sign_in(db: Database, name: str, pin: str | None, now: datetime | None = None) -> UserView:
    """Prove that the person at the terminal is user `name`: a known, active user, with the
    right PIN when it has one. Every read and write asks this first.

    Wrong PINs are counted: after PIN_TRIES in a row the user must wait (`pin_locked`,
    saying until when), longer after each further wrong one, or until the owner clears it
    (`unlock_user`); the wait is recorded in the audit trail. A right PIN starts the count
    again. Refusals: `unknown_user`, `pin_required` (a PIN user gave none), `pin_wrong`,
    `pin_locked`."""
    now = now or utcnow()
    with db.write() as s:
        user = acting_user(s, name)
        if user.pin_hash is None:
            return _user_view(user)
        until = as_utc(user.pin_locked_until) if user.pin_locked_until is not None else None
        if until is not None and until > now:
            raise DomainError("pin_locked", field="pin", user=user.name,
                              until=until.astimezone().strftime("%Y-%m-%d %H:%M:%S"))
        if pin is None:
            raise DomainError("pin_required", field="pin", user=user.name)
        if pin_matches(pin, user.pin_hash):
            if user.pin_failures or user.pin_locked_until is not None:
                user.pin_failures, user.pin_locked_until = 0, None
                s.add(user)
            return _user_view(user)
        user.pin_failures += 1
        wait = pin_wait(user.pin_failures)
        if wait:
            user.pin_locked_until = now + wait
            append_audit(s, user.name, "pin_locked", now,
                         detail={"user": user.name, "failures": user.pin_failures,
                           "until": (now + wait).isoformat()})
        s.add(user)
    # Raised after the commit: the count of wrong PINs must be kept.
    raise DomainError("pin_wrong", field="pin", user=name)


def check_pin(db: Database, name: str, pin: str, now: datetime | None = None) -> bool:
    """True when `sign_in` accepts user `name` with `pin` (counted like any try)."""
    try:
        sign_in(db, name, pin, now=now)
    except DomainError:
        return False
    return True


def set_pin(db: Database, actor: str, name: str, pin: str, request_id: str | None = None,
            now: datetime | None = None) -> UserView:
    """Give user `name` a new PIN (4-12 digits): the owner for anyone, anyone for
    themselves; audited (never the PIN). Clears any wait for wrong PINs."""
    now = now or utcnow()
    secret = _pin(pin)
    if secret is None:
        raise DomainError("required", field="pin")
    with db.write() as s:
        who = acting_user(s, actor)
        user = s.exec(select(User).where(User.name == name)).first()
        if user is None:
            raise DomainError("unknown_user", field="name", user=name)
        if who.name != user.name:
            refused = role_refusal(who.name, who.role, UNLOCK_ROLES)
            if refused is not None:
                raise refused

        def work() -> str:
            user.pin_hash = hash_pin(secret)
            user.pin_failures, user.pin_locked_until = 0, None
            s.add(user)
            append_audit(s, who.name, "pin_set", now, detail={"user": user.name},
                         request_id=request_id)
            return user.name

        # The PIN stays out of the request's fingerprint (it is stored nowhere but hashed).
        once_per_request(s, request_id, "set_pin", [who.name, name], work, now)
        return _user_view(user)


def unlock_user(db: Database, actor: str, name: str, request_id: str | None = None,
                now: datetime | None = None) -> UserView:
    """Clear a user's wrong-PIN count and wait (owner only); audited."""
    now = now or utcnow()
    with db.write() as s:
        owner = acting_user(s, actor, UNLOCK_ROLES)
        user = s.exec(select(User).where(User.name == name)).first()
        if user is None:
            raise DomainError("unknown_user", field="name", user=name)

        def work() -> str:
            append_audit(s, owner.name, "pin_unlocked", now,
                         detail={"user": user.name, "failures": user.pin_failures},
                         request_id=request_id)
            user.pin_failures, user.pin_locked_until = 0, None
            s.add(user)
            return user.name

        once_per_request(s, request_id, "unlock_user", [owner.name, name], work, now)
        return _user_view(user)


def authorize_destructive(db: Database, actor: str) -> UserView:
    """The signed-in `actor`, if they may run a command that replaces the shop's data: the
    owner, and where any user of the shop has a PIN, an owner with a PIN of their own (who
    gave it when signing in). Refused otherwise (`role_denied`, `destructive_needs_pin`)."""
    with db.read() as s:
        user = acting_user(s, actor, DESTRUCTIVE_ROLES)
        pins = s.exec(select(func.count()).select_from(User).where(
            col(User.pin_hash).is_not(None))).one()
        if pins and user.pin_hash is None:
            raise DomainError("destructive_needs_pin", field="user", user=user.name)
        return _user_view(user)


def record_destructive(db: Database, actor: str, action: str, detail: dict[str, Any],
                       now: datetime | None = None) -> None:
    """Put a destructive command in the audit trail of the database it left behind (the
    new demo, the restored backup, the copy): who ran it, what it replaced and where the
    replaced data was kept. `actor` was signed in on the database the command ran against
    (and may not exist in this one)."""
    choice_of(action, DESTRUCTIVE_ACTIONS, "action")
    with db.write() as s:
        append_audit(s, text_value(actor, "user", required=True, max_len=64), action,
                     now or utcnow(), detail=detail)


def authorize_archive(db: Database, actor: str) -> UserView:
    """The signed-in `actor`, if they may write or check an archive: a chain-wide owner or
    finance (`role_denied`; a shop's own user: `archive_chain_only`)."""
    with db.read() as s:
        user = acting_user(s, actor, ARCHIVE_ROLES)
        if user.shop is not None:
            raise DomainError("archive_chain_only", field="user", user=user.name,
                              shop=user.shop)
        return _user_view(user)


def masked_phone(phone: str) -> str:
    """A phone number with its middle hidden: 13800002248 -> 138****2248 (a short one
    keeps only its last two digits)."""
    if len(phone) >= 8:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(len(phone) - 2, 1) + phone[-2:]


def phone_for(role: str | None, phone: str | None, export: bool = False) -> str | None:
    """A customer's phone as user `role` may see it: whole for the roles whose work needs
    it (in exported files only for the owner), else masked."""
    if not phone:
        return phone
    roles = EXPORT_PHONE_ROLES if export else PHONE_ROLES
    return phone if role in roles else masked_phone(phone)


def needs_setup(db: Database) -> bool:
    """True for a database with no users yet: the app runs its first-run setup."""
    with db.read() as s:
        return s.exec(select(func.count()).select_from(User)).one() == 0


def setup_shop(
    db: Database,
    shop_name: str,
    owner: str,
    pin: str | None,
    channels: Sequence[str] | None = None,
    now: datetime | None = None,
) -> UserView:
    """First-run setup of an empty database: the shop's name, the owner's account (with a
    PIN) and the channels it sells through, in one transaction."""
    at = now or utcnow()
    shop_name = text_value(shop_name, "shop_name", required=True, max_len=100)
    owner = text_value(owner, "owner", required=True, max_len=64)
    pin = _pin(pin)
    asked = channel_codes() if channels is None else channels
    chosen = [channel_value(c, "channels") for c in asked]
    if not chosen:
        raise DomainError("required", field="channels")
    with db.write() as s:
        if s.exec(select(func.count()).select_from(User)).one():
            raise DomainError("already_set_up", field="owner")
        s.add(
            User(name=owner, role="owner", pin_hash=hash_pin(pin) if pin else None, created_at=at)
        )
        s.add(Setting(key="shop_name", value=shop_name))
        s.add(Setting(key="channels", value=",".join(chosen)))
        first = s.get(Shop, DEFAULT_SHOP)
        if first is not None:  # the default shop takes the shop's name
            first.name = shop_name
            s.add(first)
        append_audit(
            s,
            owner,
            "setup",
            at,
            detail={"shop_name": shop_name, "owner": owner, "channels": chosen},
        )
    return UserView(owner, "owner", pin is not None, True)
