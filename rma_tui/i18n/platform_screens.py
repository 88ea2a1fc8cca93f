"""The desk's screens for the online platforms: the waybill scan and the unmatched parcels
(inspection), importing the platforms' request files, and the platform reconciliation
(finance). The words the command line shares with them are in `channels`."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # Inspection: the waybill field and its keys.
    "insp_waybill_title": ("扫描/输入物流单号（w）", "Scan or type a waybill (w)"),
    "insp_waybill_keys": ("u 无主件 · i 导入平台售后", "u unmatched parcels · i import requests"),
    "insp_waybill_placeholder": ("回车收货；空着回车进入质检",
                                 "Enter receives; Enter when empty goes to grading"),
    "insp_key_waybill": ("扫描单号", "Scan"),
    "insp_key_parcels": ("无主件", "Unmatched"),
    "insp_key_import": ("导入售后", "Import"),
    "insp_waybill_received": ("物流单号 {waybill}：{slip} 已收货，{qty} 件进入待检库存，请质检",
                              "Waybill {waybill}: {slip} received, {qty} into pending; "
                              "grade it now"),
    # The unmatched parcel asked when a waybill matches no slip.
    "insp_parcel_title": ("登记无主件 {waybill}", "Record unmatched parcel {waybill}"),
    "insp_parcel_info": ("没有单据的退货物流单号是 {waybill}。填写物流公司和内装物品，"
                         "登记为无主件，待找到单据后再关联。",
                         "No slip has the waybill {waybill}. Give the carrier and what is "
                         "inside to record it as an unmatched parcel, to attach to its slip "
                         "once found."),
    # The unmatched parcels (无主件) dialog.
    "insp_parcels_empty": ("没有无主件", "No unmatched parcels"),
    "insp_parcels_hint": ("选中一件，填写单据号后回车关联；单据须已审核，关联后即为已收货",
                          "Pick a parcel, type its slip number and press Enter; the slip "
                          "must be approved and is received with the parcel"),
    "insp_parcels_slip": ("单据号", "Slip number"),
    "insp_parcels_pick": ("请先在列表中选一件无主件", "Pick a parcel in the list first"),
    "insp_parcels_loading": ("正在读取无主件…", "Reading the unmatched parcels…"),
    "insp_col_waybill": ("物流单号", "Waybill"),
    "insp_key_attach": ("关联", "Attach"),
    # Importing a platform's request file.
    "imp_title": ("导入平台售后申请", "Import platform requests"),
    "imp_info": ("平台后台导出的售后/退款文件（CSV 或 XLSX）。同一退款编号只建一张单，"
                 "再次导入只更新变化。",
                 "The after-sale export of the platform's seller console (CSV or XLSX). "
                 "One slip per refund id; importing again only applies what changed."),
    "imp_platform": ("平台", "Platform"),
    "imp_file": ("文件路径", "File path"),
    "imp_encoding": ("编码", "Encoding"),
    "imp_encoding_hint": ("可不填：UTF-8，否则 GBK", "optional: UTF-8, else GBK"),
    "imp_report_title": ("导入结果：{file}", "Imported: {file}"),
    "imp_counts": ("{channel_label}：新建 {created}，更新 {updated}，未变 {unchanged}；"
                   "需人工处理 {conflicts}",
                   "{channel_label}: created {created}, updated {updated}, unchanged "
                   "{unchanged}; conflicts {conflicts}"),
    "imp_no_conflicts": ("没有需人工处理的冲突", "No conflicts"),
    "imp_done": ("已导入 {file}：新建 {created}，更新 {updated}，未变 {unchanged}，"
                 "冲突 {conflicts}",
                 "Imported {file}: created {created}, updated {updated}, unchanged "
                 "{unchanged}, conflicts {conflicts}"),
    # Finance: the platform reconciliation tab.
    "fin_tab_reconcile": ("平台对账", "Reconcile"),
    "fin_key_reconcile": ("对账", "Reconcile"),
    "fin_rec_platform": ("平台", "Platform"),
    "fin_rec_file": ("退款文件", "Refund file"),
    "fin_rec_file_hint": ("平台导出的退款/结算文件路径", "path of the platform's refund export"),
    "fin_rec_from": ("起", "From"),
    "fin_rec_to": ("止", "To"),
    "fin_rec_day_hint": ("YYYY-MM-DD", "YYYY-MM-DD"),
    "fin_rec_heading": ("平台的退款与本店账上的平台退款逐笔核对；起止日可不填（按文件中的日期）；"
                        "回车或 Ctrl+S 对账",
                        "The platform's refunds against the platform refunds in the books; "
                        "from/to may be left blank (the file's days); Enter or Ctrl+S "
                        "reconciles"),
    "fin_rec_not_run": ("尚未对账", "Not reconciled yet"),
    "fin_rec_reading": ("正在读取 {file}…", "Reading {file}…"),
    "fin_rec_differences": ("对账不平：{count} 处不符，请逐条核对",
                            "Not balanced: {count} differences to check"),
    "fin_rec_nothing": ("文件中没有这段日期的平台退款", "No platform refunds in these days"),
}
