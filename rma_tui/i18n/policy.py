"""The policy verdict of a slip, rule by rule."""

from __future__ import annotations

# Policy verdict details: service.rules.evaluate puts these params into RuleResult.params.
RULES: dict[str, tuple[str, str]] = {
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
