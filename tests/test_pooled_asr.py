"""One ASR pass over many calls' channels hears what each channel alone would."""

from difflib import SequenceMatcher

import pytest

from qa.audio import load_audio
from helpers.paths import SAMPLE_AUDIO

CALLS = ("20261201T141000_op03_inbound_billing_en.wav", "20261130T103000_op02_inbound_support_en.wav",
         "20261202T114500_op02_inbound_billing_es.wav")


@pytest.mark.integration
def test_pooled_recognition_matches_each_channel_alone():
    from qa.config import Config
    from qa.engine import engine_for
    from qa.transcribe.base import AsrStream

    transcriber = engine_for(Config()).transcriber
    streams = [AsrStream(samples, name[-6:-4]) for name in CALLS for samples in load_audio(SAMPLE_AUDIO / name).channels]
    pooled = transcriber.transcribe_many(streams)
    assert len(pooled) == len(streams) == 5
    for stream, together in zip(streams, pooled):
        alone = transcriber.transcribe_many([stream])[0]
        assert together.language == alone.language == stream.language
        matcher = SequenceMatcher(None, [w.text for w in together.words], [w.text for w in alone.words])
        assert alone.words and matcher.ratio() >= 0.95
        # the same words sit where they were heard alone: same channel, same time
        pairs = [(together.words[block.a + k], alone.words[block.b + k])
                 for block in matcher.get_matching_blocks() for k in range(block.size)]
        assert sum(abs(a.start - b.start) <= 0.2 for a, b in pairs) >= 0.95 * len(pairs)
        assert all(0 <= w.start <= w.end <= len(stream.samples) / 16000 + 0.5 for w in together.words)


@pytest.mark.integration
@pytest.mark.parametrize("name", ["20261202T114500_op02_inbound_billing_es.wav", "20261203T133000_op04_inbound_collections_fi.wav"])
def test_a_stereo_call_without_a_language_gets_one_for_both_channels_from_their_mix(name):
    from qa.config import Config
    from qa.engine import engine_for
    from qa.transcribe.base import AsrStream

    transcriber = engine_for(Config()).transcriber
    streams = [AsrStream(samples) for samples in load_audio(SAMPLE_AUDIO / name).channels]
    language, probability = transcriber.detect_language(streams)
    assert language == name[-6:-4] and probability > 0.5
    assert transcriber.detect_language([AsrStream(streams[0].samples[:0])] * 2) == (None, 0.0)
