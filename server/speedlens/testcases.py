"""Where a program's test inputs come from: --tests DIR, the [tests] mapping, or NAME.tests/ (README.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from speedlens.config import Settings
from speedlens.errors import InputError


@dataclass(frozen=True)
class TestCase:
    __test__ = False  # not a pytest test class

    name: str
    input: Path
    expected: Path | None = None  # NAME.out beside the input, when present

    def fingerprint(self) -> tuple[str, str]:
        """Name and content digest: part of a result's hash, so an edited input makes results stale."""
        import hashlib

        digest = hashlib.sha256(self.input.read_bytes())
        if self.expected is not None:
            digest.update(b"\0" + self.expected.read_bytes())
        return self.name, digest.hexdigest()[:16]


def _natural_key(path: Path) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name)]


def cases_in(directory: Path, pattern: str = "*.in") -> list[TestCase]:
    """The inputs matching ``pattern`` in ``directory``, naturally sorted (2.in before 10.in)."""
    return [
        TestCase(path.stem, path, path.with_suffix(".out") if path.with_suffix(".out").is_file() else None)
        for path in sorted(directory.glob(pattern), key=_natural_key)
        if path.is_file()
    ]


def default_tests_dir(source: Path) -> Path:
    return source.with_name(source.stem + ".tests")


def discover(source: Path, settings: Settings, tests_dir: Path | None = None) -> list[TestCase]:
    """The test cases for ``source``; an empty list when none are configured or found."""
    if tests_dir is not None:
        if not tests_dir.is_dir():
            raise InputError(f"test directory {tests_dir} does not exist", "pass --tests DIR holding *.in files")
        return cases_in(tests_dir)
    root = settings.root or source.parent
    for file_pattern, input_glob in settings.tests.items():
        if (root / file_pattern).resolve() == source.resolve() or source.match(file_pattern):
            return [
                TestCase(path.stem, path, path.with_suffix(".out") if path.with_suffix(".out").is_file() else None)
                for path in sorted(root.glob(input_glob), key=_natural_key)
                if path.is_file()
            ]
    default = default_tests_dir(source)
    return cases_in(default) if default.is_dir() else []


def no_tests_hint(source: Path) -> str:
    return (
        f"put input files in {default_tests_dir(source)}/*.in (optional *.out beside them), pass --tests DIR, "
        f'map the file in speedlens.toml [tests] ("{source.name}" = "data/*.in"), or configure a model to generate them'
    )
