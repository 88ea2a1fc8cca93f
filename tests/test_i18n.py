"""The string tables: every error key, code and notification has zh and en text that agree."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from rma_tui import i18n, service
from rma_tui.errors import DomainError
from rma_tui.i18n import LABELS, MESSAGES, label, resolve_lang, t
from rma_tui.store.models import LOCATIONS

SRC = Path(service.__file__).parent.parent  # the whole rma_tui package
ERROR_KEY = re.compile(r"""DomainError\(\s*["']([a-z_0-9]+)["']""")


def _error_keys() -> set[str]:
    keys: set[str] = set()
    for path in SRC.rglob("*.py"):
        keys |= set(ERROR_KEY.findall(path.read_text(encoding="utf-8")))
    return keys


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_scan_finds_error_keys() -> None:
    # Guards the regex itself: an empty scan would make the next test vacuous.
    assert {"over_returnable", "bad_transition", "stock_short"} <= _error_keys()


def test_import_row_error_key() -> None:
    # ImportRowError passes its key through super().__init__, which the scan cannot see.
    msg = t("import_row_error", "zh", file="p.csv", line=7, column="price", field="price")
    assert "p.csv" in msg and "7" in msg and "price" in msg


def test_text_money_param_shown_as_given() -> None:
    # imports.parse_money raises money_negative with the cell text, not fen.
    assert "-3.5" in t("money_negative", "en", field="price", value="-3.5")


@pytest.mark.parametrize("key", sorted(_error_keys()))
def test_every_error_key_has_both_texts(key: str) -> None:
    zh, en = MESSAGES[key]
    assert zh.strip() and en.strip()


def test_every_configured_channel_has_both_names() -> None:
    for code in service.channel_codes():
        zh, en = label("channel", code, "zh"), label("channel", code, "en")
        assert zh.strip() and en.strip() and zh != en, code
    assert label("channel", "taobao", "zh") == "淘宝/天猫"
    assert label("channel", "jd", "en") == "JD.com"


@pytest.mark.parametrize(("kind", "codes"), [
    ("status", service.STATUSES),
    ("type", service.SLIP_TYPES),
    ("reason", service.REASONS),
    ("method", service.REFUND_METHODS),
    ("role", service.ROLES),
    ("location", LOCATIONS),
    ("payment", service.PAYMENT_METHODS),
    ("platform_status", service.PLATFORM_STATUSES),
    ("rule", ("original_sale", "window", "excluded_category", "condition", "amount")),
    ("check", ("integrity", "I1 stock", "I2 money", "I3 returnable", "I4 refund", "I5 cost",
               "I6 lifecycle", "chain", "I7 requests")),
])
def test_labels_cover_codes(kind: str, codes: tuple[str, ...]) -> None:
    for code in codes:
        zh, en = LABELS[kind][code]
        assert zh.strip() and en.strip(), (kind, code)
        assert label(kind, code, "zh") == zh and label(kind, code, "en") == en


def test_check_labels_match_verify(db) -> None:
    names = {c.name for c in service.verify(db).checks}
    assert names <= set(LABELS["check"])


def test_rule_details_exist() -> None:
    for rule in LABELS["rule"]:
        for verdict in ("ok", "fail"):
            zh, en = MESSAGES[f"rule_{rule}_{verdict}"]
            assert zh and en


@pytest.mark.parametrize("key", [*(f"slip_{k}" for k in service.NEXT_ROLES), "slip_closed",
                                 "low_stock"])
def test_notifications_exist(key: str) -> None:
    zh, en = MESSAGES[key]
    assert zh and en


def test_ui_words_exist() -> None:
    for key in ("app_title", "verify_ok", "verify_failed", "slip_created", "no_such_command",
                "notifications_heading", "counts_heading", "demo_ready", "import_file",
                "import_error", "error_prefix", "col_number", "col_returnable"):
        assert key in MESSAGES
    assert t("app_title", "zh") == "退换货工作台"
    assert t("app_title", "en") == "Returns desk"


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_placeholders_agree(key: str) -> None:
    zh, en = MESSAGES[key]
    assert _placeholders(zh) == _placeholders(en)


def test_every_key_is_defined_once_with_both_languages() -> None:
    """The catalogue is split by part of the job: a key in two parts would be silently
    overwritten by the later one, so each is defined in one part only; and every message
    and label has a Chinese and an English text."""
    from rma_tui.i18n import PARTS

    seen: dict[str, str] = {}
    for part, messages in PARTS.items():
        for key in messages:
            assert key not in seen, f"{key} is in {seen.get(key)} and {part}"
            seen[key] = part
    assert len(seen) == len(MESSAGES)
    for key, texts in MESSAGES.items():
        assert isinstance(texts, tuple) and len(texts) == 2, key
        assert all(isinstance(x, str) and x.strip() for x in texts), key
    for kind, codes in LABELS.items():
        for code, texts in codes.items():
            assert len(texts) == 2 and all(x.strip() for x in texts), (kind, code)


def test_label_unknown_is_code() -> None:
    assert label("status", "nope") == "nope"
    assert label("nokind", "draft") == "draft"


# --- resolve_lang ------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("RMA_LANG", "LC_ALL", "LANG"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_resolve_lang_default_zh(clean_env: pytest.MonkeyPatch) -> None:
    assert resolve_lang() == "zh"


@pytest.mark.parametrize(("lang", "want"), [
    ("en_US.UTF-8", "en"), ("zh_CN.UTF-8", "zh"), ("C.UTF-8", "zh"), ("de_DE.UTF-8", "zh"),
])
def test_resolve_lang_from_locale(clean_env: pytest.MonkeyPatch, lang: str, want: str) -> None:
    clean_env.setenv("LANG", lang)
    assert resolve_lang() == want


def test_lc_all_beats_lang(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("LANG", "zh_CN.UTF-8")
    clean_env.setenv("LC_ALL", "en_GB.UTF-8")
    assert resolve_lang() == "en"


def test_rma_lang_beats_lang(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("LANG", "en_US.UTF-8")
    clean_env.setenv("RMA_LANG", "zh")
    assert resolve_lang() == "zh"
    clean_env.setenv("LANG", "zh_CN.UTF-8")
    clean_env.setenv("RMA_LANG", "en")
    assert resolve_lang() == "en"


def test_cli_beats_env(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("LANG", "zh_CN.UTF-8")
    clean_env.setenv("RMA_LANG", "zh")
    assert resolve_lang("en") == "en"
    clean_env.setenv("RMA_LANG", "en")
    assert resolve_lang("zh") == "zh"


def test_set_lang_and_current_language() -> None:
    before = i18n.get_lang()
    try:
        i18n.set_lang("en")
        assert i18n.get_lang() == "en"
        assert t("verify_ok") == "All checks passed"
        i18n.set_lang("fr")
        assert i18n.get_lang() == "zh"
        assert t("verify_ok") == "校验通过"
    finally:
        i18n.set_lang(before)


# --- t() -----------------------------------------------------------------------------------


def test_error_substitutes_params() -> None:
    err = DomainError("over_returnable", field="lines[1].qty", sku="PB-10000", qty=3,
                      returnable=1)
    for lang in ("zh", "en"):
        msg = err.message(lang)
        assert "PB-10000" in msg and "3" in msg and "1" in msg and "lines[1].qty" in msg
        assert "{" not in msg


def test_missing_param_stays_visible() -> None:
    assert "{returnable}" in t("over_returnable", "en", field="x", sku="A", qty=2)


def test_unknown_key_is_returned() -> None:
    assert t("no_such_key_at_all") == "no_such_key_at_all"


def test_empty_field_drops_bracket() -> None:
    msg = t("unknown_sku", "zh", field="", sku="A1")
    assert msg == "商品编码 A1 不存在"
    assert t("unknown_sku", "en", sku="A1") == "Unknown SKU A1"
    assert "字段 sku" in t("unknown_sku", "zh", field="sku", sku="A1")


def test_money_shown_as_yuan() -> None:
    msg = t("credit_short", "zh", field="method", have=1050, need=20000)
    assert "¥10.50" in msg and "¥200.00" in msg
    assert "¥1500.00" in t("rule_amount_fail", "en", amount_fen=150000, limit_fen=50000)


def test_codes_shown_as_labels() -> None:
    msg = t("bad_transition", "zh", field="status", slip="TH-20261120-0001", status="closed",
            to="approved")
    assert "TH-20261120-0001" in msg and "已关闭" in msg and "已审核" in msg
    assert "Owner, Finance" in t("role_denied", "en", field="user", user="bob", role="clerk",
                                 allowed="owner, finance")


def test_none_param_is_a_dash() -> None:
    assert "None" not in t("rule_window_ok", "zh", days=None, limit=7)


def test_notification_text() -> None:
    msg = t("low_stock", "zh", sku="PB-1", name="充电宝", sellable=2, reorder_point=5)
    assert "充电宝" in msg and "2" in msg and "5" in msg
    assert "TH-1" in t("slip_submitted", "en", slip="TH-1", by="clerk")
