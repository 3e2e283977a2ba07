"""Street addresses in free text, for many countries' conventions, without a model.

Words are classed (house number, street suffix such as "Street"/"Rd", street type before
the name such as "Calle"/"Rue"/"ul.", compound street words such as "Koskikatu"/
"Hammarvägen"/"Brixtonlaan", unit "Apt."/"Suite", PO box, military PSC/APO, state,
country, capitalised word, …) into one letter each; address shapes are regular
expressions over that string of letters. A street core (number + name + suffix, type +
name + number, name + number after an address cue, PO box, …) is then extended over what
usually follows it: unit, postcode, city, state, country, across commas and line breaks.
"""

from __future__ import annotations

import re
from functools import lru_cache

from qa.compliance.recognizers import Hit

BOTH_WAYS = set("avenue ave av avda boulevard blvd bd place route chemin".split())
STRONG_SUFFIXES = set(
    "street st str road rd lane ln drive dr court ct crescent cres u. krt. rkp. sétány fasor "
    "terrace terr parkway pkwy highway hwy expressway freeway turnpike circle cir plaza sq "
    "square alley aly mews grove gardens wharf quay esplanade promenade close strasse straße "
    "weg gasse platz allee straat laan plein gracht kade gatan gata vägen väg gade vej veien "
    "vei vegen terrasse tie katu kuja polku utca út útja tér körút ulice náměstí třída vegur "
    "stræti gränd stig".split())
WEAK_SUFFIXES = set(
    "way walk park point view green greens hill hills run row path pass trail loop ridge forge "
    "forges fork forks union unions squares brook brooks bridge branch camp canyon cape center "
    "centre common corner corners course cove creek crest crossing curve dale dam divide "
    "estate estates extension falls ferry field fields flat flats ford forest fort garden "
    "gateway glen harbor harbour haven heights hollow inlet island isle junction key knoll "
    "lake lakes landing light lock lodge manor meadow meadows mill mills mission mount "
    "mountain neck orchard oval pike pine pines plain plains port prairie ranch rapids rest "
    "river route shore shores spring springs spur station stream summit trace track tunnel "
    "valley viaduct village ville vista wall wells wood woods rise bay place".split())
PREFIX_TYPES = set(
    "calle c/ avenida avda avd paseo pº plaza pza camino carretera ctra carrera calzada ronda "
    "travesía travesia rambla glorieta rua travessa largo praça praca alameda rue chemin "
    "allée impasse quai via viale piazza corso vicolo strada ul ul. ulica ulitsa aleja al. "
    "plac os. odos οδός leoforos λεωφόρος".split())
_ENGLISH_TOO = {"via", "largo", "corso", "al.", "al", "plaza", "camino", "ronda", "alameda"}
_COMPOUND = re.compile(
    r"[^\W\d_]{3,}(?:straße|strasse|str\.|weg|gasse|platz|allee|damm|straat|laan|plein|gracht|"
    r"kade|singel|steeg|dreef|gatan|gata|vägen|väg|gränd|stigen|torget|backen|gade|vej|vænget|"
    r"stræde|stræti|veien|vegen|vegur|gate|stien|katu|tie|kuja|polku|väylä|raitti|rinne|kaari|"
    r"tori|ranta|utca|útja|ulice|ulica|braut|götu|gasse|weg)$")
UNITS = set("apt apartment suite ste unit flat floor fl room rm bldg building piso puerta "
            "planta dpto depto esc escalera portal bajo as asunto rappu krs kerros lgh".split())
PARTICLES = set("de del la las los da do dos das du des di van der den von e y zu el le "
                "ten ter dei della nad pod am im an sur sous upon".split())
STATES = set("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE "
             "NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI "
             "AA AE AP AB BC MB NB NL NS NT NU ON PE QC SK YT NSW VIC QLD TAS ACT".split())
STOPWORDS = set(
    "a an the is are was were be been am i you he she it we they me him her us them my your "
    "his its our their this that these those to of in on at for from by with and or but not "
    "no so as if than then there here what which who whom when where why how all any some "
    "each every can could will would shall should may might must do does did have has had "
    "get got please thanks thank hello hi yes ok okay just also very about into over under "
    "up down out off again now today tomorrow yesterday minutes minute hours hour days day "
    "weeks week months month years year times euros dollars pounds percent items people "
    "es el en un una con por para que se su mi tu lo al".split())
ADDRESS_CUE = re.compile(
    r"\b(?:address(?:es)?|addr|live[sd]? (?:at|on)|living (?:at|on)|located (?:at|on)|"
    r"reside[sd]? (?:at|on)|(?:send|ship|deliver|mail|return|post|forward)(?:ed)?(?: \w+){0,3} to|"
    r"meet(?: \w+)? at|drops? (?:\w+ )?off at|(?:is|are) at|direcci[oó]n|domicilio|vivo en|"
    r"osoit\w*|asun|postiosoite)\b", re.I)
ZIP_CUE = re.compile(r"\b(?:zip(?: ?code)?|postal ?code|post ?code|c[oó]digo postal|postinumero)\b", re.I)


@lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    """Country names in English, Spanish and Finnish (from phonenumbers' own data)."""
    import phonenumbers
    from phonenumbers import geocoder

    names = {"USA", "U.S.A.", "UK", "U.K.", "England", "Scotland", "Wales", "Great Britain"}
    for region in phonenumbers.SUPPORTED_REGIONS:
        example = phonenumbers.example_number(region)
        if example is not None:
            for lang in ("en", "es", "fi", "de", "fr"):
                names.add(geocoder.country_name_for_number(example, lang))
    return frozenset(n for n in names if n)


@lru_cache(maxsize=1)
def _tokenizer() -> re.Pattern[str]:
    names = sorted(countries(), key=len, reverse=True)
    country = "|".join(re.escape(n) for n in names)
    return re.compile(
        r"(?P<B>\bP\.? ?O\.? ?Box\b|\bPost Office Box\b|\bBox\b|\bApartado(?: de correos)?\b|\bPostfach\b)"
        r"|(?P<c>\b(?:the )?corner of\b)"
        r"|(?P<Z>(?-i:\b(?:[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d)\b))"
        rf"|(?P<G>(?<!\w)(?:{country})(?!\w))"
        r"|(?P<N>\d{1,6}[A-Za-z]?(?:[-/]\d{1,4}[A-Za-z]?)?(?![\d]))"
        r"|(?P<W>[^\W\d_][\w'’-]*\.?|c/)"
        r"|(?P<n>\n)|(?P<sep>[,;>|?*])|(?P<hash>#)|(?P<o>[^\s\w])", re.I)


def _code(kind: str, word: str) -> str:
    if kind == "N" and word[-1:] in "sS" and word[:-1].isdigit():
        return "."  # "the 70s"
    if kind == "N":
        bare = re.sub(r"\D", "", word)
        return "Z" if 4 <= len(bare) <= 8 and bare == word.replace("-", "") else "N"
    if kind == "Z":
        return "Z"
    if kind in "BcGn":
        return kind if kind != "G" or word[:1].isupper() else "w"
    if kind == "sep":
        return ","
    if kind == "hash":
        return "#"
    if kind != "W":
        return "."
    low = word.lower()
    bare = low.rstrip(".")
    upper = word[:1].isupper()
    if bare in ("psc", "cmr", "usns", "uss", "usnv", "uscgc") and word.isupper():
        return "M"
    if bare in ("apo", "fpo", "dpo") and word.isupper():
        return "O"
    if word.rstrip(".") in STATES:
        return "T"
    if len(word) == 1 and word.isupper():
        return "L"
    if word.isupper() and len(word) in (2, 3) and word.isalpha():
        return "U"
    if bare in UNITS or low in UNITS:
        return "A"
    if bare in BOTH_WAYS:
        return "Q"
    if (low in PREFIX_TYPES or bare in PREFIX_TYPES) and (upper or bare not in _ENGLISH_TOO):
        return "P"
    if bare in STRONG_SUFFIXES or low in STRONG_SUFFIXES:
        return "S"
    if bare in WEAK_SUFFIXES and upper:
        return "s"
    if _COMPOUND.match(bare):
        return "K"
    if bare in PARTICLES:
        return "p"
    if upper and bare in STOPWORDS:
        return "x"
    if upper:
        return "C"
    if bare == "and" or word == "&":
        return "&"
    return "x" if bare in STOPWORDS else "w"


_NAME = r"(?:[CsKTU](?:p*[CsKTU])*)"
_S, _P = "[SQ]", "[PQ]"
CORES = [  # (shape, score, needs an address cue)
    (rf"[NZ]{{1,2}}(?:{_NAME}|[Cw]{{1,3}}){_S}(?:{_NAME}[sS])*(?:&{_NAME}[sS])?[NZ]?", 0.85, False),
    (rf"[NZ]{{1,2}}{_NAME}s(?:{_NAME}[sS])*(?:&{_NAME}[sS])?", 0.7, False),
    (rf"[NZ]?{_P}[Cpw]{{0,5}}[CKw],?[NZ]", 0.85, False),
    (rf"[NZ]{{1,2}}{_P}[Cpw]{{0,5}}[CKw]", 0.8, False),
    (r"[NZ]?(?:C[Cwp]{0,3}[SK]|K)[NZ]", 0.85, False),
    (r"[NZ]?K[NZ]?", 0.7, True),
    (rf"[NZ]{_NAME}[NZ]", 0.6, False),
    (rf"[NZ]?{_NAME}{{1,3}}[NZ]", 0.6, True),
    (rf"[NZ]?{_P}[Cp]{{0,5}}[CK]", 0.6, True),
    (rf"c[NZ]{{0,2}}(?:{_NAME}|w){{1,4}}[NZ]?\.?[sSQ]?(?:&(?:{_NAME}|w){{1,3}}[NZ]?[sSQ]?)?", 0.8, False),
    (r"[NZ]?B,?[NZ]|M,?[NZ],?(?:B,?[NZ])?|M[CK]{1,3}|[OT],?[TU],?[NZ]|A,?[NZ],?B,?[NZ]", 0.85, False),
    (rf"{_NAME}{{1,3}},[TU],?Z", 0.7, False),
]
_CORE_RE = [(re.compile(shape), score, cue) for shape, score, cue in CORES]
_EXT = (rf"[,n.]*(?:A\.?#?[NZCL]?|L[NZ]?|#[NZ]|B[NZ]|O,?[TU],?[NZ]|[TU],?Z|T|GZ?|Z[CTU]?|{_NAME}[sSQ]"
        rf"|(?:{_NAME}|G){{1,3}}(?=[,n]|$|[ZGTU]|w{{1,2}}[,n]*[NZ])"  # city, region
        rf"|w{{1,2}}(?=[,n]*[NZ](?:[,n]|$))|N(?=[,n]|$)")
_EXTENSIONS = re.compile(_EXT + ")")
_EXTENSIONS_LOWER = re.compile(_EXT + r"|w{1,3}(?=[,n.]|$))")


def _tokens(text: str) -> tuple[list[tuple[int, int]], str]:
    spans, codes = [], []
    for m in _tokenizer().finditer(text):
        kind = m.lastgroup or "o"
        spans.append(m.span())
        codes.append(_code(kind, m.group()))
    return spans, "".join(codes)


def _trim(text: str, start: int, end: int) -> int:
    """Drop a sentence period from the end unless it closes an abbreviation ("St.")."""
    word = text[start:end]
    if word.endswith(".") and len(word.rstrip(".").split()[-1]) > 4:
        return end - 1
    return end


def address_hits(text: str) -> list[Hit]:
    """Street addresses (STREET_ADDRESS) and, apart from them, country names (LOCATION)."""
    spans, codes = _tokens(text)
    hits: list[Hit] = []
    i = 0
    while i < len(codes):
        best = None
        for pattern, score, needs_cue in _CORE_RE:
            m = pattern.match(codes, i)
            if m and (not needs_cue or ADDRESS_CUE.search(text, max(0, spans[i][0] - 60), spans[i][0])):
                if best is None or m.end() > best[0]:
                    best = (m.end(), score)
        if best is None:
            if codes[i] == "G":
                hits.append(Hit(*spans[i], "LOCATION", 0.75, "country"))
            elif codes[i] in "NZ" and ZIP_CUE.search(text, max(0, spans[i][0] - 25), spans[i][0]):
                last = i + 1 if codes[i + 1:i + 2] in ("U", "T") else i
                hits.append(Hit(spans[i][0], spans[last][1], "STREET_ADDRESS", 0.7, "postcode"))
            i += 1
            continue
        end, score = best
        extensions = _EXTENSIONS_LOWER if text.islower() else _EXTENSIONS
        while end < len(codes):
            ext = extensions.match(codes, end)
            if not ext or ext.end() == end:
                break
            end = ext.end()
        start = i
        if i >= 2 and codes[i - 2] == "A" and codes[i - 1] in "NZ":
            start = i - 2
        joined = re.search(rf"{_NAME}&$", codes[:start])
        if joined:
            start = joined.start()
        while end > start + 1 and codes[end - 1] in ",n":
            end -= 1
        last = spans[end - 1]
        hits.append(Hit(spans[start][0], _trim(text, *last), "STREET_ADDRESS", score, "address"))
        i = end
    return hits
