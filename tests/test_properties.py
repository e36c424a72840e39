"""Invariants over random logs: counts add up, durations are never negative."""
import io

from hypothesis import given, settings, strategies as st

from analytics import intents, sessions, totals
from analytics.progress import make_byte_progress
from tests.lex_records import load, record

TURN = st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 3 * 86400),
                 st.sampled_from(["", "Balance", "Transfer", "FallbackIntent"]), st.booleans(),
                 st.sampled_from(["hi", "", "  ", "balance please"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(TURN, max_size=25))
def test_session_counts_add_up_and_durations_are_never_negative(turns):
    data = load([record(session, second, text, intent=intent, missed=missed)
                 for session, second, intent, missed, text in turns])
    table = sessions.compute_sessions(data.turns)
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
