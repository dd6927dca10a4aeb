"""The CMake File API (codemodel-v2) of speedlens's own build: which target compiles a source file, and which
executables link that target (its tests and benchmarks), so a rewrite rebuilds and tests only what it reaches;
and how a target compiles its sources and links (its flags, includes, defines, libraries), so a program whose
``main`` belongs to an executable target is built as the project builds it, not as one translation unit alone."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path

QUERY = Path(".cmake") / "api" / "v1" / "query" / "codemodel-v2"
REPLY = Path(".cmake") / "api" / "v1" / "reply"


CompileGroup = tuple[Path, tuple[str, ...], tuple[Path, ...]]


@dataclass(frozen=True)
class CMakeTarget:
    id: str
    name: str
    type: str  # EXECUTABLE, STATIC_LIBRARY, SHARED_LIBRARY, OBJECT_LIBRARY, INTERFACE_LIBRARY, UTILITY…
    sources: tuple[Path, ...]  # absolute
    artifacts: tuple[Path, ...]  # absolute
    dependencies: tuple[str, ...]  # target ids
    link: tuple[str, ...] = ()  # the link command's fragments (flags, libraries), relative paths made absolute
    # Per compiled source: (source, its compile flags including -D and -I/-isystem, its include directories).
    compile_groups: tuple[CompileGroup, ...] = ()

    def compile_flags(self, source: Path) -> tuple[tuple[str, ...], tuple[Path, ...]] | None:
        """(flags, include directories) the target compiles ``source`` with; None when it does not compile it."""
        source = source.resolve()
        return next(((flags, includes) for path, flags, includes in self.compile_groups if path == source), None)


def write_query(build: Path) -> None:
    """Ask the next configure of ``build`` for the codemodel (an empty query file is the request)."""
    (build / QUERY).parent.mkdir(parents=True, exist_ok=True)
    (build / QUERY).touch()


def read_targets(build: Path) -> list[CMakeTarget]:
    """Every target of the first configuration in the newest reply ([] when CMake wrote none)."""
    reply = build / REPLY
    indexes = sorted(reply.glob("index-*.json"))
    if not indexes:
        return []
    index = json.loads(indexes[-1].read_text())
    codemodel_file = next((o["jsonFile"] for o in index.get("objects", []) if o.get("kind") == "codemodel"), None)
    if codemodel_file is None:
        return []
    codemodel = json.loads((reply / codemodel_file).read_text())
    source_dir, build_dir = Path(codemodel["paths"]["source"]), Path(codemodel["paths"]["build"])
    configurations = codemodel.get("configurations") or [{}]
    return [_target(json.loads((reply / t["jsonFile"]).read_text()), source_dir, build_dir)
            for t in configurations[0].get("targets", [])]


def _target(data: dict, source_dir: Path, build_dir: Path) -> CMakeTarget:
    sources = tuple((source_dir / s["path"]).resolve() for s in data.get("sources", []))
    return CMakeTarget(
        id=data["id"], name=data["name"], type=data.get("type", ""), sources=sources,
        artifacts=tuple((build_dir / a["path"]).resolve() for a in data.get("artifacts", [])),
        dependencies=tuple(d["id"] for d in data.get("dependencies", [])),
        link=_link(data, build_dir / data.get("paths", {}).get("build", ".")),
        compile_groups=_compile_groups(data, sources),
    )


def _link(data: dict, directory: Path) -> tuple[str, ...]:
    """The link fragments as arguments; a relative library (``libfoo.a``) is relative to the target's build
    directory, where CMake runs the link."""
    args: list[str] = []
    for fragment in (data.get("link") or {}).get("commandFragments", []):
        for arg in shlex.split(fragment.get("fragment", "")):
            relative = not arg.startswith("-") and not Path(arg).is_absolute()
            args.append(str((directory / arg).resolve()) if relative else arg)
    return tuple(args)


def _compile_groups(data: dict, sources: tuple[Path, ...]) -> tuple[CompileGroup, ...]:
    """Each C++ source's flags: the group's command fragments, its defines and its include directories."""
    groups: list[CompileGroup] = []
    for group in data.get("compileGroups", []):
        if group.get("language") not in ("CXX", None):
            continue
        flags = [arg for f in group.get("compileCommandFragments", []) for arg in shlex.split(f.get("fragment", ""))]
        flags += [f"-D{d['define']}" for d in group.get("defines", []) if "define" in d]
        includes = tuple(Path(i["path"]) for i in group.get("includes", []) if "path" in i)
        flags += [arg for i in group.get("includes", []) if "path" in i
                  for arg in (("-isystem", i["path"]) if i.get("isSystem") else ("-I" + i["path"],))]
        for index in group.get("sourceIndexes", []):
            if 0 <= index < len(sources):
                groups.append((sources[index], tuple(flags), includes))
    return tuple(groups)


def owners(targets: list[CMakeTarget], source: Path) -> list[CMakeTarget]:
    """The targets that compile ``source``."""
    source = source.resolve()
    return [t for t in targets if source in t.sources]


def dependent_executables(targets: list[CMakeTarget], roots: list[CMakeTarget]) -> list[CMakeTarget]:
    """The executables among ``roots`` and every target depending on them, directly or not."""
    reached = {t.id for t in roots}
    changed = True
    while changed:
        changed = False
        for target in targets:
            if target.id not in reached and reached.intersection(target.dependencies):
                reached.add(target.id)
                changed = True
    return [t for t in targets if t.id in reached and t.type == "EXECUTABLE"]


def shared_libraries(targets: list[CMakeTarget], executable: CMakeTarget) -> list[CMakeTarget]:
    """The project's shared (or module) libraries ``executable`` depends on, directly or not: loaded at run time
    from the build directory, so a copy of the executable runs whichever version was built last."""
    by_id = {t.id: t for t in targets}
    seen: set[str] = set()
    todo = list(executable.dependencies)
    while todo:
        target = by_id.get(todo.pop())
        if target is not None and target.id not in seen:
            seen.add(target.id)
            todo += target.dependencies
    return [t for t in targets if t.id in seen and t.type in ("SHARED_LIBRARY", "MODULE_LIBRARY")]


def select_tests(ctest_json: str, executables: list[CMakeTarget]) -> list[str] | None:
    """The ctest tests (from ``ctest --show-only=json-v1``) whose command runs one of ``executables``; None when
    the listing cannot say (then every test runs)."""
    try:
        tests = json.loads(ctest_json).get("tests", [])
    except ValueError:
        return None
    artifacts = {a for e in executables for a in e.artifacts}
    return [t["name"] for t in tests if t.get("command") and Path(t["command"][0]).resolve() in artifacts]
