"""Personal-data detection: Presidio's defaults against ``qa.compliance.pii.PiiDetector``.

    .venv/bin/python benchmarks/pii.py [--data ../shared/data] [--limit N] [--errors K]

1. ``presidio-synth/dev.json`` (750 sentences), scored as ``../shared/data/README.md``
   says: tokens are ``\\w+`` or one other non-space character; each token takes the group
   of the first gold (resp. predicted) span covering it, spans of other types dropped
   first; micro P/R/F2 over the tokens of the groups NAME, ADDRESS, CARD, PHONE, EMAIL,
   IBAN, ID, and the same per group. Skipped with a message when the data is absent.
2. Card numbers generated here (Luhn-valid Visa/Mastercard/Amex/Discover/Diners), written
   in many spoken and written forms in English, Spanish and Finnish: recall must be 100 %;
   and negatives (Luhn-failing order numbers, money, dates) that must give no card.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from stdnum import luhn  # noqa: E402

from qa.compliance.pii import PiiDetector, nlp_engine, offline_presidio  # noqa: E402
from qa.compliance.spoken import say_digits  # noqa: E402

GROUPS = {"PERSON": "NAME", "STREET_ADDRESS": "ADDRESS", "GPE": "ADDRESS", "ZIP_CODE": "ADDRESS",
          "LOCATION": "ADDRESS", "CREDIT_CARD": "CARD", "PHONE_NUMBER": "PHONE",
          "EMAIL_ADDRESS": "EMAIL", "IBAN_CODE": "IBAN", "IBAN": "IBAN", "US_SSN": "ID",
          "US_DRIVER_LICENSE": "ID"}
TOKEN = re.compile(r"\w+|[^\w\s]")


def token_groups(text: str, spans: list[tuple[int, int, str]]) -> list[str | None]:
    """The group of each token: that of the first span (of a scored type) covering it."""
    spans = [s for s in spans if s[2] in GROUPS]
    out = []
    for m in TOKEN.finditer(text):
        a, b = m.span()
        out.append(next((GROUPS[t] for s, e, t in spans if s < b and a < e), None))
    return out


def score(texts: list[str], gold: list[list[tuple[int, int, str]]],
          pred: list[list[tuple[int, int, str]]]) -> dict[str, tuple[float, float, float, int]]:
    """{group or "micro": (precision, recall, F2, gold tokens)} over all texts."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for text, g_spans, p_spans in zip(texts, gold, pred):
        for g, p in zip(token_groups(text, g_spans), token_groups(text, p_spans)):
            if g and g == p:
                tp[g] += 1
                continue
            if g:
                fn[g] += 1
            if p:
                fp[p] += 1
    out = {}
    for group in ["micro", *sorted(set(GROUPS.values()))]:
        t, f, n = ((sum(tp.values()), sum(fp.values()), sum(fn.values())) if group == "micro"
                   else (tp[group], fp[group], fn[group]))
        p = t / (t + f) if t + f else 0.0
        r = t / (t + n) if t + n else 0.0
        f2 = 5 * p * r / (4 * p + r) if p + r else 0.0
        out[group] = (p, r, f2, t + n)
    return out


def presidio_default():
    """Presidio's AnalyzerEngine with all default recognizers and the small English model."""
    from presidio_analyzer import AnalyzerEngine

    offline_presidio()
    engine = AnalyzerEngine(nlp_engine=nlp_engine(), supported_languages=["en"])
    return lambda text: [(r.start, r.end, r.entity_type) for r in engine.analyze(text, language="en")]


def timed(fn, texts):
    started = time.perf_counter()
    out = [fn(t) for t in texts]
    return out, (time.perf_counter() - started) / max(len(texts), 1) * 1000


def synth(data: Path, detector: PiiDetector, limit: int | None, errors: int) -> None:
    path = data / "presidio-synth" / "dev.json"
    if not path.is_file():
        print(f"[skip] {path} not found: no presidio-synth benchmark")
        return
    rows = json.loads(path.read_text())[:limit]
    texts = [r["full_text"] for r in rows]
    gold = [[(s["start_position"], s["end_position"], s["entity_type"]) for s in r["spans"]] for r in rows]
    default, default_ms = timed(presidio_default(), texts)
    ours_spans, ours_ms = timed(lambda t: detector.find(t, "en"), texts)
    started = time.perf_counter()
    assert detector.find_all(texts, "en") == ours_spans
    batch_ms = (time.perf_counter() - started) / len(texts) * 1000
    ours = [[(s.start, s.end, s.type) for s in spans] for spans in ours_spans]
    a, b = score(texts, gold, default), score(texts, gold, ours)
    print(f"presidio-synth dev.json: {len(rows)} sentences, token-level (README scoring)")
    print(f"{'group':8} {'tokens':>6} | {'Presidio default P/R/F2':>24} | {'ours P/R/F2':>20}")
    for group in a:
        (p1, r1, f1, n), (p2, r2, f2, _) = a[group], b[group]
        print(f"{group:8} {n:6d} | {p1:6.3f} {r1:6.3f} {f1:6.3f}       | {p2:6.3f} {r2:6.3f} {f2:6.3f}")
    print(f"time per sentence: Presidio default {default_ms:.1f} ms, ours {ours_ms:.1f} ms "
          f"(find), {batch_ms:.1f} ms (find_all, spaCy in batches)")
    if errors:
        shown = 0
        for text, g, p in zip(texts, gold, ours):
            if token_groups(text, g) != token_groups(text, p) and shown < errors:
                shown += 1
                print("--", repr(text[:300]))
                print("   gold:", [(text[s:e], t) for s, e, t in g if t in GROUPS])
                print("   ours:", [(text[s:e], t) for s, e, t in p])


ISSUERS = [("4", 16), ("4", 13), ("51", 16), ("55", 16), ("2221", 16), ("2720", 16), ("34", 15),
           ("37", 15), ("6011", 16), ("65", 16), ("36", 14), ("35", 16)]
CARRIERS = {
    "en": ["{}", "My card number is {}.", "It's {}, is that right?", "sure, the number is {} thanks",
           "Let me read that back: {}, is that correct?"],
    "es": ["{}", "El número de mi tarjeta es {}.", "Sí, es el {}, gracias."],
    "fi": ["{}", "Kortin numero on {}.", "Se on {}, kiitos."],
}


def luhn_number(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


def written_forms(number: str, rng: random.Random) -> list[tuple[str, str]]:
    """(language, how the number is said or written) for one card number."""
    fours = [number[i:i + 4] for i in range(0, len(number), 4)]
    amex = [number[:4], number[4:10], number[10:]] if len(number) == 15 else fours
    forms = [("en", number), ("en", " ".join(fours)), ("en", "-".join(fours)), ("en", " ".join(amex)),
             ("en", ", ".join(fours)), ("en", ". ".join(fours)), ("en", "... ".join(fours))]
    for lang in ("en", "es", "fi"):
        forms += [(lang, say_digits(number, lang)), (lang, say_digits(number, lang, 4, ", ")),
                  (lang, say_digits(number, lang, 4, "... ")), (lang, say_digits(number, lang, 4, "… ")),
                  (lang, say_digits(number, lang, 3, ", "))]
        mixed = [say_digits(g, lang) if i % 2 else g for i, g in enumerate(fours)]
        forms.append((lang, ", ".join(mixed)))
    return forms


def card_cases(seed: int = 7, per_issuer: int = 3) -> list[tuple[str, str, int, int]]:
    """(language, text, start, end) of generated card numbers in sentences."""
    rng = random.Random(seed)
    cases = []
    for prefix, length in ISSUERS:
        for _ in range(per_issuer):
            number = luhn_number(rng, prefix, length)
            for lang, form in written_forms(number, rng):
                template = rng.choice(CARRIERS[lang])
                start = template.index("{}")
                cases.append((lang, template.format(form), start, start + len(form)))
    return cases


NEGATIVES = [
    ("en", "Your order number is 4539 1488 0343 6468."), ("en", "The order id is 1234567890123456."),
    ("en", "Reference number four five three nine, one four eight eight, "
           "zero three four three, six four six eight."),
    ("en", "I was charged forty two euros twice."), ("en", "The total was 1,234,567.89 dollars."),
    ("en", "It cost $4,539.14 last month."), ("en", "The bill dated 12/05/2024 was wrong."),
    ("en", "It was due on the fifth of May 2024."), ("en", "call me tomorrow at nine"),
    ("es", "El pedido número cuatro cinco tres nueve, uno cuatro ocho ocho, "
           "cero tres cuatro tres, seis cuatro seis ocho."),
    ("es", "Me cobraron quince euros el 3 de marzo de 2024."), ("fi", "Tilausnumero on 4539 1488 0343 6468."),
    ("fi", "Summa on sataviisikymmentä euroa, eräpäivä 15.12.2024."),
]


def cards(detector: PiiDetector) -> None:
    cases = card_cases()
    missed = []
    started = time.perf_counter()
    for lang, text, start, end in cases:
        spans = detector.find(text, lang)
        if not any(s.type == "CREDIT_CARD" and s.start == start and s.end == end for s in spans):
            missed.append((lang, text, [(text[s.start:s.end], s.type) for s in spans]))
    ms = (time.perf_counter() - started) / len(cases) * 1000
    found = len(cases) - len(missed)
    print(f"generated card numbers: recall {found}/{len(cases)} = {found / len(cases):.1%} "
          f"(exact span; {len(ISSUERS)} issuer kinds, en/es/fi, digits and words; {ms:.1f} ms each)")
    for miss in missed[:10]:
        print("   missed:", miss)
    bad = [(t, [(t[s.start:s.end], s.type) for s in spans]) for lang, t in NEGATIVES
           if (spans := [s for s in detector.find(t, lang) if s.type == "CREDIT_CARD"])]
    print(f"negatives (Luhn-failing numbers, money, dates): "
          f"{len(NEGATIVES) - len(bad)}/{len(NEGATIVES)} without a card")
    for b in bad:
        print("   false card:", b)


def sample_calls(detector: PiiDetector) -> None:
    """Time per utterance on the sample calls (each with the previous utterance as context)."""
    utterances = 0
    started = time.perf_counter()
    for path in sorted((REPO / "sample_audio").glob("*.json")):
        call = json.loads(path.read_text())
        texts = [u["text"] for u in call["utterances"]]
        for text, context in zip(texts, [""] + texts[:-1]):
            detector.find(text, call["language"], context)
        utterances += len(texts)
    if utterances:
        ms = (time.perf_counter() - started) / utterances * 1000
        print(f"sample calls: {utterances} utterances, {ms:.1f} ms per utterance (find)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--errors", type=int, default=0, help="print this many sentences we got wrong")
    args = parser.parse_args()
    started = time.perf_counter()
    detector = PiiDetector()
    print(f"PiiDetector loaded in {time.perf_counter() - started:.1f} s")
    synth(args.data, detector, args.limit, args.errors)
    cards(detector)
    sample_calls(detector)


if __name__ == "__main__":
    main()
