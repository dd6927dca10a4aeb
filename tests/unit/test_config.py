"""Settings layering and the errors a malformed configuration gets."""

from __future__ import annotations

import pytest

from speedlens.config import Settings, apply_overrides, load_settings
from speedlens.errors import ConfigError


def test_defaults_without_file(tmp_path):
    settings = load_settings(tmp_path)
    assert settings.model == "" and settings.alpha == 0.1 and settings.cpp.flags == ["-O2", "-std=c++17"]
    assert settings.root == tmp_path


def test_toml_then_overrides(tmp_path):
    (tmp_path / "speedlens.toml").write_text(
        'model = "ollama/qwen2.5-coder"\nalpha = 0.2\n[cpp]\nflags = ["-O3"]\n[sandbox]\ntimeout_s = 5\n'
        '[tests]\n"src/a.cpp" = "data/*.in"\n'
    )
    (tmp_path / "src").mkdir()
    settings = load_settings(tmp_path / "src", {"alpha": 0.05, "sandbox": {"memoryMb": 512}})
    assert settings.model == "ollama/qwen2.5-coder"
    assert settings.alpha == 0.05  # the override wins over the file
    assert settings.cpp.flags == ["-O3"] and settings.sandbox.timeout_s == 5.0 and settings.sandbox.memory_mb == 512
    assert settings.tests == {"src/a.cpp": "data/*.in"} and settings.root == tmp_path


def test_camel_case_editor_keys():
    settings = apply_overrides(Settings(), {"apiBase": "http://127.0.0.1:1/v1", "minSpeedup": 1.5, "feedbackRounds": 2})
    assert settings.api_base.endswith("/v1") and settings.min_speedup == 1.5 and settings.feedback_rounds == 2


def test_malformed_toml_is_a_config_error(tmp_path):
    (tmp_path / "speedlens.toml").write_text("model = \n[cpp\n")
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path)
    assert "not valid TOML" in str(exc.value) and "speedlens.toml" in str(exc.value)


@pytest.mark.parametrize(
    "data, words",
    [
        ({"modle": "x"}, "unknown setting 'modle'"),
        ({"alpha": "high"}, "'alpha' must be float"),
        ({"alpha": 2}, "alpha must be between 0 and 1"),
        ({"cpp": "g++"}, "'cpp' must be a table"),
        ({"cpp": {"flags": 3}}, "'cpp.flags' must be list"),
        ({"sanitize": "yes"}, "'sanitize' must be bool"),
    ],
)
def test_bad_values_name_the_key(data, words):
    with pytest.raises(ConfigError) as exc:
        apply_overrides(Settings(), data)
    assert words in str(exc.value)


def test_fingerprint_changes_with_verdict_relevant_settings():
    base = Settings()
    assert base.fingerprint() == Settings().fingerprint()
    assert apply_overrides(base, {"cpp": {"flags": ["-O3"]}}).fingerprint() != base.fingerprint()
    assert apply_overrides(base, {"sandbox": {"jobs": 2}}).fingerprint() == base.fingerprint()


def test_tvm_runner_is_local_or_a_tracker_url():
    from speedlens.config import RpcRunner, parse_runner

    assert Settings().tvm.runner == "local" and parse_runner("local") is None
    settings = apply_overrides(Settings(), {"tvm": {"runner": "rpc://10.0.0.7:9190/rasp4"}})
    assert parse_runner(settings.tvm.runner) == RpcRunner("10.0.0.7", 9190, "rasp4")
    assert parse_runner("rpc://[::1]:9190/k") == RpcRunner("::1", 9190, "k")
    for bad in ("rpc://host/rasp4", "rpc://host:70000/k", "http://host:9190/k", "rpc://host:9190/"):
        with pytest.raises(ConfigError, match="tvm.runner") as info:
            apply_overrides(Settings(), {"tvm": {"runner": bad}})
        assert "rpc://HOST:PORT/KEY" in info.value.hint
