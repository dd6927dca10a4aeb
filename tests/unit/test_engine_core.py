"""The engine core: one result key for storing and looking up, per-job warnings, one process-wide job limit."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from speedlens.adapters import Job
from speedlens.cache import ResultStore
from speedlens.config import SandboxSettings, Settings
from speedlens.engine import Engine, best_per_target
from speedlens.models import Candidate, Result, Status, Target, Verdict
from speedlens.sandbox.limit import JobLimit
from speedlens.testcases import TestCase

ROOT = Path(__file__).resolve().parents[2]


def verified_result(target: Target, speedup: float = 2.0) -> Result:
    verdict = Verdict(Status.VERIFIED, "fake", speedup, speedup * 0.9)
    return Result(Candidate(target, target.text + "# faster\n", "fake", "a fake rewrite"), verdict)


def test_tvm_file_with_a_tests_folder_shows_its_cached_results(tmp_path, monkeypatch):
    """A TVM file with a NAME.tests/ folder: the key an optimize stores under is the key the editor looks up."""
    path = tmp_path / "matmul.py"
    shutil.copy(ROOT / "samples" / "tvm" / "matmul.py", path)
    (tmp_path / "matmul.tests").mkdir()
    (tmp_path / "matmul.tests" / "01.in").write_text("1 2 3\n")

    async def fake_search(source, target, path, settings, progress, *, sandbox=None):
        return [verified_result(target)]

    monkeypatch.setattr("speedlens.propose.tvm_search.optimize_prim_func", fake_search)
    engine = Engine(Settings(), store=ResultStore(tmp_path / "results"))
    text = path.read_text()
    report = asyncio.run(engine.optimize(path, text))
    assert report.language == "tvm" and report.results and not report.problems
    cached = engine.cached_results(path, text)
    assert [r.content_hash for r in cached] == [r.content_hash for r in report.results]
    assert all(r.content_hash for r in cached)
    assert engine.cached_results(path, text + "\n# edited\n") == []


class SlowAdapter:
    """A fake adapter: one target per file, a warning naming its file, a pause to overlap with other jobs."""

    language = "cpp"
    no_target_hint = ""

    def __init__(self, running: list[int], peak: list[int]) -> None:
        self.running, self.peak = running, peak

    def handles(self, path: Path, text: str) -> bool:
        return True

    def targets(self, path: Path, text: str) -> list[Target]:
        return [Target(path.name, "program", "cpp", 0, 0, text)]

    def whole_file(self, targets):
        return targets

    def findings(self, path, text, exact):
        return []

    def forget(self, path):
        pass

    def toolchain(self, path: Path) -> tuple:
        return ()

    def known_inputs(self, path, text) -> list[TestCase]:
        return []

    async def inputs(self, job: Job) -> list[TestCase]:
        return []

    async def optimize(self, job: Job, cases, key) -> list[Result]:
        self.running[0] += 1
        self.peak[0] = max(self.peak[0], self.running[0])
        job.warnings.append(f"warning of {job.path.name}")
        await asyncio.sleep(0.05)
        self.running[0] -= 1
        return [replace(verified_result(job.target), content_hash=key)]


def engine_with_fake_adapter(tmp_path: Path, jobs: int, running: list[int], peak: list[int]) -> Engine:
    engine = Engine(Settings(sandbox=SandboxSettings(jobs=jobs)), store=ResultStore(tmp_path / "results"))
    engine.adapters = [SlowAdapter(running, peak)]
    engine.sandbox.warn_once = lambda: None
    return engine


def test_concurrent_jobs_of_one_engine_keep_their_own_warnings(tmp_path):
    running, peak = [0], [0]
    engine = engine_with_fake_adapter(tmp_path, 4, running, peak)

    async def both():
        return await asyncio.gather(engine.optimize(tmp_path / "a.cpp", "a\n", use_cache=False),
                                    engine.optimize(tmp_path / "b.cpp", "b\n", use_cache=False))

    a, b = asyncio.run(both())
    assert peak[0] == 2  # they did overlap
    assert a.warnings == ["warning of a.cpp"] and b.warnings == ["warning of b.cpp"]


def test_the_job_limit_is_the_process_s_not_the_engine_s(tmp_path):
    running, peak = [0], [0]
    engines = [engine_with_fake_adapter(tmp_path, 1, running, peak) for _ in range(3)]

    async def all_of_them():
        return await asyncio.gather(*(e.optimize(tmp_path / f"{i}.cpp", f"{i}\n", use_cache=False)
                                      for i, e in enumerate(engines)))

    reports = asyncio.run(all_of_them())
    assert peak[0] == 1
    assert all(len(r.results) == 1 for r in reports)


def test_job_limit_waiter_cancelled_while_waiting_leaves_no_trace():
    limit = JobLimit()

    async def scenario():
        async with limit.slot(1):
            waiter = asyncio.ensure_future(_enter(limit))
            await asyncio.sleep(0)
            waiter.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiter
        assert limit.running == 0
        async with limit.slot(1):
            assert limit.running == 1

    asyncio.run(scenario())


async def _enter(limit: JobLimit) -> None:
    async with limit.slot(1):
        pass


def test_best_per_target_takes_the_first_verified_result_of_each_target():
    t1 = Target("f", "function", "cpp", 0, 1, "x\n")
    t2 = Target("g", "function", "cpp", 3, 4, "y\n")
    failed = Result(Candidate(t1, "z", "fake"), Verdict(Status.INCORRECT))
    a, b, c = verified_result(t1, 3.0), verified_result(t1, 2.0), verified_result(t2, 1.5)
    assert best_per_target([failed, a, b, c]) == [a, c]
