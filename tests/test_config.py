"""Settings: defaults, pyproject.toml / outreach.toml, flags, validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.errors import ConfigError


def test_defaults_without_a_settings_file(tmp_path):
    s = load_settings(tmp_path)
    assert (s.source_language, s.target_languages) == ("pl", ("en", "uk"))
    assert s.sources_dir == tmp_path.resolve() / "source_texts"
    assert s.locales_dir == tmp_path.resolve() / "locales" and s.build_dir == tmp_path.resolve() / "build"
    assert s.batch_tokens == 2048 and s.settings_file is None


def test_pyproject_table_and_flags_override(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.outreach]\ntarget_languages = ["uk"]\nsources = "texts"\nbatch_tokens = 4096\n', encoding="utf-8")
    s = load_settings(tmp_path)
    assert s.target_languages == ("uk",) and s.sources == Path("texts") and s.batch_tokens == 4096
    assert load_settings(tmp_path, target_languages="en, de").target_languages == ("en", "de")


def test_outreach_toml_wins_and_accepts_top_level_keys(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.outreach]\ntarget_languages = ["uk"]\n', encoding="utf-8")
    (tmp_path / "outreach.toml").write_text('target_languages = ["de"]\n', encoding="utf-8")
    s = load_settings(tmp_path)
    assert s.target_languages == ("de",) and s.settings_file.name == "outreach.toml"


@pytest.mark.parametrize("body, message", [
    ("colour = 1", "unknown setting 'colour'"),
    ("beam_size = \"two\"", "setting 'beam_size' must be a int"),
    ("batch_tokens = 8", "batch_tokens ≥ 64"),
    ("inter_threads = -1", "inter_threads and batch_examples must be ≥ 0"),
    ("max_length_ratio = 0.5", "max_length_ratio between 1 and 10"),
    ("max_length_ratio = true", "setting 'max_length_ratio' must be a number"),
    ("target_languages = [\"pl\"]", "the source language 'pl' is also a target language"),
    ("target_languages = [\"English\"]", "is not a language code"),
    ("engine = \"google\"", "engine: 'google' is not one of"),
])
def test_invalid_settings_name_the_file(tmp_path, body, message):
    (tmp_path / "pyproject.toml").write_text(f"[tool.outreach]\n{body}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path)
    assert message in str(err.value) and "pyproject.toml" in str(err.value)
