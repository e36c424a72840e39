"""The writer panel (issue 5) under AppTest, with a real lexv2-models client in botocore's
Stubber: list intents, plan, confirm, apply, audit line; hidden without --allow-writes."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from streamlit.testing.v1 import AppTest

from lexlens.dashboard.settings import ALLOW_WRITES_VAR, SOURCES_VAR
from dashboard_helpers import hostile_record
from test_writer_fixtures import (BOT, LOCALE, T0, fake_aws_env, intent, queue_describe,  # noqa: F401
                                  queue_list_intents, queue_plan, stubbed)

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
WANTED = "what is my balance please"
CHECK = intent("INTENT0001", "CheckBalance", ["check my balance"])
FALLBACK = intent("FALLBACK01", "FallbackIntent", parent="AMAZON.FallbackIntent")


def write_log(path: Path) -> Path:
    records = []
    for number, text in enumerate([WANTED] * 3 + ["<script>alert(1)</script>"]):
        record = hostile_record(number, text, number)
        record["bot"].update(id=BOT, localeId=LOCALE)
        records.append(json.dumps(record))
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    return path


def start(tmp_path, monkeypatch, client) -> AppTest:
    monkeypatch.setenv(SOURCES_VAR, str(write_log(tmp_path / "logs.jsonl")))
    monkeypatch.setenv(ALLOW_WRITES_VAR, "1")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["writer_client"] = client
    at.run()
    at.switch_page("views/missed.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_plan_confirm_apply_and_audit(tmp_path, monkeypatch):
    client, stubber = stubbed()
    at = start(tmp_path, monkeypatch, client)
    queue_list_intents(stubber, [CHECK, FALLBACK])
    at.button(key="writer_list").click().run()
    assert at.selectbox(key="writer_intent").options == ["CheckBalance"]  # fallback refused
    queue_plan(stubber, [CHECK, FALLBACK], CHECK)
    at.multiselect(key="writer_pick").set_value([WANTED]).run()
    at.button(key="writer_plan").click().run()
    plan = at.main.dataframe[-1].value
    assert plan[["utterance", "action"]].values.tolist() == [[WANTED, "add"]]
    assert at.button(key="writer_apply").disabled  # nothing is written before confirming
    queue_describe(stubber, CHECK)
    updated = dict(CHECK, sampleUtterances=CHECK["sampleUtterances"] + [{"utterance": WANTED}],
                   lastUpdatedDateTime=T0 + timedelta(seconds=5))
    stubber.add_response("update_intent", {k: v for k, v in updated.items()})
    at.checkbox(key="writer_confirm").check().run()
    at.button(key="writer_apply").click().run()
    stubber.assert_no_pending_responses()
    assert not at.error, [e.value for e in at.error]
    assert any("Added 1 utterance" in s.value for s in at.success)
    audit = (tmp_path / "data" / "lexlens" / "audit.jsonl").read_text().splitlines()
    assert len(audit) == 1 and WANTED in json.loads(audit[0])["utterances_added"]


def test_aws_error_is_a_message(tmp_path, monkeypatch):
    client, stubber = stubbed()
    at = start(tmp_path, monkeypatch, client)
    stubber.add_client_error("list_intents", "AccessDeniedException", "not allowed", 403)
    at.button(key="writer_list").click().run()
    assert not at.exception
    assert at.error  # one sentence, no traceback


def test_with_sign_in_the_audit_line_records_the_signed_in_writer(tmp_path, monkeypatch):
    """``lexlens serve --auth ... --allow-writes --writer wanda@team.example`` (issue 11)."""
    from lexlens.dashboard.access import AccessSettings, access_environment
    from dashboard_helpers import streamlit_run_on_loopback

    monkeypatch.setenv(*next(iter(access_environment(AccessSettings(
        served=True, auth=True, allowed_users=("@team.example",), writers=("wanda@team.example",))).items())))
    monkeypatch.setenv(SOURCES_VAR, str(write_log(tmp_path / "logs.jsonl")))
    monkeypatch.setenv(ALLOW_WRITES_VAR, "1")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    client, stubber = stubbed()
    with streamlit_run_on_loopback():
        for user, panel in (("alice@team.example", False), ("wanda@team.example", True)):
            at = AppTest.from_file(str(APP), default_timeout=60)
            at.user = {"is_logged_in": True, "email": user, "email_verified": True}
            at.session_state["writer_client"] = client
            at.run()
            at.switch_page("views/missed.py").run()
            assert not at.exception
            assert ("writer_list" in [button.key for button in at.button]) is panel
    queue_list_intents(stubber, [CHECK, FALLBACK])
    at.button(key="writer_list").click().run()
    queue_plan(stubber, [CHECK, FALLBACK], CHECK)
    at.multiselect(key="writer_pick").set_value([WANTED]).run()
    at.button(key="writer_plan").click().run()
    queue_describe(stubber, CHECK)
    updated = dict(CHECK, sampleUtterances=CHECK["sampleUtterances"] + [{"utterance": WANTED}],
                   lastUpdatedDateTime=T0 + timedelta(seconds=5))
    stubber.add_response("update_intent", {k: v for k, v in updated.items()})
    at.checkbox(key="writer_confirm").check().run()
    at.button(key="writer_apply").click().run()
    audit = (tmp_path / "data" / "lexlens" / "audit.jsonl").read_text().splitlines()
    assert json.loads(audit[-1])["signed_in_user"] == "wanda@team.example"
