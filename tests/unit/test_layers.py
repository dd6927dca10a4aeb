"""Layers import downward only (ARCHITECTURE.md, "Layers"): the lower layers never import the ones above them.

Parsed, not imported: an import inside a function counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "speedlens"

# A module under the key may not import any module under the values (a prefix of its dotted name).
FORBIDDEN = {
    "analysis": ("speedlens.propose", "speedlens.lsp", "speedlens.engine", "speedlens.adapters"),
    "sandbox": ("speedlens.propose", "speedlens.lsp", "speedlens.engine", "speedlens.adapters"),
    "stats": ("speedlens.propose", "speedlens.lsp", "speedlens.engine", "speedlens.adapters"),
    "propose": ("speedlens.lsp", "speedlens.engine", "speedlens.adapters"),
    "adapters": ("speedlens.lsp", "speedlens.engine"),
    "harness": ("speedlens.propose", "speedlens.lsp", "speedlens.engine", "speedlens.adapters"),
    "project": ("speedlens.propose", "speedlens.lsp", "speedlens.engine", "speedlens.adapters", "speedlens.sandbox",
                "speedlens.harness"),
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, absolute, with the line of the import."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def upward_imports(layer: str) -> list[str]:
    forbidden = FORBIDDEN[layer]
    return [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for line, module in imported_modules(path)
        if any(module == f or module.startswith(f + ".") for f in forbidden)
    ]


def test_lower_layers_do_not_import_upper_ones():
    problems = [p for layer in FORBIDDEN for p in upward_imports(layer)]
    assert not problems, "upward imports:\n" + "\n".join(problems)


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "speedlens" / "analysis" / "probe.py"
    module.parent.mkdir(parents=True)
    module.write_text("def f():\n    from speedlens.propose.rules import RULES\n    from ..engine import Engine\n")
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path / "speedlens"
    try:
        assert upward_imports("analysis") == [
            "speedlens/analysis/probe.py:2 imports speedlens.propose.rules",
            "speedlens/analysis/probe.py:2 imports speedlens.propose.rules.RULES",
            "speedlens/analysis/probe.py:3 imports speedlens.engine",
            "speedlens/analysis/probe.py:3 imports speedlens.engine.Engine",
        ]
    finally:
        PACKAGE = saved
