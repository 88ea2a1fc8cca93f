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

from rma_tui.money import yuan

LANGS = ("zh", "en")
_lang = "zh"

# kind -> code -> (zh, en)
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "status": {
        "draft": ("草稿", "Draft"),
        "submitted": ("待审核", "Submitted"),
        "approved": ("已审核", "Approved"),
        "received": ("已收货", "Received"),
        "inspected": ("已质检", "Inspected"),
        "settled": ("已结算", "Settled"),
        "closed": ("已关闭", "Closed"),
        "rejected": ("已驳回", "Rejected"),
        "cancelled": ("已作废", "Cancelled"),
    },
    "type": {
        "return": ("退货", "Return"),
        "exchange": ("换货", "Exchange"),
    },
    "reason": {
        "quality": ("质量问题", "Quality fault"),
        "not_as_described": ("与描述不符", "Not as described"),
        "wrong_item": ("发错货", "Wrong item sent"),
        "damaged": ("运输破损", "Damaged in transit"),
        "size": ("尺寸/规格不合适", "Wrong size / spec"),
        "changed_mind": ("无理由退换", "Changed mind (no reason)"),
        "other": ("其他", "Other"),
    },
    "method": {
        "original": ("原路退回", "Original payment"),
        "cash": ("现金", "Cash"),
        "credit": ("储值/店铺余额", "Store credit"),
        "receivable": ("冲减应收", "Reduce receivable"),
    },
    "role": {
        "clerk": ("店员", "Clerk"),
        "warehouse": ("仓管", "Warehouse"),
        "finance": ("财务", "Finance"),
        "owner": ("店主", "Owner"),
    },
    "location": {
        "sellable": ("可售", "Sellable"),
        "pending": ("待检", "Pending inspection"),
        "defective": ("残次", "Defective"),
        "scrap": ("报废", "Scrap"),
    },
    "channel": {
        "store": ("门店", "Store"),
        "online": ("网店", "Online"),
    },
    "rule": {
        "original_sale": ("有原销售单", "Original sale"),
        "window": ("退换期限", "Return window"),
        "excluded_category": ("不在排除品类", "Category allowed"),
        "condition": ("商品状态/包装完好", "Condition / packaging"),
        "amount": ("自动审核金额", "Auto-approve amount"),
    },
    "payment": {
        "cash": ("现金", "Cash"),
        "card": ("银行卡", "Card"),
        "wechat": ("微信", "WeChat Pay"),
        "alipay": ("支付宝", "Alipay"),
    },
    # Names of the checks of `service.verify` (Check.name).
    "check": {
        "integrity": ("数据库完整性", "Database integrity"),
        "I1 stock": ("I1 库存", "I1 stock"),
        "I2 money": ("I2 账务平衡", "I2 money"),
        "I3 returnable": ("I3 可退数量", "I3 returnable"),
        "I4 refund": ("I4 退款上限", "I4 refund"),
        "I5 cost": ("I5 退货成本", "I5 cost"),
        "I6 lifecycle": ("I6 单据流程", "I6 lifecycle"),
        "chain": ("审计链", "Audit chain"),
        "I7 requests": ("I7 重复请求", "I7 requests"),
        "credit": ("顾客储值", "Store credit"),
        "daily-close": ("日结", "Daily close"),
        "cells": ("数据格式", "Cells"),
    },
    # What is wrong with a damaged cell (store.cells problem codes).
    "cell_problem": {
        "null": ("为空", "is empty"),
        "not_integer": ("不是整数", "is not an integer"),
        "not_boolean": ("不是是/否", "is not a yes/no"),
        "not_text": ("不是文本", "is not text"),
        "not_utf8": ("不是有效的 UTF-8 文本", "is not valid UTF-8 text"),
        "bad_datetime": ("不是有效的日期时间", "is not a valid date and time"),
        "bad_json": ("不是有效的 JSON", "is not valid JSON"),
        "out_of_range": ("超出允许范围", "is out of range"),
        "unknown_value": ("不是已知的取值", "is not a known value"),
        "no_parent": ("指向不存在的记录", "names a row that does not exist"),
    },
    # Inspection grades of a received unit.
    "grade": {
        "resellable": ("可再售", "Resellable"),
        "defective": ("残次", "Defective"),
        "scrap": ("报废", "Scrap"),
    },
    # Audit event actions (AuditEvent.action).
    "action": {
        "create": ("制单", "Created"),
        "submit": ("提交", "Submitted"),
        "approve": ("审核通过", "Approved"),
        "reject": ("驳回", "Rejected"),
        "cancel": ("作废", "Cancelled"),
        "receive": ("收货", "Received"),
        "inspect": ("质检", "Inspected"),
        "settle": ("结算", "Settled"),
        "close": ("关闭", "Closed"),
        "feedback": ("客户评价", "Feedback"),
        "user_add": ("添加用户", "User added"),
        "setting": ("修改设置", "Setting changed"),
        "product_import": ("导入商品", "Products imported"),
        "customer_import": ("导入客户", "Customers imported"),
        "sale_import": ("导入销售单", "Sales imported"),
        "purchase": ("采购入库", "Purchase received"),
        "stock_adjust": ("库存调整", "Stock adjusted"),
        "reorder_point": ("设置补货点", "Reorder point set"),
        "defective_repair": ("残次品修复入库", "Defective repaired"),
        "defective_scrap": ("残次品报废", "Defective scrapped"),
        "supplier_return": ("退供应商", "Returned to supplier"),
        "follow_up": ("新建回访", "Follow-up noted"),
        "follow_up_done": ("回访完成", "Follow-up done"),
        "close_day": ("日结", "Day closed"),
        "shop_add": ("新开门店", "Shop opened"),
        "shop_rename": ("门店改名", "Shop renamed"),
        "transfer": ("门店调拨", "Stock transferred"),
        "pin_locked": ("PIN 错误过多，须等待", "Too many wrong PINs: wait"),
        "demo_replaced": ("演示数据替换了原数据库", "Demo built over the shop"),
        "restored": ("从备份恢复", "Restored from a backup"),
        "archive_replaced": ("覆盖旧归档", "Archive written over another"),
        "db_copied": ("数据库复制", "Database copied"),
        "pin_unlocked": ("解除 PIN 锁定", "PIN wait cleared"),
        "pin_set": ("设置 PIN", "PIN set"),
    },
    # Stock move kinds (StockMove.kind).
    "move": {
        "purchase": ("采购入库", "Purchase"),
        "sale": ("销售出库", "Sale"),
        "return_in": ("退货入待检", "Return in (pending)"),
        "inspect": ("质检", "Inspection"),
        "exchange_out": ("换货出库", "Exchange out"),
        "adjust": ("盘点调整", "Count adjustment"),
        "repair": ("修复", "Repair"),
        "scrap": ("报废", "Scrap"),
        "supplier_return": ("退供应商", "Supplier return"),
        "transfer_out": ("调拨出库", "Transfer out"),
        "transfer_in": ("调拨入库", "Transfer in"),
    },
}

_ERRORS: dict[str, tuple[str, str]] = {
    # Input validation (service.unit text_value / qty_value / fen_value / choice_of)
    "required": ("{field} 为必填项",
                 "{field} is required"),
    "too_long": ("{field} 过长，最多 {max} 个字符",
                 "{field} is too long (at most {max} characters)"),
    "bad_text": ("{field} 含有非法字符",
                 "{field} contains an invalid character"),
    "not_integer": ("{field} 应为整数，收到 {value}",
                    "{field} must be a whole number, got {value}"),
    "qty_positive": ("数量必须大于 0，收到 {value}（字段 {field}）",
                     "Quantity must be greater than 0, got {value} (field {field})"),
    "date_out_of_range": ("日期 {value} 超出可用范围（{first} 至 {last}），"
                          "请检查是否输错（字段 {field}）",
                          "The date {value} is outside the usable range ({first} to {last}): "
                          "check for a typo (field {field})"),
    "amount_too_large": ("金额 {amount_yuan} 超过单笔上限 {limit_yuan}，请检查数量和单价",
                         "The amount {amount_yuan} is over the limit of one entry "
                         "({limit_yuan}): check the quantity and the unit price"),
    "stock_too_large": ("{sku} 的{location_label}库存 {have} 加上 {qty} 将超过上限 {limit}",
                        "{sku}: {have} {location_label} plus {qty} would pass the limit of "
                        "{limit}"),
    "too_large": ("数值 {value} 过大，请检查是否输错（字段 {field}）",
                  "The value {value} is too large; please check it (field {field})"),
    "money_negative": ("金额不能为负数：{value_yuan}（字段 {field}）",
                       "An amount cannot be negative: {value_yuan} (field {field})"),
    "bad_choice": ("“{value}”不是有效选项，可选：{allowed}（字段 {field}）",
                   "'{value}' is not a valid choice; use one of: {allowed} (field {field})"),
    "bad_date": ("日期“{value}”格式不正确，应如 2026-01-31（字段 {field}）",
                 "The date '{value}' is not valid; use e.g. 2026-01-31 (field {field})"),
    # Users and permissions
    "unknown_user": ("找不到用户“{user}”，请用 --user 或 RMA_USER 指定已登记的用户",
                     "Unknown user '{user}'; give a registered user with --user or RMA_USER"),
    "role_denied": ("用户 {user}（{role_label}）无权执行此操作，需要：{allowed_label}",
                    "User {user} ({role_label}) may not do this; it needs: {allowed_label}"),
    "bad_pin": ("PIN 不正确或格式不对（字段 {field}）",
                "The PIN is wrong or badly formed (field {field})"),
    "first_user_owner": ("第一个用户必须是店主（字段 {field}）",
                         "The first user must be an owner (field {field})"),
    "user_exists": ("用户 {name} 已存在（字段 {field}）",
                    "User {name} already exists (field {field})"),
    # Shops of a chain
    "unknown_shop": ("门店“{shop}”不存在，请用 rma shop list 查看（字段 {field}）",
                     "There is no shop '{shop}'; see rma shop list (field {field})"),
    "shop_denied": ("用户 {user} 属于门店 {own}，不能在门店 {shop} 操作或查看（字段 {field}）",
                    "User {user} belongs to shop {own}; they cannot act in or see shop {shop} "
                    "(field {field})"),
    "shop_required": ("本连锁有多家门店，{user} 可在各店操作：请指明门店（命令行用 --shop，"
                      "工作台按 F6 切换门店）（字段 {field}）",
                      "This chain has several shops and {user} works in all of them: name one "
                      "(--shop at the command line, F6 in the app) (field {field})"),
    "bad_shop_code": ("门店代码“{code}”只能用小写字母、数字、- 或 _（字段 {field}）",
                      "The shop code '{code}' may only use lower-case letters, digits, - or _ "
                      "(field {field})"),
    "shop_exists": ("门店代码 {code} 已存在（字段 {field}）",
                    "A shop with the code {code} already exists (field {field})"),
    "transfer_same_shop": ("调出和调入是同一家门店 {shop}（字段 {field}）",
                           "The transfer goes from shop {shop} to itself (field {field})"),
    # Requests and lifecycle
    "request_id_conflict": ("请求号 {request_id} 已用于另一笔不同的操作，不能重复使用",
                            "Request id {request_id} was already used for a different request"),
    "bad_transition": ("单据 {slip} 当前为“{status_label}”，不能变为“{to_label}”",
                       "Slip {slip} is {status_label}; it cannot become {to_label}"),
    "check_ok_integrity": ("数据库文件完好", "The database file is sound"),
    "check_ok_i1": ("各库位库存 = 库存流水之和，无负数",
                    "Stock levels = sum of moves, none negative"),
    "check_ok_i2": ("借贷平衡，合计 {total_yuan}", "Debits equal credits, total {total_yuan}"),
    "check_ok_i3": ("退货数量均未超过销售数量", "No more returned than sold"),
    "check_ok_i4": ("退款均未超过实付金额", "No refund over what was paid"),
    "check_ok_i5": ("退货按原销售成本计价", "Returns valued at the original sale cost"),
    "check_ok_i6": ("每次状态变更都合规并已记录", "Every state change is legal and audited"),
    "check_ok_chain": ("审计链完整：{count} 条，链头 {head}",
                       "Audit chain intact: {count} events, head {head}"),
    "check_ok_i7": ("每个请求号只生效一次", "Each request id applied once"),
    "check_ok_credit": ("顾客储值 = 储值流水 = 2205 科目，合计 {total_yuan}",
                        "Store credit = its moves = account 2205, total {total_yuan}"),
    "check_ok_daily-close": ("已日结的日期账目未变", "Closed days unchanged"),
    "already_set_up": ("本店已设置过，不能再次初始化", "This shop is already set up"),
    "not_draft": ("单据 {slip} 当前为“{status_label}”，只有草稿可以修改",
                  "Slip {slip} is {status_label}; only a draft can be changed"),
    "not_your_draft": ("草稿 {slip} 由 {creator} 制单，只有制单人或店主可以修改",
                       "Draft {slip} belongs to {creator}; only they or an owner may change it"),
    "no_sale_needs_note": ("没有原销售单的退换货须在备注中写明原因（如小票遗失）",
                           "A slip without an original sale needs a note saying why "
                           "(e.g. receipt lost)"),
    "own_slip": ("{user} 不能审核自己制的单据 {slip}，请由其他审核人处理",
                 "{user} cannot review their own slip {slip}; another approver must do it"),
    "exception_needs_owner": ("单据 {slip} 不符合退换政策，须由店主审核",
                              "Slip {slip} is a policy exception; only an owner may approve it"),
    "exception_needs_reason": ("单据 {slip} 不符合退换政策，审核时须填写理由（字段 {field}）",
                               "Slip {slip} is a policy exception; give a reason (field {field})"),
    "unknown_slip": ("找不到单据 {number}",
                     "No slip {number}"),
    # Master data and imports
    "unknown_sku": ("商品编码 {sku} 不存在（字段 {field}）",
                    "Unknown SKU {sku} (field {field})"),
    "sku_exists": ("商品编码 {sku} 已存在（字段 {field}）",
                   "SKU {sku} already exists (field {field})"),
    "bad_phone": ("电话号码“{value}”格式不正确（字段 {field}）",
                  "'{value}' is not a valid phone number (field {field})"),
    "phone_exists": ("电话 {phone} 已登记为其他客户（字段 {field}）",
                     "Phone {phone} already belongs to a customer (field {field})"),
    "unknown_customer": ("找不到电话为 {phone} 的客户（字段 {field}）",
                         "No customer with phone {phone} (field {field})"),
    "customer_mismatch": ("客户 {phone} 与原销售单的客户不一致（字段 {field}）",
                          "Customer {phone} is not the customer of the original sale "
                          "(field {field})"),
    "order_exists": ("销售单号 {order} 已存在（字段 {field}）",
                     "Order {order} already exists (field {field})"),
    "unknown_sale": ("找不到原销售单 {order}（字段 {field}）",
                     "No sale {order} (field {field})"),
    "no_lines": ("至少要有一行明细（字段 {field}）",
                 "At least one line is needed (field {field})"),
    # Slip lines
    "sku_not_in_sale": ("商品 {sku} 不在原销售单 {order} 中（字段 {field}）",
                        "{sku} is not on sale {order} (field {field})"),
    "over_returnable": ("商品 {sku} 退货数量 {qty} 超过可退数量 {returnable}（字段 {field}）",
                        "Quantity {qty} of {sku} exceeds the returnable {returnable} "
                        "(field {field})"),
    "replacement_on_return": ("退货单不能填写换货商品，请改为换货单（字段 {field}）",
                              "A return slip has no replacement; make it an exchange "
                              "(field {field})"),
    # Stock
    "stock_short": ("库存不足：商品 {sku} {location_label}库存 {have}，需要 {need}（字段 {field}）",
                    "Not enough stock: {sku} has {have} {location_label}, {need} needed "
                    "(field {field})"),
    # Inspection
    "sku_not_in_slip": ("商品 {sku} 不在单据 {slip} 中（字段 {field}）",
                        "{sku} is not on slip {slip} (field {field})"),
    "grade_missing": ("商品 {sku} 还没有质检结果（字段 {field}）",
                      "{sku} has no inspection grades (field {field})"),
    "grade_sum": ("商品 {sku} 质检合计 {total} 件，与收货数量 {qty} 不符（字段 {field}）",
                  "Grades of {sku} add up to {total}, but {qty} were received (field {field})"),
    "grade_extra": ("商品 {sku} 的质检结果重复或多余（字段 {field}）",
                    "Extra or repeated grades for {sku} (field {field})"),
    # Money
    "journal_unbalanced": ("凭证借贷不平：借方 {debit_yuan}，贷方 {credit_yuan}",
                           "Journal entry does not balance: debit {debit_yuan}, "
                           "credit {credit_yuan}"),
    "over_refund": ("商品 {sku} 退款超过实付：实付 {paid_yuan}，已退 {already_yuan}"
                    "（字段 {field}）",
                    "Refund for {sku} exceeds what was paid: paid {paid_yuan}, already "
                    "refunded {already_yuan} (field {field})"),
    "method_needs_customer": ("“{method_label}”需要登记客户，本单没有客户（字段 {field}）",
                              "{method_label} needs a customer, and this slip has none "
                              "(field {field})"),
    # Stock operations, customer care, daily close
    "delta_zero": ("调整数量不能为 0，请输入增加（+）或减少（-）的数量（字段 {field}）",
                   "The change must not be 0: enter units to add (+) or remove (-) "
                   "(field {field})"),
    "slip_not_customer": ("单据 {slip} 不属于电话为 {phone} 的客户（字段 {field}）",
                          "Slip {slip} does not belong to the customer with phone {phone} "
                          "(field {field})"),
    "unknown_follow_up": ("找不到回访记录 #{id}（字段 {field}）",
                          "No follow-up #{id} (field {field})"),
    "follow_up_done": ("回访 #{id} 已经完成，不能再次完成（字段 {field}）",
                       "Follow-up #{id} is already done (field {field})"),
    "day_closed": ("{day} 已日结，不能再记入当天的账目（字段 {field}）",
                   "{day} is closed (日结): no more postings can be made on that day "
                   "(field {field})"),
    "due_in_past": ("回访到期日 {due} 早于今天 {today}（字段 {field}）",
                    "The follow-up's due date {due} is before today, {today} (field {field})"),
    "day_in_future": ("{day} 还没到，不能日结（字段 {field}）",
                      "{day} has not come yet; it cannot be closed (field {field})"),
    "credit_short": ("客户储值余额不足：余额 {have_yuan}，需补差价 {need_yuan}（字段 {field}）",
                     "Not enough store credit: balance {have_yuan}, difference due "
                     "{need_yuan} (field {field})"),
    # Feedback
    "bad_score": ("评分应为 1 到 5，收到 {value}（字段 {field}）",
                  "The score must be 1 to 5, got {value} (field {field})"),
    "feedback_not_settled": ("单据 {slip} 当前为“{status_label}”，结算后才能评价",
                             "Slip {slip} is {status_label}; feedback comes after settlement"),
    "feedback_exists": ("单据 {slip} 已有评价",
                        "Slip {slip} already has feedback"),
    # CSV imports (rma_tui/imports.py); ImportRowError puts `import_row_error` in front.
    "import_row_error": ("{file} 第 {line} 行，列 {column}",
                         "{file}, line {line}, column {column}"),
    "import_cannot_read": ("无法读取文件 {file}：{detail}",
                           "Cannot read {file}: {detail}"),
    "range_backwards": ("起始日期 {since} 晚于截止日期 {until}（字段 {field}）",
                        "The start date {since} is after the end date {until} (field {field})"),
    "sold_in_future": ("销售日期 {value} 在未来，请检查年份（字段 {field}）",
                       "The sale date {value} is in the future: check the year (field {field})"),
    "audit_period_future": ("期间 {value} 还没有到，无可归档（字段 {field}）",
                            "The period {value} has not begun: nothing to archive (field "
                            "{field})"),
    "import_bad_encoding": ("不认识的编码 {encoding}（{file}）",
                            "Unknown encoding {encoding} ({file})"),
    "import_decode_failed": ("{file} 无法按 {encoding} 解码（第 {offset} 字节）："
                             "请另存为 UTF-8 或 GB18030，或用 --encoding 指定编码",
                             "{file} cannot be decoded as {encoding} (byte {offset}): "
                             "save it as UTF-8 or GB18030, or give its encoding with "
                             "--encoding"),
    "import_empty": ("文件为空，没有表头（字段 {field}）",
                     "The file is empty: no header row (field {field})"),
    "import_missing_column": ("缺少必需的列 {column}",
                              "Required column {column} is missing"),
    "import_unknown_column": ("不认识的列 {column}，可用的列：{allowed}",
                              "Unknown column {column}; known columns: {allowed}"),
    "import_duplicate_column": ("列 {column} 重复",
                                "Column {column} appears twice"),
    "import_too_many_fields": ("本行有 {got} 个字段，多于表头的 {want} 列",
                               "This row has {got} fields, more than the {want} columns"),
    "import_bad_csv": ("CSV 格式错误：{detail}",
                       "Malformed CSV: {detail}"),
    "import_bad_money": ("金额“{value}”格式不正确（字段 {field}）",
                         "'{value}' is not an amount (field {field})"),
    "import_money_precision": ("金额“{value}”最多保留两位小数（字段 {field}）",
                               "'{value}' has more than two decimals (field {field})"),
    "import_bad_date": ("日期“{value}”格式不正确，应如 2026-01-31 或 2026-01-31 14:30"
                        "（字段 {field}）",
                        "'{value}' is not a date; use e.g. 2026-01-31 or 2026-01-31 14:30 "
                        "(field {field})"),
    "import_order_mismatch": ("销售单 {order} 的 {field} 与第 {line} 行不一致",
                              "Order {order}: {field} differs from line {line}"),
}

# Policy verdict details: service.rules.evaluate puts these params into RuleResult.params.
_RULES: dict[str, tuple[str, str]] = {
    "rule_original_sale_ok": ("有原销售单 {order}",
                              "Original sale {order}"),
    "rule_original_sale_fail": ("无原销售单，须店主审核",
                                "No original sale; the owner must approve"),
    "rule_window_ok": ("售后 {days} 天，在 {limit} 天期限内",
                       "{days} days after sale, within the {limit}-day window"),
    "rule_window_fail": ("售后 {days} 天，超出 {limit} 天期限（{sku}，{reason_label}）",
                         "{days} days after sale, past the {limit}-day window "
                         "({sku}, {reason_label})"),
    "rule_excluded_category_ok": ("无不可退换品类",
                                  "No excluded category"),
    "rule_excluded_category_fail": ("{sku} 属于不可无理由退换品类“{category}”",
                                    "{sku} is in the excluded category '{category}'"),
    "rule_condition_ok": ("商品包装完好",
                          "Packaging intact"),
    "rule_condition_fail": ("{sku} 包装已拆封或不完整",
                            "{sku} has opened or incomplete packaging"),
    "rule_amount_ok": ("金额 {amount_yuan} 未超过自动审核上限 {limit_yuan}",
                       "Amount {amount_yuan} within the auto-approve limit {limit_yuan}"),
    "rule_amount_fail": ("金额 {amount_yuan} 超过自动审核上限 {limit_yuan}，须人工审核",
                         "Amount {amount_yuan} over the auto-approve limit {limit_yuan}; "
                         "needs review"),
}

# Notifications: service.unit.transition sends f"slip_{to}" with slip, by; check_alert low_stock.
_NOTIFICATIONS: dict[str, tuple[str, str]] = {
    "slip_draft": ("{by} 新建了单据 {slip}（草稿），请核对后提交",
                   "{by} created slip {slip} (draft); check and submit it"),
    "slip_submitted": ("单据 {slip} 已由 {by} 提交，待审核",
                       "Slip {slip} submitted by {by}; waiting for review"),
    "slip_approved": ("单据 {slip} 已由 {by} 审核通过，请收货",
                      "Slip {slip} approved by {by}; receive the goods"),
    "slip_received": ("单据 {slip} 已由 {by} 收货，请质检",
                      "Slip {slip} received by {by}; inspect the goods"),
    "slip_inspected": ("单据 {slip} 已由 {by} 质检，请结算",
                       "Slip {slip} inspected by {by}; settle it"),
    "slip_settled": ("单据 {slip} 已由 {by} 结算，请回访客户",
                     "Slip {slip} settled by {by}; follow up with the customer"),
    "slip_rejected": ("单据 {slip} 被 {by} 驳回",
                      "Slip {slip} rejected by {by}"),
    "slip_cancelled": ("单据 {slip} 已由 {by} 作废",
                       "Slip {slip} cancelled by {by}"),
    "slip_closed": ("单据 {slip} 已由 {by} 关闭",
                    "Slip {slip} closed by {by}"),
    "supplier_return": ("退供应商 {number}：{sku} × {qty} 退回 {supplier}，"
                        "预计抵扣 {expected_credit_yuan}",
                        "Supplier return {number}: {sku} x {qty} back to {supplier}, "
                        "expected credit {expected_credit_yuan}"),
    "follow_up": ("请回访客户 {customer}（{phone}），{due} 前",
                  "Call back {customer} ({phone}) by {due}"),
    "transfer_in": ("调拨入库：{name}（{sku}）× {qty} 从门店 {src} 调入",
                    "Transfer in: {name} ({sku}) x {qty} from shop {src}"),
    "low_stock": ("低库存：{name}（{sku}）可售 {sellable}，已到补货点 {reorder_point}",
                  "Low stock: {name} ({sku}) has {sellable} sellable, at or below the "
                  "reorder point {reorder_point}"),
}

# Column headers, `col_<name>`.
_COLUMNS: dict[str, tuple[str, str]] = {
    "col_number": ("单号", "Number"),
    "col_type": ("类型", "Type"),
    "col_status": ("状态", "Status"),
    "col_channel": ("渠道", "Channel"),
    "col_customer": ("客户", "Customer"),
    "col_phone": ("电话", "Phone"),
    "col_sale": ("原单号", "Sale"),
    "col_order": ("销售单号", "Order"),
    "col_sku": ("商品编码", "SKU"),
    "col_name": ("品名", "Name"),
    "col_model": ("型号", "Model"),
    "col_qty": ("数量", "Qty"),
    "col_unit_price": ("单价", "Unit price"),
    "col_refund": ("退款", "Refund"),
    "col_difference": ("差价", "Difference"),
    "col_fee": ("手续费", "Fee"),
    "col_gross": ("货款", "Gross"),
    "col_method": ("退款方式", "Refund method"),
    "col_reason": ("原因", "Reason"),
    "col_reason_text": ("原因说明", "Reason detail"),
    "col_replacement_sku": ("换货编码", "Replacement SKU"),
    "col_replacement_qty": ("换货数量", "Replacement qty"),
    "col_created_by": ("制单人", "Created by"),
    "col_created_at": ("制单时间", "Created at"),
    "col_updated_at": ("更新时间", "Updated at"),
    "col_sellable": ("可售", "Sellable"),
    "col_pending": ("待检", "Pending"),
    "col_defective": ("残次", "Defective"),
    "col_scrap": ("报废", "Scrap"),
    "col_reorder_point": ("补货点", "Reorder point"),
    "col_low": ("低库存", "Low"),
    "col_sold": ("已售", "Sold"),
    "col_returned": ("已退", "Returned"),
    "col_returnable": ("可退", "Returnable"),
    "col_total": ("金额", "Total"),
    "col_sold_at": ("销售时间", "Sold at"),
    "col_events": ("操作记录", "Events"),
    "col_user": ("用户", "User"),
    "col_at": ("时间", "At"),
    "col_action": ("操作", "Action"),
    "col_role": ("角色", "Role"),
    "col_pin": ("PIN", "PIN"),
    "col_active": ("启用", "Active"),
    "col_note": ("备注", "Note"),
    "col_category": ("品类", "Category"),
    "col_supplier": ("供应商", "Supplier"),
    "col_payment": ("付款方式", "Payment"),
    "col_lines": ("明细", "Lines"),
    "col_score": ("评分", "Score"),
    "col_comment": ("评价内容", "Comment"),
    "col_check": ("检查项", "Check"),
    "col_ok": ("结果", "OK"),
    "col_detail": ("说明", "Detail"),
    "col_rule": ("规则", "Rule"),
    "col_result": ("结果", "Result"),
    "col_count": ("数量", "Count"),
    "col_state": ("状态", "State"),
    "col_from": ("原状态", "From"),
    "col_to": ("新状态", "To"),
    "col_message": ("消息", "Message"),
    "col_credit": ("储值余额", "Store credit"),
    "col_grade": ("质检结果", "Grade"),
    "col_resellable": ("可再售", "Resellable"),
    "col_verdict": ("政策校验", "Policy"),
    "col_feedback": ("评价", "Feedback"),
    "col_slips": ("单据数", "Slips"),
    "col_units_returned": ("退回件数", "Units returned"),
    "col_units_sold": ("销售件数", "Units sold"),
    "col_return_rate": ("退货率", "Return rate"),
    "col_month": ("月份", "Month"),
    "col_week": ("周（周一）", "Week (Monday)"),
    "col_top_reason": ("主要原因（件）", "Top reason (units)"),
    "col_period": ("期间", "Period"),
    "col_override_by": ("特批人", "Overridden by"),
    "col_failed_rules": ("未通过的规则", "Failed rules"),
    "col_rejected_by": ("驳回人", "Rejected by"),
    "col_time": ("时间", "Time"),
    "col_target_hours": ("时限（小时）", "Target (h)"),
    "col_stays": ("次数", "Stays"),
    "col_over_target": ("超时", "Over target"),
    "col_longest_hours": ("最长（小时）", "Longest (h)"),
    "col_since": ("起始", "Since"),
    "col_hours": ("已等（小时）", "Waiting (h)"),
}

_UI: dict[str, tuple[str, str]] = {
    "app_title": ("退换货工作台", "Returns desk"),
    "home_title": ("首页", "Home"),
    # The app shell and its home screen (rma_tui/app.py, rma_tui/screens/home.py).
    "app_loading": ("正在打开数据库…", "Opening the database…"),
    "app_subtitle": ("{user}（{role_label}）", "{user} ({role_label})"),
    "app_pin_needed": ("用户 {user} 设有 PIN：输入 PIN 后才显示本店数据（Ctrl+U 登录）",
                       "{user} has a PIN: the shop's data shows once it is given "
                       "(Ctrl+U to sign in)"),
    "app_unknown_user": (
        "数据库里没有用户“{user}”。请店主用 rma user add {user} --role clerk 添加，"
        "或用 --user 指定已有的用户。",
        "There is no user “{user}” in this database. Ask the owner to add it "
        "(rma user add {user} --role clerk), or start with --user and an existing name."),
    "app_inactive_user": ("用户“{user}”已停用，请联系店主。",
                          "User “{user}” is disabled; ask the owner."),
    "app_db_not_initialised": (
        "数据库 {db} 尚未初始化：请先运行 rma init（或用 rma demo 生成演示数据）。",
        "The database {db} is not set up yet: run rma init first (or rma demo for demo data)."),
    "app_db_error": ("无法打开数据库 {db}：{error}", "Cannot open the database {db}: {error}"),
    "app_key_refresh": ("刷新", "Refresh"),
    "home_key_mark_read": ("通知已读", "Mark read"),
    "app_key_language": ("English", "中文"),
    "app_key_quit": ("退出", "Quit"),
    "app_help_refresh": ("重新读取数据库", "Read the database again"),
    "app_help_language": ("切换界面语言（中文 / English）", "Switch the language (中文 / English)"),
    # Shared dialogs (rma_tui/screens/dialogs.py).
    "dlg_ok": ("确定", "OK"),
    "dlg_cancel": ("取消", "Cancel"),
    "dlg_confirm": ("确认", "Confirm"),
    "switch_user_title": ("切换用户", "Switch user"),
    "switch_user_name": ("用户名", "User name"),
    "switch_user_pin": ("PIN 密码", "PIN"),
    "switch_user_unknown": ("没有用户“{user}”，或该用户已停用",
                            "No user “{user}”, or it is disabled"),
    "switch_user_bad_pin": ("PIN 不正确，仍是原用户", "Wrong PIN; the user is unchanged"),
    "switch_user_failed": ("无法读取数据库，请稍后再试", "Cannot read the database; try again"),
    # The app shell (rma_tui/app.py): screens by number key, header, palette, setup.
    "app_key_home": ("首页", "Home"),
    "app_key_entry": ("开单", "New slip"),
    "app_key_review": ("审核", "Review"),
    "app_key_inspection": ("收货质检", "Inspect"),
    "app_key_settlement": ("结算", "Settle"),
    "app_key_stock": ("库存", "Stock"),
    "app_key_customers": ("客户", "Customers"),
    "app_key_finance": ("财务", "Finance"),
    "app_key_audit": ("审计", "Audit"),
    "app_key_reports": ("报表", "Reports"),
    "app_key_switch_user": ("切换用户", "Switch user"),
    "app_key_screens": ("页面", "Screens"),
    "app_help_show": ("切换到这个页面（按 {number}）", "Go to this screen (key {number})"),
    "app_help_switch_user": ("换人操作：输入用户名和 PIN",
                             "Sign in as someone else (name and PIN)"),
    "app_unread": ("未读通知 {count}", "{count} unread"),
    "switch_user_done": ("已切换为 {user}（{role_label}）", "Signed in as {user} ({role_label})"),
    # A chain of shops in the app (issue 7): the header's shop, the shop switcher.
    "app_shop_user": ("{shop} · {who}", "{shop} · {who}"),
    "app_all_shops": ("全部门店", "All shops"),
    "app_key_switch_shop": ("切换门店", "Switch shop"),
    "app_help_switch_shop": ("总部用户：选择查看和操作的门店，或全部门店",
                             "Chain-wide users: the shop to view and work in, or all shops"),
    "switch_shop_title": ("切换门店", "Switch shop"),
    "switch_shop_denied": ("{user} 属于门店 {shop}，只能查看和操作本店，不能切换门店",
                           "{user} belongs to shop {shop}: they see and work in that shop "
                           "only, and cannot switch"),
    "setup_intro": (
        "欢迎！这是一个新的数据库（{db}）。请先填写本店信息，店主账号用于审批和结算。",
        "Welcome! This is a new database ({db}). Set up the shop first; the owner's "
        "account approves exceptions and settles money."),
    "setup_shop_name": ("店名", "Shop name"),
    "setup_owner": ("店主账号", "Owner account"),
    "setup_owner_hint": ("登录用的名字，如 laowang", "the name to sign in with, e.g. laowang"),
    "setup_pin": ("PIN 密码", "PIN"),
    "setup_pin_hint": ("4–12 位数字", "4 to 12 digits"),
    "setup_pin2": ("再输一次 PIN", "PIN again"),
    "setup_pin_mismatch": ("两次输入的 PIN 不一致", "The two PINs differ"),
    "setup_pin_format": ("PIN 应为 4–12 位数字", "A PIN is 4 to 12 digits"),
    "setup_channels": ("销售渠道", "Channels"),
    "setup_submit": ("开始使用", "Set up the shop"),
    "setup_title": ("首次设置", "First-run setup"),
    "setup_key_save": ("保存", "Save"),
    "setup_done": ("本店已设置好，已用店主账号 {user} 登录",
                   "The shop is set up; signed in as {user}"),
    "palette_slip_help": ("查看这张单据", "Show this slip"),
    "palette_customer_help": ("查看这位客户", "Show this customer"),
    "palette_customer_title": ("客户", "Customer"),
    "palette_customer": ("{name}  {phone}  渠道 {channel_label}  储值余额 {credit_yuan}",
                         "{name}  {phone}  channel {channel_label}  store credit {credit_yuan}"),
    "slip_detail_close": ("Esc 关闭", "Esc closes"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    "ok": ("通过", "OK"),
    "fail": ("未通过", "FAIL"),
    "low_flag": ("低", "LOW"),
    "none": ("—", "—"),
    "verify_ok": ("校验通过", "All checks passed"),
    "verify_failed": ("发现问题", "Problems found"),
    "slip_created": ("已创建单据 {number}", "Created slip {number}"),
    "slip_updated": ("单据 {number} 现为“{status_label}”", "Slip {number} is now {status_label}"),
    "slip_not_found": ("找不到单据 {number}", "No slip {number}"),
    "no_such_command": ("没有这个命令：{name}", "No such command: {name}"),
    "notifications_heading": ("我的通知", "My notifications"),
    "no_notifications": ("暂无通知", "No notifications"),
    "counts_heading": ("各状态单据数", "Slips per state"),
    "alerts_heading": ("低库存预警", "Low-stock alerts"),
    "no_alerts": ("暂无低库存商品", "No low-stock products"),
    "policy_heading": ("政策校验", "Policy check"),
    "events_heading": ("操作记录", "History"),
    "lines_heading": ("明细", "Lines"),
    # The review queue (rma_tui/screens/review.py).
    "review_title": ("审核队列", "Review queue"),
    "review_heading": ("待审核（{count}）", "Waiting for review ({count})"),
    "review_empty": ("没有待审核的单据", "No slips are waiting for review"),
    "review_loading": ("正在读取待审核单据…", "Reading the slips waiting for review…"),
    "review_key_approve": ("通过", "Approve"),
    "review_key_reject": ("驳回", "Reject"),
    "review_col_flags": ("标记", "Flags"),
    "review_col_by": ("制单人", "By"),
    "review_flag_late": ("逾期", "Late"),
    "review_flag_over_limit": ("超额", "Over"),
    "review_flag_no_sale": ("无原单", "No sale"),
    "review_flag_excluded": ("排除品类", "Excluded"),
    "review_flag_opened": ("已拆封", "Opened"),
    "review_flag_repeat_returner": ("多次退货", "Repeat"),
    "review_approved": ("单据 {slip} 已审核通过", "Slip {slip} approved"),
    "review_approved_override": ("单据 {slip} 已例外审批，理由：{reason}",
                                 "Slip {slip} approved as an exception: {reason}"),
    "review_rejected": ("单据 {slip} 已驳回，理由：{reason}", "Slip {slip} rejected: {reason}"),
    "review_override_title": ("例外审批 {slip}", "Approve exception {slip}"),
    "review_override_label": ("此单不符合退换政策（{flags}），例外审批理由",
                              "This slip breaks the return policy ({flags}); "
                              "reason to approve it anyway"),
    "review_reject_title": ("驳回 {slip}", "Reject {slip}"),
    "review_reject_label": ("驳回理由（制单人会看到）",
                            "Reason for rejecting (the creator sees it)"),
    # The read-only slip detail pane (rma_tui/widgets/slip_view.py).
    "slip_view_empty": ("未选择单据", "No slip selected"),
    "slip_view_amounts": ("金额", "Amounts"),
    "slip_view_policy_unchecked": ("尚未提交，未做政策校验", "Not submitted: no policy check yet"),
    "slip_view_auto": ("符合全部政策，已自动审核", "Passed every rule: approved automatically"),
    "slip_view_override": ("例外审批：{by}，理由：{reason}",
                           "Exception approved by {by}: {reason}"),
    "slip_view_opened": ("已拆封", "opened"),
    "slip_view_no_invoice": ("无发票", "no invoice"),
    "slip_view_exchange_for": ("换 {sku} × {qty}", "for {sku} x {qty}"),
    "demo_ready": ("演示数据库已就绪：{path}", "Demo database ready: {path}"),
    "demo_exists": ("{path} 已有数据，如需重建请加 --force",
                    "{path} already has data; use --force to rebuild it"),
    "db_ready": ("数据库已就绪：{path}", "Database ready: {path}"),
    "import_file": ("导入 {file}", "Importing {file}"),
    "import_done": ("已从 {file} 导入 {count} 条", "Imported {count} rows from {file}"),
    "import_error": ("{file} 第 {line} 行 字段 {field}：{message}",
                     "{file} line {line}, field {field}: {message}"),
    "import_bad_header": ("{file} 缺少列：{columns}", "{file} is missing columns: {columns}"),
    "user_added": ("已添加用户 {name}（{role_label}）", "Added user {name} ({role_label})"),
    "feedback_saved": ("已记录单据 {slip} 的评价", "Feedback saved for slip {slip}"),
    "pin_prompt": ("请输入 PIN", "Enter PIN"),
    "pin_confirm": ("请再次输入 PIN", "Repeat PIN"),
    "pin_mismatch": ("两次输入的 PIN 不一致", "The PINs do not match"),
    "pin_ask": ("请输入 {user} 的 PIN", "PIN for {user}"),
    "pin_required": ("用户 {user} 设有 PIN：请在终端输入，或设置环境变量 RMA_PIN",
                     "User {user} has a PIN: enter it at a terminal or set RMA_PIN"),
    "pin_locked": ("用户 {user} 连续输错 PIN 次数过多，请在 {until} 之后再试，或请店主解锁"
                   "（rma user unlock {user}）",
                   "Too many wrong PINs in a row for {user}: try again after {until}, or ask "
                   "the owner to unlock (rma user unlock {user})"),
    "user_pin_set": ("用户 {name} 的 PIN 已设置", "{name}'s PIN is set"),
    "user_unlocked": ("用户 {name} 可以重新输入 PIN 了", "{name} may give their PIN again now"),
    "destructive_needs_pin": ("{user} 没有设置 PIN：替换或覆盖本店数据的命令需要店主用自己的 "
                              "PIN 确认（先设置：rma user pin {user}）",
                              "{user} has no PIN: a command that replaces or overwrites the "
                              "shop's data needs the owner to confirm with their own PIN (set "
                              "one first: rma user pin {user})"),
    "output_is_database": ("不能写到 {path}：那是本店数据库（{db}）或它的日志、锁、备份文件，"
                           "写上去会毁掉数据。请换一个文件名",
                           "Will not write to {path}: it is the shop's database ({db}) or its "
                           "log, lock or backup, and writing there destroys the data. Choose "
                           "another file"),
    "archive_chain_only": ("{user} 属于门店 {shop}：归档包含整个连锁的审计记录和账目，"
                           "只能由不属于某一门店的店主或财务来做",
                           "{user} belongs to shop {shop}: an archive holds the whole chain's "
                           "audit trail and books, so only a chain-wide owner or finance may "
                           "make or check one"),
    "archive_kept": ("原归档文件已保留在 {path}", "The archive's old files are kept in {path}"),
    "demo_kept": ("原数据库已保留为 {path}", "The database it replaced is kept as {path}"),
    "output_is_dir": ("{path} 是文件夹，请写上文件名", "{path} is a folder: give a file name"),
    "output_exists": ("{path} 已存在：加 --force 才会覆盖", "{path} already exists: add --force "
                      "to replace it"),
    "pin_wrong": ("用户 {user} 的 PIN 不正确，未执行任何操作",
                  "Wrong PIN for {user}; nothing was done"),
    "error_prefix": ("错误", "Error"),
    "warning_prefix": ("注意", "Warning"),
    "bad_line_spec": ("--line 格式应为 SKU:数量:原因[:换货SKU[:换货数量]]，收到 {value}",
                      "--line must be SKU:QTY:REASON[:REPL_SKU[:REPL_QTY]], got {value}"),
    "bad_grade_spec": ("--grade 格式应为 SKU:可再售:残次:报废，收到 {value}",
                       "--grade must be SKU:RESELLABLE:DEFECTIVE:SCRAP, got {value}"),
    # Inspection and settlement screens (rma_tui/screens/inspection.py, settlement.py).
    "insp_title": ("收货质检", "Receiving & inspection"),
    "insp_awaiting_goods": ("待收货（已审核）", "Awaiting goods (approved)"),
    "insp_awaiting_grading": ("待质检（已收货）", "Awaiting inspection (received)"),
    "insp_empty_goods": ("没有待收货的单据", "No slips awaiting goods"),
    "insp_empty_grading": ("没有待质检的单据", "No slips awaiting inspection"),
    "insp_pick": ("在列表中选择一张单据", "Pick a slip in a list"),
    "insp_receive_hint": ("货到后按 g 或回车确认收货，货物进入待检库存",
                          "When the goods arrive press g or Enter: they go into pending stock"),
    "insp_grade_hint": ("逐行填写数量，合计须等于收货数量；回车或 Ctrl+S 提交",
                        "Grade every line; each must add up to the quantity received. "
                        "Enter or Ctrl+S submits"),
    "insp_key_receive": ("收货", "Receive"),
    "insp_key_submit": ("提交质检", "Submit grades"),
    "insp_key_lists": ("回到列表", "Lists"),
    "insp_confirm_receive_title": ("确认收货", "Receive the goods"),
    "insp_confirm_receive": ("单据 {slip}（{customer}）的货物已到？共 {qty} 件将进入待检库存。",
                             "Have the goods of slip {slip} ({customer}) arrived? "
                             "{qty} units go into pending stock."),
    "insp_received": ("已收货：{slip}，{qty} 件进入待检库存",
                      "Received {slip}: {qty} units now pending inspection"),
    "insp_inspected": ("已质检：{slip}（可再售 {resellable}，残次 {defective}，报废 {scrap}）",
                       "Inspected {slip}: {resellable} resellable, {defective} defective, "
                       "{scrap} scrap"),
    "insp_line": ("{sku} {name} × {qty}", "{sku} {name} × {qty}"),
    "insp_total": ("合计 {total} / {qty}", "Total {total} / {qty}"),
    "insp_note": ("备注", "Note"),
    "insp_bad_number": ("“{value}”不是数量：请填 0 或正整数（字段 {field}）",
                        "'{value}' is not a quantity: enter 0 or a whole number (field {field})"),
    "insp_more": ("{count}+", "{count}+"),
    "settle_title": ("结算", "Settlement"),
    "settle_list": ("待结算（已质检）", "Awaiting settlement (inspected)"),
    "settle_empty": ("没有待结算的单据", "No slips awaiting settlement"),
    "settle_amount_heading": ("金额", "Amount"),
    "settle_gross": ("退回货款", "Goods returned"),
    "settle_fee": ("退货手续费", "Restocking fee"),
    "settle_refund": ("应退金额", "Refund"),
    "settle_returned_value": ("退回商品价值", "Returned value"),
    "settle_replacement_value": ("换出商品价值", "Replacement value"),
    "settle_customer_pays": ("顾客补差价 {amount_yuan}", "The customer pays {amount_yuan}"),
    "settle_shop_pays": ("退还顾客差价 {amount_yuan}", "The shop refunds {amount_yuan}"),
    "settle_no_difference": ("无差价", "No price difference"),
    "settle_stock_heading": ("换出商品（可售库存）", "Replacement (sellable stock)"),
    "settle_stock_line": ("{sku} {name} × {qty}：可售 {sellable}",
                          "{sku} {name} × {qty}: {sellable} sellable"),
    "settle_stock_short": ("库存不足，缺 {short} 件", "short by {short}"),
    "settle_credit": ("{customer}，储值余额 {credit_yuan}",
                      "{customer}, store credit {credit_yuan}"),
    "settle_no_customer": ("本单未登记客户：储值与冲减应收不可用",
                           "No customer on this slip: store credit and receivable unavailable"),
    "settle_key_settle": ("结算", "Settle"),
    "settle_key_method": ("换退款方式", "Next method"),
    "settle_confirm_title": ("确认结算", "Confirm the settlement"),
    "settle_confirm_return": ("单据 {slip}：退款 {refund_yuan}，方式：{method_label}",
                              "Slip {slip}: refund {refund_yuan} by {method_label}"),
    "settle_confirm_exchange": ("单据 {slip}：换出 {qty} 件，{difference}，方式：{method_label}",
                                "Slip {slip}: {qty} units go out, {difference}, "
                                "by {method_label}"),
    "settle_done_return": ("已结算 {slip}：退款 {refund_yuan}（{method_label}）",
                           "Settled {slip}: refunded {refund_yuan} ({method_label})"),
    "settle_done_exchange": ("已结算 {slip}：换货已出库，{difference}（{method_label}）",
                             "Settled {slip}: replacement issued, {difference} ({method_label})"),
    "settle_hint": ("选好退款方式（m 切换），回车或 Ctrl+S 结算，确认后执行",
                    "Pick the refund method (m cycles), then Enter or Ctrl+S to settle; "
                    "you confirm before anything happens"),
    "fb_title": ("客户评价", "Customer feedback"),
    "fb_prompt": ("请顾客为本次售后打分（1–5 分），可留言。Esc 跳过。",
                  "Ask the customer for a score (1–5) and a comment. Esc skips."),
    "fb_score": ("评分 1–5", "Score 1–5"),
    "fb_comment": ("留言", "Comment"),
    "fb_save": ("保存", "Save"),
    "fb_skip": ("跳过", "Skip"),
    "fb_skipped": ("未记录评价", "No feedback recorded"),
    "cb_cancelled": ("已取消，未做任何更改", "Cancelled; nothing was changed"),
    # The slip entry screen (rma_tui/screens/entry.py and the widgets it uses).
    "entry_title": ("退换货登记", "Slip entry"),
    "entry_search_label": ("查找原单", "Find sale"),
    "entry_search_placeholder": ("订单号 / 顾客手机号 / 扫商品条码，回车查找",
                                 "Order no. / customer phone / scan a barcode, then Enter"),
    "entry_product_label": ("退回商品", "Product"),
    "entry_product_placeholder": ("商品编码 / 条码 / 品名，回车查找",
                                  "SKU / barcode / name, then Enter"),
    "entry_no_sales": ("没有找到「{query}」的销售单", "No sale found for '{query}'"),
    "entry_no_products": ("没有找到「{query}」的商品", "No product found for '{query}'"),
    "entry_more_results": ("只显示前 {n} 条，请输入更完整的内容",
                           "Showing the first {n}; type more to narrow it down"),
    "entry_pick_sale": ("↑↓ 选择销售单，回车打开", "↑↓ choose a sale, Enter to open it"),
    "entry_sale_header": ("{order} · {sold_at} · {customer} · {channel_label} · "
                          "{payment_label} · 合计 {total_yuan}",
                          "{order} · {sold_at} · {customer} · {channel_label} · "
                          "{payment_label} · total {total_yuan}"),
    "entry_no_sale_yet": ("先查找原销售单（无小票按 F4）",
                          "Find the original sale first (no receipt: F4)"),
    "entry_no_receipt_header": ("无小票退换：填写单价和备注，须店主审核",
                                "No receipt: give the price and a note; the owner must "
                                "approve"),
    "entry_lines_hint": ("空格 选/不选 · +/- 或数字 改数量 · 回车 下一步",
                         "Space pick · +/- or digits set qty · Enter next"),
    "entry_col_take": ("本次", "Take"),
    "entry_reason": ("原因", "Reason"),
    "entry_reason_prompt": ("请选择原因", "Choose a reason"),
    "entry_reason_text": ("原因说明", "Detail"),
    "entry_reason_text_placeholder": ("顾客怎么说（可不填）", "What the customer says (optional)"),
    "entry_type": ("类型", "Type"),
    "entry_replacement": ("换货商品", "Replacement"),
    "entry_repl_placeholder": ("不填=换同款；输入编码或品名查找",
                               "Empty = same product; type a SKU or name"),
    "entry_repl_same": ("同款 {sku} {name}，可售 {sellable}",
                        "Same product {sku} {name}, {sellable} sellable"),
    "entry_repl_chosen": ("{sku} {name}，可售 {sellable}，单价 {price_yuan}",
                          "{sku} {name}, {sellable} sellable, {price_yuan} each"),
    "entry_repl_option": ("{sku}  {name}  可售 {sellable}  {price_yuan}",
                          "{sku}  {name}  {sellable} sellable  {price_yuan}"),
    "entry_packaging": ("包装完好", "Packaging intact"),
    "entry_invoice": ("有发票/小票", "Invoice present"),
    "entry_note": ("备注", "Note"),
    "entry_note_placeholder": ("备注（无小票时必填）", "Note (required without a receipt)"),
    "entry_price": ("单价(元)", "Price (¥)"),
    "entry_price_placeholder": ("顾客实付单价，如 18.50", "Unit price paid, e.g. 18.50"),
    "entry_channel": ("渠道", "Channel"),
    "entry_phone": ("顾客手机", "Phone"),
    "entry_phone_placeholder": ("老顾客的手机号（可不填）", "A known customer's phone (optional)"),
    "entry_fault": ("出错了：{error}", "Something went wrong: {error}"),
    "entry_verdict": ("政策判定与金额", "Policy verdict and amounts"),
    "entry_hint_pick": ("选择要退回的商品行后显示判定", "Pick a line to see the verdict"),
    "entry_hint_reason": ("选择原因后显示判定", "Choose a reason to see the verdict"),
    "entry_hint_fix": ("先改正上面标出的错误", "Fix the error marked above first"),
    "entry_hint_price": ("填写单价后显示判定", "Enter the price to see the verdict"),
    "entry_preview_refund": ("货款 {gross_yuan}，手续费 {fee_yuan}，应退 {refund_yuan}",
                             "Goods {gross_yuan}, fee {fee_yuan}, refund {refund_yuan}"),
    "entry_preview_exchange": ("退回 {gross_yuan}，换出 {replacement_yuan}，"
                               "差价 {difference_yuan}（正数为顾客补款）",
                               "Back {gross_yuan}, out {replacement_yuan}, "
                               "difference {difference_yuan} (positive: customer pays)"),
    "entry_verdict_pass": ("全部通过：提交后自动审核", "Every rule passes: approved on submit"),
    "entry_verdict_review": ("有未通过项：提交后转人工审核",
                             "Some rules fail: goes to review on submit"),
    "entry_submitted_auto": ("单据 {number} 已提交，符合政策，已自动审核",
                             "Slip {number} submitted and approved automatically"),
    "entry_submitted_review": ("单据 {number} 已提交，等待审核（{failed_label}）",
                               "Slip {number} submitted; waiting for review ({failed_label})"),
    "entry_draft_saved": ("草稿 {number} 已保存（F3 继续编辑）",
                          "Draft {number} saved (F3 to resume)"),
    "entry_resuming": ("正在编辑草稿 {number}", "Editing draft {number}"),
    "entry_saving": ("正在保存…", "Saving…"),
    "entry_drafts_title": ("我的草稿（回车继续编辑，Esc 返回）",
                           "My drafts (Enter to resume, Esc to go back)"),
    "entry_no_drafts": ("没有草稿", "No drafts"),
    "entry_draft_option": ("{number}  {type_label}  {customer}  {created_at}",
                           "{number}  {type_label}  {customer}  {created_at}"),
    "entry_not_ready": ("数据库还没有打开，请稍候", "The database is not open yet; wait a moment"),
    "entry_key_submit": ("提交", "submit"),
    "entry_key_draft": ("存草稿", "save draft"),
    "entry_key_drafts": ("草稿", "drafts"),
    "entry_key_no_receipt": ("无小票", "no receipt"),
    "entry_key_new": ("新单", "new slip"),
    "entry_walk_in": ("散客", "walk-in"),
    # Command line (rma_tui/cli.py)
    "cli_no_database": ("没有找到数据库 {path}；请先运行 rma init（或 rma demo）",
                        "No database at {path}; run `rma init` (or `rma demo`) first"),
    "cli_db_error": ("数据库出错：{detail}", "Database error: {detail}"),
    "cli_no_database_field": ("没有找到数据库 {path}（字段 {field}）",
                              "No database at {path} (field {field})"),
    "copy_same_database": ("源和目标是同一个数据库 {db}（字段 {field}）",
                           "The source and the target are the same database {db} (field "
                           "{field})"),
    "copy_target_not_empty": ("目标数据库 {db} 不是空的（{table} 表已有数据），未复制任何内容",
                              "The target database {db} is not empty (table {table} has "
                              "rows); nothing was copied"),
    "db_copy_progress": ("复制中", "Copying"),
    "db_copy_done": ("已复制 {rows} 行（{tables} 张表）到 {db}，校验通过",
                     "Copied {rows} rows ({tables} tables) into {db}; it verifies"),
    "db_copy_not_verified": ("已复制到 {db}，但校验未通过：{failures}",
                             "Copied into {db}, but it does not verify: {failures}"),
    # A write the storage refused (rma_tui/store/db.py `storage_error`): the transaction
    # was rolled back, so each says nothing was saved and what to do.
    "db_disk_full": ("磁盘已满，本次操作未保存（已撤销）：请为 {db} 所在的磁盘腾出空间后重试",
                     "The disk is full; nothing was saved (rolled back). Free some space on "
                     "the disk of {db} and try again"),
    "db_read_only": ("数据库文件只读，本次操作未保存：请检查 {db} 及其文件夹的写权限",
                     "The database is read-only; nothing was saved. Check that {db} and its "
                     "folder can be written"),
    "db_io_error": ("读写数据库文件失败（磁盘已满、磁盘故障或文件大小受限），"
                    "本次操作未保存（已撤销）：{detail}",
                    "Reading or writing the database file failed (disk full, a disk fault or a "
                    "file size limit); nothing was saved (rolled back): {detail}"),
    "db_busy": ("数据库一直被其他人占用（超过 {seconds} 秒），本次操作未保存：请稍后重试",
                "The database stayed busy (another writer held it over {seconds} s); nothing "
                "was saved. Try again in a moment"),
    "db_cant_open": ("无法打开数据库文件 {db}：{detail}",
                     "Cannot open the database file {db}: {detail}"),
    "db_corrupt": ("数据库文件已损坏（{db}）：请停止使用，用 rma restore 从备份恢复",
                   "The database file is damaged ({db}): stop using it and restore a backup "
                   "with `rma restore`"),
    "cli_os_error": ("文件或系统出错：{detail}", "File or system error: {detail}"),
    "cli_migration_failed": ("无法升级数据库结构：{detail}",
                             "Cannot upgrade the database schema: {detail}"),
    "cli_first_owner": ("已创建第一个用户 {name}（{role_label}）",
                        "Created the first user {name} ({role_label})"),
    "cli_force_not_sqlite": ("--force 只能删除 SQLite 数据库文件；{db} 不是，"
                             "请手动清空后再运行 rma demo",
                             "--force can only delete an SQLite database file; {db} is not "
                             "one: empty it yourself, then run rma demo"),
    "cli_demo_hint": ("打开演示：rma --db {db} --user owner"
                      "（用户 owner / clerk / warehouse / finance）",
                      "Open it: rma --db {db} --user owner (users owner / clerk / warehouse / "
                      "finance)"),
    "cli_spec_empty": ("{option}「{value}」缺少 {part}",
                       "{option} '{value}': {part} is missing"),
    "cli_spec_not_int": ("{option}「{value}」中的 {part}「{part_value}」应为整数",
                         "{option} '{value}': {part} '{part_value}' is not a whole number"),
    "cli_auto_approved": ("单据 {number} 符合全部政策，已自动审核",
                          "Slip {number} passed every rule and was approved automatically"),
    "cli_needs_owner": ("单据 {number} 有政策例外，需店主审核并填写理由（--override-reason）",
                        "Slip {number} is a policy exception: the owner must approve it with "
                        "--override-reason"),
    "cli_override": ("例外审批：{user}，理由：{reason}",
                     "Exception approved by {user}: {reason}"),
    "cli_settled_refund": ("退款 {refund}（手续费 {fee}），方式：{method_label}",
                           "Refund {refund} (fee {fee}) by {method_label}"),
    "cli_settled_exchange": ("换货差价 {difference}（正数为顾客补款，负数为退给顾客），"
                             "方式：{method_label}",
                             "Exchange difference {difference} (positive: the customer pays; "
                             "negative: refunded) by {method_label}"),
    "cli_report_written": ("报表已写入 {path}", "Report written to {path}"),
    # Shops at the command line (rma_tui/cli_shops.py and --shop in cli.py / cli_stock.py)
    "cli_all_shops": ("全部门店", "All shops"),
    "cli_in_shop": ("【门店 {shop}】", "[shop {shop}] "),
    "cli_col_shop": ("门店", "Shop"),
    "cli_col_shop_name": ("店名", "Name"),
    "cli_col_users": ("用户数", "Users"),
    "cli_col_opened": ("开设时间", "Opened"),
    "cli_shop_added": ("已开设门店 {code}（{name}）", "Opened shop {code} ({name})"),
    "cli_shop_renamed": ("门店 {code} 已改名为 {name}", "Shop {code} is now called {name}"),
    "cli_shops_heading": ("门店（{count}）", "Shops ({count})"),
    "cli_chain_wide_users": ("全部门店（连锁通用用户）", "All shops (chain-wide users)"),
    "cli_transferred": ("已调拨 {sku} × {qty}：门店 {src} → {dst}，金额 {value_yuan}；"
                        "{src} 现可售 {src_sellable}，{dst} 现可售 {dst_sellable}",
                        "Transferred {sku} x {qty} from shop {src} to {dst}, value "
                        "{value_yuan}; sellable now {src_sellable} in {src}, {dst_sellable} "
                        "in {dst}"),
    "cli_stock_of_shop": ("门店 {shop} 的库存", "Stock of shop {shop}"),
    "cli_stock_of_chain": ("全部门店合计库存", "Stock of every shop, summed"),
    "cli_shop_sales_only": ("--shop 只用于导入销售单：商品和客户由全连锁共用（字段 {field}）",
                            "--shop applies to sales imports only: products and customers "
                            "are shared by the whole chain (field {field})"),
    "backup_not_sqlite": ("rma backup / restore 只用于 SQLite 数据库文件；{db} 不是。"
                          "PostgreSQL 请用 pg_dump / pg_restore",
                          "rma backup / restore work on an SQLite database file; {db} is not "
                          "one. For PostgreSQL use pg_dump / pg_restore"),
    "backup_exists": ("备份文件 {path} 已存在；要覆盖请加 --force",
                      "The backup file {path} already exists; add --force to replace it"),
    "backup_same_file": ("{path} 就是当前数据库本身，不能用作备份文件",
                         "{path} is the shop database itself, not a backup file"),
    "backup_is_dir": ("{path} 是文件夹，请给出文件名", "{path} is a folder; give a file name"),
    "backup_no_folder": ("文件夹 {path} 不存在", "The folder {path} does not exist"),
    "backup_copy_corrupt": ("复制到 {path} 的数据未通过完整性检查（{detail}），未写入",
                            "The copy for {path} failed the integrity check ({detail}); "
                            "nothing was written"),
    "backup_done": ("已备份到 {path}：{size} 字节，结构版本 {revision}，审计链头 #{seq} {hash}",
                    "Backed up to {path}: {size} bytes, schema revision {revision}, audit "
                    "chain head #{seq} {hash}"),
    "backup_verify_failed": ("{path} 校验未通过：{detail}",
                             "{path} does not pass verify: {detail}"),
    "backup_missing": ("备份文件 {path} 不存在", "The backup file {path} does not exist"),
    "backup_not_sqlite_file": ("{path} 不是 SQLite 数据库文件，未恢复",
                               "{path} is not an SQLite database file; nothing was restored"),
    "backup_corrupt": ("备份文件 {path} 已损坏（{detail}），未恢复",
                       "The backup file {path} is damaged ({detail}); nothing was restored"),
    "backup_not_rma": ("{path} 不是本程序的数据库（没有结构版本或审计链），未恢复",
                       "{path} is not an rma database (no schema revision or audit chain); "
                       "nothing was restored"),
    "backup_newer": ("{path} 的结构版本 {revision} 来自更新的程序（本程序最新为 {head}），"
                     "请先安装新版本；未恢复",
                     "{path} is at schema revision {revision}, made by a newer program (this "
                     "one knows up to {head}): install that version; nothing was restored"),
    "backup_restore_exists": ("当前数据库 {path} 已有数据；确定要用备份替换请加 --force",
                              "The database {path} holds data; add --force to replace it "
                              "with the backup"),
    "backup_restore_in_use": ("数据库 {path} 正在被其他程序使用；请先关闭所有退换货工作台"
                              "和 rma 命令，未恢复",
                              "The database {path} is open in another program; close every "
                              "returns desk and rma command first; nothing was restored"),
    "backup_restored": ("已从 {backup} 恢复到 {path}（结构版本 {revision}，审计链头 #{seq} "
                        "{hash}）",
                        "Restored {path} from {backup} (schema revision {revision}, audit "
                        "chain head #{seq} {hash})"),
    "backup_before_kept": ("原数据库已保留为 {path}", "The previous database is kept as {path}"),
    "backup_sqlite_error": ("处理 {path} 时数据库出错：{detail}；未做任何更改",
                            "Database error on {path}: {detail}; nothing was changed"),
    "report_returns_title": ("退换货统计（按{by_label}）", "Returns by {by_label}"),
    "report_rate_note": ("销售件数少于 {min_sample} 时不显示退货率",
                         "Return rate shown only when at least {min_sample} units were sold"),
    "report_by_product": ("商品", "product"),
    "report_by_reason": ("原因", "reason"),
    "report_by_channel": ("渠道", "channel"),
    "report_by_customer": ("客户", "customer"),
    "report_by_month": ("月份", "month"),
    "report_by_supplier": ("供应商", "supplier"),
    "report_by_week": ("周", "week"),
    # Reports per shop (issue 7; rma_tui/reports.py, by="shop" and --shop)
    "report_by_shop": ("门店", "shop"),
    "col_shop": ("门店", "Shop"),
    "col_shop_name": ("店名", "Shop name"),
    "report_shop_note": ("门店：{shop}", "Shop: {shop}"),
    "report_problems_title": ("问题商品（退货率、退款金额最高）",
                              "Problem products (highest return rate and amount)"),
    "report_trend_title": ("退换货趋势（按{period_label}）", "Returns trend by {period_label}"),
    "report_measure_units": ("退回件数", "Units returned"),
    "report_measure_slips": ("单据数", "Slips"),
    "report_measure_refund": ("退款金额", "Refund"),
    "report_forecast_mark": ("（预测）", "(forecast)"),
    "report_forecast_too_short": ("少于 {n} 个完整期间，不做预测",
                                  "Fewer than {n} complete periods: no forecast"),
    "report_forecast_method": ("预测方法：Holt 线性趋势（双指数平滑），α={alpha} β={beta}，"
                               "按历史回测误差最小选取",
                               "Forecast: Holt's linear trend (double exponential smoothing), "
                               "alpha={alpha} beta={beta}, chosen by the lowest back-test error"),
    "report_forecast_error": ("回测（逐期向前一步，{points} 期）：平均绝对误差 {mae}，"
                              "平均百分比误差 {mape}；对照“同上期”：{naive_mae}，{naive_mape}",
                              "Back-test (one step ahead, {points} periods): MAE {mae}, "
                              "MAPE {mape}; naive (same as last period): {naive_mae}, "
                              "{naive_mape}"),
    "report_forecast_no_better": ("注意：此预测不比“同上期”更准，仅供参考",
                                  "Note: this forecast does no better than 'same as last "
                                  "period'; read it with care"),
    "report_forecast_partial": ("本期 {period} 尚未结束，至今 {value}（未计入预测的学习数据）",
                                "The current period {period} is not over: {value} so far "
                                "(not learnt from)"),
    "report_compliance_head": ("期间内单据 {slips} 张：特批 {exceptions}，逾期 {late}，"
                               "驳回 {rejected}；当前超时未处理 {overdue}",
                               "{slips} slips in the period: {exceptions} exceptions, "
                               "{late} late, {rejected} rejected; {overdue} waiting over "
                               "target now"),
    "report_compliance_exceptions": ("政策例外（特批）", "Policy exceptions (overrides)"),
    "report_compliance_late": ("逾期单据：{numbers}", "Late slips: {numbers}"),
    "report_compliance_rejected": ("驳回的单据", "Rejected slips"),
    "report_compliance_states": ("各状态时效", "Time in each state"),
    "report_compliance_overdue": ("当前超时的单据", "Slips over target now"),
    "report_compliance_late_title": ("逾期单据", "Late slips"),
    "cli_more_rows": ("可能还有更多，下一页加 --offset {offset}",
                      "There may be more: next page with --offset {offset}"),
    "cli_purchased": ("已进货 {sku} × {qty}，现可售 {sellable}",
                      "Received {sku} x {qty}; {sellable} now sellable"),
    "cli_import_encoding": ("{file} 按 {encoding} 编码读取", "Read {file} as {encoding}"),
    "cli_schema_upgraded": ("数据库结构已升级，升级前的备份：{path}",
                            "Database schema upgraded; the copy from before: {path}"),
    "cli_demo_summary": ("商品 {products} 种，客户 {customers} 位，"
                         "销售单 {sales} 张（{sale_lines} 行），"
                         "退换货单 {slips} 张，低库存 {low_stock} 种，用时 {seconds} 秒",
                         "{products} products, {customers} customers, {sales} sales "
                         "({sale_lines} lines), {slips} slips, {low_stock} low on stock, "
                         "{seconds} s"),
    "demo_stage_setup": ("用户、商品与客户", "Users, products and customers"),
    "demo_stage_sales": ("销售记录", "Sales"),
    "demo_stage_slips": ("退换货单", "Return and exchange slips"),
    "demo_stage_aftercare": ("退供应商、回访与日结", "Supplier returns, call-backs, day closes"),
}

# Words of the stock, customers, finance and audit screens (and their CLI commands), one
# dict per area; keys start with the area (`stock_`, `cust_`, `fin_`, `audit_`).
_STOCK_UI: dict[str, tuple[str, str]] = {
    # The stock screen (rma_tui/screens/stock.py) and its dialogs.
    "stock_heading": ("库存（{count}）", "Stock ({count})"),
    "stock_loading": ("正在读取库存…", "Reading stock…"),
    "stock_search_placeholder": ("搜索：编码 / 条码 / 品名 / 品类 / 供应商",
                                 "Search: SKU / barcode / name / category / supplier"),
    "stock_filter_all": ("显示全部商品", "All products"),
    "stock_filter_low": ("只看低库存", "Low stock only"),
    "stock_filter_defective": ("只看有残次", "With defective only"),
    "stock_empty": ("没有符合条件的商品", "No product matches"),
    "stock_low_marker": ("▼ 低", "▼ LOW"),
    "stock_col_alert": ("预警", "Alert"),
    "stock_col_reorder": ("补货点", "Reorder"),
    "stock_col_kind": ("类型", "Kind"),
    "stock_col_location": ("库位", "Location"),
    "stock_col_ref": ("单号", "Ref"),
    "stock_col_returns": ("单数", "Returns"),
    "stock_col_units": ("件数", "Units"),
    "stock_col_value": ("账面价值", "Carried at"),
    "stock_col_credit": ("预计退款", "Expected credit"),
    "stock_ledger_heading": ("库存流水：{sku} {name}", "Stock ledger: {sku} {name}"),
    "stock_ledger_empty": ("该商品还没有库存变动", "No stock moves for this product yet"),
    "stock_key_search": ("搜索", "Search"),
    "stock_key_low": ("低库存", "Low only"),
    "stock_key_defective": ("残次", "Defective"),
    "stock_key_ledger": ("流水", "Ledger"),
    "stock_key_close": ("关闭", "Close"),
    "stock_key_purchase": ("进货", "Receive"),
    "stock_key_adjust": ("调整", "Adjust"),
    "stock_key_reorder": ("补货点", "Reorder pt"),
    "stock_key_repair": ("修复", "Repair"),
    "stock_key_scrap": ("报废", "Scrap"),
    "stock_key_return": ("退供应商", "To supplier"),
    "stock_key_suppliers": ("供应商退货", "Supplier returns"),
    "stock_key_transfer": ("调拨", "Transfer"),
    "stock_transfer_title": ("门店调拨：{sku} {name}", "Transfer between shops: {sku} {name}"),
    "stock_field_from_shop": ("调出门店", "From shop"),
    "stock_field_to_shop": ("调入门店", "To shop"),
    "stock_transfer_no_other": ("没有其他门店可以调入", "There is no other shop to send to"),
    "stock_done_transfer": ("已调拨 {sku} × {qty}：{from_shop} → {to_shop}，"
                            "调出店可售 {from_sellable}，调入店可售 {to_sellable}",
                            "Transferred {sku} x {qty}: {from_shop} -> {to_shop}; "
                            "sellable now {from_sellable} there, {to_sellable} at {to_shop}"),
    "stock_levels": ("可售 {sellable}，残次 {defective}，补货点 {reorder_point}",
                     "Sellable {sellable}, defective {defective}, reorder point {reorder_point}"),
    "stock_purchase_title": ("进货：{sku} {name}", "Receive goods: {sku} {name}"),
    "stock_adjust_title": ("库存调整：{sku} {name}", "Adjust stock: {sku} {name}"),
    "stock_reorder_title": ("补货点：{sku} {name}", "Reorder point: {sku} {name}"),
    "stock_repair_title": ("残次修复：{sku} {name}", "Repair defective: {sku} {name}"),
    "stock_scrap_title": ("残次报废：{sku} {name}", "Scrap defective: {sku} {name}"),
    "stock_return_title": ("退供应商：{sku} {name}", "Return to supplier: {sku} {name}"),
    "stock_field_qty": ("数量", "Quantity"),
    "stock_field_unit_cost": ("单位成本（元）", "Unit cost (yuan)"),
    "stock_unit_cost_hint": ("留空按当前成本 {cost_yuan}", "blank: current cost {cost_yuan}"),
    "stock_field_location": ("库位", "Location"),
    "stock_field_delta": ("调整数量", "Change"),
    "stock_delta_hint": ("如 +3 或 -2", "e.g. +3 or -2"),
    "stock_field_reason": ("原因", "Reason"),
    "stock_reason_hint": ("必填，如 盘点少 2 件", "required, e.g. counted 2 short"),
    "stock_field_reorder": ("补货点", "Reorder point"),
    "stock_field_note": ("备注", "Note"),
    "stock_field_supplier": ("供应商", "Supplier"),
    "stock_field_credit": ("预计退款（元）", "Expected credit (yuan)"),
    "stock_credit_hint": ("留空按账面价值", "blank: carried value"),
    "stock_done_purchase": ("已进货 {sku} × {qty}，现可售 {sellable}",
                            "Received {sku} x {qty}; {sellable} now sellable"),
    "stock_done_adjust": ("已调整 {sku} {location_label} {delta}（{reason}），现可售 {sellable}，"
                          "残次 {defective}",
                          "Adjusted {sku} {location_label} by {delta} ({reason}); now "
                          "{sellable} sellable, {defective} defective"),
    "stock_done_reorder": ("{sku} 补货点设为 {reorder_point}（可售 {sellable}）",
                           "{sku} reorder point set to {reorder_point} ({sellable} sellable)"),
    "stock_done_repair": ("已修复 {sku} × {qty} 回到可售，现可售 {sellable}，残次 {defective}",
                          "Repaired {sku} x {qty} back to sellable; now {sellable} sellable, "
                          "{defective} defective"),
    "stock_done_scrap": ("已报废 {sku} × {qty}，残次剩 {defective}",
                         "Scrapped {sku} x {qty}; {defective} defective left"),
    "stock_done_return": ("已生成退供应商单 {number}：{sku} × {qty} 退回 {supplier}，"
                          "预计退款 {credit_yuan}",
                          "Supplier return {number}: {sku} x {qty} back to {supplier}, "
                          "expected credit {credit_yuan}"),
    "stock_suppliers_title": ("供应商退货（退供应商单）", "Supplier returns"),
    "stock_suppliers_heading": ("按供应商（{count}）", "By supplier ({count})"),
    "stock_returns_heading": ("{supplier} 的退货单（{count}）", "Returns to {supplier} ({count})"),
    "stock_suppliers_empty": ("还没有退供应商记录", "No supplier returns yet"),
    # The home screen's banner (rma_tui/screens/home.py).
    # The key hint before the SKUs: on a narrow terminal it is the SKUs that get cut off.
    "stock_banner": ("低库存 {count} 种（按 6 查看库存）：{skus}",
                     "Low stock ({count}, press 6 for stock): {skus}"),
    # The CLI (rma_tui/cli_stock.py).
    "stock_cli_no_moves": ("{sku} 还没有库存变动", "No stock moves for {sku} yet"),
    "stock_cli_no_returns": ("没有退供应商记录", "No supplier returns"),
}
_CUSTOMERS_UI: dict[str, tuple[str, str]] = {
    # The customers screen (rma_tui/screens/customers.py, widgets/customer_follow_up.py)
    # and `rma customer` / `rma followup` (rma_tui/cli_customers.py).
    "cust_title": ("客户", "Customers"),
    "cust_search_placeholder": ("姓名或手机号，回车查找（/ 回到这里）",
                                "Name or phone, then Enter (/ comes back here)"),
    "cust_search_hint": ("输入姓名或手机号后回车", "Type a name or phone and press Enter"),
    "cust_results": ("客户（{count}）", "Customers ({count})"),
    "cust_no_results": ("没有找到「{query}」的客户", "No customer found for '{query}'"),
    "cust_found": ("「{query}」找到 {count} 位客户", "'{query}': {count} customers found"),
    "cust_no_customer": ("未选择客户：查找后在列表中选择", "No customer: search, then pick one"),
    "cust_call_back_heading": ("待回访（截至 {at}，{count} 条）",
                               "To call back (due by {at}: {count})"),
    "cust_call_back_empty": ("没有到期的回访", "Nothing due to call back"),
    "cust_call_back_title": ("待回访（截至 {at}）", "To call back (due by {at})"),
    "cust_follow_all_title": ("全部回访", "All follow-ups"),
    "cust_tab_purchases": ("购买记录", "Purchases"),
    "cust_tab_slips": ("退换货单", "Slips"),
    "cust_tab_feedback": ("评价", "Feedback"),
    "cust_tab_follow": ("回访", "Follow-ups"),
    "cust_tab_credit": ("储值", "Store credit"),
    "cust_col_slips": ("单据", "Slips"),
    "cust_col_units": ("件数", "Units"),
    "cust_col_value": ("货值", "Value"),
    "cust_col_amount": ("退款/差价", "Refund/diff."),
    "cust_col_score": ("评分", "Score"),
    "cust_col_comment": ("留言", "Comment"),
    "cust_col_by": ("记录人", "By"),
    "cust_col_id": ("编号", "ID"),
    "cust_col_due": ("到期", "Due"),
    "cust_col_note": ("事项", "Note"),
    "cust_col_state": ("状态", "State"),
    "cust_col_outcome": ("结果", "Outcome"),
    "cust_col_kind": ("类型", "Kind"),
    "cust_col_delta": ("变动", "Change"),
    "cust_col_balance": ("余额", "Balance"),
    "cust_purchased": ("购买 {amount_yuan}（{count} 单）",
                       "Purchased {amount_yuan} (sales: {count})"),
    "cust_returned": ("退回 {amount_yuan}（{count} 张单据）",
                      "Returned {amount_yuan} (slips: {count})"),
    "cust_rate": ("退货率 {rate}", "Return rate {rate}"),
    "cust_repeat": ("多次退货：一年内 {count} 张单据（阈值 {threshold}）",
                    "REPEAT RETURNER ({count} slips in a year, threshold {threshold})"),
    "cust_not_repeat": ("一年内 {count} 张单据（多次退货阈值 {threshold}）",
                        "Slips in a year: {count} (repeat-returner threshold {threshold})"),
    "cust_credit": ("储值余额 {amount_yuan}", "Store credit {amount_yuan}"),
    "cust_open_follow": ("待办回访 {count}", "Open follow-ups {count}"),
    "cust_overdue": ("逾期 {days} 天", "{days} d overdue"),
    "cust_due_today": ("今天", "today"),
    "cust_fu_open": ("待办", "Open"),
    "cust_fu_done_by": ("已完成 {by} {at}", "Done {by} {at}"),
    "cust_credit_refund": ("退款转储值", "Refund to credit"),
    "cust_credit_exchange": ("换货差价", "Exchange difference"),
    "cust_credit_opening": ("期初余额", "Opening balance"),
    "cust_key_search": ("查找", "Search"),
    "cust_key_call_back": ("待回访", "Call back"),
    "cust_key_add": ("新建回访", "New follow-up"),
    "cust_key_done": ("完成回访", "Done"),
    "cust_key_tab": ("切换页签", "Next tab"),
    "cust_pick_customer": ("先查找并选择一位客户", "Find and pick a customer first"),
    "cust_pick_follow_up": ("先在“回访”页签或待回访列表中选择一条未完成的回访",
                            "Pick an open follow-up first (Follow-ups tab or the call-back "
                            "list)"),
    "cust_fu_title": ("新建回访 · {name} {phone}", "New follow-up · {name} {phone}"),
    "cust_fu_note": ("回访事项", "Note"),
    "cust_fu_note_placeholder": ("要跟顾客说什么 / 问什么", "What to tell or ask the customer"),
    "cust_fu_due": ("到期日（YYYY-MM-DD）", "Due date (YYYY-MM-DD)"),
    "cust_fu_slip": ("单据号（可不填）", "Slip number (optional)"),
    "cust_fu_slip_placeholder": ("如 TH-20261120-0001", "e.g. TH-20261120-0001"),
    "cust_fu_save": ("保存", "Save"),
    "cust_fu_added": ("已为 {name} 新建回访 #{id}，{due} 到期",
                      "Follow-up #{id} noted for {name}, due {due}"),
    "cust_fu_completed": ("回访 #{id}（{name}）已完成", "Follow-up #{id} ({name}) is done"),
    "cust_done_title": ("完成回访 #{id} · {name}", "Follow-up #{id} done · {name}"),
    "cust_done_label": ("回访结果（可不填）。事项：{note}",
                        "What came of it (optional). Note: {note}"),
    "cust_h_name": ("客户", "Customer"),
    "cust_h_purchased": ("购买金额", "Purchased"),
    "cust_h_returned": ("退回金额", "Returned"),
    "cust_h_rate": ("退货率", "Return rate"),
    "cust_h_repeat": ("多次退货", "Repeat returner"),
    "cust_h_credit": ("储值余额", "Store credit"),
    "cust_count_sales": ("{amount_yuan}（{count} 单）", "{amount_yuan} (sales: {count})"),
    "cust_count_slips": ("{amount_yuan}（{count} 张单据）", "{amount_yuan} (slips: {count})"),
    "cust_repeat_answer": ("{answer}（一年内 {count} 张，阈值 {threshold}）",
                           "{answer} (slips in a year: {count}, threshold {threshold})"),
    "cust_more_rows": ("只列出最近 {shown} 条，共 {total} 条",
                       "Only the latest {shown} of {total} shown"),
    "cust_all_or_due": ("--all 与 --due-by 不能同时使用", "Give --all or --due-by, not both"),
}
_FINANCE_UI: dict[str, tuple[str, str]] = {
    # The finance screen (rma_tui/screens/finance.py) and `rma` finance commands.
    "fin_title": ("财务", "Finance"),
    "fin_loading": ("正在读取账目…", "Reading the books…"),
    "fin_tab_refunds": ("退款", "Refunds"),
    "fin_tab_exchanges": ("换货差价", "Exchanges"),
    "fin_tab_credit": ("储值", "Credit"),
    "fin_tab_receivable": ("应收", "AR"),
    "fin_tab_journal": ("凭证", "Journal"),
    "fin_tab_trial": ("试算平衡", "Trial"),
    "fin_tab_close": ("日结", "Close"),
    "fin_tab_income": ("损益", "Income"),
    "fin_key_prev_day": ("前一天", "prev day"),
    "fin_key_next_day": ("后一天", "next day"),
    "fin_key_close_day": ("日结", "close day"),
    "fin_key_next_page": ("下页", "next page"),
    "fin_key_prev_page": ("上页", "prev page"),
    "fin_key_kind": ("凭证类别", "entry kind"),
    "fin_period": ("{since} 至 {until}", "{since} to {until}"),
    "fin_empty": ("（这段时间没有记录）", "(nothing in this period)"),
    "fin_col_day": ("日期", "Day"),
    "fin_col_method": ("方式", "Method"),
    "fin_col_slips": ("单数", "Slips"),
    "fin_col_refund": ("退款金额", "Refunded"),
    "fin_col_collected": ("收取差价", "Collected"),
    "fin_col_paid_back": ("退还差价", "Paid back"),
    "fin_col_net": ("净额", "Net"),
    "fin_col_customer": ("客户", "Customer"),
    "fin_col_phone": ("电话", "Phone"),
    "fin_col_credit_balance": ("储值余额", "Credit balance"),
    "fin_col_time": ("时间", "Time"),
    "fin_col_kind": ("类别", "Kind"),
    "fin_col_slip": ("单号", "Slip"),
    "fin_col_memo": ("摘要", "Memo"),
    "fin_col_memo_account": ("摘要 / 科目", "Memo / account"),
    "fin_col_user": ("操作人", "User"),
    "fin_col_account": ("科目", "Account"),
    "fin_col_debit": ("借方", "Debit"),
    "fin_col_credit": ("贷方", "Credit"),
    "fin_col_side": ("方向", "Side"),
    "fin_col_balance": ("余额", "Balance"),
    "fin_col_item": ("项目", "Item"),
    "fin_col_amount": ("金额", "Amount"),
    "fin_col_month": ("月份", "Month"),
    "fin_col_gross_sales": ("销售收入", "Gross sales"),
    "fin_col_returns": ("退回与折让", "Returns & allow."),
    "fin_col_net_sales": ("销售净额", "Net sales"),
    "fin_col_cogs": ("销售成本", "COGS"),
    "fin_col_write_off": ("报废损失", "Write-offs"),
    "fin_col_other_income": ("其他收入", "Other income"),
    "fin_col_margin": ("毛利", "Gross margin"),
    "fin_side_debit": ("借", "Dr"),
    "fin_side_credit": ("贷", "Cr"),
    "fin_total": ("合计", "Total"),
    "fin_refunds_heading": ("退款（按日、按方式）· {period}",
                            "Refunds by day and method · {period}"),
    "fin_exchanges_heading": ("换货差价（按日）· {period}",
                              "Exchange differences by day · {period}"),
    "fin_credit_heading": ("储值负债 · 前 {top} 位持有人",
                           "Store-credit liability · top {top} holders"),
    "fin_credit_summary": ("顾客储值合计 {customers_yuan} · 2205 科目余额 {account_yuan} · "
                           "持有人 {holders} 位 {mark}",
                           "Customers' credit {customers_yuan} · account 2205 {account_yuan} · "
                           "{holders} holders {mark}"),
    "fin_receivable_heading": ("应收调整（涉及 1122 的凭证）· {period} · 1122 余额 {balance_yuan}",
                               "Receivable adjustments (entries on 1122) · {period} · "
                               "1122 balance {balance_yuan}"),
    "fin_journal_heading": ("凭证 · 截至 {until} · 第 {page} 页 · 类别：{kind}",
                            "Journal · up to {until} · page {page} · kind: {kind}"),
    "fin_kind_all": ("全部", "all"),
    "fin_trial_heading": ("试算平衡 · 截至 {until}", "Trial balance · as of {until}"),
    "fin_balanced": ("✓ 借贷平衡：Σ借 {debit_yuan} = Σ贷 {credit_yuan}",
                     "✓ Balanced: Σ debit {debit_yuan} = Σ credit {credit_yuan}"),
    "fin_unbalanced": ("✗ 借贷不平：Σ借 {debit_yuan} ≠ Σ贷 {credit_yuan}",
                       "✗ Not balanced: Σ debit {debit_yuan} ≠ Σ credit {credit_yuan}"),
    "fin_close_heading": ("日结 · {day}", "Daily close · {day}"),
    "fin_close_open": ("未日结 · 凭证 {entries} 张 · 按 c 日结",
                       "Open · {entries} entries · press c to close"),
    "fin_close_closed": ("已日结 · {user} 于 {at} · 凭证 {entries} 张",
                         "Closed by {user} at {at} · {entries} entries"),
    "fin_line_sales": ("销售收款", "Sales taken"),
    "fin_line_refunds": ("退款", "Refunds"),
    "fin_line_exchange_in": ("换货补差收取", "Exchange: collected"),
    "fin_line_exchange_out": ("换货差价退还", "Exchange: paid back"),
    "fin_line_account": ("账户净变动", "Account net change"),
    "fin_close_nothing": ("这一天没有收付款", "No money in or out this day"),
    "fin_close_confirm_title": ("日结 {day}？", "Close {day}?"),
    "fin_close_confirm_body": ("日结后这一天不能再记账。凭证 {entries} 张，"
                               "Σ借 {debit_yuan}，Σ贷 {credit_yuan}。",
                               "After closing, nothing more can be posted on this day. "
                               "{entries} entries, Σ debit {debit_yuan}, Σ credit {credit_yuan}."),
    "fin_closed_ok": ("{day} 已日结（{user}）", "{day} closed ({user})"),
    "fin_income_heading": ("损益（按月）· {since} 至 {until}",
                           "Income by month · {since} to {until}"),
    "fin_kind_sale": ("销售", "Sale"),
    "fin_kind_purchase": ("进货", "Purchase"),
    "fin_kind_refund": ("退款", "Refund"),
    "fin_kind_exchange": ("换货", "Exchange"),
    "fin_kind_return_cost": ("退货成本冲回", "Return cost reversal"),
    "fin_kind_stock_adjust": ("库存调整", "Stock adjustment"),
    "fin_kind_defective_repair": ("残次品修复", "Defective repaired"),
    "fin_kind_defective_scrap": ("残次品报废", "Defective scrapped"),
    "fin_kind_supplier_return": ("退供应商", "Supplier return"),
    "fin_kind_transfer": ("门店调拨", "Inter-shop transfer"),
    "fin_bad_month": ("月份应为 YYYY-MM，收到“{value}”（字段 {field}）",
                      "A month must be YYYY-MM, got \"{value}\" (field {field})"),
    "fin_trial_title": ("试算平衡 {period}", "Trial balance {period}"),
    "fin_all_time": ("全部", "all time"),
    "fin_journal_title": ("凭证", "Journal"),
    "fin_refunds_title": ("退款（按日、按方式）", "Refunds by day and method"),
    "fin_income_title": ("损益（按月）", "Income by month"),
    "fin_closed_days_title": ("已日结的日子", "Closed days"),
    "fin_no_closed_days": ("还没有日结过", "No day has been closed yet"),
    "fin_cli_closed": ("{day} 已日结（{user}，{at}）：凭证 {entries} 张，Σ借 {debit_yuan} = "
                       "Σ贷 {credit_yuan}",
                       "{day} closed ({user}, {at}): {entries} entries, Σ debit {debit_yuan} = "
                       "Σ credit {credit_yuan}"),
    "fin_col_closed_by": ("日结人", "Closed by"),
    "fin_col_closed_at": ("日结时间", "Closed at"),
    "fin_col_entries": ("凭证数", "Entries"),
}
_AUDIT_UI: dict[str, tuple[str, str]] = {
    # Summaries of an audit event's detail (rma_tui/reads/audit.py summarize).
    "audit_sum_policy_ok": ("符合退换政策", "Within policy"),
    "audit_sum_policy_fail": ("不符合政策：{rules}", "Policy exception: {rules}"),
    "audit_sum_auto": ("自动审核通过", "Approved automatically"),
    "audit_sum_override": ("例外审批，理由：{reason}", "Approved as an exception: {reason}"),
    "audit_sum_refund": ("退款 {refund_yuan}（{method}）", "Refund {refund_yuan} ({method})"),
    "audit_sum_difference": ("差价 {difference_yuan}", "Difference {difference_yuan}"),
    "audit_sum_grade": ("{sku} 可再售 {resellable} / 残次 {defective} / 报废 {scrap}",
                        "{sku} resellable {resellable} / defective {defective} / scrap {scrap}"),
    "audit_sum_create": ("原销售单 {sale}，金额 {gross_yuan}", "Sale {sale}, amount {gross_yuan}"),
    "audit_sum_edit": ("金额 {gross_yuan}", "Amount {gross_yuan}"),
    "audit_sum_reject": ("原因：{reason}", "Reason: {reason}"),
    "audit_sum_cancel": ("原因：{reason}", "Reason: {reason}"),
    "audit_sum_feedback": ("评分 {score}/5", "Score {score}/5"),
    "audit_sum_purchase": ("{sku} × {qty}，单位成本 {cost_yuan}",
                           "{sku} x {qty}, unit cost {cost_yuan}"),
    "audit_sum_stock_adjust": ("{sku} {location} {qty}（{value_yuan}），原因：{reason}",
                               "{sku} {location} {qty} ({value_yuan}), reason: {reason}"),
    "audit_sum_reorder_point": ("{sku} 补货点 {from} → {to}", "{sku} reorder point {from} → {to}"),
    "audit_sum_defective_repair": ("{sku} × {qty} 修复回可售（{value_yuan}）",
                                   "{sku} x {qty} repaired to sellable ({value_yuan})"),
    "audit_sum_defective_scrap": ("{sku} × {qty} 报废（{value_yuan}）",
                                  "{sku} x {qty} scrapped ({value_yuan})"),
    "audit_sum_supplier_return": ("{number} {supplier}：{sku} × {qty}（{value_yuan}），"
                                  "预计退款 {expected_credit_yuan}",
                                  "{number} {supplier}: {sku} x {qty} ({value_yuan}), "
                                  "expected credit {expected_credit_yuan}"),
    "audit_sum_follow_up": ("回访 #{id} {phone}", "Follow-up #{id} {phone}"),
    "audit_sum_follow_up_done": ("回访 #{id} 完成：{outcome}", "Follow-up #{id} done: {outcome}"),
    "audit_sum_close_day": ("{day} 借 {debit_yuan} 贷 {credit_yuan}，凭证 {entries} 张",
                            "{day} debit {debit_yuan} credit {credit_yuan}, {entries} entries"),
    "audit_sum_user_add": ("{name}（{role}）", "{name} ({role})"),
    "audit_sum_pin_locked": ("{user} 连续 {failures} 次输错 PIN，须等到 {until}",
                             "{user}: {failures} wrong PINs in a row, waits until {until}"),
    "audit_sum_pin_set": ("{user}", "{user}"),
    "audit_sum_demo_replaced": ("原数据库保留为 {kept}", "the database replaced kept as {kept}"),
    "audit_sum_restored": ("从 {backup} 恢复，原数据库保留为 {kept}",
                           "from {backup}; the database replaced kept as {kept}"),
    "audit_sum_archive_replaced": ("{path}，旧文件保留在 {kept}",
                                   "{path}; the old files kept in {kept}"),
    "audit_sum_db_copied": ("从 {source} 复制", "copied from {source}"),
    "audit_sum_pin_unlocked": ("{user}（此前连续输错 {failures} 次）",
                               "{user} (after {failures} wrong PINs in a row)"),
    "audit_sum_setting": ("{setting} = {value}", "{setting} = {value}"),
    "audit_sum_import": ("{count} 条", "{count} rows"),
    "audit_sum_setup": ("店铺 {shop_name}，店主 {owner}", "Shop {shop_name}, owner {owner}"),
    # The chain check (reads/audit.py ChainStatus.message).
    "audit_chain_ok": ("审计链完整：{count} 条", "Audit chain intact: {count} events"),
    "audit_chain_altered": ("审计链断裂：第 {seq} 条（id {id}）被改动",
                            "Audit chain broken: row seq {seq} (id {id}) was altered"),
    "audit_chain_missing": ("审计链断裂：第 {seq} 条缺失（其后是第 {found} 条，id {id}）",
                            "Audit chain broken: seq {seq} is missing (next is seq {found}, "
                            "id {id})"),
    "audit_chain_head": ("审计链断裂：链头记到第 {seq} 条，记录只到第 {found} 条（末尾被删）",
                         "Audit chain broken: the head says seq {seq} but the rows end at seq "
                         "{found} (rows removed from the end)"),
    "audit_chain_no_head": ("审计链断裂：有 {found} 条记录却没有链头（末尾的记录可能连同链头被删）",
                            "Audit chain broken: {found} events but no chain head (the end "
                            "may have been removed together with it)"),
    "audit_chain_other": ("审计链校验失败：{detail}", "Audit chain check failed: {detail}"),
    "audit_verifying": ("正在校验审计链…", "Verifying the audit chain…"),
    # The audit screen.
    "audit_title": ("审计", "Audit"),
    "audit_loading": ("正在读取审计记录…", "Reading the audit trail…"),
    "audit_heading": ("审计记录（{count}）", "Audit trail ({count})"),
    "audit_empty": ("没有符合条件的审计记录", "No audit events match"),
    "audit_filter_slip": ("单号", "Slip no."),
    "audit_filter_user": ("用户", "User"),
    "audit_filter_since": ("起 YYYY-MM-DD", "From YYYY-MM-DD"),
    "audit_filter_until": ("止 YYYY-MM-DD", "To YYYY-MM-DD"),
    "audit_key_verify": ("校验链", "verify"),
    "audit_key_filter": ("筛选", "filter"),
    "audit_key_clear": ("清除筛选", "clear"),
    "audit_key_timeline": ("时间线", "timeline"),
    "audit_col_seq": ("序号", "Seq"),
    "audit_col_slip": ("单据", "Slip"),
    "audit_col_change": ("状态变化", "Change"),
    "audit_col_summary": ("摘要", "Summary"),
    "audit_no_slip": ("第 {seq} 条记录不涉及单据", "Event seq {seq} is not about a slip"),
    "audit_timeline_close": ("Esc 关闭", "Esc to close"),
    "audit_timeline_heading": ("处理经过", "Timeline"),
    "audit_timeline_empty": ("没有审计记录", "No audit events"),
    # Archives (rma_tui/archive.py, rma archive / archive-check).
    "audit_bad_period": ("期间“{value}”格式不正确，应如 2026-11（字段 {field}）",
                         "The period '{value}' is not valid; use e.g. 2026-11 (field {field})"),
    "audit_archive_exists": ("文件夹 {path} 已存在且不为空；确认覆盖请加 --force（字段 {field}）",
                             "The folder {path} exists and is not empty; add --force to "
                             "overwrite (field {field})"),
    "audit_archive_not_dir": ("{path} 不是文件夹（字段 {field}）",
                              "{path} is not a folder (field {field})"),
    "audit_archive_written": ("已写入 {period} 的归档：{path}",
                              "Archive of {period} written to {path}"),
    "audit_archive_head": ("归档时的审计链头：第 {seq} 条 {hash}",
                           "Audit chain head at archive time: seq {seq} {hash}"),
    "audit_archive_last": ("本期最后一条审计记录：第 {seq} 条 {hash}",
                           "Last audit event of the period: seq {seq} {hash}"),
    "audit_archive_no_events": ("本期没有审计记录", "No audit events in the period"),
    "audit_archive_ok": ("归档 {period} 校验通过：{files} 个文件，{events} 条审计记录与数据库一致",
                         "Archive {period} checks out: {files} files, {events} audit events "
                         "match the database"),
    "audit_archive_bad": ("归档校验失败：{problem}", "Archive check failed: {problem}"),
    "audit_arc_manifest": ("{path} 缺失或无法读取（{detail}）",
                           "{path} is missing or unreadable ({detail})"),
    "audit_arc_file_missing": ("文件 {file} 缺失", "The file {file} is missing"),
    "audit_arc_file_hash": ("文件 {file} 已被改动（sha256 与清单不符）",
                            "The file {file} was changed (its sha256 differs from the manifest)"),
    "audit_arc_file_rows": ("文件 {file} 有 {found} 行，清单记为 {expected} 行",
                            "The file {file} has {found} rows; the manifest says {expected}"),
    "audit_arc_archive_chain": ("归档中的审计记录第 {seq} 条（id {id}）哈希不符",
                                "Archived audit row seq {seq} (id {id}) does not hash to its "
                                "recorded value"),
    "audit_arc_event_missing": ("数据库中缺少已归档的审计记录第 {seq} 条（id {id}）",
                                "Audit row seq {seq} (id {id}) is archived but missing from the "
                                "database"),
    "audit_arc_event_altered": ("数据库中的审计记录第 {seq} 条（id {id}）与归档不符",
                                "Audit row seq {seq} (id {id}) in the database differs from the "
                                "archive"),
    "audit_arc_head_missing": ("归档时的链头第 {seq} 条已不在数据库中",
                               "The chain head at archive time (seq {seq}) is no longer in the "
                               "database"),
    "audit_arc_head_altered": ("链头第 {seq} 条（id {id}）的哈希与归档时不同：审计链在归档后被重写",
                               "The hash of the archived chain head, seq {seq} (id {id}), has "
                               "changed: the chain was rewritten after archiving"),
    "audit_col_file": ("文件", "File"),
    "audit_col_rows": ("行数", "Rows"),
    "audit_col_sha256": ("SHA-256", "SHA-256"),
    "audit_more": ("可能还有更多，下一页加 --before {before}",
                   "There may be more: next page with --before {before}"),
}
_REPORTS_UI: dict[str, tuple[str, str]] = {
    "rep_title": ("报表与分析", "Reports"),
    "rep_tab_returns": ("退换货统计", "Returns"),
    "rep_tab_problems": ("问题商品", "Problem products"),
    "rep_tab_trend": ("趋势与预测", "Trend & forecast"),
    "rep_tab_compliance": ("合规", "Compliance"),
    "rep_by": ("分组", "By"),
    "rep_since": ("起始日期", "From"),
    "rep_until": ("截止日期", "To"),
    "rep_period": ("期间", "Period"),
    "rep_measure": ("指标", "Measure"),
    "rep_date_placeholder": ("年-月-日", "YYYY-MM-DD"),
    "rep_loading": ("正在读取…", "Loading…"),
    "rep_empty": ("此期间没有退换货", "No returns in this period"),
    "rep_range_all": ("全部日期", "all dates"),
    "rep_range": ("{since} 至 {until}", "{since} to {until}"),
    "rep_range_open": ("不限", "open"),
    "rep_range_backwards": ("起始日期 {since} 晚于截止日期 {until}，未更改",
                            "From {since} is after to {until}: nothing changed"),
    "rep_range_set": ("日期范围：{range}", "Date range: {range}"),
    "rep_key_view": ("换报表", "next report"),
    "rep_key_by": ("分组", "group by"),
    "rep_key_period": ("月/周", "month/week"),
    "rep_key_measure": ("指标", "measure"),
    "rep_key_dates": ("日期", "dates"),
    "rep_key_export": ("导出", "export"),
    "rep_export_title": ("导出报表", "Export report"),
    "rep_export_format": ("格式", "Format"),
    "rep_export_path": ("保存到文件", "Save to file"),
    "rep_export_no_dir": ("文件夹不存在：{folder}", "No such folder: {folder}"),
    "rep_export_is_dir": ("{path} 是文件夹，请写上文件名", "{path} is a folder: give a file name"),
    "rep_exporting": ("正在导出 {rows} 行到 {path}…", "Exporting {rows} rows to {path}…"),
    "rep_export_failed": ("导出失败，未留下文件：{error}", "Export failed, no file left: {error}"),
    "rep_export_nothing": ("还没有可导出的数据", "Nothing to export yet"),
    "rep_export_sections": ("合规报告分节导出：XLSX 每节一张工作表，CSV 各节依次排列"
                            "（命令行同样：rma report compliance --format xlsx --out 文件）",
                            "The compliance report exports by section: one sheet each in "
                            "XLSX, one after another in CSV (CLI: rma report compliance "
                            "--format xlsx --out FILE)"),
    "rep_export_busy": ("上一次导出尚未完成", "The last export is still running"),
    "rep_none": ("无", "none"),
    "rep_export_overwrite": ("{path} 已存在，要覆盖吗？", "{path} already exists: replace it?"),
    "rep_rows_capped": ("显示前 {shown} 行，共 {total} 行（导出含全部）",
                        "first {shown} of {total} rows shown (the export has them all)"),
}

# What `verify` finds (service.Finding keys): each names the table, row and column, or the
# slip, entry, sale line or day, so a failing check reads in the desk's language.
_VERIFY: dict[str, tuple[str, str]] = {
    "check_ok_cells": ("{tables} 张表的每个值都符合其列的类型与规则",
                       "Every value of the {tables} tables fits its column"),
    "verify_cell": ("{table} 表第 {row} 行 {column} 列{problem_label}：{value}",
                    "{table} row {row} column {column}: {problem_label} ({value})"),
    "verify_check_crashed": ("此项检查无法完成（{error}）：数据有损坏，见“数据格式”一项",
                             "could not finish ({error}): damaged data, see the cells check"),
    "verify_integrity": ("SQLite 报告：{detail}", "SQLite says: {detail}"),
    "verify_stock_level": ("商品 {product} {location}（门店 {shop}）：库存 {level}，"
                           "流水合计 {moves}",
                           "product {product} {location} shop {shop}: level {level} "
                           "moves {moves}"),
    "verify_stock_orphan": ("商品 {product} {location}（门店 {shop}）：无库存记录，"
                            "流水合计 {moves}",
                            "product {product} {location} shop {shop}: no level, "
                            "moves {moves}"),
    "verify_entry_unbalanced": ("凭证 {entry}：借方 {debit}，贷方 {credit}",
                                "entry {entry}: debit {debit} credit {credit}"),
    "verify_journal_unbalanced": ("总账：借方 {debit}，贷方 {credit}",
                                  "journal: debit {debit} credit {credit}"),
    "verify_over_returned": ("销售行 {line}：售出 {sold}，退回 {returned}",
                             "sale line {line}: sold {sold} returned {returned}"),
    "verify_over_refunded": ("销售行 {line}：实付 {paid}，已退 {refunded}",
                             "sale line {line}: paid {paid} refunded {refunded}"),
    "verify_zero_qty": ("退货行 {line}：数量 ≤ 0", "slip line {line}: qty ≤ 0"),
    "verify_refund_over_gross": ("单据 {slip}：退款超过退货金额", "slip {slip}: refund over gross"),
    "verify_line_cost": ("退货行 {line}：成本 {cost} ≠ 销售成本 {sale_cost}",
                         "slip line {line}: cost {cost} ≠ sale cost {sale_cost}"),
    "verify_reversed_cost": ("单据 {slip}：冲回成本 {reversed} ≠ {expected}",
                             "slip {slip}: reversed {reversed} ≠ {expected}"),
    "verify_bad_edge": ("审计 #{seq}：{from_status} -> {to_status} 不是合规的流转",
                        "audit #{seq}: {from_status} -> {to_status}"),
    "verify_status_not_audited": ("单据 {slip}：状态 {status}，审计记录为 {audit}",
                                  "slip {slip}: status {status}, audit says {audit}"),
    "verify_chain_missing": ("审计序号 {seq} 缺失或错序（下一条为序号 {found_seq}，id {id}）",
                             "audit seq {seq} missing or out of order (found seq {found_seq}, "
                             "id {id})"),
    "verify_chain_altered": ("审计记录 序号 {seq}（id {id}）被改动",
                             "audit row seq {seq} (id {id}) altered"),
    "verify_chain_head": ("链头（序号 {seq}）≠ 最后一条（序号 {found_seq}）：末尾的记录被删除",
                          "chain head (seq {seq}) ≠ last row (seq {found_seq}): rows removed "
                          "from the end"),
    "verify_chain_no_head": ("链头缺失：有 {found_seq} 条审计记录却没有链头"
                             "（末尾的记录可能连同链头被删除）",
                             "chain head missing: {found_seq} events without a head (rows "
                             "may have been removed from the end together with it)"),
    "verify_request_twice": ("请求号 {request} 生效了 {count} 次",
                             "request {request} applied {count} times"),
    "verify_request_orphan": ("请求号 {request} 有记录却没有效果",
                              "request {request} recorded without its effect"),
    "verify_credit_customer": ("顾客 {phone}：余额 {balance}，流水合计 {moves}",
                               "customer {phone}: balance {balance}, moves {moves}"),
    "verify_credit_account": ("储值：顾客合计 {held}，2205 科目为 {owed}",
                              "store credit: customers hold {held}, account 2205 says {owed}"),
    "verify_close_totals": ("{day} 门店 {shop}：日结时借方 {debit} 贷方 {credit}（{entries} 笔），"
                            "现为 {now_debit} / {now_credit}（{now_entries} 笔）",
                            "day {day} shop {shop}: closed at debit {debit} credit {credit} "
                            "({entries} entries), now {now_debit} / {now_credit} "
                            "({now_entries})"),
    "verify_close_part": ("{day} 门店 {shop}：日结时 {part} {item} 为 {then}，现为 {now}",
                          "day {day} shop {shop}: {part} {item} closed at {then}, now {now}"),
    "verify_close_unreadable": ("{day} 门店 {shop}：日结记录（id {id}）无法读取，见“数据格式”一项",
                                "day {day} shop {shop}: the close (id {id}) cannot be read, "
                                "see the cells check"),
    "audit_archive_open_safely": (
        "归档 CSV 是账目原样的副本（校验靠它的哈希）：不要在表格软件里双击打开，"
        "请用“数据 → 从文本/CSV 导入”，每列设为文本",
        "Archive CSVs are exact copies (their hashes are the proof): do not open them by "
        "double-clicking in a spreadsheet; import them (Data → From Text/CSV) with every "
        "column as Text"),
    "db_damaged": ("数据库中有损坏的数据：{cells}。请运行 rma verify 查看全部，"
                   "或用 rma restore 从备份恢复",
                   "The database holds damaged data: {cells}. Run rma verify to see all of "
                   "it, or restore a backup with rma restore"),
}

MESSAGES: dict[str, tuple[str, str]] = {
    **_ERRORS, **_RULES, **_NOTIFICATIONS, **_COLUMNS, **_UI,
    **_STOCK_UI, **_CUSTOMERS_UI, **_FINANCE_UI, **_AUDIT_UI, **_REPORTS_UI, **_VERIFY,
}

# Which LABELS kind a `{<name>_label}` placeholder uses.
_LABEL_KIND = {
    "status": "status", "to": "status", "from": "status", "location": "location",
    "method": "method", "role": "role", "reason": "reason", "type": "type",
    "channel": "channel", "payment": "payment", "rule": "rule", "action": "action",
    "check": "check", "grade": "grade", "kind": "move", "problem": "cell_problem",
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
    if entry is None:
        return code
    return entry[LANGS.index(_pick(lang))]
