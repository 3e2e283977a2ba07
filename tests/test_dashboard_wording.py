"""Scorecard reasons read as sentences on the dashboard (dashboards/views/wording.py)."""

from __future__ import annotations

import pytest

from dashboards.views.wording import reason_text


@pytest.mark.parametrize("reason, metric, value, expected", [
    ("speaking_rate_wpm 243 outside 110 to 190", "speaking_rate_wpm", 243.4,
     "Speaking rate 243 words/min, above 110–190"),
    ("speaking_rate_wpm 95 outside 110 to 190", "speaking_rate_wpm", 95.0, "Speaking rate 95 words/min, below 110–190"),
    ("speaking_rate_wpm 150 within 110 to 190", "speaking_rate_wpm", 150.0,
     "Speaking rate 150 words/min, within 110–190"),
    ("dead_air_count 2 outside <= 0", "dead_air_count", 2.0, "Dead-air gaps 2, above the maximum of 0"),
    ("talk_listen_ratio 0.3 outside >= 0.5", "talk_listen_ratio", 0.3,
     "Talk-to-listen ratio 0.30, below the minimum of 0.5"),
    ("interruptions_by_operator 0 within <= 1", "interruptions_by_operator", 0.0,
     "Interruptions of the customer 0, within the limit (at most 1)"),
    ("talk_listen_ratio 0.8 within >= 0.5", "talk_listen_ratio", 0.8,
     "Talk-to-listen ratio 0.80, within the limit (at least 0.5)"),
    ("speaking_rate_wpm not measured", "speaking_rate_wpm", None, "Speaking rate not measured"),
    ("no matching flag", None, None, "Nothing flagged"),
    ("no matching flag; 1 dismissed by review", None, None, "Nothing flagged (1 flag dismissed by review)"),
    ("auto-fail: pii_leak at 72.4 s", None, None, "Auto-fail: pii leak at 1:12"),
    ("script_missing at 0.0 s, script_late at 95.1 s; 2 dismissed by review", None, None,
     "Script missing at 0:00, script late at 1:35 (2 more dismissed by review)"),
    ("not checked: detector script did not run", None, None, "Not checked: the script detector did not run"),
    ("something new", None, None, "Something new"),
])
def test_reasons_read_as_sentences(reason, metric, value, expected):
    assert reason_text(reason, metric, value) == expected
