"""Argument tuples recorded from the project's tests and benchmarks, as extra inputs of a library function's harness.

The file's recordable functions are wrapped (``harness.recording``) in the shadow copy's recording build
(``ShadowBuild.recording``: its own build directory, so the normal build stays as it is); the executables linking
the file's target are built, the tests run through ctest and the benchmark cases calling the functions run briefly,
all in the sandbox as always. What was recorded is kept under the copy's content digest, so a warm run records
nothing again.

Each recorded tuple becomes an input file in the cache (content-addressed, like the seeds). Inputs are per file,
not per function: every job of a file, and the editor's lookup of the file's results (``known``), see the same
list (the file's last recording of this text), so the results' key holds them; a job uses its own function's
(``own``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from speedlens.cache import cache_dir
from speedlens.files import replaced_atomically, write_atomically
from speedlens.harness import recording
from speedlens.harness.driver import recorded_input
from speedlens.models import content_hash
from speedlens.project import benchmarks
from speedlens.testcases import TestCase

from .project_benchmarks import ProjectBenchmarks
from .project_build import ShadowBuild, first_error
from .project_tests import ProjectTests

RUN_MIN_TIME_S = 0.001  # per benchmark instance: one short run passes the instance's arguments as often as a long one
RECORDINGS = "recordings"  # under the copy: where the wrapped functions write their arguments


@dataclass(frozen=True)
class Recorded:
    """What a file's recording gave: tuples per function (qualified name), or why there are none."""

    tuples: dict[str, list[bytes]]
    problem: str = ""


class ProjectRecording:
    """The recording build of one CMake project's shadow copy."""

    def __init__(self, shadow: ShadowBuild) -> None:
        self.shadow = shadow.recording()

    async def record(self, source: Path, text: str, functions: list[recording.Recordable]) -> Recorded:
        """The tuples the project's tests and benchmarks pass ``functions`` of ``source`` (its text ``text``)."""
        if not functions:
            return Recorded({})
        wrapped = recording.instrumented(text, functions)
        out = functions[0].output.parent
        out.mkdir(parents=True, exist_ok=True)
        async with self.shadow.lock:
            digest, problem = await self.shadow.prepare({source: wrapped})
            if problem is not None:
                return Recorded({}, problem)
            done = out / f"{digest}.done"
            if not done.is_file():
                for stale in [*out.glob("*.tuples"), *out.glob("*.done")]:
                    stale.unlink()
                problem = await self._run(source, [f.signature.name for f in functions])
                if problem is not None:
                    return Recorded({}, problem)
                done.touch()
        return Recorded({f.signature.name: recording.tuples(f.output.read_bytes()) if f.output.is_file() else []
                         for f in functions})

    async def _run(self, source: Path, names: list[str]) -> str | None:
        """Build the executables linking ``source``'s target, run the tests and the benchmark cases calling
        ``names`` (call under the lock): why not, or None. Their outcomes do not matter, only their calls do."""
        executables = self.shadow.executables(source)
        problem = await self.shadow.build(executables)
        if problem is not None:
            return problem
        # The tests run the original's wrapped functions, which write what they were called with under the copy.
        await ProjectTests(self.shadow).ctest(executables, writable=(self.shadow.workdir / RECORDINGS,))
        bench = ProjectBenchmarks(self.shadow)
        runs: dict[Path, list[str]] = {}
        for name in names:
            found = bench.cases(source, name)
            artifact = next((a for a in found[0].artifacts if a.is_file()), None) if found else None
            if found and artifact is not None:
                runs[artifact] = list(dict.fromkeys([*runs.get(artifact, []), *found[1]]))
        for artifact, cases in runs.items():
            usage = await self.shadow.step(str(artifact), "--help")
            flags = benchmarks.Flags.from_help((usage.stdout + usage.stderr).decode(errors="replace"))
            ran = await self.shadow.step(str(artifact), *benchmarks.run_arguments(cases, flags, 1, RUN_MIN_TIME_S))
            if not ran.ok and not ran.stdout:
                return f"{artifact.name} does not run: {first_error(ran)}"
        return None


def output_dir(source: Path, text: str, shadow: ShadowBuild) -> Path:
    """Where the wrappers of ``source`` with text ``text`` write (inside the copy: the sandbox may write there)."""
    return shadow.recording().workdir / RECORDINGS / content_hash(str(source.resolve()), text)[:16]


# ---- the inputs ----

_INPUTS = "function-inputs"


def _index(source: Path, text: str) -> Path:
    return cache_dir(_INPUTS, "recorded-index") / f"{content_hash(str(source.resolve()), text)}.json"


def store(source: Path, text: str, recorded: Recorded, seeds: int) -> list[TestCase]:
    """The recorded inputs of the file as cases (a function's tuples after the ``seeds`` seeds in its repetition
    table), written to the cache, and remembered as the inputs of this text of the file."""
    directory = cache_dir(_INPUTS, "recorded")
    entries = []
    for function, found in sorted(recorded.tuples.items()):
        for i, serialized in enumerate(found):
            content = recorded_input(seeds + i, serialized)
            digest = hashlib.sha256(function.encode() + b"\0" + content).hexdigest()[:24]
            path = directory / f"{digest}.in"
            if not path.is_file():
                with replaced_atomically(path) as f:
                    f.write(content)
            entries.append((_case_name(function, i), path.name))
    write_atomically(_index(source, text), json.dumps(entries))
    return _cases(entries)


def known(source: Path, text: str) -> list[TestCase]:
    """The recorded inputs of the file's last recording of ``text`` (none before one ran): what ``store`` said."""
    try:
        entries = json.loads(_index(source, text).read_text())
    except (OSError, ValueError):
        return []
    return _cases(entries)


def own(cases: list[TestCase], function: str) -> list[TestCase]:
    """The recorded inputs of ``function`` among a file's inputs, in order."""
    prefix = _case_name(function, 0)[:-2]
    return [c for c in cases if c.name.startswith(prefix)]


def is_recorded(case: TestCase) -> bool:
    return case.name.startswith("recorded-")


def _case_name(function: str, index: int) -> str:
    return f"recorded-{function.replace('::', '.')}-{index:02d}"


def _cases(entries: list[list[str]] | list[tuple[str, str]]) -> list[TestCase]:
    directory = cache_dir(_INPUTS, "recorded")
    cases = [TestCase(name, directory / file) for name, file in entries]
    return [c for c in cases if c.input.is_file()]
