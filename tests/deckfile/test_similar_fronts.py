"""`studydeck check` warns about near-duplicate fronts, and only about those."""

from __future__ import annotations

import pytest

from studydeck.cli import main
from studydeck.deckfile.load import check_paths
from studydeck.paths import bundled_decks_dir
from studydeck.deckfile.similar_fronts import near_duplicate_fronts, same_question

DECK = "deck: {deck_id}\ntitle: T\ncards:\n"


def write(folder, deck_id, *fronts, start=0):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{deck_id}.yaml"
    path.write_text(DECK.format(deck_id=deck_id) + "".join(
        f"  - id: q{start + k}\n    front: {front!r}\n    back: A\n" for k, front in enumerate(fronts)),
        encoding="utf-8")
    return path


def test_check_warns_about_two_near_identical_fronts_naming_both(tmp_path, capsys):
    path = write(tmp_path / "d", "alpha", "What does the forget gate do?", "Unrelated?",
                 "What does the forget gate do ?")
    code = main(["check", str(tmp_path / "d")])
    out, err = capsys.readouterr()
    assert code == 0                      # a warning, not an error
    assert "1 warning" in err and "1 warnings" not in err
    (line,) = out.splitlines()
    assert line.startswith(f"{path}:10:0: warning: card 'alpha/q2' ")
    assert f"'alpha/q0' ({path}:4)" in line


def test_near_duplicates_are_found_across_decks(tmp_path):
    write(tmp_path / "d", "alpha", "How many gates does an LSTM cell have?")
    write(tmp_path / "d", "beta", "how many gates does the LSTM cell have")
    (warning,) = near_duplicate_fronts(check_paths([tmp_path / "d"]).decks)
    assert "'beta/q0'" in warning.message and "'alpha/q0'" in warning.message
    assert warning.file.endswith("beta.yaml") and warning.severity == "warning"


@pytest.mark.parametrize(("a", "b"), [
    ("What does the forget gate do?", "What does the forget gate do ?"),
    ("What does the forget gate do?", "what does THE forget gate do"),
    ("What does the forget gate do?", "What does the forgt gate do?"),        # a typo
    ("What does the forget gate decide?", "What do the forget gates decide?"),
    ("How many gates does an LSTM cell have?", "How many gates does the LSTM cell have?"),
])
def test_the_same_question_reworded_trivially_is_flagged(a, b):
    assert same_question(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("What does the forget gate do?", "What does the input gate do?"),
    ("In PyTorch's GRU, what is h' where z = 1?", "In PyTorch's GRU, what is h' where z = 0?"),
    ("If f is 0 and i is 1, what is c_t?", "If f is 1 and i is 0, what is c_t?"),
    ("Which of these is NOT a gate of the GRU?", "Which of these is a gate of the GRU?"),
    ("nn.LSTM: weight_ih_l0 has shape [...].", "nn.LSTM: weight_hh_l0 has shape [...]."),
    ("NIAF (LSTM variant)", "NOAF (LSTM variant)"),
    ("Which hyperparameter mattered most in the variant study?",
     "After the learning rate, which hyperparameter mattered most in the variant study?"),
])
def test_different_questions_are_not_flagged(a, b):
    assert not same_question(a, b)


def test_cards_of_one_note_are_not_compared(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "c.yaml").write_text(
        DECK.format(deck_id="c") + '  - id: eq\n    type: cloze\n'
        '    text: "c_t = {{c1::f_t ⊙ c_(t-1)}} + {{c2::i_t ⊙ g_t}} in the long step text"\n'
        '  - id: rev\n    type: reversed\n    front: Forget gate\n    back: Forget gate!\n',
        encoding="utf-8")
    assert near_duplicate_fronts(check_paths([folder]).decks) == []


def test_templated_fronts_that_differ_by_a_number_are_not_flagged(tmp_path):
    write(tmp_path / "d", "gen", *[f"What does the forget gate of cell {i} decide?" for i in range(300)])
    assert near_duplicate_fronts(check_paths([tmp_path / "d"]).decks) == []


def test_check_of_the_bundled_decks_is_clean(capsys):
    assert main(["check", str(bundled_decks_dir())]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "0 errors, 0 warnings" in err


def _all_pairs(decks):
    """The definition: every pair of fronts from different notes, by ``same_question``."""
    cards = [(d, c) for d in decks for c in d.cards if c.type != "drill" and c.front.strip()]
    found = set()
    for i, (_, a) in enumerate(cards):
        for _, b in cards[i + 1:]:
            if (a.deck_id, a.note_id) != (b.deck_id, b.note_id) and same_question(a.front, b.front):
                found.add(frozenset(((a.deck_id, a.card_id), (b.deck_id, b.card_id))))
    return found


@pytest.mark.parametrize("seed", range(6))
def test_indexed_search_finds_exactly_the_pairs_of_the_definition(seed):
    """Random fronts from a small vocabulary with typos, numbers, negations and stop words:
    the bit-set search reports the same pairs as comparing every pair."""
    import random

    from studydeck.model import Card, Deck

    rng = random.Random(seed)
    vocab = ["forget", "forgt", "forgets", "gate", "gates", "gat", "input", "inputs", "cell",
             "state", "hidden", "the", "a", "of", "is", "not", "no", "0", "1", "z", "ih", "hh",
             "lstm", "gru", "colour", "color", "what", "does"]
    base = [" ".join(rng.choice(vocab) for _ in range(rng.randint(1, 6))) for _ in range(25)]
    decks = []
    for d in range(3):
        cards = []
        for k in range(40):
            words = rng.choice(base).split()
            if words and rng.random() < 0.5:          # edit a copy: drop, add or swap a word
                i = rng.randrange(len(words))
                words[i:i + 1] = rng.choice(([], [rng.choice(vocab)], [words[i], rng.choice(vocab)]))
            front = " ".join(words) + rng.choice(("?", "", " ?", "."))
            cards.append(Card(deck_id=f"d{d}", card_id=f"c{k}", note_id=f"n{k % 30}", type="basic",
                              front=front, back="A", line=k + 1))
        decks.append(Deck(id=f"d{d}", title="T", description="", path=f"d{d}.yaml",
                          cards=tuple(cards)))
    expected = _all_pairs(decks)
    warnings = near_duplicate_fronts(decks)
    found = set()
    for w in warnings:
        named = [part.split("'")[1] for part in w.message.split("card ")[1:2]]
        other = w.message.split("front as '")[1].split("'")[0]
        found.add(frozenset(tuple(x.split("/")) for x in (named[0], other)))
    assert found == expected and len(warnings) == len(expected)
    assert len(expected) > 10   # the workload does contain near-duplicates
