#!/usr/bin/env python3
"""Generate the bundled sample calls (synthetic, two-party, with ground truth).

Every call is a scripted operator/customer dialogue synthesised with espeak-ng, band-limited
and resampled with sox, and assembled with numpy. Each utterance clip is trimmed to its
actual speech (energy threshold) before it is placed, so the ground-truth times are tight.

Outputs, next to this script (or in ``--out``):

* ``<stem>.wav``  16-bit PCM, mono or stereo (operator = channel 0 / left), 8 or 16 kHz
* ``<stem>.rttm`` one ``SPEAKER`` line per utterance (speakers ``operator`` / ``customer``)
* ``<stem>.json`` metadata, utterances and the events detectors should find
* ``manifest.csv`` metadata for all calls
* ``bad/``        unreadable / degenerate inputs (corrupt, empty, silent, not audio)
* ``README.md``   description, table of calls and ground-truth format

Deterministic: the same espeak-ng / sox / numpy give byte-identical files on every run
(pauses and the noise floor come from fixed seeds; sox runs in repeatable mode, no dither).

Usage:  python sample_audio/make_samples.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

try:
    import numpy as np
except ImportError:  # pragma: no cover - a clear message instead of a traceback
    sys.exit("make_samples.py needs numpy: run it with the project's virtualenv (.venv/bin/python)")

HERE = Path(__file__).resolve().parent
ESPEAK = shutil.which("espeak-ng") or "/usr/bin/espeak-ng"
SOX = shutil.which("sox") or "/usr/bin/sox"

LEAD_IN_S = 0.6  # silence before the first word
TAIL_S = 1.0  # silence after the last word
PART_GAP_S = 0.1  # gap between separately synthesised parts of one utterance
PAUSE_RANGE_S = (0.3, 1.2)  # silence between turns
TRIM_DB = -40.0  # frame energy (relative to the clip's loudest frame) counted as speech
FRAME_S = 0.005
SHOUT_GAIN_DB = 9.0  # extra gain on raised-voice utterances (on top of espeak -a 200)
NOISE_RMS = 10 ** (-66 / 20)  # faint line noise so gaps are not digital silence


# --------------------------------------------------------------------------- script model


@dataclass(frozen=True)
class Voice:
    name: str  # espeak-ng voice+variant, e.g. "en+m3"
    pitch: int  # -p 0..99
    speed: int  # -s words per minute

    def describe(self) -> str:
        return f"-v {self.name} -p {self.pitch} -s {self.speed}"


@dataclass(frozen=True)
class Part:
    """A piece of an utterance synthesised on its own, optionally carrying events."""

    text: str
    events: tuple[dict, ...] = ()


@dataclass(frozen=True)
class Turn:
    speaker: str  # "operator" | "customer"
    parts: tuple[Part, ...]
    shout: bool = False  # raised voice: espeak -a 200, higher pitch, +gain
    overlap: float = 0.0  # start this many seconds before the previous turn ends (stereo only)

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.parts)


@dataclass(frozen=True)
class CallSpec:
    stamp: str  # YYYYMMDDTHHMMSS (UTC)
    operator_id: str
    direction: str  # inbound | outbound
    campaign: str
    language: str
    channels: int
    rate: int
    operator_voice: Voice
    customer_voice: Voice
    turns: tuple[Turn, ...]
    missing: tuple[str, ...] = ()  # script steps the operator skips: greeting | closing
    topic: str = ""
    levels_db: tuple[float, float] = (-22.0, -24.0)  # speech RMS (dBFS) operator, customer
    pauses: tuple[float, float] = PAUSE_RANGE_S  # silence between turns, seconds (seeded uniform)
    reasons: tuple[str, ...] = ()  # call reason categories the customer states (qa/compliance/categories)
    outcome: str = ""  # how the call ended: resolved | callback | escalated | unresolved | agreed | refused | no_decision

    @property
    def stem(self) -> str:
        return f"{self.stamp}_{self.operator_id}_{self.direction}_{self.campaign}_{self.language}"

    @property
    def seed(self) -> int:
        return int.from_bytes(hashlib.sha256(self.stem.encode()).digest()[:4], "little")


def _parts(items) -> tuple[Part, ...]:
    return tuple(p if isinstance(p, Part) else Part(p) for p in items)


def O(*items, **kw) -> Turn:  # noqa: E743 - operator turn
    return Turn("operator", _parts(items), **kw)


def C(*items, **kw) -> Turn:  # customer turn
    return Turn("customer", _parts(items), **kw)


def pii(kind: str, text: str) -> Part:
    return Part(text, ({"kind": "pii", "type": kind},))


def profanity(text: str) -> Part:
    return Part(text, ({"kind": "profanity"},))


# --------------------------------------------------------------------------- the calls

CARD_A = "four five three nine, one four eight eight, zero three four three, six four six seven"  # 4539148803436467

CALLS: tuple[CallSpec, ...] = (
    # 1 - English, stereo, 8 kHz: double charge, customer shouts and swears.
    CallSpec(
        stamp="20261130T091500", operator_id="op01", direction="inbound", campaign="billing", language="en",
        reasons=("billing_question",), outcome="resolved",
        channels=2, rate=8000, topic="double charge on the bill",
        operator_voice=Voice("en+f3", 66, 165), customer_voice=Voice("en+m1", 35, 160),
        turns=(
            O("Thank you for calling Acme Telecom, my name is Laura, how can I help you today?"),
            C("Hi Laura. I've just opened my bill, and I've been charged twice for the same month."),
            O("I'm sorry to hear that. Can I have your full name, please?"),
            C("Yes, it's", pii("PERSON", "Robert Miller.")),
            O("Thank you. I can see the account. Give me a moment while I check the last two invoices."),
            C("I already called about this twice last week, and nobody fixed it."),
            O("I can see the duplicate charge of forty two euros. It should have been refunded automatically, "
              "but it wasn't."),
            C("It wasn't?", profanity("This is fucking ridiculous!"), "I want my money back today!", shout=True),
            O("I completely understand your frustration, and I apologise. I'm issuing the refund right now, "
              "and you will see it within three to five working days."),
            C("Fine. Will this happen again next month?"),
            O("No. I've corrected the billing schedule, so you will only be charged once from now on."),
            C("Okay. Thank you."),
            O("Is there anything else I can help you with?"),
            C("No, that's all."),
            O("Thank you for calling Acme Telecom. Have a nice day, goodbye."),
            C("Bye."),
        ),
    ),
    # 2 - English, mono, 16 kHz: internet outage, phone + e-mail, operator swears.
    CallSpec(
        stamp="20261130T103000", operator_id="op02", direction="inbound", campaign="support", language="en",
        reasons=("technical_fault",), outcome="callback",
        channels=1, rate=16000, topic="internet outage", levels_db=(-21.0, -23.0),
        operator_voice=Voice("en+m3", 35, 170), customer_voice=Voice("en+f4", 75, 160),
        turns=(
            O("Good morning, thank you for calling Acme Telecom, my name is Daniel, how can I help you today?"),
            C("Hi. My internet has been down since yesterday evening, and nothing I do seems to fix it."),
            O("I'm sorry about that. Can I have the phone number on the account, please?"),
            C("Sure, it's", pii("PHONE", "oh seven seven oh oh, nine oh oh, one two three.")),
            O("Thank you. And could you confirm the e-mail address on the account?"),
            C("It's my husband's.", pii("EMAIL", "john dot smith at example dot com.")),
            O("Thanks. Let me run a line test.", profanity("Oh shit, sorry,"),
              "I clicked the wrong button. One moment, I'm starting it again."),
            C("No problem."),
            O("Okay, the test shows a fault at the street cabinet, and an engineer is already working on it "
              "in your area."),
            C("Do you know how long it will take?"),
            O("The estimate is that service will be back by four p m today. I can send you a text message "
              "when it's fixed."),
            C("Yes, please, that would be great."),
            O("Done, you'll get the text on the same number. Is there anything else I can help you with?"),
            C("No, that's everything, thanks."),
            O("Thank you for calling, and sorry again for the trouble. Goodbye."),
            C("Goodbye."),
        ),
    ),
    # 3 - English, stereo, 16 kHz: card payment; operator reads the card number back (leak);
    #     the customer's "Yes, yes." overlaps the end of the read-back. Stereo 16 kHz costs
    #     64 kB/s, so this call is kept under 45 s (3 MB).
    CallSpec(
        stamp="20261201T141000", operator_id="op03", direction="inbound", campaign="billing", language="en",
        reasons=("billing_question",), outcome="resolved",
        channels=2, rate=16000, topic="card payment of an overdue bill", levels_db=(-23.0, -21.0),
        pauses=(0.3, 0.8),
        operator_voice=Voice("en+f2", 62, 180), customer_voice=Voice("en+m7", 42, 170),
        turns=(
            O("Thank you for calling Acme Telecom, my name is Anna, how can I help you today?"),
            C("Hi, I'd like to pay my bill by card."),
            O("Of course. The name on the account, please?"),
            C("It's", pii("PERSON", "Peter Jones.")),
            O("Please read me the card number."),
            C("It's", pii("CREDIT_CARD", CARD_A + ".")),
            O("Let me read that back:", pii("CREDIT_CARD", CARD_A + ","), "is that correct?"),
            C("Yes, yes.", overlap=0.5),
            O("And the expiry date?"),
            C(pii("EXPIRY", "Oh nine, twenty eight.")),
            O("And the security code?"),
            C("The code on the back is", pii("CVV", "one two three.")),
            O("Payment approved. Is there anything else I can help you with?"),
            C("No, thanks."),
            O("Thanks for calling, goodbye."),
        ),
    ),
    # 4 - English, mono, 8 kHz: OUTBOUND sales call, the customer speaks first.
    CallSpec(
        stamp="20261201T160500", operator_id="op04", direction="outbound", campaign="sales", language="en",
        reasons=(), outcome="agreed",
        channels=1, rate=8000, topic="fibre upgrade offer (outbound)",
        operator_voice=Voice("en+m1", 42, 170), customer_voice=Voice("en+f2", 70, 155),
        turns=(
            C("Hello?"),
            O("Hello, good afternoon. This is Mikael calling from Acme Telecom. Am I speaking with",
              pii("PERSON", "Maria Lopez?")),
            C("Yes, speaking."),
            O("Great. I'm calling because your contract is up for renewal, and we have a faster fibre plan "
              "available at your address. Do you have two minutes?"),
            C("Sure, go ahead."),
            O("The new plan gives you five hundred megabits for twenty nine euros a month, "
              "which is three euros less than you pay today."),
            C("That sounds good. Is there an installation fee?"),
            O("No, installation is free, and the router is included."),
            C("Okay. And can I keep my current phone number?"),
            O("Yes, your number stays the same. Shall I go ahead and upgrade you from the first of next month?"),
            C("Yes, please do."),
            O("Perfect, the order is placed, and you'll receive a confirmation e-mail today. "
              "Is there anything else I can help you with?"),
            C("No, that's all, thanks."),
            O("Thank you for your time. Have a great day, goodbye."),
            C("Bye."),
        ),
    ),
    # 5 - Spanish, mono, 8 kHz: lost router delivery, customer shouts "mierda".
    CallSpec(
        stamp="20261202T093000", operator_id="op01", direction="inbound", campaign="support", language="es",
        reasons=(), outcome="resolved",
        channels=1, rate=8000, topic="router delivery returned to the warehouse",
        operator_voice=Voice("es+f2", 62, 150), customer_voice=Voice("es+m3", 35, 155),
        turns=(
            O("Gracias por llamar a Acme Telecom, le atiende Laura, ¿en qué puedo ayudarle?"),
            C("Hola, buenos días. Hace dos semanas pedí un router nuevo y todavía no ha llegado."),
            O("Lo siento mucho. ¿Me puede dar su nombre completo, por favor?"),
            C("Sí, me llamo", pii("PERSON", "Carlos García.")),
            O("Gracias. ¿Y un número de teléfono de contacto?"),
            C("Es el", pii("PHONE", "seis cinco cero, uno dos tres, cuatro cinco seis.")),
            O("Un momento, por favor. Veo que el paquete fue devuelto al almacén porque no había nadie en casa."),
            C(profanity("¡Qué mierda!"), "¡Estuve en casa todo el día y nadie llamó a la puerta!", shout=True),
            O("Entiendo su enfado y le pido disculpas. Voy a enviar el router otra vez por mensajero urgente, "
              "sin ningún coste."),
            C("¿Y cuándo llegará?"),
            O("Mañana antes de las dos de la tarde. Recibirá un mensaje con el número de seguimiento."),
            C("Vale, gracias."),
            O("¿Hay algo más en lo que pueda ayudarle?"),
            C("No, nada más."),
            O("Gracias por llamar a Acme Telecom. Que tenga un buen día, adiós."),
            C("Adiós."),
        ),
    ),
    # 6 - Spanish, stereo, 16 kHz: bill query; the operator never asks the closing question
    #     nor says goodbye (missing closing). Kept under 45 s (3 MB).
    CallSpec(
        stamp="20261202T114500", operator_id="op02", direction="inbound", campaign="billing", language="es",
        reasons=("billing_question",), outcome="resolved",
        channels=2, rate=16000, topic="high bill (international calls), no closing", missing=("closing",),
        pauses=(0.3, 0.8),
        operator_voice=Voice("es+m2", 40, 175), customer_voice=Voice("es+f2", 70, 170),
        turns=(
            O("Buenas tardes, gracias por llamar a Acme Telecom, soy Daniel, ¿en qué puedo ayudarle?"),
            C("Hola. Mi última factura es mucho más alta de lo normal."),
            O("Vamos a revisarla. ¿Su nombre completo, por favor?"),
            C(pii("PERSON", "Lucía Fernández.")),
            O("¿Y el teléfono de la cuenta?"),
            C(pii("PHONE", "Seis uno dos, tres cuatro cinco, seis siete ocho.")),
            O("Veo un cargo de quince euros por llamadas internacionales."),
            C("Ah, sí, llamé a mi hermana en Argentina."),
            O("Entonces el cargo es correcto. Puedo activarle un bono internacional de cinco euros al mes."),
            C("Sí, actívelo, por favor."),
            O("Vale, ya está activado."),
            C("Muy bien, gracias."),
        ),
    ),
    # 7 - Finnish, mono, 16 kHz: outage; the operator skips the greeting (missing greeting);
    #     the customer shouts once.
    CallSpec(
        stamp="20261203T101500", operator_id="op03", direction="inbound", campaign="support", language="fi",
        reasons=("technical_fault",), outcome="unresolved",
        channels=1, rate=16000, topic="internet outage, no greeting, customer shouts", missing=("greeting",),
        levels_db=(-22.0, -22.0),
        operator_voice=Voice("fi+f3", 65, 150), customer_voice=Voice("fi+m3", 40, 145),
        turns=(
            O("Joo, mikä on asia?"),
            C("Kotini internetyhteys ei ole toiminut eilisillasta lähtien."),
            O("Kertoisitteko nimenne."),
            C("Nimeni on", pii("PERSON", "Matti Virtanen.")),
            O("Ja puhelinnumero, johon liittymä on rekisteröity?"),
            C("Se on", pii("PHONE", "nolla neljä viisi, yksi kaksi kolme, neljä viisi kuusi seitsemän.")),
            O("Kiitos. Tarkistan tilanteen. Alueellanne on verkkohäiriö, ja asentaja korjaa sitä parhaillaan."),
            C("Taas! Tämä on jo kolmas katkos tässä kuussa!", shout=True),
            O("Ymmärrän, ja pahoittelen tilannetta. "
              "Arvion mukaan yhteys palautuu tänään kello viiteen mennessä."),
            C("Selvä. Saanko siitä hyvityksen?"),
            O("Kyllä, häiriöstä hyvitetään yksi päivä seuraavassa laskussa."),
            C("Hyvä, kiitos."),
            O("Voinko auttaa vielä jossakin muussa asiassa?"),
            C("Ei, siinä kaikki."),
            O("Kiitos soitostanne ja hyvää päivänjatkoa. Näkemiin."),
            C("Näkemiin."),
        ),
    ),
    # 8 - Finnish, stereo, 8 kHz: payment reminder, instalment plan; name + e-mail.
    CallSpec(
        stamp="20261203T133000", operator_id="op04", direction="inbound", campaign="collections", language="fi",
        reasons=(), outcome="resolved",
        channels=2, rate=8000, topic="payment reminder, instalment plan", levels_db=(-21.0, -24.0),
        operator_voice=Voice("fi+m1", 40, 150), customer_voice=Voice("fi+f2", 60, 145),
        turns=(
            O("Kiitos soitostasi Acme Telecomiin, olen Mikael, miten voin auttaa?"),
            C("Hei. Sain maksumuistutuksen, mutta en pysty maksamaan koko summaa kerralla."),
            O("Selvä, katsotaan mitä voimme tehdä. Voitko kertoa nimesi?"),
            C(pii("PERSON", "Liisa Korhonen.")),
            O("Kiitos. Ja sähköpostiosoite, johon muistutus lähetettiin?"),
            C("Se on", pii("EMAIL", "liisa piste korhonen ät esimerkki piste fi.")),
            O("Kiitos. Avoin summa on sataviisikymmentä euroa, ja eräpäivä oli viime kuussa."),
            C("Voisinko maksaa sen kolmessa erässä?"),
            O("Kyllä, teen teille maksusuunnitelman. Ensimmäinen viidenkymmenen euron erä erääntyy "
              "kuun viidentenätoista päivänä."),
            C("Se sopii minulle hyvin."),
            O("Maksusuunnitelma on nyt tehty, ja saat vahvistuksen sähköpostiisi. "
              "Voinko auttaa vielä jossakin muussa?"),
            C("Ei, kiitos, siinä kaikki."),
            O("Kiitos soitosta ja oikein hyvää päivänjatkoa. Näkemiin."),
            C("Hei hei."),
        ),
    ),
)


# --------------------------------------------------------------------------- synthesis


def synth(text: str, voice: Voice, rate: int, shout: bool, workdir: Path, key: str) -> np.ndarray:
    """espeak-ng -> sox (telephone band for 8 kHz) -> float32 at ``rate``, trimmed to the speech."""
    wav = workdir / f"{key}.wav"
    pitch, speed, amplitude = voice.pitch, voice.speed, 100
    if shout:
        pitch, speed, amplitude = min(99, voice.pitch + 25), voice.speed + 15, 200
    subprocess.run(
        [ESPEAK, "-v", voice.name, "-p", str(pitch), "-s", str(speed), "-a", str(amplitude), "-w", str(wav), text],
        check=True, capture_output=True,
    )
    effects = ["vol", "0.5"]  # headroom so the filters never clip inside sox
    effects += ["sinc", "300-3400"] if rate == 8000 else ["highpass", "60"]
    effects += ["rate", "-v", str(rate)]
    raw = subprocess.run(
        [SOX, "-R", "-D", "-V1", str(wav), "-t", "raw", "-e", "floating-point", "-b", "32", "-L", "-", *effects],
        check=True, capture_output=True,
    ).stdout
    wav.unlink()
    audio = np.frombuffer(raw, dtype="<f4").astype(np.float64) * 2.0
    return trim(audio, rate)


def trim(audio: np.ndarray, rate: int) -> np.ndarray:
    frame = max(1, int(rate * FRAME_S))
    n = len(audio) // frame
    if n == 0:
        raise RuntimeError("espeak-ng produced no audio")
    energy = np.sqrt(np.mean(audio[: n * frame].reshape(n, frame) ** 2, axis=1) + 1e-20)
    active = np.flatnonzero(20 * np.log10(energy / energy.max()) > TRIM_DB)
    return audio[active[0] * frame : (active[-1] + 1) * frame]


def rms_db(audio: np.ndarray) -> float:
    frame = 160
    n = len(audio) // frame
    energy = np.mean(audio[: n * frame].reshape(n, frame) ** 2, axis=1)
    speech = energy[energy > energy.max() * 1e-3]  # ignore pauses inside the clip
    return 10 * np.log10(float(np.mean(speech)))


# --------------------------------------------------------------------------- assembly


def r3(x: float) -> float:
    return round(float(x) + 0.0, 3)


def clean(text: str) -> str:
    return text.strip().strip(".,;:!?¡¿ ").strip()


def build_call(spec: CallSpec, pool: ThreadPoolExecutor, workdir: Path) -> dict:
    rate = spec.rate
    voices = {"operator": spec.operator_voice, "customer": spec.customer_voice}

    # synthesise every part (in parallel; results are collected in order)
    futures = [
        [
            pool.submit(synth, part.text, voices[turn.speaker], rate, turn.shout, workdir, f"{spec.stem}_{t}_{p}")
            for p, part in enumerate(turn.parts)
        ]
        for t, turn in enumerate(spec.turns)
    ]
    clips = [[f.result() for f in row] for row in futures]

    # speaker levels: scale each voice so its normal speech sits at the call's level
    gains = {}
    for speaker, level in zip(("operator", "customer"), spec.levels_db):
        normal = np.concatenate(
            [c for turn, row in zip(spec.turns, clips) if turn.speaker == speaker and not turn.shout for c in row]
        )
        gains[speaker] = 10 ** ((level - rms_db(normal)) / 20)

    rng = np.random.RandomState(spec.seed)  # legacy generator: stream is stable across numpy versions
    gap = int(round(PART_GAP_S * rate))
    placed = []  # (speaker, start_sample, samples, turn, part_offsets)
    cursor = int(round(LEAD_IN_S * rate))
    last_end = cursor
    for turn, row in zip(spec.turns, clips):
        gain = gains[turn.speaker] * (10 ** (SHOUT_GAIN_DB / 20) if turn.shout else 1.0)
        pieces, offsets, pos = [], [], 0
        for i, clip in enumerate(row):
            if i:
                pieces.append(np.zeros(gap))
                pos += gap
            offsets.append((pos, pos + len(clip)))
            pieces.append(clip * gain)
            pos += len(clip)
        samples = np.concatenate(pieces)
        if placed:
            if turn.overlap:
                if spec.channels != 2 or placed[-1][0] == turn.speaker:
                    raise ValueError(f"{spec.stem}: overlap only between speakers of a stereo call")
                start = last_end - int(round(turn.overlap * rate))
            else:
                pause = round(rng.uniform(*spec.pauses), 2)
                start = last_end + int(round(pause * rate))
        else:
            start = cursor
        placed.append((turn.speaker, start, samples, turn, offsets))
        last_end = max(last_end, start + len(samples))

    total = last_end + int(round(TAIL_S * rate))
    tracks = np.zeros((spec.channels, total))
    for speaker, start, samples, _, _ in placed:
        ch = 0 if spec.channels == 1 or speaker == "operator" else 1
        tracks[ch, start : start + len(samples)] += samples
    tracks += rng.standard_normal(tracks.shape) * NOISE_RMS
    pcm = np.clip(np.rint(tracks * 32767.0), -32768, 32767).astype("<i2")

    # ground truth
    utterances, events = [], []
    for speaker, start, samples, turn, offsets in placed:
        t0, t1 = start / rate, (start + len(samples)) / rate
        utterances.append({"speaker": speaker, "start": r3(t0), "end": r3(t1), "text": turn.text})
        if turn.shout:
            events.append({"kind": "raised_voice", "role": speaker, "start": r3(t0), "end": r3(t1),
                           "text": turn.text})
        for part, (a, b) in zip(turn.parts, offsets):
            for ev in part.events:
                events.append({**{"kind": ev["kind"], "role": speaker, "start": r3((start + a) / rate),
                                  "end": r3((start + b) / rate), "text": clean(part.text)},
                               **({"type": ev["type"]} if "type" in ev else {})})
    op_turns = [u for u in utterances if u["speaker"] == "operator"]
    for step in spec.missing:
        where = op_turns[0] if step == "greeting" else op_turns[-1]
        events.append({"kind": "script_missing", "role": "operator", "start": where["start"],
                       "end": where["end"], "text": where["text"], "step": step})
    events.sort(key=lambda e: (e["start"], e["kind"]))

    if spec.channels == 1:  # mono calls must never overlap
        for a, b in zip(utterances, utterances[1:]):
            assert a["end"] <= b["start"], (spec.stem, a, b)

    truth = {
        "file": f"{spec.stem}.wav",
        "language": spec.language,
        "channels": spec.channels,
        "sample_rate": rate,
        "duration": r3(total / rate),
        "direction": spec.direction,
        "operator_id": spec.operator_id,
        "campaign": spec.campaign,
        "operator_channel": 0 if spec.channels == 2 else None,
        "first_speaker": utterances[0]["speaker"],
        "voices": {k: v.describe() for k, v in voices.items()},
        "utterances": utterances,
        "events": events,
        "categories": {"reasons": list(spec.reasons), "outcome": spec.outcome},
    }
    return {"pcm": pcm, "truth": truth, "clipped": int(np.sum(np.abs(tracks) * 32767.0 > 32767))}


def wav_bytes(pcm: np.ndarray, rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(pcm.shape[0])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.ascontiguousarray(pcm.T).tobytes())
    return buf.getvalue()


def rttm_text(stem: str, utterances: list[dict]) -> str:
    lines = [
        f"SPEAKER {stem} 1 {u['start']:.3f} {u['end'] - u['start']:.3f} <NA> <NA> {u['speaker']} <NA> <NA>"
        for u in sorted(utterances, key=lambda u: (u["start"], u["speaker"]))
    ]
    return "\n".join(lines) + "\n"


def write(path: Path, data: bytes | str) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)


# --------------------------------------------------------------------------- bad inputs


def write_bad(out: Path) -> None:
    bad = out / "bad"
    bad.mkdir(exist_ok=True)
    # RIFF/WAVE header, then pseudo-random bytes where the fmt chunk should be: no decoder accepts it.
    junk = b"".join(hashlib.sha256(b"callqa-corrupt-%d" % i).digest() for i in range(32))
    assert b"fmt " not in junk and b"data" not in junk
    write(bad / "corrupt.wav", b"RIFF" + struct.pack("<I", 4 + len(junk)) + b"WAVE" + junk)
    write(bad / "empty.wav", b"")
    write(bad / "silent.wav", wav_bytes(np.zeros((1, 16000 * 10), dtype="<i2"), 16000))
    write(bad / "not_audio.wav", "This is not audio: a plain text file with a .wav name, for error-handling tests.\n")


# --------------------------------------------------------------------------- docs


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def event_summary(truth: dict) -> str:
    bits = []
    for e in truth["events"]:
        if e["kind"] == "pii":
            label = f"PII {e['type']} ({e['role']})"
        elif e["kind"] == "script_missing":
            label = f"missing {e['step']}"
        else:
            label = f"{e['kind'].replace('_', ' ')} ({e['role']})"
        if label not in bits:
            bits.append(label)
    if truth["first_speaker"] == "customer":
        bits.insert(0, "customer speaks first")
    if any(a["end"] > b["start"] for a, b in zip(truth["utterances"], truth["utterances"][1:])):
        bits.append("overlapping speech")
    return "; ".join(bits)


README_HEAD = """# Sample calls

Synthetic two-party customer-service calls (operator + customer) with ground truth, for tests,
demos and quick benchmarks. **Generated** by `make_samples.py` - do not edit the audio, the
ground truth or this README by hand; change the script and regenerate:

```
python sample_audio/make_samples.py      # a few seconds; needs espeak-ng, sox and numpy (.venv/bin/python has it)
```

The output is deterministic: with the same espeak-ng ({espeak}) and sox ({sox}) it is
byte-identical on every run.

## How they were made

* Each utterance is synthesised with **espeak-ng** (two clearly different voice variants per
  call, e.g. operator `-v en+m3 -p 35 -s 160`, customer `-v en+f4 -p 75 -s 150`), band-limited
  and resampled with **sox** (8 kHz calls: `sinc 300-3400` telephone band + `rate 8000`;
  16 kHz calls: `highpass 60` + `rate 16000`), then trimmed to its actual speech (frame energy
  above {trim:.0f} dB of the loudest frame) before being placed on the timeline, so the
  ground-truth times are tight.
* Pieces of an utterance that carry an event (a card number, a swear word) are synthesised as
  separate parts {gap:.1f} s apart so the event times are exact.
* Turns are separated by seeded pauses of {p0}-{p1} s. Mono calls never overlap; stereo calls
  keep the operator on channel 0 (left) and the customer on channel 1 (right).
* Raised voice ("shouting"): espeak `-a 200`, pitch +25, speed +15, then +{shout:.0f} dB gain -
  the result clips, as real shouting on a phone line does.
* Levels: each voice is scaled so its normal speech sits around -21 to -24 dBFS RMS; a faint
  seeded noise floor (-66 dBFS) keeps the gaps from being digital silence.
* Spoken personal data is written as words, the way people say it ("four five three nine,
  ..."). Card numbers are Luhn-valid test numbers; names, phone numbers and e-mail addresses are made up.
* The operator's own name in the greeting is not labelled as PII; the customer's data is
  (and the operator's read-back of it, which is a leak).

## Calls

| file | language | channels | rate | duration | topic | voices (operator / customer) | events |
|---|---|---|---|---|---|---|---|
"""

TEAMS = {"op01": "north", "op02": "north", "op03": "south", "op04": "south"}

README_TAIL = """
Total: {total:.1f} s of audio in {n} calls. `manifest.csv` lists `file, operator_id, direction,
campaign, language, started_at, team` for every call (all but the team are also in the file names:
`YYYYMMDDTHHMMSS_<operator_id>_<direction>_<campaign>_<language>.wav`, time in UTC).

## Ground truth

For every `<stem>.wav`:

* `<stem>.rttm` - standard RTTM, one line per utterance:
  `SPEAKER <stem> 1 <start> <duration> <NA> <NA> <operator|customer> <NA> <NA>`.
* `<stem>.json`:

```jsonc
{{
  "file": "<stem>.wav", "language": "en", "channels": 2, "sample_rate": 8000, "duration": 61.234,
  "direction": "inbound", "operator_id": "op01", "campaign": "billing",
  "operator_channel": 0,            // null for mono
  "first_speaker": "operator",      // "customer" on the outbound call
  "voices": {{"operator": "-v en+f3 -p 66 -s 165", "customer": "-v en+m1 -p 35 -s 160"}},  // espeak-ng options
  "utterances": [{{"speaker": "operator", "start": 0.6, "end": 4.87, "text": "Thank you for calling ..."}}],
  "events": [
    {{"kind": "pii", "type": "CREDIT_CARD", "role": "customer", "start": 20.1, "end": 26.3, "text": "four five ..."}},
    {{"kind": "profanity", "role": "customer", "start": 30.0, "end": 31.5, "text": "This is fucking ridiculous"}},
    {{"kind": "raised_voice", "role": "customer", "start": 29.2, "end": 34.0, "text": "<the whole utterance>"}},
    {{"kind": "script_missing", "step": "closing", "role": "operator", "start": 50.0, "end": 52.0, "text": "<turn>"}}
  ],
  "categories": {{"reasons": ["billing_question"], "outcome": "resolved"}}
}}
```

Times are seconds from the start of the file, rounded to 3 decimals. `text` is exactly what was
synthesised (numbers as words). Event kinds: `profanity`, `raised_voice` (span = the shouted
utterance), `pii` (`type` one of `CREDIT_CARD, CVV, EXPIRY, PHONE, EMAIL, PERSON`; span = the
spoken item, `text` without trailing punctuation) and `script_missing` (`step` `greeting` or
`closing`; span and text = the operator turn where the step was expected: the first operator
turn for a greeting, the last for a closing). `categories`: the call reasons the customer
states and how the call ended, as `qa/compliance/categories/default.yaml` names them (outcome
`resolved`, `callback`, `escalated`, `unresolved`; outbound `agreed`, `refused`, `no_decision`).

## Intelligibility

Checked with faster-whisper `base` (multilingual, int8, CPU, language forced, greedy): English
calls come out at roughly 15-20 % WER against `text` (more where the model writes digits for
spoken numbers), Spanish at 35-50 % (8 kHz female espeak voices are the hardest), Finnish at
75-90 % - espeak-ng Finnish is poorly recognised by small Whisper models, so do not expect exact
Finnish transcripts from them; larger models do better.

## Bad inputs (`bad/`)

| file | what it is |
|---|---|
| `corrupt.wav` | a RIFF/WAVE header followed by pseudo-random bytes instead of the `fmt ` chunk (ffmpeg/PyAV, sox and Python's `wave` all reject it) |
| `empty.wav` | 0 bytes |
| `silent.wav` | 10 s of digital silence, 16 kHz mono 16-bit - readable, no speech |
| `not_audio.wav` | a text file with a `.wav` name |

## Licence

All files here are machine-generated from the scripts in `make_samples.py` (espeak-ng and sox
are only tools; no recorded voices are involved). They are dedicated to the public domain
under CC0 1.0 - use them for anything.
"""


def tool_version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "?"
    return out.splitlines()[0] if out else "?"


def write_readme(out: Path, truths: list[dict]) -> None:
    espeak = tool_version([ESPEAK, "--version"]).split("  Data")[0].replace("eSpeak NG text-to-speech: ", "")
    sox = tool_version([SOX, "--version"]).split("SoX ")[-1]
    text = README_HEAD.format(espeak=espeak, sox=sox, trim=TRIM_DB, gap=PART_GAP_S,
                              p0=PAUSE_RANGE_S[0], p1=PAUSE_RANGE_S[1], shout=SHOUT_GAIN_DB)
    for spec, t in zip(CALLS, truths):
        text += (f"| `{t['file']}` | {t['language']} | {'stereo' if t['channels'] == 2 else 'mono'} | "
                 f"{t['sample_rate'] // 1000} kHz | {t['duration']:.1f} s | {spec.topic} | "
                 f"`{t['voices']['operator']}` / `{t['voices']['customer']}` | {event_summary(t)} |\n")
    text += README_TAIL.format(total=sum(t["duration"] for t in truths), n=len(truths))
    write(out / "README.md", text)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: next to this script)")
    args = parser.parse_args(argv)
    for tool in (ESPEAK, SOX):
        if not Path(tool).exists():
            sys.exit(f"missing tool: {tool}")
    assert luhn_ok("4539148803436467") and luhn_ok("4111111111111111")

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    truths = []
    with tempfile.TemporaryDirectory(prefix="callqa-samples-") as tmp, \
            ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        for spec in CALLS:
            result = build_call(spec, pool, Path(tmp))
            truth = result["truth"]
            data = wav_bytes(result["pcm"], spec.rate)
            if len(data) > 3_000_000:
                raise RuntimeError(f"{spec.stem}.wav is {len(data)} bytes (> 3 MB)")
            write(out / f"{spec.stem}.wav", data)
            write(out / f"{spec.stem}.rttm", rttm_text(spec.stem, truth["utterances"]))
            write(out / f"{spec.stem}.json", json.dumps(truth, ensure_ascii=False, indent=2) + "\n")
            truths.append(truth)
            print(f"{spec.stem}.wav  {truth['duration']:6.1f} s  {spec.channels}ch {spec.rate} Hz  "
                  f"{len(truth['utterances'])} turns  {len(truth['events'])} events  "
                  f"clipped samples: {result['clipped']}")

    with (out / "manifest.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file", "operator_id", "direction", "campaign", "language", "started_at", "team"])
        for spec in CALLS:
            started = datetime.strptime(spec.stamp, "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc)
            writer.writerow([f"{spec.stem}.wav", spec.operator_id, spec.direction, spec.campaign, spec.language,
                             started.isoformat(), TEAMS[spec.operator_id]])
    write_bad(out)
    write_readme(out, truths)
    total = sum(t["duration"] for t in truths)
    print(f"{len(truths)} calls, {total:.1f} s of audio, written to {out} in {time.monotonic() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
