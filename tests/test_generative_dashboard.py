"""The Generative answers page and server responses in the Session explorer, under
streamlit.testing.v1.AppTest, on the bundled generative-era sample (sample_logs/generative.jsonl.gz)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.metrics import generative
from lexlens.analytics.metrics.conversations import compute_conversations
from lexlens.dashboard.pagelist import EXPLORER_PAGE
from lexlens.dashboard.settings import ALLOW_WRITES_VAR, SOURCES_VAR
from lexlens.sample_logs import GENERATIVE_LOG
from dashboard_helpers import streamlit_run_on_loopback

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


@pytest.fixture(autouse=True)
def generative_source(monkeypatch):
    monkeypatch.delenv(ALLOW_WRITES_VAR, raising=False)
    monkeypatch.setenv(SOURCES_VAR, str(GENERATIVE_LOG))
    with streamlit_run_on_loopback():
        yield


@pytest.fixture(scope="module")
def data():
    return load_logs([GENERATIVE_LOG])


def start(page: str, query: dict | None = None) -> AppTest:
    """``page`` opened by a link with ``query`` (the app keeps ``session=`` in the URL of the
    explorer only, so the query goes with the page's run, not the default page's before it)."""
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page(page)
    at.query_params.update(query or {})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_generative_page_tiles_equal_the_analytics(data):
    at = start("views/generative.py")
    marked = generative.mark_generative_turns(data, compute_conversations(data.turns, idle_timeout_s=300).keys)
    expected = generative.compute_generative_summary(marked, data)
    shown = {metric.label: int(metric.value.replace(",", "")) for metric in at.main.metric[:5]}
    assert shown == {"QnA questions": expected["qna_turns"], "Answered": expected["qna_answered"],
                     "Unanswered": expected["qna_unanswered"], "Bedrock agent turns": expected["bedrock_agent_turns"],
                     "Bedrock interpretations": expected["bedrock_interpretations"]}
    assert expected["qna_unanswered"] > 0
    assert len(at.main.get("plotly_chart")) >= 4  # QnA over time, sources, Bedrock share per intent and per day
    tables = [frame.value for frame in at.main.dataframe]
    assert any("label" in table.columns and len(table) for table in tables)  # top unanswered questions


def test_explorer_shows_server_responses_as_the_bot_speaking(data):
    responses = data.server_responses
    session_key = responses["session_key"].value_counts().index[0]
    session_id = data.turns.loc[data.turns["session_key"] == session_key, "session_id"].iloc[0]
    at = start(EXPLORER_PAGE, {"session": session_id})
    transcript = at.main.dataframe[-1].value
    reasons = responses.loc[responses["session_key"] == session_key, "response_reason"].astype(str).tolist()
    assert [reason for reason in transcript["server_response"] if reason] == reasons
    user_turns = int((transcript["server_response"] == "").sum())
    assert user_turns == int((data.turns["session_key"] == session_key).sum())
    assert any("server response" in caption.value for caption in at.main.caption)
    # one bubble per user turn and its reply, one bot bubble per server response
    assert len(at.main.get("chat_message")) == 2 * user_turns + len(reasons)


def test_unanswered_questions_go_to_the_writer_as_sample_utterances(tmp_path, monkeypatch):
    """With --allow-writes, an unanswered question is planned as a sample utterance of a real
    intent, through the same writer (botocore's Stubber on a real lexv2-models client)."""
    from lex_records import record
    from test_writer_fixtures import BOT, LOCALE, fake_aws_env, intent, queue_list_intents, queue_plan, stubbed  # noqa: F401

    question = "Can I pay in installments?"
    qna = {"x-amz-lex:qnA-search-response": "Returns within 30 days.",
           "x-amz-lex:qnA-search-response-source": "s3://kb/returns.pdf"}
    records = [record("s1", 0, "return policy?", intent="FAQ", state="Fulfilled", attributes=qna),
               record("s2", 0, question, intent="FAQ", state="Failed"),
               record("s3", 0, question, intent="FAQ", state="Failed")]
    for rec in records:
        rec["bot"].update(id=BOT, localeId=LOCALE)
    path = tmp_path / "qna.jsonl"
    path.write_text("\n".join(json.dumps(rec) for rec in records) + "\n")
    monkeypatch.setenv(SOURCES_VAR, str(path))
    monkeypatch.setenv(ALLOW_WRITES_VAR, "1")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    client, stubber = stubbed()
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["writer_client"] = client
    at.run()
    at.switch_page("views/generative.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Add unanswered questions" in s.value for s in at.main.subheader)
    assert at.multiselect(key="writer_pick").options == [f"{question}  (2×)"]
    payments = intent("INTENT0009", "Payments", ["how do I pay"])
    queue_list_intents(stubber, [payments])
    at.button(key="writer_list").click().run()
    queue_plan(stubber, [payments], payments)
    at.multiselect(key="writer_pick").set_value([question]).run()
    at.button(key="writer_plan").click().run()
    assert not at.exception, [e.value for e in at.exception]
    plan = next(frame.value for frame in at.main.dataframe if "action" in frame.value.columns)
    assert plan[["utterance", "action"]].values.tolist() == [[question, "add"]]
    assert at.button(key="writer_apply").disabled  # nothing written before confirming


def test_overview_records_tile_counts_server_responses_too(data):
    at = start("views/overview.py")
    shown = {metric.label: metric.value for metric in at.main.metric}
    assert int(shown["Records"].replace(",", "")) == len(data.turns) + len(data.server_responses)
    assert len(data.server_responses) > 0


def test_a_source_of_server_responses_only_says_so(tmp_path, monkeypatch):
    from lex_records import record, server_response

    user = record("s1", 0, "status", intent="OrderStatus", state="FulfillmentInProgress", action="None")
    path = tmp_path / "responses.jsonl"
    path.write_text(json.dumps(server_response(user, 3, "StillWaitingResponse")) + "\n")
    monkeypatch.setenv(SOURCES_VAR, str(path))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("every record in it (1) is a server response" in warning.value for warning in at.warning)



def test_the_engine_caption_counts_the_records_the_tile_counts(data):
    """Server responses are records: the caption under every chart and table counts them as the
    Overview's Records tile does (it said 2,426 records under a tile of 2,621)."""
    records = len(data.turns) + len(data.server_responses)
    assert len(data.server_responses) > 0, "the sample must hold server responses"
    at = start("views/overview.py")
    assert not at.exception
    tiles = {metric.label: metric.value for metric in at.main.metric}
    assert tiles["Records"] == f"{records:,}"
    labels = {caption.value for caption in at.main.caption if caption.value.startswith("Computed by")}
    assert labels == {f"Computed by: local engine on {records:,} records read from files"}
