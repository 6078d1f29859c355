"""Dependencies point one way: search | learning -> actionplans -> reviews -> agencies -> scr.

Read from the source with ``ast`` (not by importing it), so an import hidden inside a
function counts as much as one at the top of a module. scr's composition root (settings,
urls, celery, wsgi, asgi) wires the apps together and is the one exemption.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSITION_ROOT = {"settings.py", "urls.py", "celery.py", "wsgi.py", "asgi.py"}
# Each package and the packages above it, which it must never import.
ABOVE = {
    "scr": ("agencies", "reviews", "actionplans", "search", "learning"),
    "agencies": ("reviews", "actionplans", "search", "learning"),
    "reviews": ("actionplans", "search", "learning"),
    "actionplans": ("search", "learning"),
    "search": ("learning",),
    "learning": ("search",),
}


def imported_packages(source: str) -> set[str]:
    """The top-level package of every absolute import in a module's source."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def modules_of(package: str) -> list[Path]:
    paths = sorted((ROOT / package).rglob("*.py"))
    if package == "scr":
        paths = [p for p in paths if not (p.parent == ROOT / "scr" and p.name in COMPOSITION_ROOT)]
    return paths


def upward_imports(package: str) -> list[str]:
    return [f"{path.relative_to(ROOT)} imports {name}"
            for path in modules_of(package)
            for name in sorted(imported_packages(path.read_text()) & set(ABOVE[package]))]


@pytest.mark.parametrize("package", list(ABOVE))
def test_no_package_imports_one_above_it(package: str) -> None:
    assert modules_of(package), f"no modules found under {package}/"
    assert upward_imports(package) == []


def test_the_check_sees_imports_hidden_inside_functions() -> None:
    source = "def f():\n    from reviews.selectors import tasks_for\n    import agencies.roles\n"
    assert imported_packages(source) == {"reviews", "agencies"}


def test_relative_imports_stay_inside_their_package() -> None:
    assert imported_packages("from .models import AccessEvent\nfrom . import views\n") == set()


def test_the_composition_root_is_the_only_exemption() -> None:
    checked = {p.name for p in modules_of("scr") if p.parent == ROOT / "scr"}
    assert {"models.py", "views.py", "tasks.py", "accesslog.py"} <= checked
    assert not checked & COMPOSITION_ROOT
