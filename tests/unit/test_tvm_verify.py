"""Verification of TVM prim_funcs in the sandboxed worker: correct and faster, wrong, and unschedulable."""

import asyncio

import pytest

from speedlens.analysis.tvm import find_targets
from speedlens.config import Settings
from speedlens.models import Status
from speedlens.sandbox.tvm import verify_prim_func, verify_schedule
from tests.support.programs import GEMM_128

pytest.importorskip("tvm", reason="TVM tests need the tvm extra: pip install 'speedlens[tvm]'")

pytestmark = pytest.mark.tvm

GEMM = GEMM_128

# Tiled 4x16 register blocks, vectorized, parallel: much faster than the naive loop nest at any size.
GOOD_STEPS = [
    {"op": "split", "block": "C", "loop": 1, "factors": [None, 16]},
    {"op": "split", "block": "C", "loop": 0, "factors": [None, 4]},
    {"op": "reorder", "block": "C", "order": [0, 2, 4, 1, 3]},
    {"op": "parallel", "block": "C", "loop": 0},
    {"op": "unroll", "block": "C", "loop": 3},
    {"op": "vectorize", "block": "C", "loop": 4},
    {"op": "decompose_reduction", "block": "C", "loop": 2},
    {"op": "vectorize", "block": "C_init", "loop": -1},
]

WRONG = '''@T.prim_func(s_tir=True)
def gemm(A: T.Buffer((128, 128), "float32"), B: T.Buffer((128, 128), "float32"), C: T.Buffer((128, 128), "float32")):
    for i, j, k in T.grid(128, 128, 128):
        with T.sblock("C"):
            vi, vj, vk = T.axis.remap("SSR", [i, j, k])
            with T.init():
                C[vi, vj] = T.float32(0)
            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vj, vk]
'''


@pytest.fixture
def gemm(tmp_path):
    path = tmp_path / "gemm.py"
    path.write_text(GEMM)
    [target] = find_targets(GEMM)
    settings = Settings()
    settings.tvm.repeats = 19  # k = 2: one repeat disturbed by a busy machine does not decide the bound
    return path, target, settings


def test_scheduled_gemm_verifies_with_a_bound_above_one(gemm):
    path, target, settings = gemm
    verdict = asyncio.run(verify_schedule(GEMM, target, GOOD_STEPS, path, settings))
    assert verdict.status == Status.VERIFIED, (verdict.detail, verdict.speedup, verdict.speedup_lower)
    assert verdict.speedup_lower > 1 and verdict.bound_level == "run"
    assert verdict.per_input[0].repetitions == 19
    assert "time_evaluator" in verdict.detail


def test_candidate_computing_something_else_is_incorrect(gemm):
    path, target, settings = gemm
    verdict = asyncio.run(verify_prim_func(GEMM, target, WRONG, path, settings))
    assert verdict.status == Status.INCORRECT
    assert "buffer C" in verdict.detail


def test_schedule_tvm_rejects_is_a_clear_compile_error(gemm):
    path, target, settings = gemm
    steps = [{"op": "vectorize", "block": "C", "loop": 2}]  # the reduction loop cannot be vectorized
    verdict = asyncio.run(verify_schedule(GEMM, target, steps, path, settings))
    assert verdict.status == Status.COMPILE_ERROR
    assert verdict.detail.startswith("step 1: vectorize on block 'C'")
    assert "data parallel" in verdict.detail


def test_candidate_that_does_not_parse_is_a_compile_error(gemm):
    path, target, settings = gemm
    broken = WRONG.replace("T.axis.remap", "T.axis.no_such_thing")
    verdict = asyncio.run(verify_prim_func(GEMM, target, broken, path, settings))
    assert verdict.status == Status.COMPILE_ERROR
    assert "could not load the candidate" in verdict.detail


@pytest.mark.parametrize("cores", [1, 2])
def test_worker_times_with_as_many_threads_as_the_target_has_cores(gemm, cores):
    """TVM alone would take half the logical CPUs on x86; a schedule built for N cores must be timed on N."""
    from speedlens.sandbox.tvm import run_worker

    path, target, settings = gemm
    request = {"func": target.name, "target": {"kind": "llvm", "num-cores": cores}, "seed": 0, "repeats": 1,
               "min_repeat_ms": 1, "candidates": [{"id": "good", "steps": GOOD_STEPS}]}  # fmt: skip
    reply = asyncio.run(run_worker(request, source=GEMM, path=path, settings=settings))
    assert reply["threads"] == cores
    assert reply["results"][0]["status"] == "ok"


def test_rfactor_step_splits_a_reduction_into_partial_results_that_still_verify(gemm):
    from speedlens.sandbox.tvm import run_worker

    path, target, settings = gemm
    steps = [{"op": "split", "block": "C", "loop": 2, "factors": [None, 8]}, {"op": "rfactor", "block": "C", "loop": 3},
             {"op": "vectorize", "block": "C_rf", "loop": -1}]  # fmt: skip
    request = {"func": target.name, "seed": 0, "repeats": 1, "min_repeat_ms": 1, "describe": True,
               "candidates": [{"id": "rf", "steps": steps}]}  # fmt: skip
    [result] = asyncio.run(run_worker(request, source=GEMM, path=path, settings=settings))["results"]
    assert result["status"] == "ok", result.get("detail")
    assert {"C_rf", "C"} <= {b["name"] for b in result["info"]["blocks"]}
