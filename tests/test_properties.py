"""Invariants over random logs: counts add up, durations are never negative."""
import io

from hypothesis import given, settings, strategies as st

from lexlens.analytics.metrics import intents, sessions, totals
from lexlens.analytics.metrics.conversations import compute_conversations
from lexlens.analytics.cli.progress import make_byte_progress
from tests.lex_records import load, record

TURN = st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 3 * 86400),
                 st.sampled_from(["", "Balance", "Transfer", "FallbackIntent"]), st.booleans(),
                 st.sampled_from(["hi", "", "  ", "balance please"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(TURN, max_size=25))
def test_session_counts_add_up_and_durations_are_never_negative(turns):
    data = load([record(session, second, text, intent=intent, missed=missed)
                 for session, second, intent, missed, text in turns])
    table = sessions.compute_sessions(data.turns, conversations=compute_conversations(data.turns, idle_timeout_s=300))
    summary = totals.compute_totals(data.turns, table)
    assert (table["duration_s"] >= 0).all()
    assert table["turns"].sum() == summary["records"] == len(turns)
    assert table["missed"].sum() == summary["missed_utterances"]
    assert summary["sessions"] == len({session for session, *_ in turns})
    assert summary["sessions"] <= summary["conversations"] <= summary["records"] or not turns
    assert 0.0 <= summary["fallback_rate"]
    top = intents.top_intents(data.turns)
    assert top["turns"].sum() <= len(turns) and (top["entries"] <= top["turns"]).all()


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_draws_on_a_terminal_and_stays_silent_otherwise():
    terminal = FakeTerminal()
    draw = make_byte_progress(stream=terminal, min_interval_s=0)
    draw(50, 100)
    draw(100, 100)
    assert "50.0%" in terminal.getvalue() and terminal.getvalue().endswith("\n")
    assert make_byte_progress(stream=io.StringIO()) is None


SLOT_NAMES = ["Date", "Time", "Place"]
FUNNEL_TURN = st.tuples(
    st.sampled_from(["a", "b", "c"]), st.integers(0, 2000), st.sampled_from(["Book", "Balance"]),
    st.sampled_from(["ElicitSlot", "ConfirmIntent", "Close", "ElicitIntent", "Delegate"]),
    st.sampled_from(SLOT_NAMES), st.sets(st.sampled_from(SLOT_NAMES)),
    st.sampled_from(["InProgress", "Fulfilled", "Failed", "ReadyForFulfillment"]),
    st.sampled_from(["None", "Confirmed", "Denied"]))


@settings(max_examples=80, deadline=None)
@given(st.lists(FUNNEL_TURN, max_size=30))
def test_a_funnel_never_grows_from_one_step_to_the_next(turns):
    from lexlens.analytics.metrics.funnels import build_slot_runs, compute_funnel
    from lexlens.analytics.metrics.outcomes import compute_outcomes

    records = [record(session, second, "x", intent=intent, action=action,
                      slot=slot if action == "ElicitSlot" else "", state=state, confirmation=confirmation,
                      slots={name: ("v" if name in filled else None) for name in SLOT_NAMES})
               for session, second, intent, action, slot, filled, state, confirmation in turns]
    outcomes = compute_outcomes(load(records))
    funnel = compute_funnel(outcomes, build_slot_runs(outcomes))
    for intent, steps in funnel.groupby("intent"):
        steps = steps.sort_values("order")
        reached, passed = steps["reached"].to_numpy(), steps["passed"].to_numpy()
        assert (passed <= reached).all() and (reached[1:] == passed[:-1]).all()
        assert (reached[1:] <= reached[:-1]).all()  # never grows
        stopped = steps[["dropped", "failed", "switched"]].sum(axis=1).to_numpy()
        assert (reached - passed == stopped).all()
        attempts = outcomes.attempts[outcomes.attempts["intent"].astype(str) == intent]
        assert reached[0] == len(attempts)
        assert passed[-1] == (attempts["outcome"] == "Success").sum()
