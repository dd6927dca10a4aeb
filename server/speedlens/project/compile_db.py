"""compile_commands.json: where it is, and the typed entry of one file (compiler, flags, include directories).

Found the way clangd finds it, so a project that works in the editor works here: the file's directory and each
parent, looking at ``compile_commands.json`` and ``build/compile_commands.json`` in each; a configured directory
(``cpp.compile_commands`` or ``--compile-commands DIR``) wins. A header has no entry of its own: it borrows the
entry of a translation unit that includes it, as clangd does.
"""

from __future__ import annotations

import functools
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

DB_NAME = "compile_commands.json"
HEADER_SUFFIXES = frozenset({".h", ".hh", ".hpp", ".hxx", ".h++", ".inl", ".ipp", ".tpp"})

# Flags whose value is the next argument when written apart ("-I dir"), and how the value is typed.
_INCLUDE_FLAGS = ("-isystem", "-iquote", "-idirafter", "-I")
_VALUE_FLAGS = frozenset({"-D", "-U", "-include", "-imacros", "-x", "-o", "-MF", "-MT", "-MQ", "-Xclang",
                          "-target", "--target", "-arch", "-isysroot", "--sysroot"} | set(_INCLUDE_FLAGS))
# Flags that describe this one compile (its output, its dependency file) rather than how code is compiled.
_DROPPED_WITH_VALUE = frozenset({"-o", "-MF", "-MT", "-MQ"})
_DROPPED = frozenset({"-c", "-MD", "-MMD", "-M", "-MM", "-MP", "-S", "-E"})
_INCLUDE_DIRECTIVE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.MULTILINE)


@dataclass(frozen=True)
class CompileEntry:
    """One translation unit's compile, made reusable for compiling a copy of the file elsewhere.

    ``flags`` keep everything that changes the generated code (``-O2``, ``-std=``, ``-D``, ``-include``), with
    every path made absolute, and drop what names this compile's own output (``-c``, ``-o x``, ``-MF d``) and
    the source file itself.
    """

    compiler: str
    directory: Path
    file: Path
    flags: tuple[str, ...]
    include_dirs: tuple[Path, ...] = ()  # every -I/-isystem/-iquote/-idirafter directory, absolute
    defines: tuple[str, ...] = ()  # NAME or NAME=VALUE
    forced_includes: tuple[Path, ...] = ()  # -include FILE
    std: str = ""  # the -std= value, if any
    db: Path | None = field(default=None, compare=False)  # the compile_commands.json it came from


def find_compile_db(path: Path, configured: str | Path | None = None) -> Path | None:
    """The compile_commands.json for ``path``: the configured directory (or file), else the nearest one."""
    if configured:
        given = Path(configured).expanduser()
        db = given if given.name == DB_NAME else given / DB_NAME
        return db.resolve() if db.is_file() else None
    start = path.resolve()
    for directory in ([start] if start.is_dir() else []) + list(start.parents):
        for db in (directory / DB_NAME, directory / "build" / DB_NAME):
            if db.is_file():
                return db
    return None


def load_entries(db: Path) -> list[dict]:
    """The raw entries of a compile_commands.json ([] when it is unreadable or not a list)."""
    try:
        entries = json.loads(db.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def entry_for(path: Path, db: Path) -> CompileEntry | None:
    """The entry of ``path`` in ``db``; for a header, the entry of a translation unit that includes it.

    Memoised on the database's identity and modification time: the editor asks for every lookup of results."""
    try:
        stamp = db.stat().st_mtime_ns
    except OSError:
        return None
    return _entry_for(path.resolve(), db.resolve(), stamp)


@functools.lru_cache(maxsize=256)
def _entry_for(path: Path, db: Path, _stamp: int) -> CompileEntry | None:
    raw = load_entries(db)
    for item in raw:
        if _entry_file(item, db) == path:
            return parse_entry(item, db)
    if path.suffix.lower() in HEADER_SUFFIXES:
        return _including_entry(path, raw, db)
    return None


def find_entry(path: Path, configured: str | Path | None = None) -> CompileEntry | None:
    """The entry of ``path`` in its compile_commands.json (see ``find_compile_db``), if any."""
    db = find_compile_db(path, configured)
    return entry_for(path, db) if db is not None else None


def _entry_file(item: dict, db: Path) -> Path:
    directory = Path(item.get("directory") or db.parent)
    return (directory / str(item.get("file", ""))).resolve()


def _including_entry(header: Path, raw: list[dict], db: Path) -> CompileEntry | None:
    """The first translation unit that includes ``header`` through one of its include directories (or its own
    directory); else the first entry of the header's project, whose flags are the best guess left."""
    fallback = None
    for item in raw:
        entry = parse_entry(item, db)
        if entry is None:
            continue
        try:
            included = _INCLUDE_DIRECTIVE.findall(entry.file.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        for name in included:
            if any((d / name).resolve() == header for d in (entry.file.parent, *entry.include_dirs)):
                return entry
        if fallback is None and _shares_root(entry, header):
            fallback = entry
    return fallback


def _shares_root(entry: CompileEntry, header: Path) -> bool:
    roots = {entry.file.parent, *entry.include_dirs, entry.file.parent.parent}
    return any(root in header.parents for root in roots)


def parse_entry(item: dict, db: Path) -> CompileEntry | None:
    """A typed entry from one raw compile_commands.json item (``arguments`` list or ``command`` string)."""
    directory = Path(item.get("directory") or db.parent).resolve()
    args = item.get("arguments")
    if not isinstance(args, list):
        args = shlex.split(str(item.get("command", "")))
    args = expand_response_files([str(a) for a in args], directory)
    if not args:
        return None
    file = _entry_file(item, db)
    return _typed(args[0], directory, file, args[1:], db)


def expand_response_files(args: list[str], directory: Path, depth: int = 0) -> list[str]:
    """``@file`` arguments replaced by the arguments the file holds (recursively, relative to ``directory``);
    an unreadable one is kept as written, as the compiler would report it."""
    out: list[str] = []
    for arg in args:
        target = directory / arg[1:] if arg.startswith("@") else None
        if target is not None and depth < 8 and target.is_file():
            text = target.read_text(encoding="utf-8", errors="replace")
            out += expand_response_files(shlex.split(text), directory, depth + 1)
        else:
            out.append(arg)
    return out


def split_flags(args: list[str]) -> list[tuple[str, str | None]]:
    """The arguments as (flag, value) pairs: ``-I x`` and ``-Ix`` both give ("-I", "x"); a positional or a
    flag without a value gives (arg, None)."""
    pairs: list[tuple[str, str | None]] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _VALUE_FLAGS and i + 1 < len(args):
            pairs.append((arg, args[i + 1]))
            i += 2
            continue
        joined = next((f for f in (*_INCLUDE_FLAGS, "-D", "-U") if arg.startswith(f) and len(arg) > len(f)), None)
        pairs.append((joined, arg[len(joined):]) if joined else (arg, None))
        i += 1
    return pairs


def _typed(compiler: str, directory: Path, file: Path, args: list[str], db: Path) -> CompileEntry:
    flags: list[str] = []
    includes: list[Path] = []
    defines: list[str] = []
    forced: list[Path] = []
    std = ""
    for flag, value in split_flags(args):
        if flag in _DROPPED or flag in _DROPPED_WITH_VALUE:
            continue
        if value is None:
            if not flag.startswith("-") and (directory / flag).resolve() == file:
                continue  # the source file itself
            std = flag[len("-std="):] if flag.startswith("-std=") else std
            flags.append(flag)
            continue
        if flag in _INCLUDE_FLAGS or flag in ("-include", "-imacros"):
            value = str((directory / value).resolve())
            (includes if flag in _INCLUDE_FLAGS else forced).append(Path(value))
        elif flag == "-D":
            defines.append(value)
        flags += [flag, value]
    return CompileEntry(compiler, directory, file, tuple(flags), tuple(dict.fromkeys(includes)), tuple(defines),
                        tuple(forced), std, db)
