"""The server <-> client contract (server/speedlens/lsp/protocol.schema.json) checked on real messages.

A small validator for the JSON-schema keywords the contract uses (type, enum, required, properties, items,
minimum/maximum, $ref), so the check needs no extra package; client-vscode/test/protocol.test.ts reads the
same file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "server" / "speedlens" / "lsp" / "protocol.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))

_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _is(value: Any, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[name])


def errors(value: Any, schema: dict, path: str = "$") -> list[str]:
    if "$ref" in schema:
        schema = SCHEMA["definitions"][schema["$ref"].rsplit("/", 1)[-1]]
    out: list[str] = []
    types_ = schema.get("type")
    if types_ is not None and not any(_is(value, t) for t in ([types_] if isinstance(types_, str) else types_)):
        return [f"{path}: {value!r} is not of type {types_}"]
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if _is(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{path}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{path}: {value} > {schema['maximum']}")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            out.append(f"{path}: {value} <= {schema['exclusiveMinimum']}")
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            out.append(f"{path}: {value} >= {schema['exclusiveMaximum']}")
    if isinstance(value, dict):
        out += [f"{path}: missing {key!r}" for key in schema.get("required", []) if key not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                out += errors(value[key], sub, f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            out += errors(item, schema["items"], f"{path}[{i}]")
    return out


def validate_contract(kind: str, value: Any) -> None:
    """Fail with every violation when ``value`` is not a valid ``kind`` (a name in the schema's definitions)."""
    problems = errors(value, SCHEMA["definitions"][kind])
    assert not problems, f"{kind} breaks protocol.schema.json:\n" + "\n".join(problems) + f"\n{value!r}"
