"""Spoken forms in ASR text, rewritten so that pattern recognizers can see them.

``normalise`` turns number words into digits ("four five three nine" -> "4539", "double
five" -> "55", "treinta y dos" -> "32", "kaksikymmentäkahdeksan" -> "28"), native digits
into ASCII, and spelled e-mail addresses into addresses ("john dot smith at example dot
com" -> "john.smith@example.com"). The result keeps a per-character map back to the
original text, so spans found in the normalised text can be reported on the original.
Pure Python, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# letters plus the combining marks of Devanagari / Arabic script, which \w does not cover
_MARKS = r"\u0300-\u036f\u0900-\u0903\u093a-\u094f\u0955-\u0957\u0962\u0963\u064b-\u065f\u0670"
_WORD = rf"[^\W\d_](?:[^\W\d_]|[{_MARKS}])*"
WORD_RE = re.compile(_WORD)
_NATIVE_DIGITS = str.maketrans("०१२३४५६७८९" "٠١٢٣٤٥٦٧٨٩" "۰۱۲۳۴۵۶۷۸۹", "0123456789" * 3)

# kinds: u unit 1-9, z zero, w weak zero / weak word (only inside a run of number words),
# t teen or complete two-digit value, d tens, H hundreds value, h "hundred", k "thousand",
# x repeat ("double"), c connector ("and", "y") between parts of one cardinal


def _digits(words: str, weak: tuple[int, ...] = ()) -> dict[str, tuple[int, str]]:
    """Lexicon of the digit words 0-9 ("|" separates digits, spaces variants)."""
    return {w: (i, "w" if i in weak else "z" if i == 0 else "u")
            for i, ws in enumerate(words.split("|")) for w in ws.split()}


def _values(words: str, first: int, step: int, kind: str) -> dict[str, tuple[int, str]]:
    return {w: (first + step * i, kind) for i, ws in enumerate(words.split("|")) for w in ws.split()}


_EN = {**_digits("zero nought naught|one|two|three|four|five|six|seven|eight|nine"), "oh": (0, "w"),
       **_values("ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen",
                 10, 1, "t"),
       **_values("twenty|thirty|forty fourty|fifty|sixty|seventy|eighty|ninety", 20, 10, "d"),
       "hundred": (100, "h"), "thousand": (1000, "k"), "double": (2, "x"), "triple": (3, "x"),
       "and": (0, "c")}
_ES = {**_digits("cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve"),
       **_values("diez|once|doce|trece|catorce|quince|dieciséis dieciseis|diecisiete|dieciocho|"
                 "diecinueve", 10, 1, "t"),
       **_values("veintiuno veintiún|veintidós veintidos|veintitrés veintitres|veinticuatro|"
                 "veinticinco|veintiséis veintiseis|veintisiete|veintiocho|veintinueve", 21, 1, "t"),
       **_values("veinte|treinta|cuarenta|cincuenta|sesenta|setenta|ochenta|noventa", 20, 10, "d"),
       **_values("cien ciento|doscientos|trescientos|cuatrocientos|quinientos|seiscientos|"
                 "setecientos|ochocientos|novecientos", 100, 100, "H"),
       "mil": (1000, "k"), "doble": (2, "x"), "triple": (3, "x"), "y": (0, "c")}
_FI_UNITS = {w: i for i, w in enumerate(
    "nolla yksi kaksi kolme neljä viisi kuusi seitsemän kahdeksan yhdeksän".split())}
_FI_RE = re.compile(
    r"(?:(?P<hu>{u})?(?P<h>sataa?))?"
    r"(?:(?P<tu>{u})kymmentä|(?P<ten>kymmenen)|(?P<teen>{u})toista)?(?P<u>{u})?$"
    .format(u="yksi|kaksi|kolme|neljä|viisi|kuusi|seitsemän|kahdeksan|yhdeksän"))
_HI = _digits("शून्य|एक|दो|तीन|चार|पाँच पांच|छह छः छे|सात|आठ|नौ", weak=(1, 2))  # also "a", "give"
_FA = _digits("صفر|یک يک|دو|سه|چهار|پنج|شش|هفت|هشت|نه", weak=(1, 9))  # also "a", "no"
_SW = _digits("sifuri sufuri|moja|mbili|tatu|nne|tano|sita|saba|nane|tisa")
_LEXICONS = {"en": _EN, "es": _ES, "hi": _HI, "fa": _FA, "sw": _SW, "fi": {}}


def _finnish(word: str) -> tuple[int, str] | None:
    if word == "tuhat" or word == "tuhatta":
        return 1000, "k"
    if word == "nolla":
        return 0, "z"
    m = _FI_RE.match(word)
    if not m or not word or m.group(0) == "":
        return None
    g = m.groupdict()
    value = (100 * (_FI_UNITS[g["hu"]] if g["hu"] else 1) if g["h"] else 0)
    value += (10 * _FI_UNITS[g["tu"]] if g["tu"] else 10 if g["ten"] else 0)
    value += (10 + _FI_UNITS[g["teen"]] if g["teen"] else 0) + (_FI_UNITS[g["u"]] if g["u"] else 0)
    if value < 10:
        return value, "u"
    if value < 100:
        return value, "d" if value % 10 == 0 else "t"
    return value, "H" if value % 100 == 0 else "C"


def _base(language: str | None) -> str | None:
    return language.split("-")[0].split("_")[0].lower() if language else None


@lru_cache(maxsize=16)
def _lexicon(language: str | None) -> dict[str, tuple[int, str]]:
    lang = _base(language)
    if lang in _LEXICONS:
        return _LEXICONS[lang]
    merged: dict[str, tuple[int, str]] = {}
    for name in ("sw", "fa", "hi", "es", "en"):  # later wins: English over Spanish "once"
        merged.update(_LEXICONS[name])
    merged.pop("once", None)
    return merged


def number_word(word: str, language: str | None = None) -> tuple[int, str] | None:
    """(value, kind) of one number word in ``language`` (None: any supported), else None."""
    w = word.lower()
    hit = _lexicon(language).get(w)
    if hit is None and _base(language) in ("fi", None):
        hit = _finnish(w)
    return hit


@dataclass(frozen=True)
class Edit:
    """Replace original characters ``[start, end)`` by ``text``."""

    start: int
    end: int
    text: str


def _compose(tokens: list[tuple[int, str, int, int]]) -> list[Edit]:
    """Edits for one run of number words: each complete number becomes its digits."""
    edits: list[Edit] = []
    head = tail = 0
    open_from: int | None = None  # original start of the number being built
    open_to = 0
    slot: str | None = None  # what may still be added: "any" (< 100) or "unit"
    last = ""

    def flush() -> None:
        nonlocal head, tail, open_from, slot
        if open_from is not None:
            edits.append(Edit(open_from, open_to, str(head + tail)))
        head = tail = 0
        open_from, slot = None, None

    def start(value: int, s: int, e: int, new_slot: str | None) -> None:
        nonlocal tail, open_from, open_to, slot
        flush()
        tail, open_from, open_to, slot = value, s, e, new_slot

    skip = False
    for i, (value, kind, s, e) in enumerate(tokens):
        if skip or kind == "c":
            skip = False
            continue
        if kind == "w":  # weak words count like their value inside a run
            kind = "z" if value == 0 else "u"
        if kind == "x":
            flush()
            nxt = tokens[i + 1]  # _runs keeps a repeat word only before a digit
            edits.append(Edit(s, nxt[3], str(nxt[0]) * value))
            skip, last = True, "x"
            continue
        if kind == "z":
            flush()
            edits.append(Edit(s, e, "0"))
        elif kind == "u" and open_from is not None and slot in ("any", "unit"):
            tail, open_to, slot = tail + value, e, None
        elif kind in "tdHC" and open_from is not None and slot == "any" and (
                kind != "H" or tail == 0):
            tail, open_to = tail + value, e
            slot = "unit" if kind == "d" else "any" if kind == "H" else None
        elif kind == "h" and open_from is not None and last in ("u", "t") and tail < 20:
            tail, open_to, slot = tail * 100, e, "any"
        elif kind == "k" and open_from is not None and head == 0 and tail < 1000:
            head, tail, open_to, slot = max(tail, 1) * 1000, 0, e, "any"
        else:
            start(value, s, e, {"d": "unit", "h": "any", "H": "any", "k": "any"}.get(kind))
            if kind == "k":
                head, tail = 1000, 0
        last = kind
    flush()
    return edits


def _runs(text: str, language: str | None) -> list[list[tuple[int, str, int, int]]]:
    """Maximal runs of number words separated by blanks (or a hyphen inside "twenty-one")."""
    raw: list[list[tuple[int, str, int, int]]] = []
    current: list[tuple[int, str, int, int]] = []
    for m in WORD_RE.finditer(text):
        hit = number_word(m.group(), language)
        gap = text[current[-1][3]:m.start()] if current else ""
        joined = current and (gap.strip(" \t") == "" or (
            gap == "-" and current[-1][1] == "d" and hit is not None and hit[1] == "u"))
        if not joined or hit is None:
            raw.append(current)
            current = []
        if hit is not None:
            current.append((hit[0], hit[1], m.start(), m.end()))
    raw.append(current)
    runs: list[list[tuple[int, str, int, int]]] = []
    for tokens in raw:
        run: list[tuple[int, str, int, int]] = []
        for i, tok in enumerate(tokens):
            prev = run[-1][1] if run else ""
            nxt = tokens[i + 1][1] if i + 1 < len(tokens) else ""
            if tok[1] == "c" and not (prev and prev in "hkH" and nxt and nxt in "utdzH"
                                      or prev == "d" and nxt == "u"):
                runs.append(run)
                run = []
            elif tok[1] == "x" and not (nxt and nxt in "uzw"):
                runs.append(run)
                run = []
            else:
                run.append(tok)
        runs.append(run)
    return [run for run in runs if any(kind in "uztdHChk" for _, kind, _, _ in run)]


def number_edits(text: str, language: str | None = None) -> list[Edit]:
    """Edits that write the number words of ``text`` as digits, blanks between them removed."""
    edits: list[Edit] = []
    for run in _runs(text, language):
        parts = _compose(run)
        for a, b in zip(parts, parts[1:]):
            edits.append(a)
            edits.append(Edit(a.end, b.start, ""))
        edits.append(parts[-1])
    return edits


_AT = {"at", "arroba", "ät", "@"}
_DOT = {"dot", "punto", "piste"}
_SYMBOL = {"underscore": "_", "dash": "-", "hyphen": "-", "guion": "-", "guión": "-",
           "viiva": "-", "alaviiva": "_"}
_TLDS = set("com net org edu gov info biz io co me app dev online site xyz eu mobi name pro".split())
_EMAIL_TOKEN = re.compile(r"[^\W_]+(?:[._+-][^\W_]+)*|@")


def _spelled(tokens: list[tuple[str, int, int]]) -> str:
    out = []
    for word, _, _ in tokens:
        lw = word.lower()
        out.append("." if lw in _DOT else "@" if lw in _AT else _SYMBOL.get(lw, word))
    return "".join(out).lower()


def email_edits(text: str) -> list[Edit]:
    """Edits for spelled e-mail addresses: 'john dot smith at example dot com'."""
    toks = [(m.group(), m.start(), m.end()) for m in _EMAIL_TOKEN.finditer(text)]
    low = [t[0].lower() for t in toks]
    edits: list[Edit] = []
    for i in range(1, len(toks) - 1):
        if low[i] not in _AT or (edits and edits[-1].end > toks[i - 1][1]):
            continue
        j = i - 1  # local part, backwards: word ((dot|underscore|...) word)* or spelled letters
        while j >= 2 and (low[j - 1] in _DOT or low[j - 1] in _SYMBOL):
            j -= 2
        while (j >= 1 and len(low[j]) == 1 and len(low[j - 1]) == 1 and low[j - 1] not in _AT
               and text[toks[j - 1][1] - 1:toks[j - 1][1]] not in ("'", "’")):
            j -= 1
        k, domain = i + 1, [low[i + 1]]  # domain, forwards: word (dot word)+
        while k + 1 < len(toks):
            gap = text[toks[k][2]:toks[k + 1][1]]
            if k + 2 < len(toks) and low[k + 1] in _DOT and not gap.strip():
                k, domain = k + 2, domain + [".", low[k + 2]]
            elif re.fullmatch(r"[ \t]+\.[ \t]*", gap):  # ASR: "example .com" (not "work. Me")
                k, domain = k + 1, domain + [".", low[k + 1]]
            else:
                break
        tld = domain[-1].split(".")[-1]
        if "." not in "".join(domain) or not (tld in _TLDS or re.fullmatch(r"[^\W\d_]{2}", tld)):
            continue
        if any(text[toks[n][2]:toks[n + 1][1]].strip() for n in range(j, i + 1)):
            continue  # punctuation inside: not one address
        if any(low[n] in _AT for n in range(j, k + 1) if n != i) or "@" in domain:
            continue
        address = _spelled(toks[j:i]) + "@" + "".join(domain)
        if text[toks[j][1]:toks[k][2]] != address:
            edits.append(Edit(toks[j][1], toks[k][2], address))
    return edits


@dataclass(frozen=True)
class Normalised:
    """Normalised text and, per character, the original characters it stands for."""

    original: str
    text: str
    starts: tuple[int, ...] | None = None  # None: text is the original
    ends: tuple[int, ...] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` of the normalised characters ``[start, end)``."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def apply_edits(text: str, edits: list[Edit]) -> Normalised:
    """Apply non-overlapping ``edits`` and keep the character map."""
    if not edits:
        return Normalised(text, text)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for edit in sorted(edits, key=lambda e: e.start):
        if edit.start < pos:
            continue
        out.append(text[pos:edit.start])
        starts.extend(range(pos, edit.start))
        ends.extend(range(pos + 1, edit.start + 1))
        out.append(edit.text)
        starts.extend([edit.start] * len(edit.text))
        ends.extend([edit.end] * len(edit.text))
        pos = edit.end
    out.append(text[pos:])
    starts.extend(range(pos, len(text)))
    ends.extend(range(pos + 1, len(text) + 1))
    return Normalised(text, "".join(out), tuple(starts), tuple(ends))


def normalise(text: str, language: str | None = None) -> Normalised:
    """Digits for number words, addresses for spelled e-mails, with the offset map."""
    native = text.translate(_NATIVE_DIGITS)  # same length: offsets are unchanged
    edits = email_edits(native)
    taken = [(e.start, e.end) for e in edits]
    for edit in number_edits(native, language):
        if not any(s < edit.end and edit.start < e for s, e in taken):
            edits.append(edit)
    if not edits and native == text:
        return Normalised(text, text)
    result = apply_edits(native, edits)
    return Normalised(text, result.text, result.starts, result.ends)


_SAY = {"en": "zero one two three four five six seven eight nine".split(),
        "es": "cero uno dos tres cuatro cinco seis siete ocho nueve".split(),
        "fi": "nolla yksi kaksi kolme neljä viisi kuusi seitsemän kahdeksan yhdeksän".split()}


def say_digits(digits: str, language: str = "en", group: int = 0, sep: str = " ") -> str:
    """Digits as words ("4539" -> "four five three nine"), in groups of ``group`` joined by
    ``sep``; the inverse of ``normalise`` for synthetic test data."""
    words = [_SAY[language][int(d)] for d in digits]
    if not group:
        return " ".join(words)
    chunks = [" ".join(words[i:i + group]) for i in range(0, len(words), group)]
    return sep.join(chunks)
