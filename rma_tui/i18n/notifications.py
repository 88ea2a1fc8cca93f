"""Notifications: what the next role is told about a slip or a low stock."""

from __future__ import annotations

# Notifications: service.unit.transition sends f"slip_{to}" with slip, by; check_alert low_stock.
MESSAGES: dict[str, tuple[str, str]] = {
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
    "platform_order_unknown": ("平台售后 {refund_id}（{channel_label}）的订单 {order} "
                               "不在销售记录中：单据 {slip} 待店主处理",
                               "Platform request {refund_id} ({channel_label}): order {order} "
                               "is not among the sales; slip {slip} waits for the owner"),
    "low_stock": ("低库存：{name}（{sku}）可售 {sellable}，已到补货点 {reorder_point}",
                  "Low stock: {name} ({sku}) has {sellable} sellable, at or below the "
                  "reorder point {reorder_point}"),
}
