import pytest

from studydeck import paths
from studydeck.config import Config, ConfigError, load_config, parse_step


def test_defaults_without_a_file(studydeck_home):
    config = load_config()
    assert config == Config()
    assert config.desired_retention == 0.9 and config.new_per_day == 20
    assert not studydeck_home.exists()


def test_file_values_and_paths(studydeck_home):
    studydeck_home.mkdir()
    (studydeck_home / "config.toml").write_text(
        'desired_retention = 0.85\nnew_per_day = 5\ndeck_folders = ["~/my-decks"]\nbundled_decks = false\n'
    )
    config = load_config()
    assert (config.desired_retention, config.new_per_day, config.bundled_decks) == (0.85, 5, False)
    assert [p.name for p in config.deck_paths()] == ["my-decks"]
    assert paths.collection_path() == studydeck_home / "collection.sqlite3"


@pytest.mark.parametrize(
    "text,message",
    [("new_per_day = 'ten'\n", "whole number"), ("desired_retention = 2\n", "between 0.7 and 0.99"),
     ("learning_steps = ['1x']\n", "duration"), ("new_per_day = \n", "config.toml"),
     ("fuz = true\n", "did you mean 'fuzz'")],
)
def test_bad_files(studydeck_home, text, message):
    studydeck_home.mkdir()
    (studydeck_home / "config.toml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config()


def test_overrides_are_validated():
    assert Config().with_overrides(new_per_day=3, max_reviews_per_day=None).new_per_day == 3
    with pytest.raises(ConfigError):
        Config().with_overrides(desired_retention=0.2)


def test_parse_step():
    assert parse_step("90s").total_seconds() == 90
    assert parse_step("1.5h").total_seconds() == 5400
    with pytest.raises(ValueError):
        parse_step("soon")


def test_home_argument_beats_environment(tmp_path, studydeck_home):
    assert paths.data_dir(tmp_path / "x") == tmp_path / "x"
    assert paths.data_dir() == studydeck_home


def test_platform_dirs_without_home(monkeypatch, tmp_path):
    monkeypatch.delenv("STUDYDECK_HOME")
    assert paths.data_dir() == tmp_path / "xdg_data_home" / "studydeck"
    assert paths.config_path() == tmp_path / "xdg_config_home" / "studydeck" / "config.toml"


def test_every_bad_setting_is_reported_at_once(studydeck_home):
    studydeck_home.mkdir()
    (studydeck_home / "config.toml").write_text(
        "desired_retention = 2\nnew_per_day = 'ten'\nfuz = true\nlearning_steps = ['1x']\n")
    with pytest.raises(ConfigError) as caught:
        load_config()
    lines = str(caught.value).splitlines()
    assert len(lines) == 4
    assert all(line.startswith(str(studydeck_home / "config.toml") + ": ") for line in lines)
    for part in ("between 0.7 and 0.99", "new_per_day must be a whole number", "did you mean 'fuzz'", "duration"):
        assert any(part in line for line in lines), part


def test_a_toml_syntax_error_names_its_line_and_column(studydeck_home):
    studydeck_home.mkdir()
    (studydeck_home / "config.toml").write_text("new_per_day = 5\nfuzz true\n")
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert str(caught.value).startswith(f"{studydeck_home / 'config.toml'}:2:6: TOML syntax error: ")


def test_a_setting_is_saved_without_touching_the_other_lines(studydeck_home):
    from studydeck.config import save_setting

    save_setting("theme", "nord")
    assert load_config().theme == "nord"
    path = studydeck_home / "config.toml"
    path.write_text("# my settings\nnew_per_day = 5   # five a day\ntheme = \"nord\"\nfuzz = false\n")
    save_setting("theme", "textual-light")
    assert path.read_text() == '# my settings\nnew_per_day = 5   # five a day\ntheme = "textual-light"\nfuzz = false\n'
    assert load_config().new_per_day == 5


RANGE = "must be a whole number from 0 to 1,000,000, got"


@pytest.mark.parametrize("text,message", [
    ("desired_retention = 2", "desired_retention must be between 0.7 and 0.99, got 2.0"),
    ("desired_retention = 0.5", "desired_retention must be between 0.7 and 0.99, got 0.5"),
    ("new_per_day = -1", f"new_per_day {RANGE} -1"),
    ("max_reviews_per_day = 1000001", f"max_reviews_per_day {RANGE} 1000001"),
    ("leech_threshold = -2", f"leech_threshold {RANGE} -2"),
    ("day_starts_at = 24", "day_starts_at must be an hour from 0 to 23, got 24"),
    ("day_starts_at = -1", "day_starts_at must be an hour from 0 to 23, got -1"),
    ("[decks.a]\ndesired_retention = 2", "[decks.a]: desired_retention must be between 0.7 and 0.99, got 2"),
    ("[decks.a]\ndesired_retention = 'x'", "[decks.a]: desired_retention must be between 0.7 and 0.99, got 'x'"),
    ("[decks.a]\ndesired_retention = true", "[decks.a]: desired_retention must be between 0.7 and 0.99, got True"),
    ("[presets.p]\nnew_per_day = true", f"[presets.p]: new_per_day {RANGE} True"),
    ("[presets.p]\nmax_reviews_per_day = 2.5", f"[presets.p]: max_reviews_per_day {RANGE} 2.5"),
    ("[decks.a]\nnew_per_day = -3", f"[decks.a]: new_per_day {RANGE} -3"),
])
def test_each_range_message_in_full(studydeck_home, text, message):
    studydeck_home.mkdir()
    (studydeck_home / "config.toml").write_text(text + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert str(caught.value) == f"{studydeck_home / 'config.toml'}: {message}"


def test_the_ends_of_each_range_are_accepted(studydeck_home):
    studydeck_home.mkdir()
    (studydeck_home / "config.toml").write_text(
        "desired_retention = 0.7\nnew_per_day = 1000000\nmax_reviews_per_day = 0\nleech_threshold = 0\n"
        "day_starts_at = 23\n[decks.a]\ndesired_retention = 0.99\nnew_per_day = 0\nmax_reviews_per_day = 1000000\n"
        "[presets.p]\ndesired_retention = 0.7\n")
    config = load_config()
    assert (config.desired_retention, config.new_per_day, config.day_starts_at) == (0.7, 1_000_000, 23)
    assert dict(config.decks)["a"].desired_retention == 0.99
    assert dict(config.decks)["a"].max_reviews_per_day == 1_000_000


@pytest.mark.parametrize("override,message", [
    ({"desired_retention": 2.0}, "desired_retention must be between 0.7 and 0.99, got 2.0"),
    ({"desired_retention": 1}, "desired_retention must be between 0.7 and 0.99, got 1"),
    ({"new_per_day": 2**70}, f"new_per_day {RANGE} {2**70}"),
    ({"day_starts_at": 30}, "day_starts_at must be an hour from 0 to 23, got 30"),
])
def test_each_range_message_on_the_command_line(override, message):
    with pytest.raises(ConfigError) as caught:
        Config().with_overrides(**override)
    assert str(caught.value) == f"command line: {message}"


def test_a_range_refuses_values_of_the_wrong_kind_built_in_code():
    # the file and the command line check the kind first; a Config built in code is
    # checked by the same rules (an hour of 4.5 or a retention in quotes)
    assert Config(day_starts_at=4.5, desired_retention="0.9").problems() == [
        "desired_retention must be between 0.7 and 0.99, got '0.9'",
        "day_starts_at must be an hour from 0 to 23, got 4.5"]
    assert Config(new_per_day=True).problems() == [f"new_per_day {RANGE} True"]
