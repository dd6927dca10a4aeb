"""A function's declarations in the project's headers, and the edit that keeps them in step with a rewrite that
changes the function's parameters (a by-value parameter made a const reference): without it the header still
declares the old overload and every call becomes ambiguous."""

from __future__ import annotations

import re
from pathlib import Path

import tree_sitter

from speedlens.analysis import cpp

_INCLUDE_LINE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"]+)[>"][^\n]*\n?', re.MULTILINE)
_PRAGMA_ONCE = re.compile(r"^[ \t]*#[ \t]*pragma[ \t]+once[^\n]*\n?", re.MULTILINE)


def parameter_list(definition: tree_sitter.Node) -> tree_sitter.Node | None:
    declarator = cpp.function_declarator(definition)
    return declarator.child_by_field_name("parameters") if declarator is not None else None


def parameter_types(parameters: tree_sitter.Node) -> tuple[str, ...]:
    """Each parameter as written, without its name and default: ``const std::vector<int> &`` → what identifies
    the overload."""
    types = []
    for param in parameters.named_children:
        if param.type == "comment":
            continue
        start, end = param.start_byte, param.end_byte
        default = param.child_by_field_name("default_value")
        end = default.start_byte if default is not None else end
        body = param.text[: end - start].decode("utf-8", "replace") if param.text else ""
        names = [n for n in cpp.walk(param) if n.type == "identifier" and n.parent is not None
                 and n.parent.type != "template_argument_list" and n.end_byte <= end]
        if names:  # the declarator's name: the last identifier outside the type
            name = names[-1]
            body = body[: name.start_byte - start] + body[name.end_byte - start:]
        types.append(" ".join(body.replace("=", " ").replace("&", " & ").replace("*", " * ").split()))
    return tuple(types)


def project_headers(file_text: str, file_dir: Path, include_dirs: tuple[Path, ...]) -> list[tuple[str, Path]]:
    """The headers ``file_text`` includes from the project (its own directory and the project's include
    directories, never the system's), each with the include line that names it."""
    found = []
    for match in _INCLUDE_LINE.finditer(file_text):
        directories = ([file_dir] if match.group(1) == '"' else []) + list(include_dirs)
        path = next((d / match.group(2) for d in directories if (d / match.group(2)).is_file()), None)
        if path is not None and not str(path.resolve()).startswith("/usr/"):
            found.append((match.group(0), path.resolve()))
    return found


def edit_declarations(header_text: str, name: str, old_types: tuple[str, ...], new_params: str) -> str | None:
    """``header_text`` with every declaration of ``name(old_types)`` given the parameter list ``new_params``;
    None when it declares no such function."""
    tree = cpp.parse(header_text)
    data = header_text.encode("utf-8")
    spans = []
    for node in cpp.file_nodes(tree)("declaration", "field_declaration"):
        declarator = cpp.function_declarator(node)
        if declarator is None or _last_name(cpp.text(declarator.child_by_field_name("declarator"))) != name:
            continue
        parameters = declarator.child_by_field_name("parameters")
        if parameters is not None and parameter_types(parameters) == old_types:
            spans.append((parameters.start_byte, parameters.end_byte))
    if not spans:
        return None
    for start, end in sorted(spans, reverse=True):
        data = data[:start] + new_params.encode("utf-8") + data[end:]
    return data.decode("utf-8")


def _last_name(qualified: str) -> str:
    return qualified.split("::")[-1].strip()


def with_headers_inlined(file_text: str, edited: dict[Path, str], headers: list[tuple[str, Path]]) -> str:
    """``file_text`` with the include line of each edited header replaced by the edited text, so a copy of the
    file compiles against headers the user's tree does not have yet."""
    for line, path in headers:
        if path in edited:
            inlined = _PRAGMA_ONCE.sub("", edited[path])
            file_text = file_text.replace(line, f"// {line.strip()} (as edited by this rewrite)\n{inlined}\n", 1)
    return file_text
