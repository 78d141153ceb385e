"""The columnar case reader agrees with the detailed one (issue 11 item 1).

``read_case`` tries :mod:`jiuye.rules.case_columns` first; it must either return exactly the Case the
detailed reader returns (every frame, the window, parameters, warnings) or decline, and then the detailed
reader's problems are the answer.  Checked on random good cases (the fast path must accept them) and on
random damage to them: a value replaced (by the Python value or by a raw JSON literal), a key removed,
an unknown or misspelt key added, a key written twice in one object.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuye.rules.case import Case, CaseError, load_case_bytes, load_case_text, parse_case, read_case
from jiuye.rules.case_columns import _SLICE, _short_float_literals, columnar_case, columnar_case_bytes
from jiuye.rules.jsonio import dumps
from tests.rules.strategies import cases
from tests.rules.test_case_validation import GOOD

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.json"))


def same_case(a: Case, b: Case) -> None:
    assert (a.window_from, a.window_to, a.parameters, a.warnings) == (b.window_from, b.window_to, b.parameters,
                                                                      b.warnings)  # fmt: skip
    for name, frame in a.facts.tables().items():
        other = getattr(b.facts, name)
        assert frame.schema == other.schema, name
        assert frame.equals(other), (name, frame, other)


def detailed(data: bytes) -> Case | list[str]:
    try:
        return parse_case(load_case_bytes(data))
    except CaseError as exc:
        return exc.problems


def agree(data: bytes) -> Case | None:
    """The fast path's Case (or None when it declined), after checking it against the detailed reader."""
    slow = detailed(data)
    fast = columnar_case_bytes(data)
    if fast is not None:
        assert isinstance(slow, Case), slow
        same_case(fast, slow)
    try:
        through = read_case(data)
    except CaseError as exc:
        assert exc.problems == slow
    else:
        assert isinstance(slow, Case)
        same_case(through, slow)
    return fast


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_take_the_fast_path(path: Path) -> None:
    assert agree(path.read_bytes()) is not None


def test_good_case_takes_the_fast_path_in_every_spelling() -> None:
    text = json.dumps(GOOD, ensure_ascii=False)
    spaced = json.dumps(GOOD, ensure_ascii=False, separators=(" , ", " : "))
    for variant in (
        text,
        json.dumps(GOOD, indent=2),
        "\ufeff" + text,
        spaced,
        text.replace("某某", '\\"某某\\"'),
    ):
        assert agree(variant.encode()) is not None
    assert columnar_case(load_case_text(text)) is not None


@pytest.mark.slow  # many engine evaluations (Hypothesis examples): seconds even on an idle machine
@SETTINGS
@given(cases())
def test_random_good_cases_agree(case: dict[str, Any]) -> None:
    data = dumps(case, indent=None).encode()
    fast = agree(data)
    if isinstance(detailed(data), Case):
        assert fast is not None  # an ordinary case is read by columns
    parsed = load_case_text(data.decode())
    by_dict = columnar_case(parsed)
    if by_dict is not None:
        slow = detailed(data)
        assert isinstance(slow, Case)
        same_case(by_dict, slow)


# ---------------------------------------------------------------------------------------------- damage
VALUES: list[Any] = [
    None, "", " ", "x", "jinshan", "JINSHAN", "male", "2024-02-30", "2024-02-29", "0000-01-01", "2024-1-01",
    "2024-13", "2024-03", "24-03", "2024-03-01", "２０２４-03-01", 0, -1, 1, 2024, 1000, 1001, 10**9, 10**9 + 1,
    2**63, True, False, [], {}, [{}], {"a": 1}, "p0", "e0", "p1", "e1", "o1", "JS-02", "NOPE-1",
    "2019-01-01", "2030-12-31", "2019-01", 2**64, -(2**63) - 1, 2**63 - 1,
    "310116199504010034", "31011619950401003x", "３１０１１６１９９５０４０１００３Ｘ", "310116199504010035",
]  # fmt: skip
LITERALS = [
    "1e2", "5E-1", "8800.0000000000000001", "99999999999999999999", "-9223372036854775809", "NaN", "Infinity",
    "-0.0", "-0", "1.005", "0.29", "8860.8", "1.5", "12345678901234.5", '"\\ud800"', '"\\ud83d\\ude00"',
    '"a\\"b"', "1000000000.01", "1000000000", "2020.0",
]  # fmt: skip
NAMES = ["id", "gender", "Gender", "birthDate", "birth_dat", "kind", "district", "unknown_thing", "from", "to",
         "employer", "base", "paid", "hukou", "awards", "landing", "parameters", "JS-02.rate"]  # fmt: skip
FOCUS = {"id", "from", "to", "start", "end", "registered_on", "ended_on", "year", "place", "fee", "base", "amount",
         "cost", "winner", "employer", "id_number", "month", "birth_date", "gender", "district", "evaluate"}  # fmt: skip
TYPED: dict[str, list[Any]] = {  # values of the right type that may still be wrong (order, range, reference)
    "date": ["2019-01-01", "2020-06-30", "2023-06-30", "2024-02-29", "2030-12-31", "2024-02-30", "2024-2-01"],
    "number": [
        0,
        -1,
        1,
        1000,
        1001,
        1900,
        2100,
        2101,
        10**9,
        10**9 + 1,
        2**63,
        2**64,
        -(2**63) - 1,
        0.5,
        0.29,
    ],
    "ref": ["p0", "p1", "e0", "e1", "o1", "internship_base0", "startup0", "nobody", ""],
}
KEY_TYPES = {"from": "date", "to": "date", "start": "date", "end": "date", "registered_on": "date",
             "ended_on": "date", "birth_date": "date", "held_on": "date", "graduation_date": "date",
             "year": "number", "place": "number", "fee": "number", "base": "number", "amount": "number",
             "cost": "number", "winner": "ref", "employer": "ref", "id": "ref", "referred_by": "ref"}  # fmt: skip
PERIODS = [("from", "to"), ("start", "end"), ("registered_on", "ended_on"), ("award_on", "registered_on")]
NUMBERS = {"year", "place", "fee", "base", "amount", "cost", "approved_amount"}
MARK = "__MUTATION_MARK__"


def places(doc: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) of a parsed case."""
    out: list[tuple[Any, Any]] = []
    todo = [doc]
    while todo:
        node = todo.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
        for key, value in items:
            out.append((node, key))
            todo.append(value)
    return out


def by_key(rnd: random.Random, spots: list[tuple[Any, Any]]) -> Any:
    """A spot whose key is drawn first (a rare field is as likely as a frequent one), or None."""
    if not spots:
        return None
    key = rnd.choice(sorted({k for _, k in spots}, key=str))
    return rnd.choice([(n, k) for n, k in spots if k == key])


def damaged(case: dict[str, Any], rnd: random.Random) -> bytes:
    doc = copy.deepcopy(case)
    twice: list[tuple[str, str]] = []  # (what the marker becomes, …)
    for _ in range(rnd.choice([1, 1, 1, 1, 2, 3])):  # one to three kinds of damage
        spots = places(doc)
        if not spots:
            break
        action = rnd.choice(
            ["value", "value", "literal", "delete", "add", "twice", "period", "same id", "number"]
        )
        pairs = [(n, a, b) for n, _ in spots if isinstance(n, dict) for a, b in PERIODS if a in n and b in n]
        numbers = by_key(rnd, [(n, k) for n, k in spots if k in NUMBERS])
        ids = [(n, k) for n, k in spots if k == "id" and isinstance(n[k], str)]
        if ids and rnd.random() < 0.5:  # two of a kind: events with events, persons with persons …
            kind = rnd.choice(sorted({"held_on" in n for n, _ in ids}))
            ids = [(n, k) for n, k in ids if ("held_on" in n) == kind]
        if action == "period" and pairs:  # ends a day before (or on the day) it starts
            node, first, last = rnd.choice(pairs)
            try:
                day = dt.date.fromisoformat(node[first]) - dt.timedelta(days=rnd.choice([0, 1, 400]))
            except (TypeError, ValueError):  # already damaged
                continue
            node[last] = day.isoformat()
            continue
        if action == "same id" and len(ids) > 1:  # an id another object already has
            (node, key), (other, _) = rnd.sample(ids, 2)
            node[key] = other["id"]
            continue
        if action == "number" and numbers:
            node, key = numbers
            node[key] = rnd.choice(TYPED["number"]) if rnd.random() < 0.7 else MARK
            continue
        focused = [(node, key) for node, key in spots if key in FOCUS]
        node, key = by_key(rnd, focused if focused and rnd.random() < 0.6 else spots)
        if action == "value":
            typed = TYPED.get(KEY_TYPES.get(key, ""), VALUES)
            node[key] = copy.deepcopy(rnd.choice(typed if rnd.random() < 0.7 else VALUES))
        elif action == "literal":
            node[key] = MARK
        elif action == "delete" and isinstance(node, dict):
            del node[key]
        elif action == "add":
            target = node if isinstance(node, dict) else node[key] if isinstance(node[key], dict) else doc
            target[rnd.choice(NAMES)] = copy.deepcopy(rnd.choice(VALUES))
        elif action == "twice" and isinstance(node, dict) and MARK not in dumps(node[key], indent=None):
            name = json.dumps(key, ensure_ascii=False)
            first = rnd.choice(
                [dumps(node[key], indent=None), rnd.choice(LITERALS), json.dumps(rnd.choice(VALUES))]
            )
            twice.append(
                (f'{name}: "{MARK}{len(twice)}"', f"{name}: {first}, {name}: {dumps(node[key], indent=None)}")
            )
            node[key] = f"{MARK}{len(twice) - 1}"
    text = dumps(doc, indent=rnd.choice([None, 2]))
    for marker, members in twice:
        text = text.replace(marker, members)
    while f'"{MARK}"' in text:
        text = text.replace(f'"{MARK}"', rnd.choice(LITERALS), 1)
    return text.encode("utf-8", "surrogatepass")


@SETTINGS
@given(cases(), st.randoms(use_true_random=False))
def test_random_bad_cases_agree(case: dict[str, Any], rnd: random.Random) -> None:
    agree(damaged(case, rnd))


@SETTINGS
@given(
    st.sampled_from([GOOD, *(json.loads(p.read_text()) for p in EXAMPLES)]), st.randoms(use_true_random=False)
)
def test_damaged_good_case_agrees(case: dict[str, Any], rnd: random.Random) -> None:
    """GOOD and the examples have what the random cases lack: ID numbers, payments, every kind of organization."""
    agree(damaged(case, rnd))


def test_the_fast_path_declines_what_it_cannot_vouch_for() -> None:
    text = json.dumps(GOOD, ensure_ascii=False)
    for before, after in [
        ('"base": 7310', '"base": 7310, "base": 7310'),  # a key twice (same value: a warning)
        ('"base": 7310', '"base": 7310.000000000000001'),  # a literal a double would round
        ('"base": 7310', '"base": 7.31e3'),
        ('"base": 7310', '"base" : 7310, "base": 7311'),
        (
            '"name": "某某制造有限公司"',
            '"name": "某某:制造"',
        ),  # a ':' inside a string: keys cannot be counted
        ('"gender": "male"', '"gender": "male", "Gender": "male"'),
        ('"size": "small"', '"size": "small", "motto": "稳就业"'),
        ('"id": "e1"', '"id": "o1"'),  # an id twice
        ('"from": "2024-01", "to": "2024-12"', '"from": "2025-01", "to": "2024-12"'),
        ('"end": null', '"end": "2023-06-30"'),  # a contract ending before it starts
        ('"amount": 1000', '"amount": 18446744073709551615'),
        ('"amount": 1000', '"amount": 1000.001'),
        ('"month": "2023-09"', '"month": "2023-9"'),
        ('"birth_date": "1995-04-01"', '"birth_date": "1995-04-02"'),  # not the ID number's
    ]:
        assert before in text
        assert agree(text.replace(before, after, 1).encode()) is None, after


ALL_MEASURES = Path(__file__).resolve().parents[2] / "examples" / "case-all-measures.json"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('"year": 2023, "grade": "A"', '"year": 9223372036854775808, "grade": "A"'),  # beyond 64 bits
        ('"year": 2023, "grade": "A"', '"year": 2101, "grade": "A"'),
        ('"place": 4', '"place": 1001'),
        ('"place": 4', '"place": 4.0'),
        (
            '"id": "ev-2024", "held_on": "2024-06-01", "cost": 120000, "awards": []',
            '"id": "ev-2024", "held_on": "2024-06-01", "cost": 120000, "awards": []}, '
            '{"id": "ev-2024", "held_on": "2024-06-02", "cost": 1, "awards": []',
        ),  # an event id twice
        ('"hukou": {"district": "jinshan", "agricultural": false}', '"hukou": {"agricultural": false}'),
        ('"hukou": {"district": "jinshan", "agricultural": false}', '"hukou": {}'),
        ('"hukou": {"district": "jinshan", "agricultural": false}', '"hukou": null'),
    ],
)
def test_all_measures_example_damaged_is_declined(before: str, after: str) -> None:
    text = json.dumps(json.loads(ALL_MEASURES.read_text()), ensure_ascii=False)
    text = (
        text.replace(
            '"awards": [{"place": 1, "winner": "p-founder"}, {"place": 2, "winner": "o-startup"}, '
            '{"place": 4, "winner": "p-js08"}]',
            '"awards": []',
        )
        if "awards" in before
        else text
    )
    assert before in text
    assert agree(text.replace(before, after, 1).encode()) is None


def _scalar_paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _scalar_paths(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _scalar_paths(v, (*path, i))]
    return [(path, node)]


@pytest.mark.parametrize("wrong", [7, 7.5, True, False, {}, [], "是"])
def test_a_wrong_type_in_any_text_or_bool_field_is_declined(wrong: Any) -> None:
    """The string and bool columns are type-checked by Polars' strict constructor (no pass of their own):
    a value of another JSON type in any one of them, anywhere in the case, makes the fast path decline, and
    read_case answers with the detailed reader's problems."""
    base = json.loads(ALL_MEASURES.read_text())
    fields = set()  # each field of each object kind once (its first occurrence)
    for path, value in _scalar_paths(base):
        field = tuple(k for k in path if isinstance(k, str))
        if path[0] == "parameters" or type(value) not in (str, bool) or type(value) is type(wrong) or field in fields:
            continue
        fields.add(field)
        case = copy.deepcopy(base)
        owner = case
        for key in path[:-1]:
            owner = owner[key]
        owner[path[-1]] = wrong
        assert agree(dumps(case, indent=None).encode()) is None, (path, wrong)


def _short_float_literals_reference(data: bytes) -> bool:
    """The scan as first written (a Python loop over every point): the Rust scan must answer alike."""
    digits = b"0123456789"
    if any(bytes([d, e]) in data for d in digits for e in b"eE"):
        return False
    at = data.find(b".")
    while at >= 0:
        before, after = data[max(0, at - 15) : at], data[at + 1 : at + 16]
        if len(before) - len(before.rstrip(digits)) + len(after) - len(after.lstrip(digits)) >= 15:
            return False
        at = data.find(b".", at + 1)
    return True


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"0", b"7", b"12345", b"9876543", b".", b"e", b"E", b" ", b'"', b"-", b":"]),
                max_size=40))  # fmt: skip
def test_float_literal_scan_agrees_with_the_reference(parts: list[bytes]) -> None:
    text = b"".join(parts)
    assert _short_float_literals(text) is _short_float_literals_reference(text), text


@pytest.mark.parametrize("at", [_SLICE - 1, _SLICE, _SLICE + 1, 3 * _SLICE - 1])
@pytest.mark.parametrize("literal", [b"7e3", b"7.5E3", b"1234567.12345678"])
def test_a_literal_across_the_scan_slices_is_caught(at: int, literal: bytes) -> None:
    """The exponent scan goes a slice at a time: a digit and its e at the end of one slice and the start of
    the next (or a long literal anywhere) still decline."""
    text = b" " * (at - 1) + literal + b" " * _SLICE
    assert _short_float_literals(text) is False
    assert _short_float_literals(text.replace(literal, b"7.5")) is True


@pytest.mark.parametrize("shift", [0, 1, 2])
def test_characters_across_the_scan_slices_are_whole(shift: int) -> None:
    """Three-byte characters over every slice boundary: the text is UTF-8, so not declined for that; bytes
    that are not UTF-8 are."""
    text = b" " * shift + "某".encode() * (_SLICE + 7)
    assert _short_float_literals(text) is True
    assert _short_float_literals(text + b"\xff") is False


@pytest.mark.parametrize(
    "literal",
    [
        "7.31e3", "731E1", "7310.0e0", "7310E-0",  # an exponent, either case
        "7310.00000000001", "7310.000000000000001",  # long after the point
        "12345678.1234567", "1234567.12345678", "1.23456789012345", "123456789012345.0",  # 15 digits around it
    ],
)  # fmt: skip
def test_a_long_or_exponent_literal_is_declined(literal: str) -> None:
    """Wherever it is (the first money value, or the last one in the text): declined, and read_case answers
    as the detailed reader does."""
    text = json.dumps(json.loads(ALL_MEASURES.read_text()), ensure_ascii=False)
    for count in (1, text.count('"base": 7310')):
        changed = text.replace('"base": 7310', f'"base": {literal}', count)
        assert changed != text
        assert agree(changed.encode()) is None, (literal, count)


def test_short_decimals_in_every_row_take_the_fast_path() -> None:
    text = json.dumps(json.loads(ALL_MEASURES.read_text()), ensure_ascii=False)
    assert text.count('"base": 7310') > 1
    case = agree(text.replace('"base": 7310', '"base": 7310.55').encode())
    assert case is not None
    assert 731055 in set(case.facts.social_insurance["base_fen"])


def _with_months(edit: Any) -> bytes:
    """The all-measures example with ``edit`` applied to the first person's social-insurance months."""
    case = json.loads(ALL_MEASURES.read_text())
    edit(case["persons"][0]["social_insurance"])
    return dumps(case, indent=None).encode()


def test_objects_with_their_keys_in_any_order_are_read_alike() -> None:
    """Objects whose keys all come in one order are read in one pass (_uniform); in different orders, field
    by field; the Case is the same either way, and the same as the detailed reader's."""

    def reorder(months: list[dict[str, Any]]) -> None:
        months[1] = dict(reversed(months[1].items()))

    def drop_optional(months: list[dict[str, Any]]) -> None:
        del months[1]["paid"]  # absent: False, as written

    uniform, mixed = agree(_with_months(lambda months: None)), agree(_with_months(reorder))
    assert uniform is not None and mixed is not None
    same_case(uniform, mixed)
    assert agree(_with_months(drop_optional)) is not None


@pytest.mark.parametrize(
    "edit",
    [
        lambda months: months.__setitem__(1, list(months[1])),  # its keys in order, but a list: not an object
        lambda months: months.__setitem__(1, None),
        lambda months: months.__setitem__(0, list(months[0])),
        lambda months: [m.__setitem__("note", "x") for m in months],  # the same unknown key in every object
    ],
)
def test_objects_that_are_not_all_alike_are_judged_by_the_detailed_reader(edit: Any) -> None:
    assert agree(_with_months(edit)) is None
