import pytest

from qa.config import Config, load_config, parse_config
from qa.errors import ConfigError


def test_defaults_are_offline():
    config = load_config(None)
    assert config == Config()
    assert config.asr.model == "base"
    assert config.diarization.backend == "pyannote-offline"
    assert config.diarization.num_speakers == 2


def test_file_overrides(tmp_path):
    path = tmp_path / "callqa.toml"
    path.write_text('[asr]\nmodel = "large-v3"\nbatch_size = 16\n[roles]\noperator_channel = 1\n')
    config = load_config(path)
    assert (config.asr.model, config.asr.batch_size, config.roles.operator_channel) == ("large-v3", 16, 1)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"asr": {"modle": "x"}}, "no setting 'modle'"),
        ({"asr": {"batch_size": "8"}}, "must be int"),
        ({"diarization": {"backend": "magic"}}, "backend must be one of"),
        ({"diarization": {"backend": "pyannote-hub"}}, "needs pipeline"),
        ({"roles": {"operator_channel": 2}}, "0 or 1"),
        ({"roles": {"stereo": "both"}}, "stereo must be auto, channels or mono"),
        ({"cloud": {}}, "unknown config section"),
    ],
)
def test_bad_values_are_named(data, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(data)


def test_bad_file_names_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[asr\n")
    with pytest.raises(ConfigError, match="bad.toml: not valid TOML"):
        load_config(path)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")
