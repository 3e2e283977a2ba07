"""Scorecard reasons as sentences: the scorer's terse, stored text ("speaking_rate_wpm 243
outside 110 to 190", "no matching flag") read as "Speaking rate 243 words/min, above 110–190".

Only the wording changes; the stored reason stays as the scorer wrote it (older databases too).
"""

from __future__ import annotations

import re
from typing import Any

# metric name -> (what it is, how its value reads)
METRICS = {
    "speaking_rate_wpm": ("Speaking rate", "{:.0f} words/min"),
    "talk_listen_ratio": ("Talk-to-listen ratio", "{:.2f}"),
    "dead_air_count": ("Dead-air gaps", "{:g}"),
    "dead_air_s": ("Dead air", "{:.0f} s"),
    "hold_count": ("Holds", "{:g}"),
    "hold_s": ("Time on hold", "{:.0f} s"),
    "interruptions_by_operator": ("Interruptions of the customer", "{:g}"),
    "filler_count": ("Filler words", "{:g}"),
    "filler_rate": ("Filler words per 100 words", "{:.1f}"),
    "sentiment_start": ("Sentiment at the start", "{:+.2f}"),
    "sentiment_end": ("Sentiment at the end", "{:+.2f}"),
}
_METRIC = re.compile(r"^(?P<name>\w+) (?P<value>\S+) (?P<where>within|outside) (?P<band>.+)$")
_FLAG_AT = re.compile(r"\b(?P<kind>[a-z][a-z0-9]*(?:_[a-z0-9]+)*) at (?P<at>\d+(?:\.\d+)?) s\b")


def words(name: str) -> str:
    """A snake_case name as words: pii_leak -> pii leak."""
    return name.replace("_", " ")


def metric_words(name: str) -> str:
    """What a metric measures, as a reader says it."""
    return METRICS.get(name, (words(name).capitalize(), ""))[0]


def _value(name: str, value: Any) -> str:
    try:
        return METRICS.get(name, ("", "{:.3g}"))[1].format(float(value))
    except (TypeError, ValueError):
        return str(value)


def _band(band: str, outside: bool, value: float | None) -> str:
    """"110 to 190" / ">= 0.5" / "<= 1" as words, saying which side a value outside it lies."""
    if m := re.fullmatch(r"(\S+) to (\S+)", band):
        low, high = m.groups()
        if not outside:
            return f"within {low}–{high}"
        side = "below" if value is not None and value < float(low) else "above" if value is not None else "outside"
        return f"{side} {low}–{high}"
    if m := re.fullmatch(r"(>=|<=) (\S+)", band):
        limit, bound = m.group(2), "minimum" if m.group(1) == ">=" else "maximum"
        if outside:
            return f"{'below the minimum' if bound == 'minimum' else 'above the maximum'} of {limit}"
        return f"within the limit (at {'least' if bound == 'minimum' else 'most'} {limit})"
    return ("outside " if outside else "within ") + band


def _clock(match: re.Match) -> str:
    seconds = int(float(match["at"]))
    return f"{words(match['kind'])} at {seconds // 60}:{seconds % 60:02d}"


def reason_text(reason: str | None, metric: str | None = None, value: float | None = None) -> str:
    """A score item's stored reason as a sentence (unknown wording: left as it is, capitalised)."""
    text = (reason or "").strip()
    if metric and (m := _METRIC.match(text)) and m["name"] == metric:
        number = value if value is not None else m["value"]
        return (f"{metric_words(metric)} {_value(metric, number)}, "
                f"{_band(m['band'], m['where'] == 'outside', value)}")
    if metric and text == f"{metric} not measured":
        return f"{metric_words(metric)} not measured"
    text = re.sub(r"^no matching flag(?:; (\d+) dismissed by review)?$",
                  lambda m: "Nothing flagged" + (f" ({m[1]} {'flag' if m[1] == '1' else 'flags'} dismissed by review)"
                                                  if m[1] else ""), text)
    text = re.sub(r"; (\d+) dismissed by review$", r" (\1 more dismissed by review)", text)
    text = re.sub(r"^not checked: detector (.+) did not run$", r"Not checked: the \1 detector did not run", text)
    text = _FLAG_AT.sub(_clock, text)
    return text[:1].upper() + text[1:]
