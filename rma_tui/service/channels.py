"""Sales channels as the policy file declares them: the counter, the generic online shop
and each online platform with its names, rules and clearing account (平台往来)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from rma_tui.errors import DomainError
from rma_tui.service.unit import policy
from rma_tui.service.vocabulary import ACCOUNTS
from rma_tui.store.models import Account


@dataclass(frozen=True)
class ChannelView:
    """One configured channel: its code, names, whether a platform refunds its buyers, its
    clearing account, and the rules its slips are judged by."""

    code: str
    name_zh: str
    name_en: str
    platform: bool
    clearing_account: str
    no_reason_days: int
    quality_return_days: int
    quality_exchange_days: int
    restocking_fee_bp: int
    auto_approve_limit_fen: int
    auto_approve: bool
    return_shipping: str


def channel_codes() -> tuple[str, ...]:
    """Every channel code a sale, a customer or a slip may name (the policy file's)."""
    return policy().channel_codes()


def channel_value(value: str, field_name: str = "channel") -> str:
    """`value` when it is a configured channel, else `unknown_channel` listing them."""
    code = (value or "").strip()
    known = channel_codes()
    if code not in known:
        raise DomainError("unknown_channel", field=field_name, channel=value,
                          known=", ".join(known))
    return code


def is_platform(channel: str) -> bool:
    """True for an online platform that refunds its buyers itself."""
    return channel in channel_codes() and policy().channel(channel).platform


def list_channels() -> list[ChannelView]:
    """Every configured channel, in the policy file's order."""
    pol = policy()
    out = []
    for code in pol.channel_codes():
        c = pol.channel(code)
        out.append(ChannelView(code, c.name_zh, c.name_en, c.platform, c.clearing_account,
                               c.no_reason_days, c.quality_return_days,
                               c.quality_exchange_days, c.restocking_fee_bp,
                               c.auto_approve_limit_fen, c.auto_approve, c.return_shipping))
    return out


def clearing_account(s: Session, channel: str) -> str:
    """The account a platform's money is kept in, added to the chart of accounts the first
    time it is used (the policy file names it; the books must know it)."""
    c = policy().channel(channel)
    if not c.platform or not c.clearing_account:
        raise DomainError("not_a_platform", field="channel", channel=channel)
    code = c.clearing_account
    if s.get(Account, code) is None:
        s.add(Account(code=code, name_zh=account_name(code, "zh"),
                      name_en=account_name(code, "en"), kind="asset"))
        s.flush()
    return code


def account_name(code: str, lang: str) -> str:
    """An account's name in `lang` (zh or en): the chart's, or a platform's clearing
    account named after its channel; "" for a code nobody declares."""
    names = ACCOUNTS.get(code)
    if names is not None:
        return names[0] if lang == "zh" else names[1]
    pol = policy()
    for channel in pol.channel_codes():
        c = pol.channel(channel)
        if c.platform and c.clearing_account == code:
            return f"平台往来-{c.name_zh}" if lang == "zh" else f"Platform clearing - {c.name_en}"
    return ""
