"""Return policies per channel, read from a TOML file (data only: rules live in service)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

DEFAULT_POLICY_FILE = Path(__file__).parent / "data" / "policies.toml"


@dataclass(frozen=True)
class ChannelPolicy:
    """The windows and fees that apply to sales made through one channel."""

    no_reason_days: int
    quality_return_days: int
    quality_exchange_days: int
    restocking_fee_bp: int  # basis points (1% = 100) so money stays integer
    auto_approve_limit_fen: int
    # False: every slip waits for an approver (owner or finance), even one that passes.
    auto_approve: bool = True
    name_zh: str = ""
    name_en: str = ""
    # An online platform (淘宝, 京东 …): its buyers pay it and it refunds them itself; the
    # money it holds for the shop is the clearing account (平台往来), never the till.
    platform: bool = False
    clearing_account: str = ""
    # Who pays a return parcel: the buyer, the seller, or the buyer's return-shipping
    # insurance (运费险).
    return_shipping: str = "buyer"


@dataclass(frozen=True)
class Policy:
    """The shop's whole policy file."""

    channels: dict[str, ChannelPolicy]
    excluded_categories: tuple[str, ...] = ()
    digital_categories: tuple[str, ...] = ()
    repeat_returner_threshold: int = 3
    min_sample: int = 20
    # A feedback score at or under this opens a follow-up (回访) due in `follow_up_days`.
    low_score: int = 2
    follow_up_days: int = 1
    # Hours a slip should spend at most in each state (合规时效), for the compliance report.
    target_hours: dict[str, int] = field(default_factory=dict)
    source: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    def channel(self, name: str) -> ChannelPolicy:
        """The policy of `name`, or of the `default` channel when it has none of its own."""
        return self.channels.get(name) or self.channels["default"]

    def channel_codes(self) -> tuple[str, ...]:
        """Every channel a slip or sale may name: the file's, in its order, and always
        `store` and `online` (the counter and the generic online shop of older data)."""
        return tuple(c for c in self.channels if c != "default")


def _pct_to_bp(value: object) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def _yuan_to_fen(value: object) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def policy_path() -> Path:
    """The policy file in force: `RMA_POLICY`, else the packaged default."""
    env = os.environ.get("RMA_POLICY")
    return Path(env) if env else DEFAULT_POLICY_FILE


# Channels every desk knows even when a shop's own file leaves them out, with their names.
BUILT_IN_CHANNELS = {"store": ("门店", "Store"), "online": ("网店", "Online shop")}

RETURN_SHIPPING = ("buyer", "seller", "insurance")


class PolicyError(ValueError):
    """A policy file that cannot be used: says which file and which entry."""


def _channel_code(name: str, source: Path) -> str:
    if not name or len(name) > 16 or not all(c.isascii() and (c.isalnum() or c in "-_")
                                             for c in name) or name != name.lower():
        raise PolicyError(f"{source}: channel code {name!r}: lower-case letters, digits, "
                          "'-' or '_', at most 16 (渠道代码只能用小写字母、数字、- 或 _)")
    return name


def load_policy(path: Path | None = None) -> Policy:
    """Read and check a policy file."""
    path = path or policy_path()
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    defaults = raw.get("defaults", {})
    channels: dict[str, ChannelPolicy] = {}
    declared = raw.get("channels", {})
    names = [*BUILT_IN_CHANNELS, *(n for n in declared if n not in BUILT_IN_CHANNELS),
             "default"]
    for name in names:
        _channel_code(name, path)
        merged = {**defaults, **declared.get(name, {})}
        zh, en = BUILT_IN_CHANNELS.get(name, (name, name))
        shipping = str(merged.get("return_shipping", "buyer"))
        if shipping not in RETURN_SHIPPING:
            raise PolicyError(f"{path}: channels.{name}.return_shipping = {shipping!r}: one of "
                              f"{', '.join(RETURN_SHIPPING)} (退货运费由谁承担)")
        platform = bool(merged.get("platform", False))
        clearing = str(merged.get("clearing_account", ""))
        if platform and not clearing:
            raise PolicyError(f"{path}: channels.{name}: a platform needs a clearing_account "
                              "(平台渠道须设平台往来科目)")
        channels[name] = ChannelPolicy(
            no_reason_days=int(merged.get("no_reason_days", 7)),
            quality_return_days=int(merged.get("quality_return_days", 7)),
            quality_exchange_days=int(merged.get("quality_exchange_days", 15)),
            restocking_fee_bp=_pct_to_bp(merged.get("restocking_fee_pct", 0)),
            auto_approve_limit_fen=_yuan_to_fen(merged.get("auto_approve_limit_yuan", 0)),
            auto_approve=bool(merged.get("auto_approve", True)),
            name_zh=str(merged.get("name_zh", zh)),
            name_en=str(merged.get("name_en", en)),
            platform=platform,
            clearing_account=clearing,
            return_shipping=shipping,
        )
    return Policy(
        channels=channels,
        excluded_categories=tuple(raw.get("excluded_categories", ())),
        digital_categories=tuple(raw.get("digital_categories", ())),
        repeat_returner_threshold=int(raw.get("repeat_returner_threshold", 3)),
        min_sample=int(raw.get("min_sample", 20)),
        low_score=int(raw.get("low_score", 2)),
        follow_up_days=int(raw.get("follow_up_days", 1)),
        target_hours={str(k): int(v) for k, v in raw.get("target_hours", {}).items()},
        source=str(path),
    )


_CURRENT: Policy | None = None


def current_policy() -> Policy:
    """The policy in force in this process (read once, on first use)."""
    global _CURRENT
    if _CURRENT is None:
        _CURRENT = load_policy()
    return _CURRENT


def set_current_policy(p: Policy | None) -> None:
    """Replace the policy in force (None: read the file again on next use)."""
    global _CURRENT
    _CURRENT = p
