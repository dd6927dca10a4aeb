"""TVM-script targets: the ``@T.prim_func`` functions of a Python file, found with ``ast`` (no TVM import).

Parsing never executes the user's code, so the editor can list targets of any file safely and fast.
"""

from __future__ import annotations

import ast
import re
from typing import TypeGuard

from speedlens.errors import InputError
from speedlens.models import Target

_MARKER = re.compile(r"@\s*(T\.prim_func|I\.ir_module)\b")


def is_tvm_script(text: str) -> bool:
    """A Python file is TVM-script when it defines a prim_func or an IRModule class."""
    return bool(_MARKER.search(text))


def _decorator_name(node: ast.expr) -> str:
    """``T.prim_func`` for ``@T.prim_func`` and ``@T.prim_func(s_tir=True)`` alike."""
    if isinstance(node, ast.Call):
        node = node.func
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _is_prim_func(node: ast.AST) -> TypeGuard[ast.FunctionDef]:
    return isinstance(node, ast.FunctionDef) and any(
        _decorator_name(d).endswith("prim_func") for d in node.decorator_list
    )


def _is_ir_module(node: ast.AST) -> TypeGuard[ast.ClassDef]:
    return isinstance(node, ast.ClassDef) and any(
        _decorator_name(d).endswith("ir_module") for d in node.decorator_list
    )


def _target(node: ast.FunctionDef, lines: list[str], name: str) -> Target:
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
    end = (node.end_lineno or node.lineno) - 1
    return Target(
        name=name,
        kind="prim_func",
        language="tvm",
        start_line=start,
        end_line=end,
        text="".join(lines[start : end + 1]),
    )


def find_targets(text: str, path: str = "<buffer>") -> list[Target]:
    """Every prim_func at module level, and inside ``@I.ir_module`` classes (named ``Class.func``).

    Ranges are 0-based, inclusive, and include the decorators, so replacing them swaps the whole function.
    """
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise InputError(
            f"{path}:{exc.lineno}: not valid Python, so its TVM-script cannot be read ({exc.msg})",
            "fix the syntax error, then optimize again",
        ) from None
    lines = text.splitlines(keepends=True)
    targets: list[Target] = []
    for node in tree.body:
        if _is_prim_func(node):
            targets.append(_target(node, lines, node.name))
        elif _is_ir_module(node):
            for item in node.body:
                if _is_prim_func(item):
                    targets.append(_target(item, lines, f"{node.name}.{item.name}"))
    return targets
