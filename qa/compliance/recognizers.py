"""Recognizers for numbers and identifiers in (normalised) text: cards, phones, IBANs, SSNs,
card security codes and expiry dates, driver's licences.

They work on text where spoken digits are already digits (see ``spoken.normalise``) and
accept the groupings people and ASR produce: "4539 1488 0343 6467", "4539-1488-…",
"4539, 1488, 0343, 6467", "4539... 1488". Every number is checked: Luhn and the issuer's
prefix and length for cards, ISO 7064 for IBANs, ``phonenumbers`` for phones.
"""

from __future__ import annotations

import re
from typing import Callable, NamedTuple

import phonenumbers
from stdnum import iban, luhn
from stdnum.us import ssn


class Hit(NamedTuple):
    """A candidate span in the text that was searched."""

    start: int
    end: int
    type: str
    score: float
    recognizer: str


PHONE_REGIONS = ("US", "GB", "ES", "FI", "DE", "FR", "IT", "NL", "BE", "SE", "NO", "DK", "PT",
                 "IE", "CH", "AT", "PL", "AU", "CA", "IN", "MX", "BR", "AR", "ZA")

# a dash after a comma too: a number read over two utterances is joined with ", " ("888 -333, -2222")
_SEP = r"(?:[ \t]*(?:\.\.\.|…|[-–—.,/])(?:[ \t]*[-–—])?[ \t]*|[ \t]+)"
_RUN = re.compile(rf"(?<![\w+.])(?<!\d[,/-])\+?\(?\d+\)?(?:{_SEP}?\(?\d+\)?)*(?!\d)")
_EXTENSION = re.compile(r"[ \t]*(?:x|ext\.?|extension)[ \t]*\d{1,5}\b", re.I)
_DATE = re.compile(r"(?<![\d.,/-])(?:(\d{4})-(\d\d)-(\d\d)|(\d\d?)([./-])(\d\d?)\5(\d{4}|\d\d))"
                   r"(?![\d]|[.,/-]\d)")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1?\d?\d)"
_IPV4 = re.compile(rf"(?<![\d.])(?:{_OCTET}\.){{3}}{_OCTET}(?![\d.]|\.\d)")
_MONEY = re.compile(r"^\s*(?:€|\$|£|%|euros?|dollars?|pounds?|cents?|euroa?|dólar(?:es)?|"
                    r"pesos?|usd|eur|gbp|percent|por ciento|prosenttia)\b|[€$£]\s*$", re.I)


def _cue(*words: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(words) + r")\b", re.I)


CARD_CUE = _cue(r"cards?", "credit", "debit", "visa", "master ?card", "amex", "american express",
                "maestro", "discover", "cc", "tarjetas?", r"kort\w*")
CVV_CUE = _cue(r"cvv2?", r"cvc2?", "cv2", "cid", r"security (?:code|number|digits)",
               r"card verification(?: code| value| number)?", r"verification (?:code|value|number)",
               r"(?:digits|code|number)s? on the back", r"on the back of (?:the|your|my) card",
               r"c[oó]digo de (?:seguridad|verificaci[oó]n)", r"c[oó]digo cvv",
               r"(?:en el|del|al) (?:reverso|dorso)", r"turvakoodi\w*", r"tarkiste\w*",
               r"tarkistus\w*", "kortin takana", r"takapuole\w*")
EXPIRY_CUE = _cue(r"expir\w*", r"exp", r"valid (?:thru|through|until|till|to)", "good thru",
                  r"caducidad", r"caduca\w*", r"vencimiento", r"vence\w*", r"expiraci[oó]n",
                  r"v[aá]lid[ao] hasta", r"voimassa\w*", r"vanhene\w*", r"umpeutu\w*")
PHONE_CUE = _cue(r"phones?", "telephone", "tel", "mobile", "cell(?:phone)?", "fax", "landline",
                 "office", r"call(?:ing)?(?: \w+)? (?:at|on)", "reach (?:me|us)", "whats ?app",
                 "sms", r"text(?: me)?", r"messages? to", "answering at", "contact number",
                 r"tel[eé]fonos?", r"m[oó]vil", "celular", "fijo", "llamar al", r"puhelin\w*",
                 r"numero\w*", r"kännykkä\w*", r"liittymä\w*", r"matkapuhelin\w*")
ID_CUE = _cue(r"(?:order|invoice|reference|ref|ticket|case|booking|tracking|confirmation|serial|"
              r"model|transaction)(?: number| no\.?| id| #)?",
              r"pedido", r"factura", r"referencia", r"tilaus\w*", r"lasku\w*", r"viite\w*")
# a person's own identifier with a business: masked as ACCOUNT_NUMBER (an order number is not)
ACCOUNT_CUE = _cue(r"(?:account|customer|member(?:ship)?|policy|client) (?:number|no\.?|id|#)",
                   r"n[uú]mero de (?:cuenta|cliente|socio|p[oó]liza)", r"asiakasnumero\w*", r"tilinumero\w*",
                   r"j[äa]sennumero\w*")
SSN_CUE = _cue("ssn", r"social security(?: number)?", "social", "seguro social", "seguridad social")
LICENSE_CUE = re.compile(
    r"\b(?:driver'?s?|driving) licen[cs]e(?: number| no\.?| #)?(?: is| was|:)?\s*"
    r"|\bDL\s*(?:#|no\.?|number)?:?\s*", re.I)
_MONTHS = ("jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
           "oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|enero|febrero|marzo|abril|mayo|junio|julio|agosto|"
           "se?tiembre|octubre|noviembre|diciembre|tammi\\w*|helmi\\w*|maalis\\w*|huhti\\w*|touko\\w*|"
           "kesä\\w*|heinä\\w*|elo\\w*|syys\\w*|loka\\w*|marras\\w*|joulu\\w*")
_MONTH_YEAR = re.compile(rf"\b(?:{_MONTHS})\s*(?:de\s+|of\s+)?(?:20)?\d\d\b", re.I)
_IBAN = re.compile(r"\b([A-Z])[ .]?([A-Z])[ \t]?(\d)[ \t]?(\d)((?:[ \t,.-]{0,3}[A-Z0-9]){10,32})", re.I)
_LICENSE = re.compile(r"[A-Z0-9](?:[A-Z0-9-]{3,18})[A-Z0-9]\b", re.I)


def card_ok(digits: str) -> bool:
    """Issuer prefix, length and Luhn check digit of a payment card number."""
    n = len(digits)
    if not 12 <= n <= 19 or not luhn.is_valid(digits):
        return False
    first = digits[0]
    if first in "345":
        return n >= 13 or digits[:2] in ("50", "56", "57", "58")
    if first == "6":
        return True
    if first == "2":
        return (n == 16 and "2221" <= digits[:4] <= "2720") or (
            n == 15 and digits[:4] in ("2131", "2014", "2149"))
    return first == "1" and n == 15


def ssn_ok(area: str, group: str, serial: str) -> bool:
    """The US SSN rules (stdnum): no 000, 666 or 9xx area, no 00 group, no 0000 serial, …"""
    shape = (len(area), len(group), len(serial)) == (3, 2, 4)
    return shape and ssn.is_valid(area + group + serial)


def _phone(raw: str, plus: bool) -> tuple[bool, bool]:
    """(valid in some region, possible in some region) for the phone number ``raw``."""
    possible = False
    for region in (None,) if plus else PHONE_REGIONS:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True, True
        possible = possible or phonenumbers.is_possible_number(number)
    return False, possible


class _Run(NamedTuple):
    groups: list[tuple[str, int, int]]  # digits, start, end
    plus: bool

    def digits(self) -> str:
        return "".join(g[0] for g in self.groups)

    def sub(self, i: int, j: int) -> "_Run":
        return _Run(self.groups[i:j], self.plus and i == 0)


def _nearest(cues: dict[str, list[tuple[int, int]]], start: int, end: int) -> list[str]:
    """Cue kinds near ``[start, end)``, nearest preceding first (context cues count as far)."""
    scored = []
    for kind, spans in cues.items():
        for s, e in spans:
            if e <= start and start - e <= 80:
                scored.append((start - e, kind))
            elif s >= end and s - end <= 30:
                scored.append((100 + s - end, kind))
            elif s < 0:
                scored.append((500, kind))
    return [kind for _, kind in sorted(scored)]


_DICTATED = re.compile(r"\d{1,3}(?:(?:[ \t]*[,.;:-]?[ \t]+|[ \t]*,?[ \t]+[^\W\d_]{1,7}[,.]?[ \t]+)\d{1,3})+")


def dictated_hits(text: str, spoken: Callable[[int], bool]) -> list[Hit]:
    """Digits read out a few at a time, with a word the recogniser got wrong between them
    ("61 más, 3, 4, 5, 6, 7, 8" for "seis uno dos, tres…"): six or more digits, all said as
    words (``spoken(position)``), are an identifier to mask even when no pattern validates it."""
    hits = []
    for m in _DICTATED.finditer(text):
        positions = [m.start() + i for i, c in enumerate(m.group()) if c.isdigit()]
        if len(positions) >= 6 and all(spoken(p) for p in positions):
            hits.append(Hit(m.start(), m.end(), "PHONE_NUMBER", 0.5, "dictated_digits"))
    return hits


def number_hits(text: str, context: str = "") -> list[Hit]:
    """Cards, SSNs, phones, security codes and expiry dates in digit runs of ``text``."""
    dates = [m.span() for m in _DATE.finditer(text) if _date_ok(m)]
    dates += [m.span() for m in _IPV4.finditer(text)]
    ctx = context[-300:]
    cues: dict[str, list[tuple[int, int]]] = {}
    for kind, cue in (("cvv", CVV_CUE), ("expiry", EXPIRY_CUE), ("phone", PHONE_CUE),
                      ("ssn", SSN_CUE), ("card", CARD_CUE), ("id", ID_CUE), ("account", ACCOUNT_CUE)):
        spans = [m.span() for m in cue.finditer(text)]
        spans += [(-1, -1)] if ctx and kind != "id" and cue.search(ctx) else []
        if spans:
            cues[kind] = spans
    runs = []
    for m in _RUN.finditer(text):
        if not any(s < m.end() and m.start() < e for s, e in dates):
            groups = [(g.group(), m.start() + g.start(), m.start() + g.end())
                      for g in re.finditer(r"\d+", m.group())]
            runs.append(_Run(groups, m.group().startswith("+")))
    hits: list[Hit] = []
    chain_end, chain = -1, None  # numbers said right after a card number: expiry, then code
    for run in runs:
        after = chain if 0 <= run.groups[0][1] - chain_end <= 40 else None
        found = _classify(run, text, cues, after)
        hits.extend(found)
        card_data = [h for h in found if h.type in ("CREDIT_CARD", "CARD_EXPIRY")]
        if card_data:
            chain_end = card_data[-1].end
            chain = "card" if card_data[-1].type == "CREDIT_CARD" else "expiry"
    for m in _MONTH_YEAR.finditer(text):
        if "expiry" in _nearest(cues, m.start(), m.end())[:1]:
            hits.append(Hit(m.start(), m.end(), "CARD_EXPIRY", 0.8, "card_expiry"))
    return hits


def _date_ok(m: re.Match[str]) -> bool:
    if m.group(1):
        return 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31
    a, b = int(m.group(4)), int(m.group(6))
    return 1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12) and len(m.group(7)) == 4


def _classify(run: _Run, text: str, cues: dict[str, list[tuple[int, int]]],
              after: str | None = None) -> list[Hit]:
    """What the digit run is; ``after`` is "card" or "expiry" when it follows one closely."""
    groups = run.groups
    n = len(groups)
    for length in range(n, 0, -1):  # the longest card inside the run, then what is left
        for i in range(0, n - length + 1):
            digits = "".join(g[0] for g in groups[i:i + length])
            rest = len(run.digits()) - len(digits)  # e.g. expiry and code read on: a few digits
            if card_ok(digits) and (len(digits) > 12 or "card" in cues) and rest <= 12:
                hit = Hit(groups[i][1], groups[i + length - 1][2], "CREDIT_CARD", 1.0, "card")
                return (_classify(run.sub(0, i), text, cues) + [hit]
                        + _classify(run.sub(i + length, n), text, cues, "card"))
    if not groups:
        return []
    digits = run.digits()
    start, end = groups[0][1], groups[-1][2]
    near = _nearest(cues, start, end)
    lengths = [len(g[0]) for g in groups]
    if lengths == [3, 2, 4] and ssn_ok(*(g[0] for g in groups)):
        return [Hit(start, end, "US_SSN", 0.85, "us_ssn")]
    if len(digits) == 9 and "ssn" in near[:1] and ssn_ok(digits[:3], digits[3:5], digits[5:]):
        return [Hit(start, end, "US_SSN", 0.7, "us_ssn")]
    card_kind = next((k for k in near if k in ("cvv", "expiry")), None)
    if card_kind == "expiry" and _expiry_ok(groups):
        return [Hit(start, end, "CARD_EXPIRY", 0.85, "card_expiry")]
    after_card = after == "card"
    if after_card and _expiry_ok(groups, strict=True) and (n == 2 or "/" in text[start:end]):
        return [Hit(start, end, "CARD_EXPIRY", 0.7, "card_expiry")]
    if (card_kind == "expiry" or after_card) and n > 1 and _expiry_ok(groups[:-1], after_card) \
            and len(groups[-1][0]) in (3, 4):
        return [Hit(start, groups[-2][2], "CARD_EXPIRY", 0.7, "card_expiry"),
                Hit(groups[-1][1], end, "CARD_SECURITY_CODE", 0.7, "card_security_code")]
    if (card_kind == "cvv" or after == "expiry") and len(digits) in (3, 4):
        return [Hit(start, end, "CARD_SECURITY_CODE", 0.85, "card_security_code")]
    if near[:1] == ["account"] and len(digits) >= 4 and any(0 <= start - e <= 25 or e < 0 for _, e in cues["account"]):
        return [Hit(start, end, "ACCOUNT_NUMBER", 0.8, "account_number")]
    if any(e <= start and start - e <= 25 for _, e in cues.get("id", [])) and near[:1] == ["id"]:
        return []  # "order number 2024-001234"
    if near[:1] == ["card"] and 13 <= len(digits) <= 19 and n >= 3:
        # a card number read out in groups that the recogniser got a digit wrong in ("4539 148
        # 0343 6467"): still card data, masked and flagged as such (PCI DSS)
        return [Hit(start, end, "CREDIT_CARD", 0.7, "card_misheard")]
    return _phone_hit(run, text, near)


def _expiry_ok(groups: list[tuple[str, int, int]], strict: bool = False) -> bool:
    """Month and year ("09 28", "09/2028", "0928", "928"); ``strict``: two-digit month, 20xx."""
    digits = "".join(g[0] for g in groups)
    if len(groups) == 2 and len(groups[1][0]) in (2, 4):
        month, year = groups[0][0], groups[1][0]
    elif len(groups) == 1 and len(digits) in (3, 4, 6):
        month, year = (digits[:-2], digits[-2:]) if len(digits) < 6 else (digits[:2], digits[2:])
    else:
        return False
    if strict and (len(month) != 2 or not 20 <= int(year[-2:]) <= 49):
        return False
    return 1 <= int(month) <= 12 and len(month) <= 2 and (len(year) == 2 or year.startswith("20"))


def _phone_hit(run: _Run, text: str, near: list[str]) -> list[Hit]:
    groups = run.groups
    digits = run.digits()
    start, end = groups[0][1] - run.plus, groups[-1][2]
    if text[start:start + 1] != "+" and text[start - 1:start] == "(":
        start -= 1
    if text[end:end + 1] == ")":
        end += 1
    if not 7 <= len(digits) <= 15 or _MONEY.search(text[end:end + 12]) \
            or _MONEY.search(text[max(0, start - 3):start]):
        return []
    seps = [text[a[2]:b[1]] for a, b in zip(groups, groups[1:])]
    thousands = seps and all(s == "," for s in seps) and all(len(g[0]) == 3 for g in groups[1:])
    ext = _EXTENSION.match(text, end)
    if ext:
        end = ext.end()
    raw = ("+" if run.plus else "") + digits
    if raw.startswith("00") and len(digits) > 9:
        raw = "+" + digits[2:]
    valid, possible = _phone(raw, raw.startswith("+"))
    cue = "phone" in near
    if raw.startswith("+") and possible:
        return [Hit(start, end, "PHONE_NUMBER", 0.9 if valid else 0.7, "phone")]
    if thousands and not cue:
        return []
    if cue and possible:
        return [Hit(start, end, "PHONE_NUMBER", 0.8 if valid else 0.6, "phone")]
    shaped = len(groups) >= 3 or (len(groups) == 2 and any(s.strip() in "-.)" for s in seps if s.strip()))
    if valid and len(groups) > 1 or shaped and possible:
        return [Hit(start, end, "PHONE_NUMBER", 0.6 if valid else 0.45, "phone")]
    if digits[0] == "0" and digits[1] != "0" and 9 <= len(digits) <= 12 and possible:
        return [Hit(start, end, "PHONE_NUMBER", 0.45, "phone")]  # national trunk prefix: 0770…
    return []


def iban_hits(text: str) -> list[Hit]:
    """IBANs (checksum-valid), also spelled with spaces, dashes or commas between groups."""
    hits = []
    for m in _IBAN.finditer(text):
        body = m.group(5)
        chunks = [c.end() for c in re.finditer(r"[A-Z0-9]", body, re.I)]
        compact = "".join(m.groups()[:4]) + re.sub(r"[^A-Z0-9]", "", body, flags=re.I)
        for k in range(len(compact), 14, -1):
            if iban.is_valid(compact[:k]):
                hits.append(Hit(m.start(), m.start(5) + chunks[k - 5], "IBAN_CODE", 1.0, "iban"))
                break
    return hits


def license_hits(text: str) -> list[Hit]:
    """US driver's licence numbers right after a "driver's license (number) is" cue."""
    hits = []
    for m in LICENSE_CUE.finditer(text):
        lic = _LICENSE.match(text, m.end())
        if lic and sum(c.isdigit() for c in lic.group()) >= 4:
            hits.append(Hit(lic.start(), lic.end(), "US_DRIVER_LICENSE", 0.8, "us_driver_license"))
    return hits
