"""The import layers of docs/architecture.md, enforced: a lower room never imports a higher one.

Every ``import`` / ``from … import`` in every module under ``jiuye/`` is read with :mod:`ast` (also the
lazy ones inside functions, and relative imports), resolved to the room it names, and checked against
:data:`LAYERS`.  A module in no room fails too: a new room must be placed in the layers (and the doc).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "jiuye"

# Floors from the bottom up.  A room may import its own floor and the floors below it, never above.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("jiuye", "jiuye.errors"),  # kernel: the package itself and the one error type every room raises
    ("jiuye.rules",),  # the policy as code: imports nothing else of the project
    # infrastructure: the database; what every command's arguments share; cells written to CSV/XLSX files;
    # web templates, styles and formatting
    ("jiuye.db", "jiuye.cliargs", "jiuye.spreadsheet", "jiuye.webkit"),
    ("jiuye.migrations",),  # infrastructure: Alembic scripts, configured by jiuye.db
    ("jiuye.registry",),
    ("jiuye.demo",),
    ("jiuye.audit",),
    ("jiuye.ledger",),
    ("jiuye.matching",),
    ("jiuye.supervision",),
    ("jiuye.accounts", "jiuye.parameters"),  # staff accounts and scope; the bureau's dated parameter values
    ("jiuye.jobs",),  # background jobs: run the rooms' services for the web
    # the presentation floor: each room's ``views`` (its pages and API routers) lives beside its services but
    # sits above every room's services; the request context first, then job start, then the rooms' views
    ("jiuye.accounts.web",),
    ("jiuye.jobs.views",),
    ("jiuye.accounts.views", "jiuye.registry.views", "jiuye.ledger.views", "jiuye.supervision.views",
     "jiuye.parameters.views", "jiuye.audit.views", "jiuye.matching.views"),
    ("jiuye.cli",),  # the command line: finds each room's ``commands`` module by name
    ("jiuye.web",),  # the top floor: assembles the views into the app; nothing imports it
)
INFRASTRUCTURE = ("jiuye.db", "jiuye.migrations", "jiuye.cliargs", "jiuye.spreadsheet", "jiuye.webkit")
KERNEL = LAYERS[0]


def room_of(module: str) -> str | None:
    """The longest room name that ``module`` is or lies in (``jiuye.ledger.service`` → ``jiuye.ledger``)."""
    best: str | None = None
    for floor in LAYERS:
        for room in floor:
            inside = module == room or (room != "jiuye" and module.startswith(room + "."))  # jiuye: __init__ only
            if inside and (best is None or len(room) > len(best)):
                best = room
    return best


def floor_of(room: str) -> int:
    return next(i for i, floor in enumerate(LAYERS) if room in floor)


def imported_modules(module: str, source: str, is_package: bool = False) -> list[tuple[int, str]]:
    """``(line, module)`` for every project module ``source`` imports (relative imports resolved)."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # ``from jiuye import db`` imports the module jiuye.db; ``from jiuye.x import name`` imports jiuye.x
            found.append((node.lineno, target))
            found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names
                         if room_of(f"{target}.{alias.name}") not in (None, room_of(target)))  # fmt: skip
    return [(line, name) for line, name in found if name == "jiuye" or name.startswith("jiuye.")]


def violations(module: str, source: str, is_package: bool = False) -> list[str]:
    """What is wrong with the imports of ``module`` (its text ``source``)."""
    mine = room_of(module)
    if mine is None:
        return [f"{module}: in no room of LAYERS (place it there and in docs/architecture.md)"]
    problems = []
    for line, target in imported_modules(module, source, is_package):
        theirs = room_of(target)
        if theirs is None:
            problems.append(f"{module}:{line} imports {target}, which is in no room of LAYERS")
        elif theirs == mine:
            continue
        elif floor_of(theirs) > floor_of(mine):
            problems.append(f"{module}:{line} imports {target}: {mine} may not import the higher room {theirs}")
        elif mine in INFRASTRUCTURE and theirs not in INFRASTRUCTURE + KERNEL:
            problems.append(f"{module}:{line} imports {target}: infrastructure ({mine}) never imports a domain")
        elif floor_of(theirs) == floor_of(mine):
            problems.append(f"{module}:{line} imports {target}: rooms of the same floor do not import each other")
    return problems


def project_modules() -> list[tuple[str, Path, bool]]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        out.append((name, path, is_package))
    return out


def test_no_room_imports_a_higher_room() -> None:
    problems = [
        problem
        for name, path, is_package in project_modules()
        for problem in violations(name, path.read_text(encoding="utf-8"), is_package)
    ]
    assert not problems, "\n".join(problems)


def test_the_checker_reads_every_module() -> None:
    names = {name for name, _, _ in project_modules()}
    assert {"jiuye", "jiuye.db.core", "jiuye.rules.engine", "jiuye.ledger.service", "jiuye.cli"} <= names


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("jiuye.rules.engine", "from jiuye.ledger import service\n", "may not import the higher room jiuye.ledger"),
        ("jiuye.rules.engine", "def f():\n    import jiuye.registry.models\n", "higher room jiuye.registry"),
        ("jiuye.db.core", "from jiuye.registry.models import TABLES\n", "higher room jiuye.registry"),
        ("jiuye.db.core", "from jiuye.rules.dates import parse_month\n", "infrastructure (jiuye.db) never imports a domain"),
        ("jiuye.ledger.service", "from jiuye import matching\n", "higher room jiuye.matching"),
        ("jiuye.ledger.service", "from ..matching.explain import explain\n", "higher room jiuye.matching"),
        ("jiuye.supervision.service", "import jiuye.web.app\n", "higher room jiuye.web"),
        ("jiuye.registry.commands", "from jiuye.cli import UserError\n", "higher room jiuye.cli"),
        ("jiuye.ledger.service", "import jiuye.nowhere\n", "in no room of LAYERS"),
        ("jiuye.nowhere", "x = 1\n", "in no room of LAYERS"),
    ],
)  # fmt: skip
def test_the_checker_catches_a_planted_violation(module: str, source: str, expected: str) -> None:
    found = violations(module, source)
    assert any(expected in problem for problem in found), found


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("jiuye.ledger.service", "from jiuye.rules.dates import month_end\nfrom jiuye.db import write_session\n"),
        ("jiuye.matching.service", "from jiuye.ledger.reconcile import reconcile\nfrom . import sources\n"),
        ("jiuye.rules.commands", "from jiuye.errors import UserError\n"),
        ("jiuye.db.migrate", "from jiuye.db.core import get_engine\nimport jiuye\n"),
    ],
)  # fmt: skip
def test_the_checker_allows_downward_imports(module: str, source: str) -> None:
    assert violations(module, source) == []
