"""Imports only point down: the rules (domain) import no I/O and nothing above them, adapters
import no use case, and no use case imports an entry point (the API or the portal). Read from
the source (every import, also those inside functions), so a new module is checked too."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

CHALICELIB = Path(__file__).resolve().parents[2] / "chalicelib"

# package → the chalicelib modules it must never import (a prefix matches its submodules)
FORBIDDEN = {
    "domain": ("chalicelib.api", "chalicelib.web", "chalicelib.services", "chalicelib.adapters",
               "chalicelib.local", "chalicelib.wiring", "chalicelib.settings"),
    "adapters": ("chalicelib.api", "chalicelib.web", "chalicelib.services", "chalicelib.local"),
    "services": ("chalicelib.api", "chalicelib.web", "chalicelib.local"),
}
# and the libraries that do I/O, which the pure rules never touch
DOMAIN_NO_IO = ("boto3", "botocore", "pynamodb", "requests", "authlib")


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((CHALICELIB / package).rglob("*.py")):
        for name in imported_modules(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(CHALICELIB.parent)} imports {name}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_only_point_down(package):
    assert _violations(package, FORBIDDEN[package]) == []


def test_the_rules_do_no_io():
    assert _violations("domain", DOMAIN_NO_IO) == []


def test_the_check_sees_a_violation(tmp_path, monkeypatch):
    """The test can fail: a use case that imports an endpoint is reported."""
    fake = tmp_path / "chalicelib" / "services"
    fake.mkdir(parents=True)
    (fake / "bad.py").write_text("def f():\n    from chalicelib.api.http import endpoint\n")
    monkeypatch.setattr(sys.modules[__name__], "CHALICELIB", tmp_path / "chalicelib")
    assert sorted(_violations("services", FORBIDDEN["services"])) == [
        "chalicelib/services/bad.py imports chalicelib.api.http",
        "chalicelib/services/bad.py imports chalicelib.api.http.endpoint",
    ]
