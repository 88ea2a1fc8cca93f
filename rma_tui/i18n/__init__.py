"""Chinese and English strings for the whole desk (zh first: the shops are Chinese).

Public interface
----------------
``LANGS``                  the supported languages, ``("zh", "en")``.
``set_lang`` / ``get_lang``  the process-wide current language (default ``"zh"``).
``resolve_lang(cli)``      ``--lang`` value, then ``RMA_LANG``, then ``LC_ALL`` / ``LANG``
                           (``en*`` -> en, anything else -> zh), default zh.
``t(key, lang, **params)`` a message from ``MESSAGES`` filled with ``str.format_map``; a
                           missing parameter stays as ``{name}``; an unknown key is returned
                           as is.
``label(kind, code, lang)``  the display name of a code from ``LABELS`` (the code itself
                           when unknown).

Derived placeholders (computed by ``t`` when the caller did not pass them):

* ``{x_yuan}`` -- the integer fen in ``x_fen`` (or ``x``) shown as yuan: ``¥12.34``
  (a non-integer ``x``, such as the text of an import cell, is shown as given).
* ``{x_label}`` -- the code in ``x`` shown through ``LABELS`` in the message's language
  (kind chosen by name: status/to -> status, location, method, role, reason, type,
  channel, payment, rule, action, check, grade; otherwise the first kind that knows it;
  comma-separated lists are labelled item by item).

A message with the bracket ``（字段 {field}）`` / `` (field {field})`` loses it when ``field``
is empty or not given, so domain errors read well with or without a field.

Message keys
------------
Domain errors (``DomainError(key, field=..., **params)``): ``required``, ``too_long``,
``bad_text``, ``not_integer``, ``qty_positive``, ``too_large``, ``money_negative``,
``bad_choice``, ``unknown_user``, ``role_denied``, ``request_id_conflict``,
``bad_transition``, ``journal_unbalanced``, ``stock_short``, ``unknown_sku``,
``unknown_slip``, ``bad_pin``, ``first_user_owner``, ``user_exists``, ``bad_phone``,
``sku_exists``, ``phone_exists``, ``order_exists``, ``unknown_customer``, ``no_lines``,
``sku_not_in_sale``, ``over_returnable``, ``replacement_on_return``, ``unknown_sale``,
``customer_mismatch``, ``own_slip``, ``exception_needs_owner``, ``exception_needs_reason``,
``sku_not_in_slip``, ``grade_missing``, ``grade_sum``, ``grade_extra``, ``over_refund``,
``method_needs_customer``, ``credit_short``, ``bad_score``, ``feedback_not_settled``,
``feedback_exists``; CSV imports: ``import_row_error`` (file, line, column),
``import_cannot_read``, ``import_bad_encoding``, ``import_decode_failed``, ``import_empty``,
``import_missing_column``, ``import_unknown_column``, ``import_duplicate_column``,
``import_too_many_fields``, ``import_bad_csv``, ``import_bad_money``,
``import_money_precision``, ``import_bad_date``, ``import_order_mismatch``.

Policy verdict details (params of ``service.RuleResult``): ``rule_<rule>_ok`` and
``rule_<rule>_fail`` for rule in original_sale, window, excluded_category, condition, amount.

Notifications (``Notification.key``; params slip, by / sku, name, sellable, reorder_point):
``slip_draft``, ``slip_submitted``, ``slip_approved``, ``slip_received``,
``slip_inspected``, ``slip_settled``, ``slip_rejected``, ``slip_cancelled``,
``slip_closed``, ``low_stock``.

UI / CLI words:

=========================  ===========================================================
key                        zh / en (params)
=========================  ===========================================================
app_title                  退换货工作台 / Returns desk
home_title                 首页 / Home
col_number ... col_message  column headers (see ``_COLUMNS``): number, type, status,
                           channel, customer, phone, sale, order, sku, name, model, qty,
                           unit_price, refund, difference, fee, gross, method, reason,
                           reason_text, replacement_sku, replacement_qty, created_by,
                           created_at, updated_at, sellable, pending, defective, scrap,
                           reorder_point, low, sold, returned, returnable, total,
                           sold_at, events, user, at, action, role, pin, active, note,
                           category, supplier, payment, lines, score, comment, check,
                           ok, detail, rule, result, count, state, from, to, message,
                           credit, grade, resellable, verdict, feedback
yes / no                   是 / 否, Yes / No
ok / fail                  通过 / 未通过, OK / FAIL
low_flag                   低 / LOW (cell text of a low-stock row)
none                       — (an empty cell)
verify_ok                  校验通过 / All checks passed
verify_failed              发现问题 / Problems found
slip_created               已创建单据 {number} / Created slip {number}
slip_updated               单据 {number} 现为 {status_label} / Slip {number} is now ...
slip_not_found             找不到单据 {number}
no_such_command            没有这个命令：{name} / No such command: {name}
notifications_heading      我的通知 / My notifications
no_notifications           暂无通知 / No notifications
counts_heading             各状态单据数 / Slips per state
alerts_heading             低库存预警 / Low-stock alerts
no_alerts                  暂无低库存商品 / No low-stock products
policy_heading             政策校验 / Policy check
events_heading             操作记录 / History
lines_heading              明细 / Lines
demo_ready                 演示数据库已就绪：{path} / Demo database ready: {path}
demo_exists                {path} 已有数据，加 --force 重建
db_ready                   数据库已就绪：{path} / Database ready: {path}
import_file                导入 {file} / Importing {file}
import_done                已从 {file} 导入 {count} 条 / Imported {count} rows from {file}
import_error               {file} 第 {line} 行 字段 {field}：{message}
import_bad_header          {file} 缺少列：{columns} / {file} is missing columns: ...
user_added                 已添加用户 {name}（{role_label}）
feedback_saved             已记录单据 {slip} 的评价 / Feedback saved for slip {slip}
pin_prompt / pin_confirm   请输入 PIN / Enter PIN, 再次输入 PIN / Repeat PIN
pin_mismatch               两次输入的 PIN 不一致 / The PINs do not match
error_prefix               错误 / Error
warning_prefix             注意 / Warning
bad_line_spec              --line 格式应为 SKU:数量:原因[:换货SKU[:换货数量]]：{value}
bad_grade_spec             --grade 格式应为 SKU:可再售:残次:报废：{value}
=========================  ===========================================================
"""

from __future__ import annotations

import os
from typing import Any

from rma_tui.i18n import (
    audit,
    channels,
    checks,
    columns,
    customers,
    desk,
    errors,
    finance,
    notifications,
    platform_files,
    platform_screens,
    policy,
    reports,
    stock,
)
from rma_tui.i18n.labels import LABELS
from rma_tui.money import yuan

LANGS = ("zh", "en")
_lang = "zh"

# Every message, from each part of the job's catalogue (a key is defined in one part only:
# tests/test_i18n.py checks that none is defined twice).
PARTS: dict[str, dict[str, tuple[str, str]]] = {
    "errors": errors.MESSAGES, "policy": policy.RULES, "notifications": notifications.MESSAGES,
    "columns": columns.MESSAGES, "desk": desk.MESSAGES, "stock": stock.MESSAGES,
    "customers": customers.MESSAGES, "finance": finance.MESSAGES, "audit": audit.MESSAGES,
    "reports": reports.MESSAGES, "checks": checks.MESSAGES,
    "channels": channels.MESSAGES, "platform_files": platform_files.MESSAGES,
    "platform_screens": platform_screens.MESSAGES,
}
MESSAGES: dict[str, tuple[str, str]] = {k: v for part in PARTS.values() for k, v in part.items()}

# Which LABELS kind a `{<name>_label}` placeholder uses.
_LABEL_KIND = {
    "status": "status", "to": "status", "from": "status", "location": "location",
    "method": "method", "rest": "method", "role": "role", "reason": "reason", "type": "type",
    "channel": "channel", "payment": "payment", "rule": "rule", "action": "action",
    "check": "check", "grade": "grade", "kind": "move", "problem": "cell_problem",
    "platform_status": "platform_status", "was": "platform_status", "now": "platform_status",
}

# The field bracket a message drops when `field` is empty or not given.
_FIELD_BRACKETS = ("（字段 {field}）", " (field {field})")


class _Params(dict[str, object]):
    """The parameters of one message: derived placeholders, and `{name}` for missing ones."""

    def __init__(self, params: dict[str, Any], lang: str) -> None:
        # None (e.g. no sale, so no day count) shows as a dash, not as "None".
        super().__init__({k: "—" if v is None else v for k, v in params.items()})
        self.lang = lang

    def __missing__(self, key: str) -> str:
        if key.endswith("_yuan"):
            base = key[: -len("_yuan")]
            for name in (base + "_fen", base):
                value = dict.get(self, name)
                if isinstance(value, int) and not isinstance(value, bool):
                    return yuan(value)
            if base in self:  # not fen (e.g. the raw text of an import cell): as given
                return str(self[base])
        elif key.endswith("_label"):
            base = key[: -len("_label")]
            if base in self:
                kind = _LABEL_KIND.get(base)
                codes = [c.strip() for c in str(self[base]).split(",")]
                return ", ".join(_label_any(kind, c, self.lang) for c in codes)
        return "{" + key + "}"


def _label_any(kind: str | None, code: str, lang: str) -> str:
    if kind is not None:
        return label(kind, code, lang)
    for table in LABELS.values():
        if code in table:
            return table[code][LANGS.index(lang)]
    return code


def _norm(value: str | None) -> str | None:
    """"zh"/"en" for a language value such as "en_US.UTF-8" or "zh-CN", else None."""
    value = (value or "").strip().lower()
    for lang in LANGS:
        if value.startswith(lang):
            return lang
    return None


def set_lang(lang: str) -> None:
    """Set the process-wide language; anything unsupported falls back to Chinese."""
    global _lang
    _lang = _norm(lang) or "zh"


def get_lang() -> str:
    """The current process-wide language."""
    return _lang


def resolve_lang(cli_value: str | None = None) -> str:
    """The language to use: `--lang`, then RMA_LANG, then LC_ALL/LANG, default Chinese.

    A locale starting with ``en`` means English; any other locale (zh_CN, C, ...) Chinese,
    because the shops are Chinese.
    """
    for explicit in (cli_value, os.environ.get("RMA_LANG")):
        lang = _norm(explicit)
        if lang is not None:
            return lang
    locale = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "en" if _norm(locale) == "en" else "zh"


def _pick(lang: str | None) -> str:
    return _norm(lang) or _lang


def t(key: str, lang: str | None = None, **params: Any) -> str:
    """The message `key` in `lang` (default: current) with `params` filled in.

    Missing parameters stay as ``{name}``; an unknown key comes back as the key itself.
    """
    lang = _pick(lang)
    texts = MESSAGES.get(key)
    if texts is None:
        return key
    template = texts[LANGS.index(lang)]
    if not params.get("field"):
        for bracket in _FIELD_BRACKETS:
            template = template.replace(bracket, "")
    return template.format_map(_Params(params, lang))


def label(kind: str, code: str, lang: str | None = None) -> str:
    """The display name of `code` of `kind` (e.g. "status", "draft" -> 草稿); unknown -> code."""
    entry = LABELS.get(kind, {}).get(code)
    if entry is None and kind == "channel":
        entry = _channel_names(code)
    if entry is None:
        return code
    return entry[LANGS.index(_pick(lang))]


def _channel_names(code: str) -> tuple[str, str] | None:
    # Channels are declared in the policy file, with their names in both languages.
    from rma_tui.policy import current_policy

    pol = current_policy()
    if code not in pol.channel_codes():
        return None
    c = pol.channel(code)
    return c.name_zh, c.name_en
