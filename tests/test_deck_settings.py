"""Per-deck settings and presets in the config file, and the scheduler each deck gets."""

import pytest

from studydeck.config import ConfigError, load_config
from studydeck.store import open_collection, save_parameters
from studydeck.study.session import Session
from tests.helpers import Clock, make_deck

CONFIG = """\
desired_retention = 0.9
max_reviews_per_day = 100
[presets.exam]
desired_retention = 0.95
new_per_day = 30
[decks.a]
preset = "exam"
new_per_day = 10
[decks.b]
max_reviews_per_day = 5
"""


def write(home, text):
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text(text)


def test_a_deck_takes_its_own_value_then_its_preset_then_the_top_level(studydeck_home):
    write(studydeck_home, CONFIG)
    config = load_config()
    a, b, c = config.for_deck("a"), config.for_deck("b"), config.for_deck("c")
    assert (a.preset, a.new_per_day, a.desired_retention, a.max_reviews_per_day) == ("exam", 10, 0.95, 100)
    assert (b.preset, b.new_per_day, b.desired_retention, b.max_reviews_per_day) == ("default", 20, 0.9, 5)
    assert (c.preset, c.new_per_day) == ("default", 20)


@pytest.mark.parametrize("text,message", [
    ('[decks.a]\npreset = "exma"\n[presets.exam]\nnew_per_day = 1\n', "did you mean 'exam'"),
    ("[decks.a]\nnew_per_dya = 3\n", "did you mean 'new_per_day'"),
    ("[decks.a]\nnew_per_day = -3\n", r"\[decks.a\]: new_per_day must be a whole number"),
    ("[presets.x]\ndesired_retention = 2\n", "between 0.7 and 0.99"),
    ('[presets.x]\npreset = "y"\n', "unknown setting 'preset'"),
    ("decks = 3\n", "must be tables"),
])
def test_bad_tables_are_named(studydeck_home, text, message):
    write(studydeck_home, text)
    with pytest.raises(ConfigError, match=message):
        load_config()


def test_each_deck_is_scheduled_with_its_presets_retention_and_parameters(studydeck_home, tmp_path):
    write(studydeck_home, CONFIG)
    config = load_config()
    fitted = (0.3, 1.0, 2.5, 9.0, 6.8, 0.6, 2.0, 0.01, 1.6, 0.15, 1.0, 1.9, 0.1, 0.3, 2.3, 0.2, 3.0, 0.5, 0.4, 0.1, 0.2)
    with open_collection(tmp_path / "c.sqlite3") as col:
        save_parameters(col, "exam", fitted, 0, 1000, 0.3, 0.02)
        session = Session(col, [make_deck("a"), make_deck("b")], config, clock=Clock())
        sa = session.scheduler_for(make_deck("a").cards[0])
        sb = session.scheduler_for(make_deck("b").cards[0])
        assert sa.fsrs.desired_retention == 0.95 and sa.fsrs.parameters == fitted
        assert sb.fsrs.desired_retention == 0.9 and sb is session.scheduler
        # the fitted parameters are the ones used: a first "Good" gives stability w[2]
        da = session.scheduler_for(make_deck("a").cards[0]).review(None, 4, Clock()()).after
        assert da.stability == pytest.approx(fitted[2])   # FSRS: S0(Good) = w[2]
