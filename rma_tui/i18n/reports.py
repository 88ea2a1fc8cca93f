"""The reports screen and the report commands."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
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
