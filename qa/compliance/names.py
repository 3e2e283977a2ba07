"""Names of people and places from one spaCy ``Doc``: the model's entities, cleaned, plus
cues that work where the small model misses names or the text has no capitals (ASR):
"my name is …", "this is … speaking", "Mr./Ms. …", "me llamo …", "mi nombre es …",
"nimeni on …", greetings ("Hi Laura"), speech verbs ("said Gladys"), relations ("my
husband John"), "First M. Last", a proper noun as the subject of a verb people do, and
the short answer to a question about the name (``context``).
"""

from __future__ import annotations

import re
from typing import Any

from qa.compliance.addresses import STRONG_SUFFIXES, UNITS
from qa.compliance.recognizers import Hit

_STRONG = (r"my name is|my name's|my full name is|name is|the name's|(?:full |first |last )?name:|"
           r"mr\.?|mrs\.?|ms\.?|miss|dr\.?|prof\.?|me llam(?:o|a|an|amos)|mi nombre es|nombre:|a nombre de|"
           r"señor|señora|señorita|sr\.|sra\.|srta\.|doña|nimeni on|nimi on|nimi:|herra|rouva|neiti")
_WEAK = (r"this is|it's|it is|i am|i'm|speaking with|speak to|speak with|ask for|"
         r"named (?:him|her|it)|called (?:him|her|me)|calls? me|called|named|under|"
         r"soy|habla|le atiende|aquí|olen|tässä|täällä|"
         r"hi|hello|hey|dear|thanks|thank you|bye|goodbye|good (?:morning|afternoon|evening)|hola|"
         r"gracias|adiós|buenos días|buenas tardes|hei|moi|kiitos|says|said|asked|told|shouted at|"
         r"replied|explained|according to|starring|directed by|written by|featuring|"
         r"(?:my|his|her|our|your|their) (?:kid|son|daughter|wife|husband|friend|mother|mom|mum|"
         r"father|dad|brother|sister|boss|colleague|partner|manager|neighbou?r|uncle|aunt|cousin|"
         r"grandson|granddaughter|grandfather|grandmother|child|boyfriend|girlfriend|fianc[eé]e?)|"
         r"mi (?:hijo|hija|esposa|esposo|marido|mujer|hermano|hermana|madre|padre|amigo|amiga|jefe)")
NAME_CUE = re.compile(rf"\b(?:(?P<strong>{_STRONG})|(?P<weak>{_WEAK})),?[ \t]+", re.I)
_AFTER = re.compile(r"[ \t]+(?:said|says|shouted|asked|told|replied|explained|speaking|here)\b")
NAME_QUESTION = re.compile(r"\b(?:name|nombre|apellidos?|nimi\w*|nimenne|nimesi)\b", re.I)
LOCATION_CUE = re.compile(
    r"\b(?:live[sd]? in|living in|moved (?:here )?(?:to|from)|relocat\w+ to|fl(?:y|ew|ying) to|"
    r"travel\w* to|born in|based in|originally from|grew up in|arrived (?:at|in)|returned to|"
    r"trip to|vivo en|vive en|asun \w+ssa)[ \t]+", re.I)
NOT_NAME = set(
    "yes yeah yep sure ok okay well hi hello hey thanks thank please sorry of course it's it is "
    "my name the a an and or but speaking calling here from with sí si claro vale hola gracias "
    "es el la soy joo kyllä ei se on olen hei kiitos no not just good fine great mister i you "
    "we they he she me us them everyone everybody someone nobody sir madam god bye goodbye "
    "adiós näkemiin".split())
ORG_WORDS = set(
    "telecom telecoms inc ltd llc plc gmbh corp corporation company co group bank insurance "
    "technologies technology solutions services systems orchestra university airlines airways "
    "energy networks holdings partners associates agency club foundation institute labs studios "
    "records media software consulting international incorporated enterprises industries".split())
_CALLING = re.compile(r"(?:calling|calling from|welcome to|llamar a|soitostasi|soitostanne)\s+$", re.I)
PERSON_VERBS = set(
    "live say shout give spend talk work call want tell ask go come love like think know feel "
    "need buy pay marry meet visit write sing play speak study teach travel move leave return "
    "arrive fly explain reply agree decide begin start join become die bear grow".split())
_BAD_POS = {"VERB", "AUX", "ADP", "DET", "PRON", "CCONJ", "SCONJ", "PART", "NUM", "PUNCT",
            "ADV", "INTJ", "SYM", "SPACE"}
_PARTICLES = {"de", "del", "van", "von", "da", "di", "ten", "der", "la", "le", "y", "dos", "das"}
_INITIAL = re.compile(r"[^\W\d_]\.?")


# A word spelled letter by letter as recognisers write it: "V -I -O -L -E -T", "K. I. N. G", "v i o l e t"
_SPELLED = re.compile(r"(?<![\w'’-])[^\W\d_](?!\w)(?:(?:[ \t]*[-.][ \t]*|[ \t]+)[^\W\d_](?!\w)){2,}")
_SPELL_CUE = re.compile(r"\b(?:spell\w*|deletre\w*|tavaa\w*)\b", re.I)
_WORD_BEFORE = re.compile(r"([^\W\d_]+)[ \t]*[,.]?[ \t]*$")
# A letter's name heard as a word just before a spelled run: "the I -O -L -E -T" is V-I-O-L-E-T.
_LETTER_HEARD = re.compile(r"\b(?:the|be|bee|see|sea|dee|gee|jay|kay|el|em|en|oh|pee|cue|are|es|tea|tee|you|vee|"
                           r"why|zed|zee|ex)[ \t]*[-.]?[ \t]*$", re.I)


def spelled_names(text: str, context: str = "") -> list[Hit]:
    """Names spelled letter by letter: three or more single letters that spell the word said
    just before ("King, K -I -N -G", which is part of the hit) or follow a name or spelling cue
    (here or in ``context``), or four or more joined by hyphens or dots anywhere. A letter's
    name heard as a word just before the run ("the" for V) is part of the hit."""
    hits = []
    for m in _SPELLED.finditer(text):
        letters = "".join(c for c in m.group() if c.isalpha())
        said = _WORD_BEFORE.search(text[:m.start()])
        echoed = said is not None and said.group(1).lower() == letters.lower()
        before = text[max(0, m.start() - 60):m.start()]
        cued = any(p.search(before) or p.search(context[-200:]) for p in (NAME_QUESTION, _SPELL_CUE))
        if echoed or cued or (len(letters) >= 4 and re.search(r"[-.]", m.group())):
            heard = None if echoed else _LETTER_HEARD.search(text[:m.start()])
            start = said.start(1) if echoed else heard.start() if heard else m.start()
            hits.append(Hit(start, m.end(), "PERSON", 0.9, "spelled_name"))
    return hits


def _address_word(word: str) -> bool:
    bare = word.lower().rstrip(".")
    return bare in UNITS or bare in STRONG_SUFFIXES or bare == "box"


def name_like(span: str) -> bool:
    """Letters, some capitalised, not only filler words."""
    words = span.split()
    return (bool(words) and not re.search(r"[\d@#/]", span) and any(w[:1].isupper() for w in words)
            and not all(w.lower().strip(".,") in NOT_NAME for w in words))


def words_after(doc: Any, pos: int, strong: bool, lower_text: bool, limit: int = 3,
                stop_words: frozenset[str] | None = None) -> tuple[int, int] | None:
    """Characters of up to ``limit`` name-like tokens starting at character ``pos``.

    ``stop_words`` is for a language the tagger does not know: then a stop word, not a
    part-of-speech tag, ends a lower-case name after a strong cue."""
    start = end = None
    count = 0
    first = _token_at(doc, pos)
    for token in doc[first:first + limit + 2]:
        word = token.text
        capital = word[:1].isupper()
        inner = start is not None
        particle = inner and word.lower() in _PARTICLES
        initial = inner and bool(_INITIAL.fullmatch(word)) and count < limit
        letters = word.replace("-", "").replace("'", "").isalpha()
        if not (letters or initial) or _address_word(word) or (
                word.lower() in NOT_NAME and (not capital or not inner)):
            break
        if stop_words is not None:
            loose = strong and word.lower() not in stop_words
        else:
            loose = strong and token.pos_ not in _BAD_POS or lower_text and token.pos_ == "PROPN"
        if not (capital or particle or initial or loose):
            break
        if start is None:
            start = token.idx
        if not particle:
            end = token.idx + len(word)
        count += 1
        if count > limit:
            break
    return (start, end) if start is not None and end is not None else None


def _token_at(doc: Any, pos: int) -> int:
    """Index of the first token starting at or after character ``pos`` (binary search)."""
    lo, hi = 0, len(doc)
    while lo < hi:
        mid = (lo + hi) // 2
        if doc[mid].idx < pos:
            lo = mid + 1
        else:
            hi = mid
    return lo


def spacy_names(doc: Any, locations: bool) -> list[Hit]:
    """spaCy PERSON (cut at line breaks, without "'s") and GPE/LOC entities."""
    hits = []
    full = doc.text  # a property that joins all tokens: once
    for ent in doc.ents:
        start, end, text = ent.start_char, ent.end_char, ent.text
        if ent.label_ == "PERSON":
            first = re.split(r"\s*\n", text)[0]
            end = start + len(first)
            if first.endswith(("'s", "’s")):
                end -= 2
            tail = re.match(r"-[^\W\d_]+", full[end:end + 40])
            end += tail.end() if tail else 0
            words = full[start:end].lower().replace(".", "").split()
            if name_like(full[start:end]) and not (words and words[-1] in ORG_WORDS) \
                    and not _CALLING.search(full[max(0, start - 25):start]):
                hits.append(Hit(start, end, "PERSON", 0.85, "spacy"))
        elif ent.label_ in ("GPE", "LOC") and locations and text[:1].isupper():
            hits.append(Hit(start, end, "LOCATION", 0.7, "spacy"))
    return hits


def stop_words(language: str | None) -> frozenset[str]:
    """spaCy's stop words for ``language`` (shipped with spaCy itself, no model needed)."""
    import spacy.util

    try:
        return frozenset(spacy.util.get_lang_class(language or "en").Defaults.stop_words)
    except (ImportError, KeyError):
        return frozenset()


def cue_names(text: str, doc: Any, context: str = "", parsed: bool = True,
              stops: frozenset[str] | None = None) -> list[Hit]:
    """PERSON after name cues; with ``parsed`` (the model knows the language) also
    "First M. Last", the subject of a verb people do, a vocative, conjoined names."""
    lower_text = not any(c.isupper() for c in text)
    hits = []
    for m in NAME_CUE.finditer(text):
        strong = m.group("strong") is not None
        found = words_after(doc, m.end(), strong, lower_text, stop_words=stops)
        if found:
            hits.append(Hit(*found, "PERSON", 0.9 if strong else 0.75, "name_cue"))
    cued = bool(hits)
    previous_capital = False
    for token in doc if parsed else ():
        capital = token.text[:1].isupper() and token.is_alpha
        first = (capital and not previous_capital and token.pos_ == "PROPN"
                 and token.text.lower() not in NOT_NAME)
        previous_capital = capital
        found = words_after(doc, token.idx, False, lower_text) if first else None
        span = doc.char_span(*found, alignment_mode="expand") if found else None
        if span is None:
            continue
        initial = any(_INITIAL.fullmatch(t.text) for t in span[1:-1])
        subject = any(t.dep_ == "nsubj" and t.pos_ == "PROPN" and t.head.lemma_ in PERSON_VERBS
                      and not t.ent_type_ for t in span)
        vocative = token.is_sent_start and token.pos_ == "PROPN" and re.match(
            r",\s+(?:can|could|would|will|do|did|are|is|have|please)\b", text[found[1]:], re.I)
        if initial or subject or vocative or _AFTER.match(text, found[1]):
            hits.append(Hit(*found, "PERSON", 0.75, "name_cue"))
    for token in doc if parsed else ():  # "Torpy and Salinas were …": joined to a person
        other = token.head if token.dep_ == "conj" else None
        if other is None or not (token.pos_ == other.pos_ == "PROPN"):
            continue
        for a, b in ((token, other), (other, token)):
            if a.ent_type_ == "PERSON" and not b.ent_type_ and b.text[:1].isupper() and b.is_alpha:
                hits.append(Hit(b.idx, b.idx + len(b.text), "PERSON", 0.7, "name_cue"))
    if not parsed:
        hits += _capitalised_pairs(text, doc, stops or frozenset())
    if context and not cued and NAME_QUESTION.search(context[-200:]) and len(doc) <= 10:
        for token in doc:
            if token.text[:1].isupper() and token.text.lower() not in NOT_NAME and token.is_alpha:
                found = words_after(doc, token.idx, False, lower_text)
                if found:
                    hits.append(Hit(*found, "PERSON", 0.8, "name_answer"))
                break
    return hits


def _capitalised_pairs(text: str, doc: Any, stops: frozenset[str]) -> list[Hit]:
    """"Lucía Fernández": two or three capitalised words, for languages that capitalise
    little else (used where spaCy's model is for another language)."""
    from qa.compliance.addresses import countries

    hits, run = [], []
    for token in [*doc, None]:
        if token is not None and token.is_alpha and token.text[:1].isupper() \
                and token.text.lower() not in stops and token.text.lower() not in NOT_NAME:
            run.append(token)
            continue
        start, end = (run[0].idx, run[-1].idx + len(run[-1].text)) if run else (0, 0)
        if 2 <= len(run) <= 3 and run[-1].text.lower() not in ORG_WORDS \
                and text[start:end] not in countries() and not _CALLING.search(text[max(0, start - 25):start]):
            hits.append(Hit(start, end, "PERSON", 0.6, "name_shape"))
        run = []
    return hits


def cue_locations(text: str, doc: Any) -> list[Hit]:
    """LOCATION after "lives in", "flew to", "arrived at", "vivo en", …"""
    lower_text = not any(c.isupper() for c in text)
    hits = []
    for m in LOCATION_CUE.finditer(text):
        found = words_after(doc, m.end(), False, lower_text, limit=2)
        if found:
            hits.append(Hit(*found, "LOCATION", 0.65, "location_cue"))
    return hits
