"""The online after-sales clerk's day at the command line, on the sample files: a Taobao
export (GBK) and a JD export (XLSX) come in, the warehouse scans two parcels' waybills (one
matches nothing and is attached later), platform refunds are posted without the till, the
same files again change nothing, the reconciliation lists exactly the planted difference,
and `rma verify` is clean. SQLite only: test_platforms runs the service on both back ends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import rma_on
from sqlmodel import select
from test_platforms import SAMPLES, platform_shop, refund_entries

from rma_tui import service as sv
from rma_tui.store.db import Database
from rma_tui.store.models import JournalEntry, Posting

pytestmark = pytest.mark.sqlite_only


def till_total(db: Database) -> int:
    """Every posting on the till's accounts (cash 1001, bank 1002), debit minus credit."""
    with db.read() as s:
        rows = s.exec(select(Posting.debit_fen, Posting.credit_fen).join(
            JournalEntry, JournalEntry.id == Posting.entry_id).where(
            Posting.account_code.in_(("1001", "1002")))).all()  # type: ignore[attr-defined]
        return sum(d - c for d, c in rows)


def as_json(db: Database, *args: str, code: int = 0, user: str | None = None) -> dict:
    return json.loads(rma_on(db, *args, "--json", code=code, user=user).stdout)


def test_an_online_after_sales_day(db: Database, tmp_path: Path) -> None:
    platform_shop(db)
    till = till_total(db)
    tb = as_json(db, "import", "requests", str(SAMPLES / "taobao_requests.csv"),
                 "--platform", "taobao", user="clerk")
    assert len(tb["created"]) == 5 and tb["conflicts"] == []
    jd = as_json(db, "import", "requests", str(SAMPLES / "jd_requests.xlsx"),
                 "--platform", "jd", user="warehouse")
    assert len(jd["created"]) == 3
    shown = as_json(db, "slip", "show", tb["created"][2])
    assert (shown["channel"], shown["platform_ref"], shown["waybill"]) == \
        ("taobao", "186512000000000103", {"carrier": "中通快递", "number": "75312345678901"})
    # The warehouse scans two parcels: one is expected, one is not.
    got = rma_on(db, "slip", "receive", "--waybill", "75312345678901", user="warehouse")
    assert tb["created"][2] in got.stdout
    got = rma_on(db, "slip", "receive", "--waybill", "SF9988776655", "--carrier", "顺丰速运",
                 "--contents", "白色T恤一件", user="warehouse")
    assert "SF9988776655" in got.stdout
    parcels = json.loads(rma_on(db, "parcel", "list", "--json", user="warehouse").stdout)
    assert [(p["waybill"], p["contents"], p["slip"]) for p in parcels] == \
        [("SF9988776655", "白色T恤一件", None)]
    rma_on(db, "parcel", "attach", str(parcels[0]["id"]), tb["created"][3], user="warehouse")
    assert sv.get_slip(db, tb["created"][3]).status == "received"
    for number, grade in ((tb["created"][2], "TB-MUG-02:2:0:0"),
                          (tb["created"][3], "TB-TEE-01:1:0:0")):
        rma_on(db, "slip", "inspect", number, "--grade", grade, user="warehouse")
    # The till cannot pay a platform's request; the platform's refund is posted instead.
    refused = rma_on(db, "slip", "settle", tb["created"][2], "--method", "cash", code=1,
                     user="finance")
    assert "platform" in refused.stderr
    for number in tb["created"][2:4]:
        rma_on(db, "slip", "settle", number, "--method", "platform", user="finance")
    assert till_total(db) == till
    assert [e[1] for e in refund_entries(db, tb["created"][2])] == [("1123-01", 0, 7800)]
    # The same files again: nothing changes.
    again = as_json(db, "import", "requests", str(SAMPLES / "taobao_requests.csv"),
                    "--platform", "taobao", user="clerk")
    assert again["unchanged"] == tb["created"] and not again["created"] + again["updated"]
    again = as_json(db, "import", "requests", str(SAMPLES / "jd_requests.xlsx"),
                    "--platform", "jd", user="clerk")
    assert again["unchanged"] == jd["created"]
    # The day's reconciliation: exactly the one difference planted in the platform's file.
    rec = as_json(db, "reconcile", str(SAMPLES / "taobao_refunds.csv"), "--platform",
                  "taobao", code=1, user="finance")
    assert [(r["refund_id"], r["theirs_fen"], r["ours_fen"]) for r in rec["differ"]] == \
        [("186512000000000103", 6800, 7800)]
    assert len(rec["matched"]) == 2 and rec["missing_here"] == rec["missing_there"] == []
    text = rma_on(db, "--lang", "en", "reconcile", str(SAMPLES / "taobao_refunds.csv"),
                  "--platform", "taobao", code=1, user="finance").stdout
    assert "amounts differ" in text and "68.00" in text and "78.00" in text
    assert as_json(db, "verify")["ok"] is True


def test_bad_files_and_options_are_refused_and_write_nothing(db: Database,
                                                             tmp_path: Path) -> None:
    platform_shop(db)
    bad = tmp_path / "bad.csv"
    text = (SAMPLES / "taobao_requests.csv").read_bytes().decode("gb18030").splitlines()
    text[2] = text[2].replace("39.00", "39.0.0")
    bad.write_text("\n".join(text), encoding="utf-8")
    got = rma_on(db, "import", "requests", str(bad), "--platform", "taobao", code=1,
                 user="clerk")
    assert "bad.csv" in got.stderr and "3" in got.stderr
    assert sv.list_slips(db) == []
    assert "--platform" in rma_on(db, "import", "requests", str(bad), code=2,
                                  user="clerk").stderr
    got = rma_on(db, "import", "requests", str(SAMPLES / "taobao_requests.csv"),
                 "--platform", "weibo", code=1, user="clerk")
    assert "taobao" in got.stderr  # the known maps are listed
    got = rma_on(db, "slip", "receive", code=2, user="warehouse")
    assert "--waybill" in got.stderr
    channels = json.loads(rma_on(db, "channel", "list", "--json").stdout)
    assert [c["code"] for c in channels][:3] == ["store", "online", "taobao"]
    assert sv.list_slips(db) == []


def test_a_wrong_channel_in_the_policy_file_is_named(tmp_path: Path) -> None:
    from cli_helpers import rma

    bad = tmp_path / "policy.toml"
    # The policy is read once per process (each `rma` is one); read it again per run here.
    try:
        sv.set_policy(None)
        bad.write_text("[channels.tmall]\nplatform = true\n", encoding="utf-8")
        got = rma("--lang", "en", "channel", "list", code=1, env={"RMA_POLICY": str(bad)})
        assert "channels.tmall" in got.stderr and "clearing_account" in got.stderr
        assert "Traceback" not in got.stdout + got.stderr
        sv.set_policy(None)
        bad.write_text("[channels.Tmall]\n", encoding="utf-8")
        got = rma("channel", "list", code=1, env={"RMA_POLICY": str(bad)})
        assert "'Tmall'" in got.stderr
    finally:
        sv.set_policy(None)
