"""Reading the platforms' export files through their column maps."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # Column maps (rma_tui/data/platforms/*.toml, or the shop's own in RMA_PLATFORM_MAPS).
    "unknown_platform_map": ("没有平台“{platform}”的列映射，可用的有：{known}",
                             "No column map for the platform “{platform}”; known: {known}"),
    "platform_map_dir_missing": ("RMA_PLATFORM_MAPS 指向的文件夹 {path} 不存在",
                                 "The folder {path} named by RMA_PLATFORM_MAPS does not exist"),
    "platform_map_bad_toml": ("列映射文件 {file} 无法读取：{detail}",
                              "The column map {file} cannot be read: {detail}"),
    "platform_map_bad_entry": ("列映射文件 {file} 中的 {entry} = {value} 不正确，应为：{allowed}",
                               "In the column map {file}, {entry} = {value} is wrong; "
                               "expected: {allowed}"),
    "platform_map_bad_field": ("列映射文件 {file} 把列“{column}”映射到不认识的字段 {value}，"
                               "可用的字段：{allowed}",
                               "The column map {file} maps the column “{column}” to the unknown "
                               "field {value}; fields: {allowed}"),
    "platform_map_bad_status": ("列映射文件 {file} 把状态“{status}”映射到不认识的状态 {value}，"
                                "可用的状态：{allowed}",
                                "The column map {file} maps the status “{status}” to the unknown "
                                "status {value}; statuses: {allowed}"),
    "platform_map_bad_reason": ("列映射文件 {file} 把原因“{reason}”映射到不认识的原因 {value}，"
                                "可用的原因：{allowed}",
                                "The column map {file} maps the reason “{reason}” to the unknown "
                                "reason {value}; reasons: {allowed}"),
    "platform_map_bad_timezone": ("列映射文件 {file} 的时区“{value}”不正确，应如 +08:00",
                                  "The column map {file} has the time zone “{value}”; "
                                  "expected e.g. +08:00"),
    # The rows of a platform's file (ImportRowError puts file, line and column in front).
    "platform_unknown_status": ("不认识的平台状态“{value}”，列映射认识的有：{known}"
                                "（字段 {field}）",
                                "Unknown platform status “{value}”; the column map knows: "
                                "{known} (field {field})"),
    "platform_duplicate_refund": ("退款编号 {refund_id} 已在第 {line} 行出现，且内容不同"
                                  "（字段 {field}）",
                                  "The refund id {refund_id} is already on line {line}, with "
                                  "different content (field {field})"),
    "platform_bad_xlsx": ("无法读取 Excel 文件 {file}：{detail}",
                          "Cannot read the Excel file {file}: {detail}"),
    "platform_xls_unsupported": ("{file} 是旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后再导入",
                                 "{file} is an old Excel (.xls) file: save it as .xlsx or CSV "
                                 "and import that"),
}
