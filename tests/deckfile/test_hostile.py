"""Hostile deck files get a clear error with a position: never a traceback, a hang or a crash."""

from __future__ import annotations

import subprocess
import sys

import pytest

from studydeck.deckfile.load import MAX_DEPTH, MAX_FILE_BYTES, load_decks, parse_deck

HEAD = b"deck: x\ntitle: T\ncards:\n"


def check(data: bytes):
    deck, problems = parse_deck(data, "evil.yaml")
    assert deck is None
    assert problems and all(p.is_error or p.severity == "warning" for p in problems)
    assert all(p.file == "evil.yaml" and p.line >= 1 and p.col >= 1 for p in problems)
    return [(p.line, p.col, p.message) for p in problems if p.is_error]


@pytest.mark.parametrize("value", [
    b"!!python/object/apply:os.system [echo pwned]",
    b"!!python/name:os.system",
    b"!!python/object:collections.OrderedDict {}",
    b"!custom thing",
    b"!!binary aGVsbG8=",
    b"!!set {a, b}",
])
def test_yaml_tags_that_build_objects_are_refused(value, capfd):
    found = check(HEAD + b"  - id: a\n    front: " + value + b"\n    back: b\n")
    assert found and all("YAML tag" in m and "not allowed" in m for _l, _c, m in found)
    assert found[0][:2] == (5, 12)
    assert "pwned" not in capfd.readouterr().out


def test_a_tag_on_an_unknown_key_or_a_key_is_still_reported():
    found = check(b"deck: x\ntitle: T\nother: !!python/object/apply:os.getcwd []\ncards: []\n")
    assert any(line == 3 and "YAML tag" in m for line, _c, m in found)
    found = check(b"deck: x\n!!python/name:os.sep : 1\ntitle: T\ncards: []\n")
    assert any(line == 2 and "YAML tag" in m for line, _c, m in found)


def test_a_billion_laughs_alias_bomb_is_refused():
    lines = [b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        refs = ",".join(["*" + prev] * 9)
        lines.append(f"{name}: &{name} [{refs}]".encode())
    lines.append(b"deck: x\ntitle: T\ncards: *i")
    found = check(b"\n".join(lines) + b"\n")
    assert len(found) == 1 and found[0][:2] == (2, 8) and "alias '*a' is not allowed" in found[0][2]


def test_an_alias_in_a_card_or_a_merge_key_is_refused():
    found = check(HEAD + b"  - &n {id: a, front: q, back: b}\n  - <<: *n\n    id: b\n")
    assert found == [(5, 9, found[0][2])] and "alias" in found[0][2]


def test_an_undefined_alias_is_a_syntax_error():
    found = check(HEAD + b"  - *nothing\n")
    assert "undefined alias" in found[0][2]


def test_files_over_the_size_cap_are_refused_unparsed(tmp_path):
    big = b"#" * (MAX_FILE_BYTES + 1)
    assert check(big) == [(1, 1, check(big)[0][2])] and "limit" in check(big)[0][2]
    path = tmp_path / "big.yaml"
    path.write_bytes(big)
    result = load_decks([path])
    assert result.has_errors and "limit" in result.problems[0].message


def test_non_utf8_bytes_name_the_line_and_column_of_the_first_bad_byte():
    found = check(b"deck: x\ntitle: caf\xc3\xa9 \xff\xfe\ncards: []\n")
    assert found == [(2, 13, "not valid UTF-8 (byte 0xff); save the file as UTF-8")]
    assert check("deck: x\ntitle: café\n".encode("latin-1")) == [
        (2, 11, "not valid UTF-8 (byte 0xe9); save the file as UTF-8")]


def test_binary_garbage_and_nul_bytes_are_refused():
    garbage = bytes((i * 97 + 13) % 256 for i in range(4096))
    assert "NUL byte" in check(garbage)[0][2]
    assert check(b"deck: x\ntitle: a\x00b\n") == [(2, 9, check(b"title: a\x00b")[0][2])]
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(1, 200))
    assert check(png)


@pytest.mark.parametrize("raw, col", [
    (b"\x1b[31mred\x1b[0m", 12), (b"bell\x07", 16), (b"del\x7f", 15), (b"c1 \xc2\x9b2J", 15),
    (b"form\x0cfeed", 16), (b"bare\rreturn", 16),
])
def test_raw_control_characters_are_refused_with_their_position(raw, col):
    found = check(HEAD + b"  - id: a\n    front: " + raw + b"\n    back: b\n")
    assert found[0][:2] == (5, col) and "control character" in found[0][2]


@pytest.mark.parametrize("escaped", [r"\e[2J", r"\x1b]0;title\x07", r"\u009b", r"\N", r"\r", r"\0"])
def test_control_characters_written_as_escapes_are_refused(escaped):
    data = HEAD + b'  - id: a\n    front: "x' + escaped.encode() + b'"\n    back: b\n'
    found = check(data)
    assert found[0][:2] == (5, 12) and "control character" in found[0][2]


def test_escaped_control_characters_in_choices_params_and_extra_are_refused():
    data = (HEAD + b'  - {id: a, type: choice, front: q, choices: ["\\e", b], answer: b}\n'
            b'  - {id: d, type: drill, drill: lstm.step, params: {hidden_size: 2, x: "\\e"}}\n'
            b'  - {id: e, front: q, back: b, extra: "\\a"}\n')
    found = check(data)
    assert sum("control character" in m for _l, _c, m in found) == 3


def test_crlf_line_endings_and_tabs_in_text_are_fine():
    deck, problems = parse_deck(b"deck: x\r\ntitle: T\r\ncards:\r\n  - id: a\r\n"
                                b"    front: \"tab\\there\"\r\n    back: b\tc\r\n", "ok.yaml")
    assert problems == [] and deck.cards[0].front == "tab\there"


def test_deep_flow_nesting_is_refused_without_crashing():
    # libyaml's composer recurses in C: 100,000 brackets would crash the process,
    # so this runs in a child and checks it exits cleanly with the depth error.
    code = ("from studydeck.deckfile.load import parse_deck\n"
            "d, p = parse_deck(b'deck: x\\ntitle: T\\ncards: ' + b'[' * 100000, 'deep.yaml')\n"
            "print(p[0])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("deep.yaml:3:") and f"deeper than {MAX_DEPTH}" in out.stdout


def test_deep_block_nesting_and_deep_params_are_refused():
    block = b"".join(b"  " * i + b"k%d:\n" % i for i in range(MAX_DEPTH + 5))
    assert f"deeper than {MAX_DEPTH}" in check(HEAD + b"  - id: a\n" + block)[0][2]
    nested = b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)
    found = check(HEAD + b"  - {id: d, type: drill, drill: lstm.step, params: {x: " + nested + b"}}\n")
    assert f"deeper than {MAX_DEPTH}" in found[0][2]


def test_shallow_nested_params_are_a_type_error():
    found = check(HEAD + b"  - {id: d, type: drill, drill: lstm.step, params: {x: {y: [1]}}}\n")
    assert "must be a number, text, true/false or a list" in found[0][2]


def test_duplicate_mapping_keys_are_errors_at_the_second_key():
    found = check(b"deck: x\ntitle: T\ndeck: y\ncards: []\n")
    assert found == [(3, 1, "duplicate key 'deck' (first on line 1)")]
    found = check(HEAD + b"  - id: a\n    front: q\n    front: q2\n    back: b\n")
    assert found == [(6, 5, "duplicate key 'front' (first on line 5)")]


def test_several_documents_empty_files_and_scalars_are_errors():
    assert "single document" in check(b"deck: x\n---\ndeck: y\n")[0][2]
    assert "no YAML document" in check(b"")[0][2]
    assert "no YAML document" in check(b"# only a comment\n")[0][2]
    assert "must be a mapping" in check(b"just a sentence\n")[0][2]


def test_absurd_numbers_in_params_are_errors_not_exceptions():
    found = check(HEAD + b"  - {id: d, type: drill, drill: params.lstm, params: {hidden_size: "
                  + b"9" * 5000 + b"}}\n")
    assert found and found[0][0] == 4


def test_many_errors_in_one_file_are_all_reported_quickly():
    body = b"".join(b"  - {id: n%d, fornt: q, back: b}\n" % i for i in range(2000))
    found = check(HEAD + body)
    assert len([m for _l, _c, m in found if m.startswith("unknown key 'fornt'")]) == 2000


def test_the_pure_python_parser_fallback_gives_the_same_findings(monkeypatch):
    import yaml

    from studydeck.deckfile import yaml_nodes as deck_yaml

    samples = [
        HEAD + b"  - id: a\n    fornt: q\n    back: b\n",
        HEAD + b"  - {id: a, front: !!python/name:os.system , back: b}\n",
        b"a: &a [x, x]\nb: [*a, *a]\ndeck: x\ntitle: T\ncards: []\n",
        b"deck: x\ntitle: T\ncards: " + b"[" * 5000 + b"]" * 5000 + b"\n",
        HEAD + b"  - id: a\n    front: [unclosed\n",
        HEAD + b"  - {id: c, type: cloze, text: '{{c1::x}} {{c2::y::h}}'}\n",
    ]
    fast = [parse_deck(data, "f.yaml") for data in samples]
    monkeypatch.setattr(deck_yaml, "_BaseLoader", yaml.SafeLoader)
    monkeypatch.setattr(deck_yaml, "_Composer", deck_yaml.make_composer(yaml.SafeLoader))
    slow = [parse_deck(data, "f.yaml") for data in samples]
    for (deck_c, found_c), (deck_py, found_py) in zip(fast, slow):
        assert deck_c == deck_py
        assert [(p.line, p.severity) for p in found_c] == [(p.line, p.severity) for p in found_py]
    assert slow[-1][0] is not None and len(slow[-1][0].cards) == 2


def test_deep_flow_nesting_is_refused_by_our_scan_before_libyaml(monkeypatch):
    # The message must not depend on the libyaml version: the composer is never reached.
    from studydeck.deckfile import yaml_nodes

    def boom(*_a, **_k):
        raise AssertionError("libyaml saw a file nested deeper than the cap")

    monkeypatch.setattr(yaml_nodes, "_Composer", boom)
    prefix = b"  - {id: d, type: drill, drill: lstm.step, params: {x: "
    found = check(HEAD + prefix + b"[" * 60 + b"}}\n")
    assert len(found) == 1
    line, col, message = found[0]
    # two braces open the card and its params, so the (MAX_DEPTH - 1)th bracket is one too many
    assert (line, col) == (4, len(prefix) + MAX_DEPTH - 1)
    assert message == f"nesting deeper than {MAX_DEPTH} levels; a deck needs only a few"


def test_brackets_in_text_quotes_and_comments_are_not_nesting():
    deep = "[" * (MAX_DEPTH + 10)
    data = HEAD + (f'  - id: a\n    front: "{deep}"\n    back: \'{deep}\'\n'
            f"  - id: b  # {deep}\n    front: a{deep}\n    back: |\n      x{deep}\n").encode()
    deck, problems = parse_deck(data, "ok.yaml")
    assert problems == [] and deck.cards[0].front == deep and deck.cards[1].front == "a" + deep
