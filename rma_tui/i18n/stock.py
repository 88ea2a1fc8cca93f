"""The stock screen and stock commands."""

from __future__ import annotations

# Words of the stock, customers, finance and audit screens (and their CLI commands), one
# dict per area; keys start with the area (`stock_`, `cust_`, `fin_`, `audit_`).
MESSAGES: dict[str, tuple[str, str]] = {
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
    # The CLI (rma_tui/cli/stock.py).
    "stock_cli_no_moves": ("{sku} 还没有库存变动", "No stock moves for {sku} yet"),
    "stock_cli_no_returns": ("没有退供应商记录", "No supplier returns"),
}
