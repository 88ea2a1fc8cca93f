"""Channels and platforms: channel list, platform after-sale requests, platform refunds,
parcels matched by waybill and the platform reconciliation."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "unknown_channel": ("不认识的渠道“{channel}”，可用的渠道：{known}（字段 {field}）",
                        "unknown channel '{channel}'; the known channels are: {known} "
                        "(field {field})"),
    # `rma channel list`
    "chan_col_code": ("代码", "Code"),
    "chan_col_name": ("渠道", "Channel"),
    "chan_col_platform": ("平台", "Platform"),
    "chan_col_clearing": ("平台往来科目", "Clearing account"),
    "chan_col_no_reason": ("无理由天数", "No-reason days"),
    "chan_col_quality": ("三包退/换天数", "Fault return/exchange days"),
    "chan_col_fee": ("手续费", "Restocking fee"),
    "chan_col_auto": ("自动审核上限", "Auto-approve up to"),
    "chan_col_shipping": ("退货运费", "Return shipping"),
    "chan_review_all": ("逐单审核", "every slip reviewed"),
    "chan_shipping_buyer": ("买家承担", "buyer pays"),
    "chan_shipping_seller": ("卖家承担", "seller pays"),
    "chan_shipping_insurance": ("运费险", "return-shipping insurance"),
    "platform_payment_elsewhere": ("渠道 {channel} 不是平台渠道，不能用“平台代收”收款"
                                   "（字段 {field}）",
                                   "channel {channel} is not a platform: a sale there cannot "
                                   "be paid through a platform (field {field})"),
    "platform_refunded_cannot_end": (
        "单据 {slip} 已由平台退款 {refund_yuan}，不能驳回或作废：货到后照常收货、质检",
        "slip {slip} was refunded {refund_yuan} by the platform and cannot be rejected or "
        "cancelled: receive and grade its goods when they come"),
    "platform_refunds_there": (
        "单据 {slip} 是平台售后单，由平台退款（已退 {refund_yuan}），不能再用“{method_label}”"
        "退款；请用 platform（平台退款）结算（字段 {field}）",
        "slip {slip} is a platform's after-sale request, refunded by the platform (refunded "
        "so far {refund_yuan}); it cannot be refunded again by {method_label}: settle it with "
        "method platform (field {field})"),
    "platform_refund_exchange": (
        "单据 {slip} 是换货单，平台退款只用于退货单（字段 {field}）",
        "slip {slip} is an exchange; a platform refund applies to returns only (field {field})"),
    "platform_refund_over": (
        "平台退款 {refund_yuan} 超出单据 {slip} 的金额 {gross_yuan}（或不大于 0）（字段 {field}）",
        "the platform's refund {refund_yuan} is more than slip {slip} is worth ({gross_yuan}), "
        "or not above zero (field {field})"),
    "platform_needs_sku": ("订单 {order} 的售后申请没有商家编码，且订单不止一种商品"
                           "（字段 {field}）",
                           "the request on order {order} names no SKU and the order holds "
                           "more than one product (field {field})"),
    "platform_refund_on_ended": ("平台已退款，但单据 {slip} 已{status_label}：请人工核对",
                                 "the platform refunded, but slip {slip} is {status_label}: "
                                 "a person must look at it"),
    "platform_status_back": ("单据 {slip} 的平台状态从“{was_label}”变回“{now_label}”：请人工核对",
                             "slip {slip}'s platform state went back from {was_label} to "
                             "{now_label}: a person must look at it"),
    "platform_waybill_after_receipt": (
        "单据 {slip} 已{status_label}（物流单号 {was}），平台却给出新单号 {now}",
        "slip {slip} is already {status_label} (waybill {was}) but the platform now gives "
        "waybill {now}"),
    "platform_refund_differs": ("单据 {slip} 已记平台退款 {ours_yuan}，文件中为 {theirs_yuan}",
                                "slip {slip} has a platform refund of {ours_yuan} posted; the "
                                "file says {theirs_yuan}"),
    "platform_closed_after": ("平台售后已{now_label}，但单据 {slip} 已{status_label}：请人工处理",
                              "the platform's request is {now_label} but slip {slip} is "
                              "already {status_label}: a person must handle it"),
    "waybill_many_slips": ("物流单号 {waybill} 对应多张待收货单据：{slips}（字段 {field}）",
                           "waybill {waybill} matches several slips awaiting goods: {slips} "
                           "(field {field})"),
    "waybill_already_received": ("物流单号 {waybill} 的单据 {slip} 已收货（现为“{status_label}”）"
                                 "（字段 {field}）",
                                 "the parcel with waybill {waybill} was already received on slip "
                                 "{slip} (now {status_label}) (field {field})"),
    "parcel_exists": ("物流单号 {waybill} 已登记为无主件（字段 {field}）",
                      "waybill {waybill} is already recorded as an unmatched parcel "
                      "(field {field})"),
    "unknown_parcel": ("没有编号为 {parcel} 的无主件（字段 {field}）",
                       "there is no unmatched parcel {parcel} (field {field})"),
    "parcel_attached": ("无主件 {parcel} 已关联到单据 {slip}（字段 {field}）",
                        "parcel {parcel} is already attached to slip {slip} (field {field})"),
    # `rma import requests`
    "cli_platform_needed": ("导入售后申请须用 --platform 指明平台（字段 {field}）",
                            "importing requests needs --platform (field {field})"),
    "cli_platform_requests_only": ("--platform 只用于导入售后申请（requests）（字段 {field}）",
                                   "--platform is for importing requests only (field {field})"),
    "req_title": ("{file}：{channel_label} 售后申请", "{file}: {channel_label} requests"),
    "req_col_outcome": ("结果", "Outcome"),
    "req_col_count": ("数量", "Count"),
    "req_col_slips": ("单据", "Slips"),
    "req_col_line": ("行", "Line"),
    "req_col_refund_id": ("平台退款编号", "Refund id"),
    "req_col_why": ("原因", "Why"),
    "req_created": ("新建", "created"),
    "req_updated": ("更新", "updated"),
    "req_unchanged": ("未变", "unchanged"),
    "req_conflicts": ("{count} 条需人工处理", "{count} conflicts for a person"),
    # `rma reconcile`
    "rec_title": ("{channel_label} 平台对账 {span}", "{channel_label} reconciliation {span}"),
    "rec_col_outcome": ("结果", "Outcome"),
    "rec_col_theirs": ("平台金额", "Platform"),
    "rec_col_ours": ("本店金额", "Books"),
    "rec_col_day": ("日期", "Day"),
    "rec_matched": ("相符", "matched"),
    "rec_differ": ("金额不符", "amounts differ"),
    "rec_missing_here": ("平台已退、本店未记", "refunded there, not here"),
    "rec_missing_there": ("本店已记、平台没有", "posted here, not there"),
    "rec_summary": ("相符 {matched}，金额不符 {differ}，平台有本店无 {missing_here}，"
                    "本店有平台无 {missing_there}；平台合计 {theirs}，本店合计 {ours}",
                    "matched {matched}, amounts differ {differ}, refunded there only "
                    "{missing_here}, posted here only {missing_there}; platform {theirs}, "
                    "books {ours}"),
    "rec_balanced": ("对账平", "Balanced"),
    "rec_unbalanced": ("对账不平：请逐条核对", "Not balanced: check each difference"),
    # `rma slip show`, `rma slip receive --waybill`, `rma parcel`
    "slip_platform_ref": ("平台售后单", "Platform request"),
    "slip_buyer": ("买家", "Buyer"),
    "slip_waybill": ("退货物流", "Return waybill"),
    "slip_platform_refund": ("平台已退款", "Refunded by the platform"),
    "cli_number_or_waybill": ("请给出单号或 --waybill（二选一）（字段 {field}）",
                              "give the slip number or --waybill, one of them (field {field})"),
    "parcel_recorded": ("没有单据的物流单号是 {waybill}：已登记为无主件 #{parcel}",
                        "no slip has waybill {waybill}: recorded as unmatched parcel "
                        "#{parcel}"),
    "parcel_title": ("无主件", "Unmatched parcels"),
    "parcel_col_id": ("编号", "No."),
    "parcel_col_carrier": ("物流公司", "Carrier"),
    "parcel_col_contents": ("内装物品", "Contents"),
    "parcel_col_received": ("收件", "Received"),
    "parcel_attached_done": ("无主件 #{parcel} 已关联到单据 {slip}（{status_label}）",
                             "parcel #{parcel} attached to slip {slip} ({status_label})"),
    "cli_policy_error": ("政策文件有误：{detail}", "The policy file is wrong: {detail}"),
    "not_a_platform": ("渠道 {channel} 不是平台渠道，没有平台往来科目（字段 {field}）",
                       "channel {channel} is not a platform and has no clearing account "
                       "(field {field})"),
}
