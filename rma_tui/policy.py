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


def _pct_to_bp(value: object) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def _yuan_to_fen(value: object) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def policy_path() -> Path:
    """The policy file in force: `RMA_POLICY`, else the packaged default."""
    env = os.environ.get("RMA_POLICY")
    return Path(env) if env else DEFAULT_POLICY_FILE


def load_policy(path: Path | None = None) -> Policy:
    """Read and check a policy file."""
    path = path or policy_path()
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    defaults = raw.get("defaults", {})
    channels: dict[str, ChannelPolicy] = {}
    names = set(raw.get("channels", {})) | {"default"}
    for name in names:
        merged = {**defaults, **raw.get("channels", {}).get(name, {})}
        channels[name] = ChannelPolicy(
            no_reason_days=int(merged.get("no_reason_days", 7)),
            quality_return_days=int(merged.get("quality_return_days", 7)),
            quality_exchange_days=int(merged.get("quality_exchange_days", 15)),
            restocking_fee_bp=_pct_to_bp(merged.get("restocking_fee_pct", 0)),
            auto_approve_limit_fen=_yuan_to_fen(merged.get("auto_approve_limit_yuan", 0)),
            auto_approve=bool(merged.get("auto_approve", True)),
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
