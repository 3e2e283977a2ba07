"""Scorecard files and the pure scorer: weights, evidence, auto-fail, dismissals, scorability."""

from __future__ import annotations

import pytest

from qa.errors import ConfigError
from qa.scoring.scorecard import load_scorecards
from qa.scoring.scorer import not_scorable_reason, score_call
from qa.types import ScoringInput
from qa.types import Flag, Role, Severity

GOOD_METRICS = {("talk_listen_ratio", "call"): 1.2, ("dead_air_count", "call"): 0.0,
                ("speaking_rate_wpm", "operator"): 150.0, ("interruptions_by_operator", "call"): 0.0}


def flag(kind, role=Role.OPERATOR, start=10.0, severity=Severity.MEDIUM, **details):
    return Flag(kind, severity, role, start, start + 2.0, "evidence", "test", "1", 1.0, "S1",
                tuple((k, str(v)) for k, v in details.items()))


def facts(*flags, metrics=GOOD_METRICS, **changes):
    base = dict(call_id="c1", campaign="billing", language="en", language_source="metadata", asr_model="base",
                word_count=200, mean_word_probability=0.9, flags=tuple(enumerate(flags)), metrics=metrics)
    return ScoringInput(**(base | changes))


@pytest.fixture(scope="module")
def book():
    return load_scorecards()


def test_shipped_scorecards_load_and_weights_sum_to_100(book):
    assert {"default", "sales"} <= set(book.scorecards)
    for card in book.scorecards.values():
        assert sum(c.weight for c in card.criteria) == 100
        assert any(c.auto_fail for c in card.criteria)
    # sales extends default: same criteria ids, its own talk-ratio band
    assert [c.id for c in book.select("sales").criteria] == [c.id for c in book.select("default").criteria]
    assert {c.id: c for c in book.select("sales").criteria}["talk_ratio"].metric.max == 3.0
    assert book.select("no-such-campaign").name == "default"


def test_clean_call_scores_100_with_an_item_per_criterion(book):
    score = score_call(facts(), book)
    assert score.scorable and score.total == 100.0 and not score.auto_failed
    assert [i.criterion for i in score.items] == [c.id for c in book.select("billing").criteria]
    assert all(i.lost == 0 for i in score.items)


def test_operator_profanity_loses_the_criterion_and_points_at_the_flag(book):
    score = score_call(facts(flag("profanity", start=33.9)), book)
    item = {i.criterion: i for i in score.items}["professional_language"]
    assert item.lost == 20 and item.flag_refs == (0,) and item.start == 33.9
    assert score.total == 80.0


def test_customer_profanity_costs_the_operator_nothing(book):
    assert score_call(facts(flag("profanity", role=Role.CUSTOMER)), book).total == 100.0


def test_per_flag_losses_are_capped_at_the_weight(book):
    steps = [flag("script_missing", start=float(i), step=s) for i, s in enumerate(
        ("greeting", "operator_name", "offer_help", "company_name"))]
    item = {i.criterion: i for i in score_call(facts(*steps), book).items}["greeting"]
    assert item.points == 0 and item.lost == 15 and item.flag_refs == (0, 1, 2, 3)
    other_step = flag("script_missing", step="identity_verification")
    assert score_call(facts(other_step), book).total == 100.0


def test_card_read_back_is_an_auto_fail(book):
    score = score_call(facts(flag("pii_leak", start=22.06, type="CREDIT_CARD")), book)
    assert score.auto_failed and score.total == 0.0
    failed = [i for i in score.items if i.failed]
    assert [i.criterion for i in failed] == ["card_read_back"] and failed[0].start == 22.06
    # a phone number disclosed is a leak, not an auto-fail
    phone = score_call(facts(flag("pii_leak", type="PHONE_NUMBER")), book)
    assert not phone.auto_failed and phone.total == 92.5


def test_dismissed_flags_give_their_points_back(book):
    call = facts(flag("profanity"), flag("raised_voice", start=40.0))
    assert score_call(call, book).total == 75.0
    restored = score_call(ScoringInput(**{**call.__dict__, "dismissed": frozenset({0})}), book)
    item = {i.criterion: i for i in restored.items}["professional_language"]
    assert restored.total == 95.0 and item.restored_refs == (0,) and item.flag_refs == ()
    assert "dismissed by review" in item.reason


def test_metric_bands_and_per_unit_losses(book):
    metrics = GOOD_METRICS | {("talk_listen_ratio", "call"): 3.4, ("dead_air_count", "call"): 1.0}
    score = score_call(facts(metrics=metrics, dead_air=((5.0, 17.0), (30.0, 41.0))), book)
    items = {i.criterion: i for i in score.items}
    assert items["talk_ratio"].lost == 5 and items["talk_ratio"].metric_value == 3.4
    assert items["dead_air"].lost == 2.5 and (items["dead_air"].start, items["dead_air"].end) == (5.0, 17.0)
    assert score.total == 92.5
    # the sales band allows more operator talk
    chatty = metrics | {("talk_listen_ratio", "call"): 2.8}
    assert score_call(facts(metrics=chatty), book).total == 92.5
    assert score_call(facts(metrics=chatty, campaign="sales"), book).total == 97.5


def test_unmeasured_metrics_are_not_applicable_and_rescale(book):
    metrics = {k: v for k, v in GOOD_METRICS.items() if k[0] != "speaking_rate_wpm"}
    score = score_call(facts(flag("profanity"), metrics=metrics), book)
    item = {i.criterion: i for i in score.items}["speaking_rate"]
    assert not item.applicable and item.lost == 0
    assert score.total == round(100 * 75 / 95, 1)


@pytest.mark.parametrize("changes, reason", [
    ({"has_speech": False, "word_count": 0}, "no speech"),
    ({"word_count": 5}, "too little speech"),
    ({"mean_word_probability": 0.55}, "low ASR confidence"),
    ({"language_source": "detected", "language_probability": 0.3}, "language uncertain"),
])
def test_unreliable_calls_are_not_scorable(book, changes, reason):
    score = score_call(facts(**changes), book)
    assert not score.scorable and score.total is None and reason in score.not_scorable_reason


def test_unreliable_languages_per_model(tmp_path):
    from qa.scoring.scorecard import DEFAULT_SCORECARDS

    text = DEFAULT_SCORECARDS.read_text()
    start = text.index("  unreliable_languages:    #")
    path = tmp_path / "cards.yaml"
    path.write_text(text[:start] + "  unreliable_languages: {base: [sw], '*': [xx]}\n"
                    + text[text.index("scorecards:\n  default:"):])
    rules = load_scorecards(path).scorable
    assert not_scorable_reason(facts(language="sw"), rules) == "not judged: Swahili with base"
    assert not_scorable_reason(facts(language="sw", asr_model="large-v3"), rules) is None
    assert not_scorable_reason(facts(language="xx", asr_model="large-v3"), rules) == "not judged: xx with large-v3"
    assert not_scorable_reason(facts(language="fa"), rules) is None  # this book's rules replace the shipped ones


@pytest.mark.parametrize("language, name, evidence", [
    ("fa", "Persian", "WER 0.94 on real speech"), ("hi", "Hindi", "WER 1.07 on real speech"),
    ("sw", "Swahili", "WER 1.03 on real speech"), ("fi", "Finnish", "no real-speech measurement")])
def test_shipped_defaults_do_not_judge_low_resource_languages_with_base(book, language, name, evidence):
    reason = not_scorable_reason(facts(language=language, word_count=3), book.scorable)
    assert reason.startswith(f"not judged: {name} with base: {evidence}")
    score = score_call(facts(flag("profanity"), language=language), book)
    assert not score.scorable and score.total is None and score.not_scorable_reason == reason
    # keyed by model name: the same model by its hub id or directory, never a bigger model
    for model in ("Systran/faster-whisper-base", "/models/faster-whisper-base"):
        assert not_scorable_reason(facts(language=language, asr_model=model), book.scorable) == reason
    for model in ("large-v3", "Systran/faster-whisper-large-v3", "large-v3-turbo"):
        assert not_scorable_reason(facts(language=language, asr_model=model), book.scorable) is None
    assert not_scorable_reason(facts(language="es"), book.scorable) is None


def test_a_book_without_language_rules_keeps_the_shipped_ones_and_empty_turns_them_off(tmp_path):
    cards = "scorecards: {default: {criteria: [{id: a, weight: 100, flags: {kinds: [profanity]}}]}}\n"
    (tmp_path / "silent.yaml").write_text(cards)
    (tmp_path / "off.yaml").write_text("scorable: {unreliable_languages: {}}\n" + cards)
    assert load_scorecards(tmp_path / "silent.yaml").scorable.not_judged("base", "fa").startswith("not judged")
    assert load_scorecards(tmp_path / "off.yaml").scorable.not_judged("base", "fa") is None


BAD_CARDS = [
    ("scorable: {unreliable_languages: {base: {fa: 0.94}}}\nscorecards: {default: {criteria: "
     "[{id: a, weight: 100, flags: {kinds: [profanity]}}]}}", "must be a string"),
    ("scorecards: {sales: {criteria: [{id: a, weight: 100, flags: {kinds: [profanity]}}]}}", "needs a 'default'"),
    ("scorecards: {default: {criteria: [{id: a, weight: 90, flags: {kinds: [profanity]}}]}}", "weights sum to 90"),
    ("scorecards: {default: {criteria: [{id: a, weight: 100}]}}", "exactly one of 'flags' or 'metric'"),
    ("scorecards: {default: {criteria: [{id: a, weight: 100, flags: {kinds: [profanity]}, colour: red}]}}",
     "unknown key(s) colour"),
    ("scorecards: {default: {criteria: [{id: a, weight: 100, metric: {name: m}}]}}", "needs min and/or max"),
    ("scorecards: {default: {criteria: [{id: a, weight: 100, flags: {kinds: [profanity]}}, "
     "{id: b, weight: 5, auto_fail: true, flags: {kinds: [raised_voice]}}]}}", "auto_fail criterion has no weight"),
    ("scorecards: {default: {criteria: [{id: a, weight: 100, flags: {kinds: [profanity], roles: [boss]}}]}}",
     "unknown role 'boss'"),
    ("scorecards: {default: {extends: nope, criteria: []}}", "no scorecard 'nope'"),
    ("scorecards: {default: {criteria: [{id: a, weight: 100, flags: {kinds: [profanty]}}]}}",
     "unknown flag kind 'profanty' (known: script_missing"),
    ("scorecards: [", "invalid YAML"),
]


@pytest.mark.parametrize("text, message", BAD_CARDS)
def test_bad_scorecards_are_refused_with_the_reason(tmp_path, text, message):
    path = tmp_path / "cards.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_scorecards(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_scorecard_version_changes_with_the_file(tmp_path):
    path = tmp_path / "cards.yaml"
    path.write_text("scorecards: {default: {criteria: [{id: a, weight: 100, flags: {kinds: [profanity]}}]}}")
    first = load_scorecards(path).select(None).version
    path.write_text("scorecards: {default: {criteria: [{id: a, weight: 100, flags: {kinds: [raised_voice]}}]}}")
    assert load_scorecards(path).select(None).version != first


def test_criteria_of_detectors_that_did_not_run_are_not_applicable(book):
    score = score_call(facts(flag("profanity"), detectors=frozenset({"pii", "profanity"})), book)
    items = {i.criterion: i for i in score.items}
    assert not items["greeting"].applicable and "detector script did not run" in items["greeting"].reason
    assert not items["tone"].applicable and items["professional_language"].lost == 20
    assert score.total == round(100 * (55 - 20) / 55, 1)  # pii 15 + profanity 20 + four metrics 20
    assert score_call(facts(flag("profanity"), detectors=None), book).total == 80.0
