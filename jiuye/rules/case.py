"""Case JSON (``../shared/case-format.md``) → validated :class:`Case` with its :class:`Facts`, and back.

Validation happens completely before anything is computed: every problem is collected as one
``json.path: 中文原因`` line, and :class:`CaseError` carries them all.

What the reader refuses, whatever the input (docs/messages.md):

* JSON that is not UTF-8, not well formed, nested too deeply for the parser (the message names the
  path of the first :data:`MAX_DEPTH` levels and the line), or holding a number
  the case cannot represent (more than :data:`MAX_NUMBER_CHARS` characters, outside the 64-bit range,
  ``NaN``/``Infinity``) or a string with a lone UTF-16 surrogate (``"\\ud800"``);
* a field name that is a misspelling of a known one (error) — any other unknown field is a warning;
* the same key twice in one object with different values (error; the same value twice is a warning).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl

from jiuye.rules.dates import format_month, parse_month
from jiuye.rules.facts import ENUMS, SCHEMAS, Facts
from jiuye.rules.identifiers import (
    id_birth_date,
    id_gender,
    id_number_reason,
    mask_id_number,
    normalize_id_number,
)
from jiuye.rules.money import MoneyError, fen_to_json_number, yuan_to_fen

MAX_DEPTH = 32  # the case format nests at most 6 levels (organizations[].events[].awards[].…)
MAX_NUMBER_CHARS = 40  # a longer number literal is refused before it is converted
INT64_MAX = 2**63 - 1
MAX_AMOUNT_FEN = 10**9 * 100  # no amount in a case (fee, base, payment, subsidy) exceeds 十亿元
YEAR_RANGE = (1900, 2100)
COLUMNAR_MIN_BYTES = 64 * 1024  # smaller case files are read field by field (see read_case)


class CaseError(ValueError):
    """The case cannot be evaluated; ``problems`` lists every problem, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


_PROBLEM_PATH = re.compile(r"^([A-Za-z_][\w.\[\]]*): ?(.*)$", re.S)


def split_problem(problem: str) -> tuple[str | None, str]:
    """One of :attr:`CaseError.problems` (``persons[0].birth_date: 不是有效日期…``, as the reader writes them)
    as (its path, its message); a problem of the whole case has no path."""
    found = _PROBLEM_PATH.match(problem)
    return (found.group(1), found.group(2)) if found else (None, problem)


@dataclass
class Case:
    facts: Facts
    window_from: dt.date
    window_to: dt.date
    parameters: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # not errors: shown on stderr, evaluation goes on


# --------------------------------------------------------------------------- JSON text → data
class BadNumber:
    """A JSON number the case cannot hold; kept in place so that the reader can name its path."""

    __slots__ = ("reason", "text")

    def __init__(self, text: str, reason: str) -> None:
        self.text = text if len(text) <= 24 else f"{text[:12]}…（共 {len(text)} 个字符）"
        self.reason = reason

    def __repr__(self) -> str:
        return self.text


class _Object(dict[str, Any]):
    """A JSON object in which some key occurred more than once: ``duplicates`` = {key: same value?}."""

    duplicates: dict[str, bool]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    marked = _Object(obj)
    marked.duplicates = {}
    first: dict[str, Any] = {}
    for key, value in pairs:
        if key in first:
            marked.duplicates[key] = marked.duplicates.get(key, True) and first[key] == value
        else:
            first[key] = value
    return marked


def _int(text: str) -> int | BadNumber:
    if len(text) > MAX_NUMBER_CHARS:
        return BadNumber(text, "数值位数过多")
    value = int(text)
    if not -INT64_MAX - 1 <= value <= INT64_MAX:
        return BadNumber(text, "整数超出 64 位整数的范围")
    return value


def _decimal(text: str) -> Decimal | BadNumber:
    if len(text) > MAX_NUMBER_CHARS:
        return BadNumber(text, "数值位数过多")
    value = Decimal(text)
    if value and not -30 <= value.adjusted() <= 18:
        return BadNumber(text, "数值超出可处理的范围")
    return value


def _constant(text: str) -> BadNumber:
    return BadNumber(text, "不是有限的数（JSON 不允许 NaN、Infinity）")


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]')


def load_case_bytes(data: bytes) -> dict[str, Any]:
    """Decode a case file's bytes (UTF-8, with or without BOM) and parse it; raises CaseError."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseError(
            [f"$: 文件不是 UTF-8 编码（第 {exc.start + 1} 个字节无法解码），请将案例另存为 UTF-8 后重试"]
        ) from None
    return load_case_text(text)


def load_case_text(text: str) -> dict[str, Any]:
    """Parse JSON keeping decimals exact; raises CaseError on anything the case cannot hold."""
    try:
        data = json.loads(text, parse_float=_decimal, parse_int=_int, parse_constant=_constant,
                          object_pairs_hook=_object)  # fmt: skip
    except json.JSONDecodeError as exc:
        raise CaseError([f"$: 不是合法的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）"]) from None
    except RecursionError:
        raise CaseError([_too_deep(text)]) from None
    if not isinstance(data, dict):
        raise CaseError(["$: 案例必须是一个 JSON 对象"])
    problems: list[str] = []
    if _SURROGATE_ESCAPE.search(text) or _SURROGATE.search(text):
        problems += _surrogate_problems(data)
    if problems:
        raise CaseError(problems)
    return data


def _too_deep(text: str) -> str:
    """The path (first levels) and line of the place where ``text`` nests deeper than MAX_DEPTH."""
    stack: list[Any] = []  # per open container: [index] for arrays, key text (or None) for objects
    pending_key: str | None = None
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            if len(stack) >= MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                return (
                    f"{_path_of(stack)}: JSON 嵌套超过 {MAX_DEPTH} 层（第 {line} 行）；案例格式最多嵌套 6 层"
                )
            stack.append([0] if token == "[" else None)
        elif token in "]}":
            if stack:
                stack.pop()
        elif token == ",":
            if stack and isinstance(stack[-1], list):
                stack[-1][0] += 1
        elif token == ":":
            if stack and not isinstance(stack[-1], list):
                stack[-1] = pending_key
        else:
            pending_key = token[1:-1]
    return f"$: JSON 嵌套超过 {MAX_DEPTH} 层；案例格式最多嵌套 6 层"


def _path_of(stack: list[Any]) -> str:
    path = ""
    for step in stack:
        path = join(path, step[0] if isinstance(step, list) else (step or "?"))
    return path or "$"


_PLAIN_STEP = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_STEP_TEXT: dict[str, str] = {}  # step → as written in a path: join runs for every field read, mostly on a few names


def join(path: str, step: str | int) -> str:
    """``persons`` + 0 → ``persons[0]``; ``persons[0]`` + ``id`` → ``persons[0].id``."""
    if isinstance(step, int):
        return f"{path}[{step}]"
    text = _STEP_TEXT.get(step)
    if text is None:
        text = step if _PLAIN_STEP.fullmatch(step) else json.dumps(step, ensure_ascii=True)
        if len(_STEP_TEXT) < 4096:  # bounded: a case's unknown keys are the user's
            _STEP_TEXT[step] = text
    return f"{path}.{text}" if path else text


def _walk(data: Any) -> Iterator[tuple[list[str | int], Any]]:
    """Every (path steps, value) of parsed JSON, iteratively (no recursion limit)."""
    todo: list[tuple[list[str | int], Any]] = [([], data)]
    while todo:
        steps, value = todo.pop()
        yield steps, value
        if isinstance(value, dict):
            todo.extend(([*steps, k], v) for k, v in value.items())
        elif isinstance(value, list):
            todo.extend(([*steps, i], v) for i, v in enumerate(value))


def _steps_path(steps: list[str | int]) -> str:
    path = ""
    for step in steps:
        path = join(path, step if isinstance(step, int) else _SURROGATE.sub("\ufffd", step))
    return path or "$"


def _surrogate_problems(data: dict[str, Any]) -> list[str]:
    problems = []
    for steps, value in _walk(data):
        if steps and isinstance(steps[-1], str) and _SURROGATE.search(steps[-1]):
            problems.append(
                f"{_steps_path(steps)}: 字段名含有孤立的 UTF-16 代理项（如 \\ud800），不是有效的文字"
            )
        if isinstance(value, str) and _SURROGATE.search(value):
            problems.append(
                f"{_steps_path(steps)}: 文本含有孤立的 UTF-16 代理项（如 \\ud800），不是有效的文字"
            )
    return sorted(problems)


def show(value: Any) -> str:
    """A user's value inside a message: short, one line, printable."""
    if isinstance(value, BadNumber):
        return value.text
    if isinstance(value, dict):
        return "对象 {…}"
    if isinstance(value, list):
        return "数组 […]"
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}…（共 {len(str(value))} 个字符）"


class _Reader:
    """Collects problems while reading typed fields out of nested JSON.

    Every field the reader asks for is remembered per object, so that afterwards the fields nobody
    asked for can be reported (:meth:`unknown_fields`): a misspelling of a known name is an error, any
    other unknown name a warning.
    """

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.references: list[tuple[str, str, tuple[str, ...]]] = []  # (path, id, allowed kinds)
        self._asked: dict[int, tuple[str, dict[str, Any], set[str]]] = {}  # id(obj) -> (path, obj, names)
        self.id_numbers: dict[str, tuple[str | None, dt.date | None, str]] = {}  # see _id_number_facts

    def problem(self, path: str, reason: str) -> None:
        self.problems.append(f"{path}: {reason}")

    def asked(self, obj: dict[str, Any], path: str, *names: str) -> None:
        """Record that ``names`` of ``obj`` (at ``path``) are known fields."""
        entry = self._asked.get(id(obj))
        if entry is None:
            entry = self._asked[id(obj)] = (path, obj, set())
        entry[2].update(names)

    def unknown_fields(self) -> None:
        for path, obj, names in self._asked.values():
            where = path or "$"
            for key, same in getattr(obj, "duplicates", {}).items():
                if same:
                    self.warnings.append(
                        f"{join(path, key)}: 同一对象中该字段出现了多次（取值相同），只保留一个"
                    )
                else:
                    self.problem(join(path, key), "同一对象中该字段出现了多次且取值不同，无法确定以哪个为准")
            for key in obj:
                if key in names:
                    continue
                close = _misspelling_of(key, names)
                if close:
                    self.problem(join(path, key), f"未知字段，是否应为 {close!r}？（见 case-format.md）")
                else:
                    self.warnings.append(
                        f"{join(path, key)}: 未知字段，已忽略（{where} 的字段见 case-format.md）"
                    )

    def field(
        self,
        obj: dict[str, Any],
        path: str,
        name: str,
        parse: Callable[[str, Any], Any],
        *,
        required: bool = False,
        nullable: bool = True,
        default: Any = None,
    ) -> Any:
        entry = self._asked.get(id(obj))  # self.asked(obj, path, name), inlined: it runs for every field
        if entry is None:
            entry = self._asked[id(obj)] = (path, obj, set())
        entry[2].add(name)
        where = join(path, name)
        if name not in obj:
            if required:
                self.problem(where, "缺少必填字段")
            return default
        value = obj[name]
        if value is None:
            if not nullable:
                self.problem(where, "不能为 null")
            return None
        return parse(where, value)

    # parsers: (path, value) -> parsed value, or None after recording a problem
    def text(self, path: str, value: Any) -> str | None:
        if not isinstance(value, str) or not value:
            self.problem(path, f"应为非空字符串：{show(value)}")
            return None
        return value

    def id_text(self, path: str, value: Any) -> str | None:
        """An ID number: text, never echoed back (a number typed without quotes is still personal data)."""
        if not isinstance(value, str) or not value:
            self.problem(path, '应为字符串（身份证号码请加引号，如 "310116199504011234"）')
            return None
        return value

    def date(self, path: str, value: Any) -> dt.date | None:
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            self.problem(path, f"不是有效日期（YYYY-MM-DD）：{show(value)}")
            return None

    def month(self, path: str, value: Any) -> dt.date | None:
        try:
            if not isinstance(value, str):
                raise ValueError
            return parse_month(value)
        except ValueError:
            self.problem(path, f"不是有效月份（YYYY-MM）：{show(value)}")
            return None

    def boolean(self, path: str, value: Any) -> bool | None:
        if not isinstance(value, bool):
            self.problem(path, f"应为 true 或 false：{show(value)}")
            return None
        return value

    def integer(self, path: str, value: Any) -> int | None:
        if isinstance(value, BadNumber):
            self.problem(path, f"{value.reason}：{value.text}")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, f"应为整数：{show(value)}")
            return None
        return value

    def year(self, path: str, value: Any) -> int | None:
        year = self.integer(path, value)
        if year is not None and not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            self.problem(path, f"年份应在 {YEAR_RANGE[0]} 至 {YEAR_RANGE[1]} 之间：{year}")
            return None
        return year

    def place(self, path: str, value: Any) -> int | None:
        place = self.integer(path, value)
        if place is not None and not 1 <= place <= 1000:
            self.problem(path, f"名次应为 1 至 1000 的整数：{place}")
            return None
        return place

    def money(self, path: str, value: Any) -> int | None:
        if type(value) is int and 0 <= value <= MAX_AMOUNT_FEN // 100:  # whole yuan in range (most amounts)
            return yuan_to_fen(value)
        if isinstance(value, BadNumber):
            self.problem(path, f"{value.reason}：{value.text}")
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.problem(path, f"应为金额（元，最多两位小数）：{show(value)}")
            return None
        if abs(Decimal(value)) * 100 > MAX_AMOUNT_FEN:
            self.problem(path, f"金额超出范围（不超过 {MAX_AMOUNT_FEN // 100} 元）：{value}")
            return None
        try:
            fen = yuan_to_fen(value)
        except (MoneyError, InvalidOperation) as exc:
            self.problem(path, str(exc))
            return None
        if fen < 0:
            self.problem(path, f"金额不能为负：{value}")
            return None
        return fen

    def enum(self, kind: str) -> Callable[[str, Any], str | None]:
        allowed = ENUMS[kind]

        def parse(path: str, value: Any) -> str | None:
            if not isinstance(value, str) or value not in allowed:
                self.problem(path, f"未知取值 {show(value)}（可选：{' | '.join(allowed)}）")
                return None
            return str(value)

        return parse

    def reference(self, *kinds: str) -> Callable[[str, Any], str | None]:
        def parse(path: str, value: Any) -> str | None:
            ref = self.text(path, value)
            if ref is not None:
                self.references.append((path, ref, kinds))
            return ref

        return parse

    def items(self, obj: dict[str, Any], path: str, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Yield (path, element) for a list of objects; absent or null = empty."""
        self.asked(obj, path, name)
        value = obj.get(name)
        if value is None:
            return
        if not isinstance(value, list):
            self.problem(join(path, name), "应为数组")
            return
        listed = join(path, name)
        for i, element in enumerate(value):
            where = f"{listed}[{i}]"  # join(listed, i)
            if not isinstance(element, dict):
                self.problem(where, "应为对象")
                continue
            self.asked(element, where)
            yield where, element

    def object(self, obj: dict[str, Any], path: str, name: str) -> dict[str, Any] | None:
        """A nested object field (``hukou``, ``landing``, ``evaluate``), or None when absent/null."""
        self.asked(obj, path, name)
        value = obj.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem(join(path, name), "应为对象")
            return None
        self.asked(value, join(path, name))
        return value


def _misspelling_of(key: str, known: set[str]) -> str | None:
    """The known field ``key`` was probably meant to be (case, hyphens, camelCase, one or two typos)."""
    folded = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower().replace("-", "_").replace(" ", "_")
    for name in known:
        if folded == name:
            return name
    close = difflib.get_close_matches(folded, sorted(known), n=1, cutoff=0.8)
    return close[0] if close else None


def _period_problem(r: _Reader, path: str, start: dt.date | None, end: dt.date | None, names: str) -> None:
    if start is not None and end is not None and end < start:
        r.problem(path, f"结束日期早于开始日期（{names}：{start} > {end}）")


# --------------------------------------------------------------------------- the case
def read_case(data: bytes) -> Case:
    """A case file's bytes → Case; raises CaseError with every problem.

    The columnar reader (:mod:`jiuye.rules.case_columns`: orjson, whole columns) reads ordinary cases; it
    returns exactly what the detailed reader below would, or declines, and then the detailed reader (field by
    field, every problem with its JSON path) decides — so both paths give the same Case or the same problems.
    Below :data:`COLUMNAR_MIN_BYTES` (a few dozen people) the detailed reader is the faster one.
    """
    if len(data) >= COLUMNAR_MIN_BYTES:
        from jiuye.rules.case_columns import columnar_case_bytes

        case = columnar_case_bytes(data)
        if case is not None:
            return case
    return parse_case(load_case_bytes(data))


IdFacts = dict[str, tuple[str | None, dt.date | None, str]]


def parse_case(data: dict[str, Any], id_numbers: IdFacts | None = None) -> Case:
    """The case ``data`` (a decoded case JSON object) read and checked; raises CaseError with every problem.

    ``id_numbers``: the GB 11643 facts of the case's ID numbers when already known (:func:`parse_cases` reads
    those of many cases in one query); None reads them here."""
    read = _read(data, id_numbers)
    return _with_facts([read])[0]


@dataclass
class _Read:
    """A case read and checked, its tables still as rows (:func:`_with_facts` makes the frames)."""

    rows: dict[str, list[dict[str, Any]]]
    window_from: dt.date
    window_to: dt.date
    parameters: dict[str, Any]
    warnings: list[str]


def _read(data: dict[str, Any], id_numbers: IdFacts | None) -> _Read:
    """:func:`parse_case` up to the frames; raises CaseError with every problem."""
    r = _Reader()
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SCHEMAS}
    kinds: dict[str, str] = {}  # id -> person | employer | organization

    window_from = window_to = None
    r.asked(data, "", "persons", "employers", "organizations", "payments", "parameters")
    evaluate = r.object(data, "", "evaluate")
    if evaluate is None:
        if "evaluate" not in data or data["evaluate"] is None:
            r.problem("evaluate", "缺少必填字段（应为 {\"from\": \"YYYY-MM\", \"to\": \"YYYY-MM\"}）")
    else:
        window_from = r.field(evaluate, "evaluate", "from", r.month, required=True, nullable=False)
        window_to = r.field(evaluate, "evaluate", "to", r.month, required=True, nullable=False)
        if window_from and window_to and window_from > window_to:
            r.problem("evaluate", f"from 晚于 to（{format_month(window_from)} > {format_month(window_to)}）")

    def declare(path: str, ident: str | None, kind: str) -> None:
        if ident is None:
            return
        if ident in kinds:
            r.problem(f"{path}.id", f"id 重复：{show(ident)}（persons、employers、organizations 的 id 必须互不相同）")
        kinds[ident] = kind

    # GB 11643 for every ID number at once (one query, not three per person)
    r.id_numbers = _id_number_facts(_id_numbers_of(data)) if id_numbers is None else id_numbers
    for path, p in r.items(data, "", "persons"):
        _read_person(r, path, p, rows, declare)
    for path, e in r.items(data, "", "employers"):
        ident = r.field(e, path, "id", r.text, required=True, nullable=False)
        declare(path, ident, "employer")
        rows["employers"].append({
            "id": ident, "name": r.field(e, path, "name", r.text),
            "type": r.field(e, path, "type", r.enum("employer_type"), required=True, nullable=False),
            "district": r.field(e, path, "district", r.enum("district")),
            "size": r.field(e, path, "size", r.enum("employer_size")),
            "state_owned": r.field(e, path, "state_owned", r.boolean, default=False),
            "deregistered_on": r.field(e, path, "deregistered_on", r.date),
        })
    event_ids: set[str] = set()
    for path, o in r.items(data, "", "organizations"):
        _read_organization(r, path, o, rows, declare, event_ids)
    for path, pay in r.items(data, "", "payments"):
        rows["payments"].append({
            "policy": r.field(pay, path, "policy", r.text, required=True, nullable=False),
            "beneficiary": r.field(pay, path, "beneficiary", r.reference("person", "employer", "organization"),
                                   required=True, nullable=False),
            "subject": r.field(pay, path, "subject", r.reference("person", "employer", "organization"),
                               required=True, nullable=False),
            "month": r.field(pay, path, "month", r.month, required=True, nullable=False),
            "amount_fen": r.field(pay, path, "amount", r.money, required=True, nullable=False),
        })  # fmt: skip
    parameters = _read_parameters(r, data.get("parameters"), r.warnings)
    _check_payment_policies(r, rows["payments"])
    r.unknown_fields()

    for path, ident, allowed in r.references:
        if ident not in kinds:
            r.problem(path, f"引用了不存在的 id：{show(ident)}")
        elif kinds[ident] not in allowed:
            r.problem(path, f"{show(ident)} 是 {kinds[ident]}，此处应引用 {' 或 '.join(allowed)}")

    if r.problems:
        raise CaseError(r.problems)
    assert window_from is not None and window_to is not None
    return _Read(rows, window_from, window_to, parameters, r.warnings)


def _with_facts(reads: Sequence[_Read]) -> list[Case]:
    """The Case of each read, the frames of all of them built together: one frame per table from every case's
    rows, sliced per case (a slice copies nothing) — building a frame costs ~50 µs however few its rows, and a
    one-person case has four non-empty tables.

    Every frame is built in its table's schema (``SCHEMAS``), so ``Facts.from_frames``' conform would only
    compare 18 schemas dtype by dtype (~0.3 ms of Python per one-person parse) and return them unchanged."""
    tables: list[dict[str, pl.DataFrame]] = [{} for _ in reads]
    for name, schema in SCHEMAS.items():
        counts = [len(read.rows[name]) for read in reads]
        if not any(counts):
            for own in tables:
                own[name] = _EMPTY[name].clear()
            continue
        every = pl.DataFrame([row for read in reads for row in read.rows[name]], schema=schema, orient="row")
        at = 0
        for own, count in zip(tables, counts, strict=True):
            # a case without rows of the table gets its own empty frame: on an empty slice of the gathering's
            # frame a Polars query of the engine raised (JS-07c's explanations: "length 1 doesn't match the
            # DataFrame height"), though the slice equals the empty frame
            own[name] = every.slice(at, count) if count else _EMPTY[name].clear()
            at += count
    return [Case(facts=Facts(**own), window_from=read.window_from, window_to=read.window_to,
                 parameters=read.parameters, warnings=read.warnings) for read, own in zip(reads, tables, strict=True)]  # fmt: skip


# an empty frame of each table, copied by ``clear()`` (microseconds) rather than built from its schema (~0.25 ms
# each: most of a one-person case's 18 tables are empty, ~4 ms of its parse)
_EMPTY = {name: pl.DataFrame(schema=schema) for name, schema in SCHEMAS.items()}


def parse_cases(cases: Sequence[dict[str, Any]]) -> list[Case | Exception]:
    """:func:`parse_case` of each of ``cases``, the ID numbers of all of them checked in one query (the
    micro-batcher reads a gathering's small cases together): each case gets exactly its own Case or the
    exception reading it alone raises (CaseError with its problems)."""
    try:
        facts: IdFacts | None = _id_number_facts([n for data in cases for n in _id_numbers_of(data)])
    except Exception:  # one case's text Polars cannot take (a lone surrogate): each reads its own, only it fails
        facts = None
    out: list[_Read | Exception] = []
    for data in cases:
        try:
            out.append(_read(data, facts))
        except Exception as exc:
            out.append(exc)
    good = [r for r in out if isinstance(r, _Read)]
    made: Iterator[Case | Exception]
    try:
        made = iter(_with_facts(good))
    except Exception:  # a value Polars cannot take (a lone surrogate): each case's frames its own, only it fails
        made = iter([_case_or_error(r) for r in good])
    return [next(made) if isinstance(r, _Read) else r for r in out]


def _case_or_error(read: _Read) -> Case | Exception:
    try:
        return _with_facts([read])[0]
    except Exception as exc:
        return exc


def _id_numbers_of(data: dict[str, Any]) -> list[str]:
    persons = data.get("persons") if isinstance(data, dict) else None
    if not isinstance(persons, list):
        return []
    return [normalize_id_number(p["id_number"]) for p in persons
            if isinstance(p, dict) and isinstance(p.get("id_number"), str) and p["id_number"]]  # fmt: skip


_ID_EXPRS: dict[str, list[pl.Expr]] = {}


def _id_number_facts(numbers: list[str]) -> IdFacts:
    """For each ID number: (problem or None, birth date, gender) from the GB 11643 column expressions."""
    if not numbers:  # a case without ID numbers (most self-checks): no query
        return {}
    exprs = _ID_EXPRS.get("v")
    if exprs is None:  # data-independent: built once (~1 ms of Python per parse otherwise); setdefault is atomic
        v = pl.col("v")
        exprs = _ID_EXPRS.setdefault("v", [id_number_reason(v).alias("reason"), id_birth_date(v).alias("born"),
                                           id_gender(v).alias("gender")])  # fmt: skip
    frame = pl.DataFrame({"v": sorted(set(numbers))}, schema={"v": pl.String}).select("v", *exprs)
    return {row[0]: (row[1], row[2], row[3]) for row in frame.iter_rows()}


def _read_person(
    r: _Reader, path: str, p: dict[str, Any], rows: dict[str, list[dict[str, Any]]],
    declare: Callable[[str, str | None, str], None],
) -> None:
    ident = r.field(p, path, "id", r.text, required=True, nullable=False)
    declare(path, ident, "person")
    birth = r.field(p, path, "birth_date", r.date, required=True, nullable=False)
    gender = r.field(p, path, "gender", r.enum("gender"), required=True, nullable=False)
    id_number = r.field(p, path, "id_number", r.id_text)
    if id_number is not None:
        id_number = normalize_id_number(id_number)
        problem, id_born, id_sex = r.id_numbers.get(id_number) or _id_number_facts([id_number])[id_number]
        if problem:
            shown = mask_id_number(id_number) if len(id_number) == 18 else f"共 {len(id_number)} 位"
            r.problem(f"{path}.id_number", f"{problem}：{shown}")
            id_number = None
        else:
            if birth is not None and id_born != birth:
                r.problem(f"{path}.id_number", f"身份证号码中的出生日期 {id_born} 与 birth_date {birth} 不一致")
            if gender is not None and id_sex != gender:
                r.problem(f"{path}.id_number", f"身份证号码的性别位与 gender {show(gender)} 不一致")
    hukou = r.object(p, path, "hukou")
    district = agricultural = moved_out_on = None
    if hukou is None:
        if p.get("hukou") is None:
            r.problem(f"{path}.hukou", "缺少必填字段（应为 {\"district\": …, \"agricultural\": …}）")
    else:
        if "district" not in hukou:
            r.problem(f"{path}.hukou.district", "缺少必填字段（非本市户籍请填 null）")
        district = r.field(hukou, f"{path}.hukou", "district", r.enum("district"))
        agricultural = r.field(hukou, f"{path}.hukou", "agricultural", r.boolean, default=False)
        moved_out_on = r.field(hukou, f"{path}.hukou", "moved_out_on", r.date)
    origin = r.field(p, path, "origin_district", r.enum("district"), default=district)
    if "origin_district" not in p:
        origin = district
    rows["persons"].append({
        "id": ident, "id_number": id_number, "birth_date": birth, "gender": gender,
        "hukou_district": district, "hukou_agricultural": agricultural, "origin_district": origin,
        "died_on": r.field(p, path, "died_on", r.date), "hukou_moved_out_on": moved_out_on,
    })
    for q, e in r.items(p, path, "education"):
        rows["education"].append({
            "person": ident, "level": r.field(e, q, "level", r.enum("education_level"), required=True, nullable=False),
            "full_time": r.field(e, q, "full_time", r.boolean, default=False),
            "graduation_date": r.field(e, q, "graduation_date", r.date),
            "school_district": r.field(e, q, "school_district", r.enum("district")),
        })
    for q, s in r.items(p, path, "statuses"):
        start, end = r.field(s, q, "from", r.date, required=True, nullable=False), r.field(s, q, "to", r.date)
        _period_problem(r, q, start, end, "from/to")
        rows["statuses"].append({"person": ident, "kind": r.field(s, q, "kind", r.enum("status_kind"), required=True,
                                                                  nullable=False), "start": start, "end": end})
    for q, u in r.items(p, path, "unemployment_registrations"):
        start, end = r.field(u, q, "from", r.date, required=True, nullable=False), r.field(u, q, "to", r.date)
        _period_problem(r, q, start, end, "from/to")
        rows["unemployment"].append({"person": ident, "start": start, "end": end})
    for q, f in r.items(p, path, "flexible_employment"):
        start = r.field(f, q, "registered_on", r.date, required=True, nullable=False)
        end = r.field(f, q, "ended_on", r.date)
        _period_problem(r, q, start, end, "registered_on/ended_on")
        rows["flexible"].append({"person": ident, "start": start, "end": end})
    for i, (q, c) in enumerate(r.items(p, path, "contracts")):
        start, end = r.field(c, q, "start", r.date, required=True, nullable=False), r.field(c, q, "end", r.date)
        _period_problem(r, q, start, end, "start/end")
        rows["contracts"].append({
            "contract_id": f"{ident}#c{i}", "person": ident,
            "employer": r.field(c, q, "employer", r.reference("employer"), required=True, nullable=False),
            "start": start, "end": end, "registered": r.field(c, q, "registered", r.boolean, default=False),
            "referred_by": r.field(c, q, "referred_by", r.reference("organization")),
        })
    for q, s in r.items(p, path, "social_insurance"):
        rows["social_insurance"].append({
            "person": ident, "month": r.field(s, q, "month", r.month, required=True, nullable=False),
            "scheme": r.field(s, q, "scheme", r.enum("scheme"), required=True, nullable=False),
            "employer": r.field(s, q, "employer", r.reference("employer")),
            "base_fen": r.field(s, q, "base", r.money), "paid": r.field(s, q, "paid", r.boolean, default=False),
        })
    for i, (q, s) in enumerate(r.items(p, path, "internships")):
        start, end = r.field(s, q, "start", r.date, required=True, nullable=False), r.field(s, q, "end", r.date)
        _period_problem(r, q, start, end, "start/end")
        rows["internships"].append({
            "internship_id": f"{ident}#i{i}", "person": ident,
            "base": r.field(s, q, "base", r.reference("organization"), required=True, nullable=False),
            "start": start, "end": end, "contract_signed_on": r.field(s, q, "contract_signed_on", r.date),
        })
    for q, c in r.items(p, path, "certificates"):
        rows["certificates"].append({
            "person": ident, "level": r.field(c, q, "level", r.enum("certificate_level"), required=True, nullable=False),
            "obtained_on": r.field(c, q, "obtained_on", r.date, required=True, nullable=False),
            "training_institution": r.field(c, q, "training_institution", r.reference("organization")),
        })
    for q, s in r.items(p, path, "skill_evaluations"):
        rows["skill_evaluations"].append({
            "person": ident, "level": r.field(s, q, "level", r.enum("certificate_level"), required=True, nullable=False),
            "date": r.field(s, q, "date", r.date, required=True, nullable=False),
            "fee_fen": r.field(s, q, "fee", r.money, required=True, nullable=False),
        })  # fmt: skip


def _read_organization(
    r: _Reader, path: str, o: dict[str, Any], rows: dict[str, list[dict[str, Any]]],
    declare: Callable[[str, str | None, str], None], event_ids: set[str],
) -> None:
    ident = r.field(o, path, "id", r.text, required=True, nullable=False)
    declare(path, ident, "organization")
    rows["organizations"].append({
        "id": ident, "kind": r.field(o, path, "kind", r.enum("organization_kind"), required=True, nullable=False),
        "district": r.field(o, path, "district", r.enum("district")),
        "quality_certified": r.field(o, path, "quality_certified", r.boolean, default=False),
        "deregistered_on": r.field(o, path, "deregistered_on", r.date),
    })
    for q, e in r.items(o, path, "evaluations"):
        rows["evaluations"].append({
            "org": ident, "year": r.field(e, q, "year", r.year, required=True, nullable=False),
            "grade": r.field(e, q, "grade", r.enum("grade"), required=True, nullable=False),
            "published_on": r.field(e, q, "published_on", r.date, required=True, nullable=False),
        })
    for q, s in r.items(o, path, "city_subsidies"):
        rows["city_subsidies"].append({
            "org": ident, "year": r.field(s, q, "year", r.year, required=True, nullable=False),
            "amount_fen": r.field(s, q, "amount", r.money, required=True, nullable=False),
            "granted_on": r.field(s, q, "granted_on", r.date, required=True, nullable=False),
        })
    for q, e in r.items(o, path, "events"):
        event = r.field(e, q, "id", r.text, required=True, nullable=False)
        if event is not None:
            if event in event_ids:
                r.problem(f"{q}.id", f"赛事 id 重复：{show(event)}")
            event_ids.add(event)
        rows["events"].append({
            "org": ident, "event_id": event,
            "held_on": r.field(e, q, "held_on", r.date, required=True, nullable=False),
            "cost_fen": r.field(e, q, "cost", r.money, required=True, nullable=False),
        })
        for qa, a in r.items(e, q, "awards"):
            rows["awards"].append({
                "org": ident, "event_id": event,
                "place": r.field(a, qa, "place", r.place, required=True, nullable=False),
                "winner": r.field(a, qa, "winner", r.reference("person", "organization"), required=True, nullable=False),
            })
    landing = r.object(o, path, "landing")
    if landing is not None:
        q = f"{path}.landing"
        rows["landings"].append({
            "org": ident,
            "registered_on": r.field(landing, q, "registered_on", r.date, required=True, nullable=False),
            "award_on": r.field(landing, q, "award_on", r.date, required=True, nullable=False),
            "approved_amount_fen": r.field(landing, q, "approved_amount", r.money),
            "operating_normally": r.field(landing, q, "operating_normally", r.boolean, default=False),
            "employs_jinshan_hukou": r.field(landing, q, "employs_jinshan_hukou", r.boolean, default=False),
        })  # fmt: skip


def _read_parameters(r: _Reader, raw: Any, warnings: list[str]) -> dict[str, Any]:
    from jiuye.rules.catalog import measure_ids
    from jiuye.rules.parameters import ParameterValueError, check_override, known_parameter_keys

    if raw is None:
        return {}
    if not isinstance(raw, dict):
        r.problem("parameters", '应为对象（"措施ID.参数名": 值）')
        return {}
    known, measures = known_parameter_keys(), set(measure_ids())
    out: dict[str, Any] = {}
    for key, value in raw.items():
        where = join("parameters", key)
        if key.partition(".")[0] not in measures:
            r.problem(where, "未知措施编号（格式为 措施ID.参数名，见 `jiuye policies --parameters`）")
        elif key not in known:
            # an unknown name of a known measure changes nothing; say so rather than refuse the case
            warnings.append(f"{where}: 该措施没有此参数，已忽略（见 `jiuye policies --parameters`）")
        elif isinstance(value, BadNumber):
            r.problem(where, f"{value.reason}：{value.text}")
        else:
            try:
                out[key] = check_override(key, value)
            except ParameterValueError as exc:
                r.problem(where, str(exc))
    return out


def _check_payment_policies(r: _Reader, payments: list[dict[str, Any]]) -> None:
    from jiuye.rules.catalog import measure_ids

    if not payments:  # most cases: no catalog lookup
        return
    known = set(measure_ids())
    for i, pay in enumerate(payments):
        if pay["policy"] is not None and pay["policy"] not in known:
            r.problem(f"payments[{i}].policy", f"未知措施编号：{show(pay['policy'])}")


# --------------------------------------------------------------------------- back to JSON
def _d(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _m(value: Any) -> str | None:
    return None if value is None else format_month(value)


def _y(fen: Any) -> Any:
    return None if fen is None else fen_to_json_number(int(fen))


def case_to_json(
    facts: Facts, window_from: dt.date, window_to: dt.date, parameters: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Write ``facts`` as a case-format dict (the inverse of :func:`parse_case`)."""

    def by(table: pl.DataFrame, key: str) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in table.iter_rows(named=True):
            grouped.setdefault(row[key], []).append(row)
        return grouped

    edu, sta, une, flx = (by(facts.education, "person"), by(facts.statuses, "person"),
                          by(facts.unemployment, "person"), by(facts.flexible, "person"))
    con, si, itn = by(facts.contracts, "person"), by(facts.social_insurance, "person"), by(facts.internships, "person")
    cer, ske = by(facts.certificates, "person"), by(facts.skill_evaluations, "person")
    persons = []
    for p in facts.persons.iter_rows(named=True):
        pid = p["id"]
        person: dict[str, Any] = {"id": pid}
        if p["id_number"]:
            person["id_number"] = p["id_number"]
        person |= {
            "birth_date": _d(p["birth_date"]), "gender": p["gender"],
            "hukou": {"district": p["hukou_district"], "agricultural": bool(p["hukou_agricultural"]),
                      "moved_out_on": _d(p["hukou_moved_out_on"])},
            "died_on": _d(p["died_on"]),
            "origin_district": p["origin_district"],
            "education": [{"level": e["level"], "full_time": bool(e["full_time"]),
                           "graduation_date": _d(e["graduation_date"]), "school_district": e["school_district"]}
                          for e in edu.get(pid, [])],
            "statuses": [{"kind": s["kind"], "from": _d(s["start"]), "to": _d(s["end"])} for s in sta.get(pid, [])],
            "unemployment_registrations": [{"from": _d(u["start"]), "to": _d(u["end"])} for u in une.get(pid, [])],
            "flexible_employment": [{"registered_on": _d(f["start"]), "ended_on": _d(f["end"])}
                                    for f in flx.get(pid, [])],
            "contracts": [{"employer": c["employer"], "start": _d(c["start"]), "end": _d(c["end"]),
                           "registered": bool(c["registered"]), "referred_by": c["referred_by"]}
                          for c in con.get(pid, [])],
            "social_insurance": [{"month": _m(s["month"]), "scheme": s["scheme"], "employer": s["employer"],
                                  "base": _y(s["base_fen"]), "paid": bool(s["paid"])} for s in si.get(pid, [])],
            "internships": [{"base": i["base"], "start": _d(i["start"]), "end": _d(i["end"]),
                             "contract_signed_on": _d(i["contract_signed_on"])} for i in itn.get(pid, [])],
            "certificates": [{"level": c["level"], "obtained_on": _d(c["obtained_on"]),
                              "training_institution": c["training_institution"]} for c in cer.get(pid, [])],
            "skill_evaluations": [{"level": s["level"], "date": _d(s["date"]), "fee": _y(s["fee_fen"])}
                                  for s in ske.get(pid, [])],
        }  # fmt: skip
        persons.append(person)
    evs, sub, evt, awd = (by(facts.evaluations, "org"), by(facts.city_subsidies, "org"),
                          by(facts.events, "org"), by(facts.awards, "event_id"))
    lnd = by(facts.landings, "org")
    organizations = []
    for o in facts.organizations.iter_rows(named=True):
        oid = o["id"]
        org: dict[str, Any] = {
            "id": oid, "kind": o["kind"], "district": o["district"], "quality_certified": bool(o["quality_certified"]),
            "deregistered_on": _d(o["deregistered_on"]),
            "evaluations": [{"year": e["year"], "grade": e["grade"], "published_on": _d(e["published_on"])}
                            for e in evs.get(oid, [])],
            "city_subsidies": [{"year": s["year"], "amount": _y(s["amount_fen"]), "granted_on": _d(s["granted_on"])}
                               for s in sub.get(oid, [])],
            "events": [{"id": e["event_id"], "held_on": _d(e["held_on"]), "cost": _y(e["cost_fen"]),
                        "awards": [{"place": a["place"], "winner": a["winner"]} for a in awd.get(e["event_id"], [])]}
                       for e in evt.get(oid, [])],
        }  # fmt: skip
        for landing in lnd.get(oid, [])[:1]:
            org["landing"] = {
                "registered_on": _d(landing["registered_on"]), "award_on": _d(landing["award_on"]),
                "approved_amount": _y(landing["approved_amount_fen"]),
                "operating_normally": bool(landing["operating_normally"]),
                "employs_jinshan_hukou": bool(landing["employs_jinshan_hukou"]),
            }
        organizations.append(org)
    employers = [
        {"id": e["id"], "name": e["name"], "type": e["type"], "district": e["district"], "size": e["size"],
         "state_owned": bool(e["state_owned"]), "deregistered_on": _d(e["deregistered_on"])}
        for e in facts.employers.iter_rows(named=True)
    ]  # fmt: skip
    payments = [
        {"policy": p["policy"], "beneficiary": p["beneficiary"], "subject": p["subject"], "month": _m(p["month"]),
         "amount": _y(p["amount_fen"])}
        for p in facts.payments.iter_rows(named=True)
    ]  # fmt: skip
    out: dict[str, Any] = {
        "evaluate": {"from": format_month(window_from), "to": format_month(window_to)},
        "persons": persons, "employers": employers, "organizations": organizations, "payments": payments,
    }
    if parameters:
        out["parameters"] = parameters
    return out
