"""E-mail addresses and usernames as recognisers write them.

A spoken e-mail often comes out of ASR with no "at" and with dots or spaces where the
speaker paused: "www .maria .gmail .com", "maria .gmail .com", "maria gmail.com". With a known
mail provider and a top-level domain after a local part that is no ordinary word ("I use
gmail.com" is not an address), it is an e-mail address. A username read out after a cue
("my username is user 101", "login: jsmith42") is masked as ``USERNAME``.
"""

from __future__ import annotations

import re

from qa.compliance.recognizers import Hit

_PROVIDER = (r"(?:g ?mail|googlemail|yahoo|hotmail|outlook|live|msn|icloud|aol|proton ?mail|gmx|yandex|zoho|"
             r"comcast|verizon|telefonica|movistar|elisa|kolumbus|luukku|suomi24)")
_TLD = r"(?:com|net|org|edu|info|biz|co\.uk|es|fi|de|fr|it|nl|se|no|dk|in|uk|us|ca|mx|ar|br|io)"
_LOOSE_EMAIL = re.compile(
    rf"(?<![\w@.])(?:www[ \t]*[. \t][ \t]*)?(?P<local>[^\W\d_][\w+-]*(?:\.[\w+-]+)*)[ \t]*(?:[.@_-]|[ \t]+at[ \t]+|[ \t])"
    rf"[ \t]*(?P<provider>{_PROVIDER})[ \t]*(?:\.|[ \t]dot[ \t])[ \t]*{_TLD}(?![\w])", re.I)
_NOT_LOCAL = set(
    "my your his her our their its the a an use used using uses with via on at is it's in by and or from to "
    "for new old personal work email e-mail mail address account me us i it that this de mi su tu en es "
    "con minun sinun on ja".split())
_USERNAME = re.compile(
    r"\b(?:user ?names?|log ?in(?: name| id)?|user ?id|screen name|handle|nombre de usuario|usuario|"
    r"käyttäjätunnus|käyttäjänimi)(?:[ \t]+(?:is|was|es|on|would be))?[ \t]*:?[ \t]+"
    r"(?P<value>[\w.@-]*\d[\w.@-]*|[^\W\d_]+[ \t]+\d[\d \t-]*\d|[^\W\d_]+[ \t]+\d|[\w.-]+[._-][\w.-]+)", re.I)


def loose_email_hits(text: str) -> list[Hit]:
    """E-mail addresses written without "@" or with spaces and stray dots around the provider."""
    return [Hit(m.start(), m.end(), "EMAIL_ADDRESS", 0.8, "loose_email") for m in _LOOSE_EMAIL.finditer(text)
            if m.group("local").lower() not in _NOT_LOCAL]


def username_hits(text: str) -> list[Hit]:
    """A username said after a cue: "my username is user 101", "login: jsmith42"."""
    return [Hit(m.start("value"), m.end("value"), "USERNAME", 0.8, "username") for m in _USERNAME.finditer(text)]
