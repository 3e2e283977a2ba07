"""Language names, ASR model keys and the measured recognition quality per language.

``measured_quality`` reads ``transcribe/language_quality.json``: word and character error
rates of an ASR model on real speech with reference transcripts, written by
``benchmarks/languages.py --write`` (and rows measured elsewhere, which say so in ``source``).
"""

from __future__ import annotations

import json
from pathlib import Path

QUALITY_FILE = Path(__file__).parent / "transcribe" / "language_quality.json"
# how every reason for a call withheld for its language starts (scorer, store, dashboard)
NOT_JUDGED = "not judged"

# whisper's languages (faster_whisper.tokenizer._LANGUAGE_CODES) and their English names
_NAMES = dict(pair.split("=") for pair in (
    "en=English zh=Chinese de=German es=Spanish ru=Russian ko=Korean fr=French ja=Japanese pt=Portuguese "
    "tr=Turkish pl=Polish ca=Catalan nl=Dutch ar=Arabic sv=Swedish it=Italian id=Indonesian hi=Hindi "
    "fi=Finnish vi=Vietnamese he=Hebrew uk=Ukrainian el=Greek ms=Malay cs=Czech ro=Romanian da=Danish "
    "hu=Hungarian ta=Tamil no=Norwegian th=Thai ur=Urdu hr=Croatian bg=Bulgarian lt=Lithuanian la=Latin "
    "mi=Maori ml=Malayalam cy=Welsh sk=Slovak te=Telugu fa=Persian lv=Latvian bn=Bengali sr=Serbian "
    "az=Azerbaijani sl=Slovenian kn=Kannada et=Estonian mk=Macedonian br=Breton eu=Basque is=Icelandic "
    "hy=Armenian ne=Nepali mn=Mongolian bs=Bosnian kk=Kazakh sq=Albanian sw=Swahili gl=Galician "
    "mr=Marathi pa=Punjabi si=Sinhala km=Khmer sn=Shona yo=Yoruba so=Somali af=Afrikaans oc=Occitan "
    "ka=Georgian be=Belarusian tg=Tajik sd=Sindhi gu=Gujarati am=Amharic yi=Yiddish lo=Lao uz=Uzbek "
    "fo=Faroese ht=Haitian_Creole ps=Pashto tk=Turkmen nn=Nynorsk mt=Maltese sa=Sanskrit "
    "lb=Luxembourgish my=Myanmar bo=Tibetan tl=Tagalog mg=Malagasy as=Assamese tt=Tatar haw=Hawaiian "
    "ln=Lingala ha=Hausa ba=Bashkir jw=Javanese su=Sundanese yue=Cantonese").split())


def language_name(code: str | None) -> str:
    """The English name of a whisper language code ("fa" -> "Persian"); the code when unknown."""
    base = (code or "").casefold().replace("_", "-").split("-")[0]
    return _NAMES.get(base, code or "unknown").replace("_", " ")


def model_key(model: str | None) -> str:
    """The ASR model's short name: "base" for "base", "Systran/faster-whisper-base" or a
    local ``.../faster-whisper-base`` directory; "large-v3" for its hub id or directory."""
    name = (model or "").rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1].casefold()
    for prefix in ("faster-whisper-", "faster-distil-whisper-", "whisper-"):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def measured_quality(model: str | None = None, path: Path = QUALITY_FILE) -> list[dict]:
    """Measured rows (language, data, wer, cer, date, …), of one model (by ``model_key``) or all."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["rows"]
    except (OSError, ValueError, KeyError):
        return []
    return [row for row in rows if model is None or model_key(row.get("model")) == model_key(model)]
