"""Test inputs for a program that has none: the model writes a generator, the sandbox runs it.

The inputs are kept in the cache, keyed by the program's text, so the same program finds them again (and its
cached results stay valid); they are copied next to the program only when the user asks (``--save-tests``).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Protocol

from speedlens.config import Settings
from speedlens.errors import InputError
from speedlens.models import ProgressFn, Target
from speedlens.sandbox.run import Limits, Sandbox, cache_dir, workdir
from speedlens.testcases import TestCase, cases_in, default_tests_dir

MIN_GENERATED_INPUTS = 10
GENERATOR_LIMITS = Limits(cpu_s=30, wall_s=60, memory_mb=2048, output_mb=64)


class HasSandbox(Protocol):
    """What running a generator needs of its caller (the C++ program adapter)."""

    settings: Settings
    sandbox: Sandbox


class NotEnoughInputs(InputError):
    """Fewer than MIN_GENERATED_INPUTS usable inputs: the verdict would be no_tests."""


def generated_dir(text: str) -> Path:
    return cache_dir("generated", hashlib.sha256(text.encode()).hexdigest()[:24])


def is_generated(cases: list[TestCase], text: str) -> bool:
    """Whether ``cases`` are the generated inputs of ``text`` (fewer than enough usable ones is then an error)."""
    directory = generated_dir(text)
    return bool(cases) and all(case.input.parent == directory for case in cases)


def existing_generated_cases(text: str) -> list[TestCase]:
    directory = generated_dir(text)
    return cases_in(directory) if any(directory.glob("*.in")) else []


async def generate_cases(
    engine: HasSandbox, path: Path, text: str, target: Target, progress: ProgressFn
) -> list[TestCase]:
    """Generated inputs for ``text`` (reused when already generated for this exact text)."""
    if cases := existing_generated_cases(text):
        return cases
    from speedlens.propose.testgen import generate_inputs

    async def run_generator(script: str, seed: int) -> bytes | None:
        with workdir("speedlens-gen-") as wd:
            (wd / "generator.py").write_text(script, encoding="utf-8")
            result = await engine.sandbox.run(
                ["python3", "generator.py", str(seed)], workdir=wd, limits=GENERATOR_LIMITS
            )
        return result.stdout if result.ok else None

    progress("no test inputs: asking the model for an input generator", None)
    inputs = await generate_inputs(text, target, engine.settings, run_generator)
    if len(inputs) < MIN_GENERATED_INPUTS:
        raise NotEnoughInputs(
            f"no_tests: the model's input generator gave {len(inputs)} usable inputs for {path.name} "
            f"({MIN_GENERATED_INPUTS} needed to verify)",
            f"add inputs yourself in {default_tests_dir(path)}/*.in",
        )
    directory = generated_dir(text)
    for i, data in enumerate(inputs):
        (directory / f"gen{i + 1:02d}.in").write_text(data, encoding="utf-8")
    return cases_in(directory)


def check_enough(cases_used: int, path: Path) -> None:
    """After the original ran: generated inputs it failed on are gone; enough must remain."""
    if cases_used < MIN_GENERATED_INPUTS:
        raise NotEnoughInputs(
            f"no_tests: only {cases_used} generated inputs for {path.name} run cleanly on the original "
            f"({MIN_GENERATED_INPUTS} needed to verify)",
            f"add inputs yourself in {default_tests_dir(path)}/*.in",
        )


def save_generated(path: Path, text: str) -> Path | None:
    """Copy the generated inputs to NAME.tests/ (``--save-tests``); None when there were none."""
    cases = existing_generated_cases(text)
    if not cases:
        return None
    target = default_tests_dir(path)
    target.mkdir(exist_ok=True)
    for case in cases:
        shutil.copy2(case.input, target / case.input.name)
    return target
