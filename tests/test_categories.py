"""Call categories and outcomes (qa/compliance/categorize.py) on small hand-made transcripts."""

from __future__ import annotations

import pytest

from qa.compliance.categorize import categorize
from qa.compliance.category_book import DEFAULT_CATEGORIES, load_categories
from qa.compliance.matching import SentenceEncoder
from qa.errors import ConfigError
from qa.types import Role, Transcript, Utterance

BOOK = load_categories()
ENCODER = SentenceEncoder()


def call(*lines: tuple[str, str], language: str = "en") -> Transcript:
    utterances = tuple(Utterance(role, Role(role), None, 5.0 * k, 5.0 * k + 4, text)
                       for k, (role, text) in enumerate(lines))
    return Transcript("c1", language, 1.0, 5.0 * len(lines), 1, 16000, utterances, ())


def found(transcript: Transcript, **where) -> list[str]:
    return [m.category for m in categorize(transcript, BOOK, encoder=ENCODER, **where).matches]


def test_the_shipped_book_has_every_group_and_a_content_hash_for_a_version():
    assert {c.group for c in BOOK.categories} == {"reason", "resolution", "outbound"}
    assert len(BOOK.version) == 12 and BOOK.version == load_categories(DEFAULT_CATEGORIES).version
    assert {"billing_question", "technical_fault", "order_application", "cancellation_request", "complaint",
            "resolved_on_call", "callback_promised", "transferred", "asked_for_manager", "agreed", "refused",
            "refusal_price", "refusal_already_has", "refusal_not_interested", "refusal_call_later",
            "do_not_call"} <= {c.id for c in BOOK.categories}
    for category in BOOK.categories:
        assert {"en", "es", "fi", "hi", "fa", "sw"} <= set(category.phrases), category.id
        assert set(category.unreviewed) == {"hi", "fa", "sw"}, category.id


def test_a_reason_is_the_customers_words_not_the_operators():
    transcript = call(("operator", "Thanks for calling, how can I help?"),
                      ("customer", "Hi, I want to cancel my subscription please."),
                      ("operator", "Do you want to cancel your subscription or pause it?"))
    assert found(transcript) == ["cancellation_request"]
    [match] = categorize(transcript, BOOK, encoder=ENCODER).matches
    assert (match.role, match.start, match.evidence) == (Role.CUSTOMER, 5.0, "Hi, I want to cancel my subscription please.")


def test_inbound_outcome_is_the_latest_decisive_category():
    transcript = call(("customer", "My internet is not working since yesterday."),
                      ("operator", "I can't fix it from here, a technician will contact you tomorrow."),
                      ("customer", "This is unacceptable, I want to speak to a manager."),
                      ("operator", "Of course, I'll put you through to my supervisor now."))
    result = categorize(transcript, BOOK, encoder=ENCODER, direction="inbound")
    assert {"technical_fault", "callback_promised", "complaint", "transferred"} <= {m.category for m in result.matches}
    assert (result.direction, result.outcome, result.refusal_reason) == ("inbound", "escalated", None)
    plain = categorize(call(("customer", "Can I pay my bill?"), ("operator", "Sure.")), BOOK, encoder=ENCODER)
    assert plain.outcome == "unresolved"


def test_outbound_refusal_with_its_reason_and_a_do_not_call_request():
    transcript = call(("operator", "I'm calling to offer you our new broadband plan."),
                      ("customer", "No thank you, it's too expensive for me."),
                      ("customer", "And please take me off your list."))
    result = categorize(transcript, BOOK, encoder=ENCODER, direction="outbound")
    assert (result.outcome, result.refusal_reason, result.do_not_call) == ("refused", "price", True)
    assert "offer_made" in {m.category for m in result.matches}
    # inbound calls are not looked at for outbound decisions
    assert "offer_made" not in found(transcript, direction="inbound")


def test_spanish_and_finnish_phrasings():
    assert "billing_question" in found(call(("customer", "Hola, me han cobrado dos veces este mes."), language="es"))
    assert "cancellation_request" in found(call(("customer", "Haluan irtisanoa sopimuksen."), language="fi"))


def test_a_new_category_is_a_yaml_edit(tmp_path):
    book = tmp_path / "categories.yaml"
    book.write_text(DEFAULT_CATEGORIES.read_text(encoding="utf-8") + """
  moving_house:
    group: reason
    label: Moving house
    role: customer
    phrases:
      en: ["I'm moving to a new house", "change of address"]
""", encoding="utf-8")
    edited = load_categories(book)
    assert edited.version != BOOK.version
    result = categorize(call(("customer", "Hello, I'm moving to a new house next month.")), edited, encoder=ENCODER)
    assert [m.category for m in result.matches] == ["moving_house"]


def test_metric_and_flag_conditions(tmp_path):
    book = tmp_path / "categories.yaml"
    book.write_text("""version: 1
categories:
  heated:
    group: resolution
    flags: [raised_voice]
    metrics: {over_talk_s: ">= 5"}
""", encoding="utf-8")
    from qa.types import Flag, Severity

    shout = Flag("raised_voice", Severity.MEDIUM, Role.CUSTOMER, 3.0, 4.0, "loud", "loudness", "1")
    transcript = call(("customer", "hello"))
    assert [m.category for m in categorize(transcript, load_categories(book), [shout],
                                           [("over_talk_s", "call", 6.0)]).matches] == ["heated"]
    assert not categorize(transcript, load_categories(book), [shout], [("over_talk_s", "call", 2.0)]).matches
    assert not categorize(transcript, load_categories(book), [], [("over_talk_s", "call", 6.0)]).matches


@pytest.mark.parametrize("text, problem", [
    ("categories: {x: {group: reason, phrases: {en: [a]}, colour: red}}", "unknown key(s): colour"),
    ("categories: {x: {group: mood, phrases: {en: [a]}}}", "group must be one of"),
    ("categories: {x: {group: reason}}", "needs phrases, flags or metrics"),
    ("categories: {x: {group: reason, metrics: {over_talk_s: lots}}}", "expected a comparison"),
    ("nothing: here", "missing key 'categories'"),
    ("categories: {x: {group: outbound, phrases: {en: [a]}, outcome: maybe}}", "outcome must be one of"),
    ("categories: {x: {group: outbound, phrases: {en: [a]}, refusal_reason: price}}", "needs outcome: refused"),
])
def test_a_bad_book_is_one_line_naming_the_file_and_the_problem(tmp_path, text, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_categories(path)
    assert str(error.value).startswith(str(path)) and problem in str(error.value) and "\n" not in str(error.value)


def _stored(tmp_path, language="en", direction="inbound"):
    from qa.store import Store
    from qa.types import Call, CallMetadata

    store = Store(tmp_path / "qa.duckdb")
    transcript = call(("customer", "Hi, I want to cancel my subscription please."),
                      ("operator", "Done, I've cancelled it for you, you're all set."), language=language)
    transcript = Transcript("c1", language, 1.0, transcript.duration, 1, 16000, transcript.utterances, ())
    found = categorize(transcript, BOOK, encoder=ENCODER, direction=direction)
    store.save_call(Call("c1", "/calls/c1.wav", CallMetadata(direction=direction)), transcript, None, "base",
                    "pyannote", "metadata", categorization=found)
    return store


def test_categories_are_stored_with_the_call_and_purged_with_it(tmp_path):
    store = _stored(tmp_path)
    rows = store.call_categories("c1")
    assert [(r["category"], r["group"], r["role"], r["start_s"]) for r in rows] == [
        ("cancellation_request", "reason", "customer", 0.0), ("resolved_on_call", "resolution", "operator", 5.0)]
    assert rows[0]["evidence"] == "Hi, I want to cancel my subscription please." and rows[0]["book_version"] == BOOK.version
    assert store.call_outcome("c1")["outcome"] == "resolved"
    store.purge(call_ids=["c1"])
    assert store.call_categories("c1") == [] and store.call_outcome("c1") is None


def test_recategorize_applies_an_edited_book_without_models_and_skips_languages_not_judged(tmp_path, capsys):
    import json

    from qa.cli import main

    store = _stored(tmp_path)
    book = tmp_path / "categories.yaml"
    book.write_text(DEFAULT_CATEGORIES.read_text(encoding="utf-8") + """
  subscription_talk:
    group: reason
    role: customer
    phrases:
      en: ["my subscription"]
""", encoding="utf-8")
    assert main(["recategorize", "--db", str(store.path), "--categories", str(book), "--quiet"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["calls"] == 1 and printed["outcomes"] == {"resolved": 1}
    assert "subscription_talk" in {r["category"] for r in store.call_categories("c1")}
    assert {r["book_version"] for r in store.call_categories("c1")} == {load_categories(book).version}

    finnish = _stored(tmp_path / "fi", language="fi")  # not judged with base: no categories, no outcome
    assert main(["recategorize", "--db", str(finnish.path), "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["outcomes"] == {"not judged": 1}
    assert finnish.call_categories("c1") == [] and finnish.call_outcome("c1") is None


def test_a_no_to_anything_else_is_no_refusal():
    transcript = call(("operator", "Shall I upgrade you from next month?"), ("customer", "Yes, please do."),
                      ("operator", "Done. Is there anything else I can help you with?"),
                      ("customer", "No, that's all, thanks."))
    result = categorize(transcript, BOOK, encoder=ENCODER, direction="outbound")
    assert result.outcome == "agreed" and "refused" not in {m.category for m in result.matches}


def test_outcome_kpis_count_judged_calls_and_keep_not_judged_apart(tmp_path):
    from qa.scoring.report import build_report, render
    from qa.types import Call, CallMetadata

    store = _stored(tmp_path)  # inbound: cancellation request, resolved
    finnish = call(("customer", "Haluan irtisanoa sopimuksen."), language="fi")
    store.save_call(Call("c2", "/calls/c2.wav", CallMetadata(direction="inbound")), finnish, None, "base",
                    "pyannote", "metadata")  # not judged: stored with no categorization
    [row] = store.outcome_kpis("campaign", "week")
    assert (row["calls"], row["not_judged"], row["inbound"], row["resolution_rate"], row["conversion_rate"],
            row["completion_rate"]) == (2, 1, 1, 1.0, None, 0.0)  # no goodbye: not closed
    [reason] = store.reasons()
    assert (reason["reason"], reason["calls"]) == ("cancellation_request", 1)
    report = build_report(store)
    assert report.outcomes[0]["resolution_rate"] == 1.0
    assert "Outcomes by ISO week" in render(report, "table") and '"outcomes"' in render(report, "json")


def test_a_call_closed_with_a_farewell_is_complete_and_a_greeting_is_no_farewell():
    closed = call(("operator", "Thanks for calling Acme, how can I help?"), ("customer", "Can I pay my bill?"),
                  ("operator", "Done, it's paid."), ("customer", "Thanks."), ("operator", "Thanks for calling, goodbye."))
    assert [m.start for m in categorize(closed, BOOK, encoder=ENCODER).matches if m.category == "call_closed"] == [20.0]
    dropped = call(("operator", "Thanks for calling Acme, how can I help?"), ("customer", "Can I pay my bill?"),
                   ("operator", "Sure, can I have the card number?"))
    assert "call_closed" not in found(dropped)
