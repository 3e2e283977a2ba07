"""Customer sentiment at the start and at the end of a call, where a shipped lexicon allows it.

Covered (``SENTIMENT_LANGUAGES``):
- ``en``: VADER (``vaderSentiment`` 3.3.2, MIT; lexicon and rules ship in the package), the
  ``compound`` score of the window's text.
- ``es``, ``fi``: AFINN word lists vendored in ``sentiment_lexicons/`` (ODbL 1.0, see its
  README): summed word valences (longest phrase first), a negator ("no"/"ei", ...) flips the
  next scored word within 3 words of the same clause (not thanks: "no, gracias" stays
  positive), normalised like VADER: ``s / sqrt(s*s + 15)``. Both lists are machine
  translations; ``_IGNORE`` drops entries that are function words or mistranslated.
  Finnish inflection is not handled: only the listed word forms count.
- Not covered (score None, method ""): everything else, including hi, fa and sw. Offline,
  the only resource found for them is the Chen & Skiena (2014) lexicons inside ``asent``:
  GPL-3.0 and automatically built (hi "करें" "do", sw "kuwa" "to be" scored negative).

Windows: the customer's utterances sorted by start; ``t0`` = first start, ``t1`` = last end.
The start window holds those starting before ``t0 + w``, the end window those starting at or
after ``t1 - w``, with ``w = window_s``, or half the span when the customer speaks for less
than ``2 * window_s`` (then the windows split the customer's speech at its midpoint and never
overlap). A single customer utterance is both windows. ``<PLACEHOLDER>`` tokens of redaction
are removed first; a window without any word left is None, a window with words but no scored
word is 0.0. ``language`` None falls back to ``transcript.language``; "es-MX" counts as "es".
``vaderSentiment`` missing raises ``BackendUnavailable`` (it is a core dependency).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path

from qa.errors import BackendUnavailable
from qa.types import Role, Transcript, Utterance

SENTIMENT_LANGUAGES: tuple[str, ...] = ("en", "es", "fi")

_LEXICON_DIR = Path(__file__).with_name("sentiment_lexicons")
_AFINN_FILES = {"es": "AFINN-es-tidytext.txt", "fi": "AFINN-fi-165.txt"}
_IGNORE = {
    "es": {"no", "sí", "tiempo", "tipo", "mayor", "listo", "solo", "suficiente", "puesto",
           "paga", "pagado", "multa", "mancha", "caro", "cuchara", "ducha", "ventilador",
           "cubrir", "frase", "frases", "tapas", "autor", "autores", "vestíbulo", "late",
           "ominoso", "irresponsable", "fútil", "miedoso", "exasperada", "derecho", "espalda",
           "dejar", "espera", "esperar", "esperado", "sentido", "suelto", "negro", "delicado",
           "descuento", "seguro", "cargos", "cargas", "carga", "cobrar"},
    "fi": {"ei", "kuten", "asia", "asiat", "tapa", "pidä", "positiivinen", "kudos", "tuuletin",
           "kauha", "sooda", "kukko", "älykäs", "virheetön", "ikivihreä", "selkä", "tiukka",
           "tiukasti", "tietoinen", "hyväksyttävää", "ylhäältä", "kaupallinen", "raiskaava",
           "raiskaus", "pahaenteinen", "ahdistelija", "lause", "lauseet", "tekijä",
           "vaihtoehtoinen", "hiljainen", "valmiina", "käytetty", "kärsivällisesti",
           "kuunteleva", "väsymätön", "parlamentaarinen", "pentu", "kyhmy", "kinkki", "odota",
           "odottaa", "odotettu", "palkka", "maksut", "sellainen", "jonkinlainen"},
}
_NEGATORS = {
    "es": {"no", "nunca", "ni", "tampoco", "jamás"},
    "fi": {"ei", "en", "et", "emme", "ette", "eivät", "eikä", "enkä"},
}
_THANKS = {"es": {"gracias"}, "fi": {"kiitos", "kiitoksia", "kiitokset"}}
_PLACEHOLDER = re.compile(r"<[^<>]*>")
_CLAUSES = re.compile(r"[.,;:!?¡¿()\"«»…–—]+")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_MAX_PHRASE = 4


@dataclass(frozen=True)
class CustomerSentiment:
    start: float | None  # [-1, 1] over the customer's first window; None = not measurable
    end: float | None  # same over the customer's last window
    method: str  # "vader" / "afinn-es" / "afinn-fi"; "" when the language is not covered


def customer_sentiment(
    transcript: Transcript, language: str | None, window_s: float = 60.0
) -> CustomerSentiment:
    """Sentiment of the customer's first and last ``window_s`` seconds of speech."""
    lang = (language or transcript.language or "").lower().replace("_", "-").split("-")[0]
    if lang not in SENTIMENT_LANGUAGES:
        return CustomerSentiment(None, None, "")
    method = "vader" if lang == "en" else f"afinn-{lang}"
    customer = sorted(
        (u for u in transcript.utterances if u.role is Role.CUSTOMER), key=lambda u: u.start
    )
    if not customer:
        return CustomerSentiment(None, None, method)
    first, last = customer[0].start, max(u.end for u in customer)
    width = min(window_s, (last - first) / 2)
    head = [u for u in customer if u.start < first + width] or customer[:1]
    tail = [u for u in customer if u.start >= last - width and u not in head] or customer[-1:]
    return CustomerSentiment(_score(head, lang), _score(tail, lang), method)


def _score(utterances: list[Utterance], lang: str) -> float | None:
    text = " ".join(_PLACEHOLDER.sub(" ", u.text) for u in utterances)
    if not _WORD.search(text):
        return None
    if lang == "en":
        return round(float(_vader().polarity_scores(text)["compound"]), 4)
    lexicon, negators, thanks = _afinn(lang), _NEGATORS[lang], _THANKS[lang]
    total = 0.0
    for clause in _CLAUSES.split(text.lower()):
        words, i, negate_until = _WORD.findall(clause), 0, -1
        while i < len(words):
            for n in range(min(_MAX_PHRASE, len(words) - i), 0, -1):
                phrase = " ".join(words[i : i + n])
                if phrase in lexicon:
                    value = lexicon[phrase]
                    if i <= negate_until and phrase not in thanks:
                        value, negate_until = -value, -1
                    total += value
                    i += n
                    break
            else:
                if words[i] in negators:
                    negate_until = i + 3
                i += 1
    return round(total / math.sqrt(total * total + 15.0), 4)


@functools.lru_cache(maxsize=None)
def _vader():
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError as exc:
        raise BackendUnavailable(
            "English sentiment needs vaderSentiment: pip install vaderSentiment==3.3.2"
        ) from exc
    return SentimentIntensityAnalyzer()


@functools.lru_cache(maxsize=None)
def _afinn(lang: str) -> dict[str, float]:
    """The vendored AFINN list, lower-cased, duplicates averaged, ``_IGNORE`` left out."""
    values: dict[str, list[int]] = {}
    path = _LEXICON_DIR / _AFINN_FILES[lang]
    for line in path.read_text(encoding="utf-8").splitlines():
        term, _, value = line.rpartition("\t")
        term = term.strip().lower()
        if term and term not in _IGNORE[lang]:
            values.setdefault(term, []).append(int(value))
    return {term: sum(v) / len(v) for term, v in values.items()}
