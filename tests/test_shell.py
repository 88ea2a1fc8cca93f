"""The app shell: first-run setup, screens by number key, switch user, command palette,
shared dialogs. Pilot tests assert on the database; snapshots of the setup screen and the
switch-user dialog."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from conftest import NOW
from pilot import settle
from test_app import APP_SIZE, seed
from textual.app import App, ComposeResult
from textual.command import CommandInput, CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Checkbox, Footer, Header, Input, Static

from rma_tui import i18n
from rma_tui import service as sv
from rma_tui.app import SCREENS, RmaApp, make_app
from rma_tui.screens import setup as setup_form
from rma_tui.screens.base import DeskScreen
from rma_tui.screens.dialogs import ConfirmDialog, SwitchUserDialog, TextPromptDialog
from rma_tui.screens.home import HomeScreen
from rma_tui.screens.setup import SetupScreen
from rma_tui.screens.slip_detail import SlipDetailScreen
from rma_tui.store.db import Database
from rma_tui.store.migrate import upgrade

PIN_USER = "boss3"
PIN = "2468"

pytestmark = pytest.mark.usefixtures("shanghai_time_and_chinese")


@pytest.fixture
def shop_db(db: Database) -> Database:
    """The seeded shop of test_app, plus an owner with a PIN."""
    seed(db)
    sv.add_user(db, "owner", PIN_USER, "owner", pin=PIN, now=NOW)
    return db


def fill_setup(app: RmaApp, shop: str = "小张五金", owner: str = "zhang", pin: str = "123456",
               pin2: str | None = None, channels: tuple[str, ...] = ("store", "online")) -> None:
    """Type the setup form's values straight into its fields (key presses are slow)."""
    screen = app.screen
    assert isinstance(screen, SetupScreen)
    screen.query_one("#setup-shop_name", Input).value = shop
    screen.query_one("#setup-owner", Input).value = owner
    screen.query_one("#setup-pin", Input).value = pin
    screen.query_one("#setup-pin2", Input).value = pin if pin2 is None else pin2
    for channel in setup_form.channel_choices():
        screen.query_one(f"#channel-{channel}", Checkbox).value = channel in channels


def shown_error(app: RmaApp, field: str) -> str:
    """The error under a setup field ("" when hidden)."""
    err = app.screen.query_one(f"#error-{field}", Static)
    return str(err.content) if err.display else ""


def settings(db: Database) -> dict[str, str]:
    """The shop's settings that setup writes."""
    return {k: sv.get_setting(db, k, "") for k in ("shop_name", "channels")}


# -- first-run setup ------------------------------------------------------------------------


def test_setup_channels_match_the_service() -> None:
    assert setup_form.channel_choices() == sv.channel_codes()
    assert {"store", "online", "taobao", "jd", "pdd"} <= set(sv.channel_codes())


async def test_setup_creates_the_owner_and_settings_and_signs_in(db: Database) -> None:
    assert sv.needs_setup(db)
    app = make_app(db.url, "whoever", "zh", refresh_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        assert app.focused is app.screen.query_one("#setup-shop_name")
        # Number keys and switch user do nothing while the shop is being set up.
        await pilot.press("ctrl+u")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        fill_setup(app, channels=("store",))
        # Enter on the last field submits.
        app.screen.query_one("#setup-pin2", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.user is not None and app.user.name == "zhang" and app.role == "owner"
        assert app.title == "小张五金"
        assert app.sub_title.startswith(i18n.t("app_subtitle", "zh", user="zhang", role="owner"))
    assert not sv.needs_setup(db)
    owner = sv.get_user(db, "zhang")
    assert owner is not None and owner.role == "owner" and owner.has_pin and owner.active
    assert sv.check_pin(db, "zhang", "123456") and not sv.check_pin(db, "zhang", "000000")
    assert settings(db) == {"shop_name": "小张五金", "channels": "store"}
    assert [u.name for u in sv.list_users(db)] == ["zhang"]


@pytest.mark.parametrize(("values", "field", "key"), [
    ({"shop": ""}, "shop_name", "required"),
    ({"owner": "  "}, "owner", "required"),
    ({"pin": ""}, "pin", "required"),
    ({"pin": "12", "pin2": "12"}, "pin", "setup_pin_format"),
    ({"pin2": "654321"}, "pin2", "setup_pin_mismatch"),
    ({"channels": ()}, "channels", "required"),
])
async def test_setup_bad_input_is_shown_by_its_field_and_saves_nothing(
        db: Database, values: dict[str, object], field: str, key: str) -> None:
    app = make_app(db.url, "owner", "en", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        fill_setup(app, **values)  # type: ignore[arg-type]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        label = i18n.t(f"setup_{field}", "en")
        assert shown_error(app, field) == i18n.t(key, "en", field=label)
        assert [f for f in setup_form.FIELDS if shown_error(app, f)] == [field]
        assert app.user is None
        # Fixed, the same form goes through.
        fill_setup(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    assert [u.name for u in sv.list_users(db)] == ["zhang"]


async def test_setup_refused_input_leaves_the_database_untouched(db: Database) -> None:
    app = make_app(db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        fill_setup(app, shop="x" * 101)  # too long: refused by the service, not the form
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert shown_error(app, "shop_name")
        assert app.focused is app.screen.query_one("#setup-shop_name")
    assert sv.needs_setup(db)
    assert sv.list_users(db) == []
    assert settings(db) == {"shop_name": "", "channels": ""}


async def test_setup_of_a_new_file_creates_it_on_submit(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.db"
    app = make_app(str(path), "owner", "en", refresh_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        assert not path.exists()
        fill_setup(app, owner="li")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    d = Database(str(path))
    try:
        assert sv.get_user(d, "li") is not None and settings(d)["shop_name"] == "小张五金"
    finally:
        d.dispose()


# -- screens by number key --------------------------------------------------------------------


class ProbeScreen(DeskScreen):
    """Stands in for a counter screen: counts the app's calls to its hooks."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(id="probe-input")
        yield Footer()

    def reload(self) -> None:
        self.calls.append(f"reload:{i18n.get_lang()}")

    def relabel(self) -> None:
        self.calls.append(f"relabel:{i18n.get_lang()}")


class ProbeApp(RmaApp):
    """The app with the review screen replaced by a probe."""

    MODES: ClassVar = {**RmaApp.MODES, "review": ProbeScreen}


async def test_number_keys_switch_screens(shop_db: Database) -> None:
    app = make_app(shop_db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        seen = {}
        for mode, (key, _) in [*list(SCREENS.items())[1:], ("home", SCREENS["home"])]:
            app.set_focus(None)  # a screen may focus a field of its own on showing
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode
            seen[mode] = type(app.screen).__name__
        assert seen == {"entry": "SlipEntryScreen", "review": "ReviewScreen",
                        "inspection": "InspectionScreen", "settlement": "SettlementScreen",
                        "stock": "StockScreen", "customers": "CustomersScreen",
                        "finance": "FinanceScreen", "audit": "AuditScreen",
                        "reports": "ReportsScreen", "home": "HomeScreen"}
        assert isinstance(app.screen, HomeScreen)


async def test_screens_are_reloaded_when_shown_and_relabelled_after_a_language_switch(
        shop_db: Database) -> None:
    app = ProbeApp(shop_db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        probe = app.screen
        assert isinstance(probe, ProbeScreen)
        assert probe.calls[-1] == "reload:zh"
        probe.calls.clear()
        app.set_focus(None)  # out of its field, where "r" would be typed
        await pilot.press("r")
        await settle(pilot)
        assert probe.calls == ["reload:zh"]  # the refresh reloads the screen shown
        await pilot.press("1", "l")
        await settle(pilot)
        probe.calls.clear()
        await pilot.press("3")
        await settle(pilot)
        assert app.screen is probe  # the same screen, with whatever it held
        # Switched to English while away: relabelled before it reads its data.
        assert probe.calls == ["relabel:en", "reload:en"]


async def test_digits_typed_into_a_field_do_not_switch_screens(shop_db: Database) -> None:
    app = ProbeApp(shop_db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        field = app.screen.query_one("#probe-input", Input)
        field.focus()
        await pilot.press("1", "2", "4", "5", "l", "r", "q")
        await settle(pilot)
        assert app.current_mode == "review" and app.screen.query_one("#probe-input") is field
        assert field.value == "1245lrq"
        assert i18n.get_lang() == "zh"
        # Out of the field, the same key moves on.
        app.set_focus(None)
        await pilot.press("1")
        await settle(pilot)
        assert app.current_mode == "home"


async def test_header_counts_the_roles_unread_notifications(shop_db: Database) -> None:
    app = make_app(shop_db.url, "owner", "en", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        unread = sv.count_notifications(shop_db, "owner")
        assert unread == 2
        assert app.sub_title.endswith(i18n.t("app_unread", "en", count=unread))
        # A new submitted slip that needs the owner (late) raises the count at the refresh.
        s = sv.create_slip(shop_db, "clerk", "SO-3", "return",
                           [sv.LineInput("P1", 1, "changed_mind")], now=NOW)
        sv.submit_slip(shop_db, "clerk", s.number, now=NOW)
        await pilot.press("r")
        await settle(pilot)
        assert sv.count_notifications(shop_db, "owner") == unread + 1
        assert app.sub_title.endswith(i18n.t("app_unread", "en", count=unread + 1))


# -- switch user --------------------------------------------------------------------------------


async def _open_switch(pilot: Pilot[None]) -> SwitchUserDialog:
    await pilot.press("ctrl+u")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, SwitchUserDialog)
    return dialog


async def test_switch_user_with_the_right_pin(shop_db: Database) -> None:
    app = make_app(shop_db.url, "clerk", "zh", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        dialog = await _open_switch(pilot)
        assert not dialog.query_one("#switch-pin").display
        await pilot.press(*PIN_USER, "enter")
        await settle(pilot)
        # The user has a PIN: it is asked for now.
        assert dialog.query_one("#switch-pin").display
        assert app.focused is dialog.query_one("#switch-pin")
        assert app.user is not None and app.user.name == "clerk"
        await pilot.press(*PIN, "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.user is not None and app.user.name == PIN_USER and app.role == "owner"
        assert app.user_name == PIN_USER
        assert app.sub_title.startswith(i18n.t("app_subtitle", "zh", user=PIN_USER,
                                               role="owner"))
        assert app.sub_title.endswith(i18n.t(
            "app_unread", "zh", count=sv.count_notifications(shop_db, "owner")))
        # The home screen now shows the owner's notifications and alerts.
        assert app.screen.query_one("#alerts-pane").display


async def test_switch_user_with_a_wrong_pin_keeps_the_user(shop_db: Database) -> None:
    app = make_app(shop_db.url, "clerk", "en", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        dialog = await _open_switch(pilot)
        await pilot.press(*PIN_USER, "enter")
        await settle(pilot)
        await pilot.press("1", "1", "1", "1", "enter")
        await settle(pilot)
        assert app.screen is dialog
        assert str(dialog.query_one("#dialog-error", Static).content) == \
            i18n.t("switch_user_bad_pin", "en")
        assert dialog.query_one("#switch-pin", Input).value == ""
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.user is not None and app.user.name == "clerk" and app.user_name == "clerk"


async def test_switch_user_without_pin_and_unknown_user(shop_db: Database) -> None:
    app = make_app(shop_db.url, "clerk", "en", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        dialog = await _open_switch(pilot)
        await pilot.press(*"nobody", "enter")
        await settle(pilot)
        assert app.screen is dialog
        assert str(dialog.query_one("#dialog-error", Static).content) == \
            i18n.t("switch_user_unknown", "en", user="nobody")
        dialog.query_one("#switch-name", Input).value = "finance"  # no PIN: straight in
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.user is not None and app.user.name == "finance"


# -- command palette -------------------------------------------------------------------------


async def _palette_pick(pilot: Pilot[None], text: str, want: str) -> list[str]:
    """Open the palette, type `text`, wait for a hit containing `want` and highlight it;
    return every hit's plain text."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await pilot.pause()
    palette = app.screen
    assert isinstance(palette, CommandPalette)
    palette.query_one(CommandInput).value = text
    options = palette.query_one(CommandList)
    hits: list[str] = []
    for _ in range(100):
        await pilot.pause(0.05)
        hits = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        if any(want in h for h in hits):
            options.highlighted = next(i for i, h in enumerate(hits) if want in h)
            break
    return hits


async def test_palette_finds_a_slip_and_shows_it(shop_db: Database) -> None:
    number = sv.list_slips(shop_db, status="settled")[0].number
    app = make_app(shop_db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        hits = await _palette_pick(pilot, number[-6:], number)  # e.g. "0-0001"
        assert any(number in h for h in hits), hits
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, SlipDetailScreen) and detail.number == number
        text = _static_text(detail.query_one("#slip-detail-content", Static))
        slip = sv.get_slip(shop_db, number)
        assert i18n.label("status", slip.status, "zh") in text
        for line in slip.lines:
            assert line.sku in text and line.name in text
        assert i18n.t("events_heading", "zh") in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    assert sv.get_slip(shop_db, number) == slip  # read-only


async def test_palette_finds_a_customer_by_phone(shop_db: Database) -> None:
    app = make_app(shop_db.url, "owner", "en", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        hits = await _palette_pick(pilot, "1380000", "13800000001")
        assert any("13800000001" in h and "张三" in h for h in hits), hits
        await pilot.press("enter")
        await settle(pilot)
        customer = sv.find_customers(shop_db, "13800000001")[0]
        assert [n.message for n in app._notifications] == [i18n.t(
            "palette_customer", "en", name=customer.name, phone=customer.phone,
            channel=customer.channel, credit_fen=customer.credit_fen)]


async def test_palette_offers_the_screens_in_the_current_language(shop_db: Database) -> None:
    app = make_app(shop_db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=APP_SIZE) as pilot:
        await settle(pilot)
        hits = await _palette_pick(pilot, "审核", "(3)")
        assert any(f"{i18n.t('app_key_review', 'zh')} (3)" in h for h in hits), hits


def _static_text(widget: Static) -> str:
    """What a Static shows, as plain text (rich renderables rendered wide)."""
    import io

    from rich.console import Console

    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text()


# -- shared dialogs ---------------------------------------------------------------------------


class DialogApp(App[None]):
    """A bare app to push the shared dialogs on."""

    CSS_PATH = str(Path(__file__).parent.parent / "rma_tui" / "app.tcss")


async def test_confirm_and_text_prompt_dialogs() -> None:
    app = DialogApp()
    results: list[object] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ConfirmDialog("确认结算", "退款 ¥12.00"), results.append)
        await pilot.pause()
        await pilot.press("enter")  # the confirm button has the focus
        app.push_screen(ConfirmDialog("确认结算"), results.append)
        await pilot.pause()
        await pilot.press("escape")
        prompt = TextPromptDialog("驳回", "理由")
        app.push_screen(prompt, results.append)
        await pilot.pause()
        await pilot.press("enter")  # required: an empty answer is refused, the dialog stays
        await pilot.pause()
        assert app.screen is prompt
        assert str(prompt.query_one("#dialog-error", Static).content) == \
            i18n.t("required", field="理由")
        await pilot.press(*" ok ", "enter")
        app.push_screen(TextPromptDialog("备注", "备注", required=False), results.append)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert results == [True, False, "ok", None]


# -- snapshots ----------------------------------------------------------------------------------


async def _no_blink(pilot: Pilot[None]) -> None:
    """Workers done, messages handled, and no blinking cursor in any field."""
    await settle(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def _setup_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> RmaApp:
    # A relative path, so the path the setup screen names is the same on every run.
    monkeypatch.chdir(tmp_path)
    d = Database("shop.db")
    upgrade(d)
    d.dispose()
    return make_app("shop.db", "owner", lang, refresh_seconds=0)


def test_snapshot_setup_zh_120x36(snap_compare, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    app = _setup_app(tmp_path, monkeypatch, "zh")
    assert snap_compare(app, terminal_size=(120, 36), run_before=_no_blink)


def test_snapshot_setup_en_80x24(snap_compare, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    app = _setup_app(tmp_path, monkeypatch, "en")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_no_blink)


def test_snapshot_setup_errors_zh_80x24(snap_compare, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    app = _setup_app(tmp_path, monkeypatch, "zh")

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        fill_setup(pilot.app, shop="小张五金", owner="zhang", pin="1234", pin2="4321")  # type: ignore[arg-type]
        await pilot.press("ctrl+s")
        await _no_blink(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def _switch_app(tmp_path: Path, lang: str) -> RmaApp:
    d = Database(str(tmp_path / "snap.db"))
    upgrade(d)
    seed(d)
    sv.add_user(d, "owner", PIN_USER, "owner", pin=PIN, now=NOW)
    d.dispose()
    return make_app(str(tmp_path / "snap.db"), "clerk", lang, refresh_seconds=0)


async def _switch_wrong_pin(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("ctrl+u")
    await settle(pilot)
    await pilot.press(*PIN_USER, "enter")
    await settle(pilot)
    await pilot.press("9", "9", "9", "9", "enter")
    await _no_blink(pilot)


def test_snapshot_switch_user_zh_80x24(snap_compare, tmp_path: Path) -> None:
    app = _switch_app(tmp_path, "zh")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_switch_wrong_pin)


def test_snapshot_switch_user_en_120x36(snap_compare, tmp_path: Path) -> None:
    app = _switch_app(tmp_path, "en")
    assert snap_compare(app, terminal_size=(120, 36), run_before=_switch_wrong_pin)


async def test_setup_can_switch_language_and_not_leave(db: Database) -> None:
    app = make_app(db.url, "owner", "zh", refresh_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.set_focus(None)  # out of the field, where "l" would be typed
        await pilot.press("l")
        await pilot.pause()
        assert i18n.get_lang() == "en"
        assert str(app.screen.query_one("#label-owner").render()) == i18n.t("setup_owner", "en")
        # The palette's screen commands (which skip check_action) cannot leave the setup.
        await app.action_show_entry()
        app.action_switch_user()
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen) and app.current_mode == "home"
    assert sv.needs_setup(db)


def _slip_detail_run_before(number: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        pilot.app.show_slip(number)  # type: ignore[attr-defined]
        await _no_blink(pilot)

    return run_before


def test_snapshot_slip_detail_zh_80x24(snap_compare, tmp_path: Path) -> None:
    app = _switch_app(tmp_path, "zh")
    assert snap_compare(app, terminal_size=(80, 24),
                        run_before=_slip_detail_run_before("TH-20261120-0001"))


def test_snapshot_slip_detail_en_120x36(snap_compare, tmp_path: Path) -> None:
    app = _switch_app(tmp_path, "en")
    assert snap_compare(app, terminal_size=(120, 36),
                        run_before=_slip_detail_run_before("TH-20261120-0001"))
