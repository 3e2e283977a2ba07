"""Scored calls written straight into a Store (no models): the scorecards, flags and a four-call store."""

from __future__ import annotations

from qa.scoring.scorecard import load_scorecards
from qa.scoring.scorer import score_call
from qa.types import ScoringInput
from qa.store import Store
from qa.types import Call, CallMetadata, Flag, Role, Severity, SpeechTurn, Transcript, Utterance, Word

BOOK = load_scorecards()
METRICS = [("talk_listen_ratio", "call", 1.2), ("dead_air_count", "call", 0.0), ("dead_air_s", "call", 0.0),
           ("speaking_rate_wpm", "operator", 150.0), ("interruptions_by_operator", "call", 0.0),
           ("sentiment_end", "customer", 0.5)]


def transcript(call_id, words=40, probability=0.9):
    ws = tuple(Word(i * 0.5, i * 0.5 + 0.4, f"w{i}", probability) for i in range(words))
    utterance = Utterance("CHANNEL_0", Role.OPERATOR, 0, 0.0, words * 0.5, " ".join(w.text for w in ws), ws)
    return Transcript(call_id, "en", 1.0, 120.0, 2, 8000, (utterance,), (SpeechTurn(0.0, 1.0, "CHANNEL_0"),))


def store_call(store, call_id, operator, started_at, flags=(), probability=0.9, team="north", campaign="billing"):
    call = Call(call_id, f"/calls/{call_id}.wav", CallMetadata(operator_id=operator, started_at=started_at,
                                                               campaign=campaign, team=team))
    text = transcript(call_id, probability=probability)
    facts = ScoringInput(call_id, campaign, "en", "metadata", 1.0, "base", True, 40, probability,
                         tuple(enumerate(flags)), {(n, r): v for n, r, v in METRICS})
    store.save_call(call, text, None, "base", "channels", "metadata", flags=tuple(flags), metrics=METRICS,
                    score=score_call(facts, BOOK))


def flag(kind, start, role=Role.OPERATOR, **details):
    return Flag(kind, Severity.MEDIUM, role, start, start + 1.0, "evidence", "test", "1", 1.0, "CHANNEL_0",
                tuple(details.items()))


def scored_store(path) -> Store:
    """Four calls of two operators: a1 (profanity, raised voice), a2, b1 (a card number), b2 (not scorable)."""
    store = Store(path)
    store_call(store, "a1", "op1", "2026-11-23T10:00:00+00:00", [flag("profanity", 12.0), flag("raised_voice", 30.0)])
    store_call(store, "a2", "op1", "2026-11-30T10:00:00+00:00")
    store_call(store, "b1", "op2", "2026-11-24T10:00:00+00:00", [flag("pii_leak", 22.0, type="CREDIT_CARD")])
    store_call(store, "b2", "op2", "2026-11-29T22:30:00+00:00", probability=0.5, team="south")  # not scorable
    return store
