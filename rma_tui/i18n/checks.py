"""What `verify` finds: each names the table, row and column, or the slip, entry,
sale line or day, so that a failing check reads in the desk's language."""

from __future__ import annotations

# What `verify` finds (service.Finding keys): each names the table, row and column, or the
# slip, entry, sale line or day, so a failing check reads in the desk's language.
MESSAGES: dict[str, tuple[str, str]] = {
    "verify_refund_twice": ("单据 {slip}：退款记账 {count} 次",
                            "slip {slip}: refunded {count} times"),
    "verify_platform_refund_method": ("单据 {slip}：平台已退款，却又以“{method}”结算",
                                      "slip {slip}: refunded by the platform, yet settled "
                                      "by {method}"),
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
    "verify_receivable_account": ("门店 {shop}：顾客应收流水合计 {ledger_yuan}，"
                                  "1122 科目为 {account_yuan}",
                                  "shop {shop}: customers' receivable moves {ledger_yuan}, "
                                  "account 1122 says {account_yuan}"),
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
