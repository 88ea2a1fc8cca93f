"""Refusals: the messages of DomainError keys (validation, roles, lifecycle, stock,
money, imports, storage trouble, sign-in)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
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
    "check_ok_i8": ("每笔退款只付一次（门店、储值、应收、平台）",
                    "Each refund paid once (till, credit, receivable, platform)"),
    "check_ok_credit": ("顾客储值 = 储值流水 = 2205 科目，合计 {total_yuan}",
                        "Store credit = its moves = account 2205, total {total_yuan}"),
    "check_ok_receivables": ("顾客欠款流水 = 1122 应收账款（逐店），合计 {total_yuan}",
                             "Customers' receivable moves = account 1122 per shop, "
                             "total {total_yuan}"),
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
    # Customer receivables (应收账款)
    "receivable_over": ("{slip}：顾客在本店只欠 {owed_yuan}，不能冲减应收 {amount_yuan}；"
                        "超出部分请另选退款方式（--rest cash|credit|original）（字段 {field}）",
                        "{slip}: the customer owes this shop only {owed_yuan}, so "
                        "{amount_yuan} cannot all reduce the receivable; choose how the rest "
                        "is paid (--rest cash|credit|original) (field {field})"),
    "rest_without_receivable": ("只有冲减应收的退款才有“其余部分”，本单退款方式为“{method_label}”"
                                "（字段 {field}）",
                                "Only a refund to the customer's account has a rest to pay "
                                "another way; this one is {method_label} (field {field})"),
    "rest_exchange": ("{slip}：换货差价只能用一种方式结算，不能拆分（字段 {field}）",
                      "{slip}: an exchange's difference is settled one way, not split "
                      "(field {field})"),
    "rest_is_receivable": ("{slip}：原销售为赊账，“原路退回”仍是冲减应收；"
                           "其余部分请选现金或储值（字段 {field}）",
                           "{slip}: the sale was on account, so 'original' is the account "
                           "again; pay the rest in cash or store credit (field {field})"),
    "payment_over": ("顾客 {phone} 在本店只欠 {owed_yuan}，收款 {amount_yuan} 超出（字段 {field}）",
                     "Customer {phone} owes this shop only {owed_yuan}; a payment of "
                     "{amount_yuan} is more (field {field})"),
    "amount_positive": ("金额必须大于 0（字段 {field}）", "The amount must be more than 0 "
                        "(field {field})"),
    "account_needs_customer": ("赊账销售必须登记客户（字段 {field}）",
                               "A sale on account needs a customer (field {field})"),
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
