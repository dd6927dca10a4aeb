"""The sandboxed half of TVM verification: load user code, apply schedules, build, check and time.

Run as ``python3 -m speedlens.sandbox.tvm_worker REQUEST.json`` inside the sandbox (never in the server process:
importing a user's module executes it). It prints one JSON object on stdout. Everything in one process, so the
original and the candidates share the machine state and their repeats can be interleaved fairly.

Request::

    {"source": "/path/user.py", "func": "matmul" | "Module.func", "target": {...} | null, "seed": 0,
     "repeats": 10, "min_repeat_ms": 20, "check": true, "describe": false, "time": true,
     "candidates": [{"id": "c1", "steps": [...]} | {"id": "c2", "source": "/path/cand.py", "func": "matmul"}],
     "export": "/work/export", "cc": ""}

With ``export`` nothing runs here: the original and every candidate that built are linked (with ``cc``, for a
remote device) into ``export/baseline.so`` and ``export/N.so`` (N: the candidate's index in the request), the
seeded inputs saved in ``export/inputs.npz``, and the reply carries no times; ``sandbox/tvm_rpc.py`` measures
them on the device.

Reply::

    {"ok": true, "target": {...}, "threads": 2,
     "baseline": {"times": [...], "info": {...}, "script": "...", "workload": "<structural hash>"},
     "results": [{"id", "status": "ok|invalid|build_error|runtime_error|incorrect|load_error",
                  "detail", "times": [...], "max_error", "script", "trace", "info"}]}

A step is a JSON object naming a schedule primitive, a block by name and loops by their index in that block's
loop nest (outermost first, negative from the innermost), so proposals are plain data an LLM can write::

    {"op": "split", "block": "C", "loop": 0, "factors": [null, 32]}
    {"op": "reorder", "block": "C", "order": [0, 2, 1]}        {"op": "fuse", "block": "C", "loops": [0, 1]}
    {"op": "parallel" | "vectorize" | "unroll", "block": "C", "loop": -1}
    {"op": "auto_unroll", "block": "C", "loop": 0, "max_step": 64}
    {"op": "cache_read" | "cache_write", "block": "C", "buffer": 0, "scope": "global"}
    {"op": "compute_at" | "reverse_compute_at", "block": "C_global", "target": "C", "loop": 3}
    {"op": "compute_inline" | "reverse_compute_inline", "block": "pad"}
    {"op": "decompose_reduction", "block": "C", "loop": 2}
    {"op": "rfactor", "block": "sum", "loop": 2, "factor_axis": 1}    (partial results per iteration of a
        reduction loop, in a new block "sum_rf" whose buffer has that loop as axis ``factor_axis`` (default 0);
        "sum" then reduces them)
    {"op": "transform_layout", "block": "B_global", "buffer": 0, "kind": "write",
     "index_map": "lambda k, j: (j // 64, k, j % 64)"}    (the layout of the block's buffer (``kind`` "write" or
        "read", ``buffer`` its index among them): a packed copy whose tile is contiguous)
    {"op": "pad_einsum", "block": "C", "padding": [1, 16, 1]}    (each block iterator rounded up to a multiple:
        zero-padded copies "<input>_pad" of the inputs and the output "<output>_pad", copied back by block
        "<output>_pad"; a 500-wide loop becomes 512 = whole SIMD vectors)
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
import os
import random
import re
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

PRIMITIVES = (
    "split", "reorder", "fuse", "parallel", "vectorize", "unroll", "auto_unroll", "cache_read", "cache_write",
    "compute_at", "reverse_compute_at", "compute_inline", "reverse_compute_inline", "decompose_reduction",
    "rfactor", "transform_layout", "pad_einsum",
)  # fmt: skip

# |candidate - original| <= atol * max|original| + rtol * |original|, per dtype: reordered float reductions
# round differently, so floats get a tolerance that scales with the output's magnitude; integers must match.
TOLERANCES = {"float16": (1e-2, 1e-2), "bfloat16": (2e-2, 2e-2), "float32": (1e-4, 1e-4), "float64": (1e-9, 1e-9)}


class StepError(Exception):
    """A proposed step that TVM (or the step language) rejects: the proposal is invalid, nothing is measured."""


def short_error(exc: BaseException) -> str:
    """TVM errors carry the whole IR; keep the sentence that says what is wrong."""
    text = str(exc)
    match = re.search(r"Error message:\s*(.*)", text, re.S)
    if match:
        text = match.group(1)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip() and "^^^" not in line]
    return " ".join(lines[:3])[:500] or type(exc).__name__


def load_prim_func(source: str, func: str):
    """The prim_func named ``func`` (``Class.func`` inside an IRModule) from the Python file ``source``.

    TVMScript reads the function's source text back with ``inspect``, so the module is imported from its file.
    """
    import tvm

    path = Path(source)
    spec = importlib.util.spec_from_file_location(f"speedlens_user_{abs(hash(source))}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    owner, _, name = func.rpartition(".")
    if owner:
        mod = getattr(module, owner)
        prim = mod[name]
    else:
        prim = getattr(module, name)
    if not isinstance(prim, tvm.tirx.PrimFunc):
        raise TypeError(f"{func} is a {type(prim).__name__}, not a prim_func")
    # One entry name for every variant, whatever the user's global_symbol says.
    return prim.with_attr("global_symbol", "main")


def host_target(spec: dict | None):
    """The llvm target for this CPU (mcpu from LLVM's host detection, all cores) unless the request names one."""
    import tvm

    if spec:
        return tvm.target.Target(spec)
    mcpu = ""
    try:
        mcpu = tvm.target.codegen.llvm_get_system_cpu()
    except Exception:  # noqa: BLE001 - older builds lack the query; generic llvm still works
        pass
    target = {"kind": "llvm", "num-cores": max(1, len(os.sched_getaffinity(0)))}
    if mcpu and mcpu != "generic":
        target["mcpu"] = mcpu
    return tvm.target.Target(target)


def _loop(sch, block, index):
    loops = sch.get_loops(block)
    try:
        return loops[index]
    except (IndexError, TypeError):
        raise StepError(f"block has {len(loops)} loops; loop index {index!r} does not exist") from None


def _index_map(text: str):
    """An index map written as a lambda over the buffer's indices, e.g. ``lambda k, j: (j // 64, k, j % 64)``.

    Evaluated here, in the sandbox, like the user's module; without builtins, since a map needs only arithmetic.
    """
    if not re.fullmatch(r"\s*lambda\s[\w\s,]*:[\w\s,()+\-*/%]*", text):
        raise StepError(f"index_map must be a lambda of index arithmetic, got {text!r}")
    return eval(text, {"__builtins__": {}})  # checked to be arithmetic only, and inside the sandbox


def apply_step(sch, step: dict) -> None:
    """Apply one step to ``sch``; raises StepError with TVM's reason when the primitive is illegal."""
    if not isinstance(step, dict) or step.get("op") not in PRIMITIVES:
        raise StepError(f"unknown step {step!r}; use one of {', '.join(PRIMITIVES)}")
    op = step["op"]
    try:
        block = sch.get_sblock(step["block"])
        if op == "split":
            factors = [None if f in (None, -1) else int(f) for f in step["factors"]]
            sch.split(_loop(sch, block, step["loop"]), factors)
        elif op == "reorder":
            loops = sch.get_loops(block)
            sch.reorder(*[loops[i] for i in step["order"]])
        elif op == "fuse":
            loops = sch.get_loops(block)
            sch.fuse(*[loops[i] for i in step["loops"]])
        elif op in ("parallel", "vectorize", "unroll"):
            getattr(sch, op)(_loop(sch, block, step["loop"]))
        elif op == "auto_unroll":
            loop = _loop(sch, block, step.get("loop", 0))
            sch.annotate(loop, "pragma_auto_unroll_max_step", int(step.get("max_step", 64)))
            sch.annotate(loop, "pragma_unroll_explicit", 1)
        elif op in ("cache_read", "cache_write"):
            getattr(sch, op)(block, int(step.get("buffer", 0)), step.get("scope", "global"))
        elif op in ("compute_at", "reverse_compute_at"):
            at = _loop(sch, sch.get_sblock(step["target"]), step["loop"])
            getattr(sch, op)(block, at)
        elif op in ("compute_inline", "reverse_compute_inline"):
            getattr(sch, op)(block)
        elif op == "decompose_reduction":
            sch.decompose_reduction(block, _loop(sch, block, step["loop"]))
        elif op == "rfactor":
            sch.rfactor(_loop(sch, block, step["loop"]), int(step.get("factor_axis", 0)))
        elif op == "pad_einsum":
            sch.pad_einsum(block, [int(p) for p in step["padding"]])
        elif op == "transform_layout":
            index_map = _index_map(str(step["index_map"]))
            sch.transform_layout(block, (step.get("kind", "write"), int(step.get("buffer", 0))), index_map)
    except StepError:
        raise
    except KeyError as exc:
        raise StepError(f"{op}: missing field {exc}") from None
    except Exception as exc:  # noqa: BLE001 - TVM raises its own error types for illegal schedules
        raise StepError(f"{op} on block {step.get('block')!r}: {short_error(exc)}") from None


def schedule(prim, steps: list[dict]):
    """A fresh schedule of ``prim`` with ``steps`` applied in order; StepError names the failing step."""
    import tvm

    sch = tvm.s_tir.Schedule(prim)
    for number, step in enumerate(steps, 1):
        try:
            apply_step(sch, step)
        except StepError as exc:
            raise StepError(f"step {number}: {exc}") from None
    return sch


def _realizes(stmt, out: dict) -> dict:
    """Every block realize under ``stmt`` by block name (the bindings tell which loops are reductions)."""
    from tvm import s_tir, tirx

    if isinstance(stmt, s_tir.SBlockRealize):
        out[stmt.block.name_hint] = stmt
        _realizes(stmt.block.body, out)
    elif isinstance(stmt, tirx.SeqStmt):
        for child in stmt.seq:
            _realizes(child, out)
    elif isinstance(stmt, tirx.IfThenElse):
        _realizes(stmt.then_case, out)
        if stmt.else_case is not None:
            _realizes(stmt.else_case, out)
    elif hasattr(stmt, "body"):
        _realizes(stmt.body, out)
    return out


_FOR_KINDS = {0: None, 1: "parallel", 2: "vectorized", 3: "unrolled"}


def describe(sch) -> dict:
    """The loop structure a policy needs: blocks in program order, each with its loops (extent, spatial "S" or
    reduction "R" or both "SR", annotation), the buffers it reads and writes, and for each read the indices of the
    loops its region depends on ("read_loops": which operand of a GEMM streams along which loop, for packing)."""
    from tvm import tirx

    blocks = []
    for name, realize in _realizes(sch.mod["main"].body, {}).items():
        if name == "root":
            continue
        block = realize.block
        reduce_vars = {i for i, iv in enumerate(block.iter_vars) if int(iv.iter_type) == 2}
        uses = [{v.name for v in tirx.analysis.undefined_vars(e, [])} for e in realize.iter_values]
        loops = []
        for rv in sch.get_loops(sch.get_sblock(name)):
            loop = sch.get(rv)
            var = loop.loop_var.name
            kinds = {"R" if i in reduce_vars else "S" for i, used in enumerate(uses) if var in used}
            extent = int(loop.extent) if hasattr(loop.extent, "value") else None
            annotation = _FOR_KINDS.get(int(loop.kind))
            if "pragma_auto_unroll_max_step" in loop.annotations:
                annotation = (annotation + "+" if annotation else "") + "auto_unroll"
            loops.append({"var": var, "extent": extent, "kind": "".join(sorted(kinds)), "annotation": annotation})
        blocks.append(
            {
                "name": name,
                "loops": loops,
                "reduction": bool(reduce_vars),
                "has_init": block.init is not None,
                "reads": [str(r.source.name) for r in block.reads],
                "read_loops": [_region_loops(r.region, block, uses, loops) for r in block.reads],
                "writes": [str(w.source.name) for w in block.writes],
            }
        )
    return {"blocks": blocks}


def _region_loops(region, block, uses: list[set[str]], loops: list[dict]) -> list[int]:
    """Indices of the loops (of ``loops``, the block's nest) a buffer region's indices depend on, in the order of
    the buffer's dimensions (B[k, j]: the k loop, then the j loop), each once."""
    from tvm import tirx

    out: list[int] = []
    for dim in region:
        names = {v.name for v in tirx.analysis.undefined_vars(dim.min, [])}
        used = set().union(*(uses[i] for i, iv in enumerate(block.iter_vars) if iv.var.name in names))
        out += [j for j, loop in enumerate(loops) if loop["var"] in used and j not in out]
    return out


def trace_text(sch) -> str:
    """TVM's own record of the schedule, as the Python that replays it."""
    return "\n".join(str(sch.trace).splitlines()[1:]).strip()


def printed(prim, func: str) -> str:
    """TVMScript of ``prim`` under the user's function name, without the import comments TVM prepends."""
    text = prim.without_attr("global_symbol").script(name=func.rpartition(".")[2])
    return "\n".join(line for line in text.splitlines() if not line.startswith("# from ")).strip() + "\n"


def random_inputs(prim, seed: int) -> list:
    """One seeded random array per buffer parameter: floats in [-1, 1], small integers, random booleans."""
    import numpy as np

    rng = np.random.default_rng(seed)
    arrays = []
    for param in prim.params:
        shape = [int(s) for s in param.shape]
        dtype = str(param.dtype)
        if dtype == "bool":
            arrays.append(rng.integers(0, 2, size=shape).astype(bool))
        elif dtype.startswith(("int", "uint")):
            low = 0 if dtype.startswith("uint") else -8
            arrays.append(rng.integers(low, 8, size=shape).astype(dtype))
        else:
            arrays.append(rng.uniform(-1, 1, size=shape).astype(dtype))
    return arrays


def compare(expected: list, actual: list, names: list[str]) -> tuple[bool, float, str]:
    """Every buffer after the call (outputs and inputs alike) must match the original's, within dtype tolerance."""
    import numpy as np

    worst = 0.0
    for name, ref, got in zip(names, expected, actual, strict=False):
        if ref.shape != got.shape:
            return False, math.inf, f"buffer {name}: shape {got.shape} != {ref.shape}"
        rtol, atol = TOLERANCES.get(str(ref.dtype), (0.0, 0.0))
        if rtol == 0.0:
            bad = ref != got
            if bad.any():
                return False, math.inf, f"buffer {name}: {int(bad.sum())} of {ref.size} elements differ"
            continue
        ref64, got64 = ref.astype("float64"), got.astype("float64")
        same_nan = np.isnan(ref64) & np.isnan(got64)
        scale = float(np.nanmax(np.abs(ref64))) if ref.size and not np.isnan(ref64).all() else 1.0
        error = np.where(same_nan, 0.0, np.abs(ref64 - got64))
        limit = atol * max(scale, 1e-30) + rtol * np.abs(ref64)
        bad = ~(error <= limit)
        worst = max(worst, float(np.nanmax(error)) if error.size else 0.0)
        if bad.any():
            index = np.unravel_index(int(np.argmax(bad)), ref.shape)
            return (
                False,
                worst,
                f"buffer {name}: {int(bad.sum())} of {ref.size} elements differ beyond tolerance "
                f"(at {list(map(int, index))}: expected {ref64[index]:.6g}, got {got64[index]:.6g})",
            )
    return True, worst, ""


class Variant:
    """One function to build, check and time: the original or a candidate."""

    def __init__(
        self, ident: str, prim=None, sch=None, error: tuple[str, str] | None = None, params: list[str] | None = None
    ):
        self.id, self.prim, self.sch = ident, prim, sch
        self.status, self.detail = error if error else ("ok", "")
        # The buffer names it takes: from its prim_func here, from the plan on the RPC side (no prim_func there).
        self.params = params if params is not None else [p.name for p in prim.params] if prim is not None else []
        self.lib: Any = None  # the built runtime module (local), or the module loaded on the remote device
        self.timer: tuple[Any, list] | None = None  # (time_evaluator, its argument tensors)
        self.number = 1
        self.first_call_s = 0.0
        self.times: list[float] = []
        self.max_error: float | None = None

    @property
    def alive(self) -> bool:
        return self.status == "ok"

    def fail(self, status: str, detail: str) -> None:
        self.status, self.detail = status, detail


def build(variant: Variant, target) -> None:
    import tvm

    module = variant.sch.mod if variant.sch is not None else tvm.IRModule({"main": variant.prim})
    try:
        variant.lib = tvm.compile(module, target=target).mod
    except Exception as exc:  # noqa: BLE001
        variant.fail("build_error", f"TVM could not build it: {short_error(exc)}")


def run_once(variant: Variant, inputs: list, dev) -> list | None:
    """Call the function on copies of ``inputs``; the buffers afterwards, or None (and the variant fails).

    The call's duration (a warm-up, as far as timing goes) calibrates how many calls one timed repeat makes.
    """
    import tvm

    tensors = [tvm.runtime.tensor(a.copy(), dev) for a in inputs]
    assert variant.lib is not None, "only a built variant runs"
    try:
        start = time.perf_counter()
        variant.lib["main"](*tensors)
        variant.first_call_s = time.perf_counter() - start
    except Exception as exc:  # noqa: BLE001
        variant.fail("runtime_error", f"it failed when run: {short_error(exc)}")
        return None
    return [t.numpy() for t in tensors]


class _Stages(dict):
    """Seconds spent in each stage of a request, in order (the reply's ``stages_s``)."""

    def __init__(self) -> None:
        super().__init__()
        self._clock = time.perf_counter()

    def done(self, name: str) -> None:
        now = time.perf_counter()
        self[name] = round(now - self._clock, 3)
        self._clock = now


def handle(request: dict) -> dict:
    """One request: load and schedule the candidates, build, check against the original, time; the reply."""
    import tvm

    stages = _Stages()
    target = host_target(request.get("target"))
    sys.path[:0] = request.get("sys_path", [])  # the user's own imports resolve beside their file
    try:
        original = load_prim_func(request["source"], request["func"])
    except Exception as exc:  # noqa: BLE001 - the user's module may raise anything
        return {"ok": False, "stage": "load", "detail": f"could not load {request['func']}: {short_error(exc)}"}
    baseline = Variant("baseline", prim=original)
    variants = load_variants(request, original)
    stages.done("load_and_schedule")
    for variant in [baseline, *variants]:
        if variant.alive:
            build(variant, target)
    stages.done("build")
    if not baseline.alive:
        return {"ok": False, "stage": "build", "detail": f"the original: {baseline.detail}"}
    reply = {"ok": True, "target": str(target), "threads": tvm.runtime.num_threads(), "stages_s": stages}
    if variants and not any(v.alive for v in variants):  # every proposal was rejected: nothing to run
        return {**reply, "baseline": {"times": []},
                "results": [{"id": v.id, "status": v.status, "detail": v.detail, "times": []} for v in variants]}
    inputs = random_inputs(original, int(request.get("seed", 0)))
    if request.get("export"):  # measured on a remote device by the RPC runner (sandbox/tvm_rpc.py), not here
        export(Path(request["export"]), baseline, variants, inputs, request.get("cc", ""))
        stages.done("export")
        if not baseline.alive:
            return {"ok": False, "stage": "build", "detail": f"the original: {baseline.detail}"}
        params = {"baseline": baseline.params, **{str(i): v.params for i, v in enumerate(variants) if v.alive}}
        return {**reply, "baseline": baseline_state(baseline, original, request), "params": params,
                "results": [variant_state(v, request) for v in variants]}
    dev = tvm.cpu()
    if not check_variants(baseline, variants, inputs, dev, request):
        return {"ok": False, "stage": "run", "detail": f"the original: {baseline.detail}"}
    stages.done("check")
    if request.get("time", True):
        time_interleaved([baseline, *[v for v in variants if v.alive]], inputs, dev, request)
    stages.done("time")
    base = baseline_state(baseline, original, request)
    results = [variant_state(v, request) for v in variants]
    stages.done("describe")
    return {**reply, "baseline": base, "results": results}


def export(directory: Path, baseline: Variant, variants: list[Variant], inputs: list, cc: str) -> None:
    """Write what a remote device runs: ``baseline.so``, ``N.so`` for the N-th candidate of the request (those
    that built) and the seeded inputs, ``inputs.npz``. ``cc`` links the libraries for the device ("" = g++)."""
    import numpy as np
    from tvm.support import cc as tvm_cc

    directory.mkdir(parents=True, exist_ok=True)
    fcompile = tvm_cc.cross_compiler(cc) if cc else None
    for name, variant in [("baseline", baseline), *((str(i), v) for i, v in enumerate(variants))]:
        if not variant.alive:
            continue
        try:
            variant.lib.export_library(str(directory / f"{name}.so"), fcompile=fcompile)
        except Exception as exc:  # noqa: BLE001 - a missing cross compiler, a linker error
            variant.fail("build_error", f"could not link it for the device: {short_error(exc)}")
    np.savez(directory / "inputs.npz", *inputs)


def load_variants(request: dict, original) -> list[Variant]:
    """The request's candidates: a prim_func of their own (``source``) or the original scheduled by ``steps``;
    one that cannot be loaded or scheduled is a failed variant, not an error of the request."""
    variants: list[Variant] = []
    for cand in request.get("candidates", []):
        ident = str(cand.get("id", len(variants)))
        try:
            if "source" in cand:
                prim = load_prim_func(cand["source"], cand.get("func", request["func"]))
                variants.append(Variant(ident, prim=prim))
            else:
                variants.append(Variant(ident, prim=original, sch=schedule(original, cand.get("steps", []))))
        except StepError as exc:
            variants.append(Variant(ident, error=("invalid", str(exc))))
        except Exception as exc:  # noqa: BLE001
            variants.append(Variant(ident, error=("load_error", f"could not load the candidate: {short_error(exc)}")))
    return variants


def check_variants(baseline: Variant, variants: list[Variant], inputs: list, dev, request: dict) -> bool:
    """Run the original once, then each live variant on the same inputs, failing the ones that differ; False when
    the original itself failed."""
    names = baseline.params
    expected = run_once(baseline, inputs, dev)
    if expected is None:
        return False
    for variant in variants:
        if not variant.alive:
            continue
        if len(variant.params) != len(names):
            variant.fail("incorrect", f"it takes {len(variant.params)} buffers, the original {len(names)}")
            continue
        actual = run_once(variant, inputs, dev)
        if actual is not None and request.get("check", True):
            same, variant.max_error, why = compare(expected, actual, names)
            if not same:
                variant.fail("incorrect", f"wrong result: {why}")
    return True


def variant_state(variant: Variant, request: dict) -> dict:
    """A variant's part of the reply: verdict, times, and (``describe``) its schedule's trace, loops and script."""
    out: dict[str, Any] = {"id": variant.id, "status": variant.status, "detail": variant.detail,
                           "times": variant.times}
    if variant.max_error is not None:
        out["max_error"] = variant.max_error
    if variant.sch is not None and variant.status != "invalid":
        out["trace"] = trace_text(variant.sch)
        if request.get("describe", False):
            out["info"] = describe(variant.sch)
            out["script"] = printed(variant.sch.mod["main"], request["func"])
    return out


def baseline_state(baseline: Variant, original, request: dict) -> dict:
    """The original's part of the reply; with ``describe`` also its loops, script and ``workload``: TVM's
    structural hash of the prim_func (names aside, the same computation has the same hash), which keys the
    search's tuning record."""
    import tvm
    import tvm_ffi

    base: dict = {"times": baseline.times}
    if request.get("describe", False):
        sch = tvm.s_tir.Schedule(original)
        base.update(info=describe(sch), script=printed(original, request["func"]),
                    workload=f"{tvm_ffi.structural_hash(original) & (2**64 - 1):016x}")  # fmt: skip
    return base


def time_interleaved(variants: list[Variant], inputs: list, dev, request: dict, local: bool = True) -> None:
    """``repeats`` rounds; in each, every variant runs one timed repeat, in a seeded random order.

    Each repeat averages ``number`` calls, chosen so a repeat lasts about ``min_repeat_ms``; the correctness call
    of each variant (a warm-up) calibrates it. Slow drift and noise from other processes then hit all variants
    alike. TVM's timer makes one discarded call before every repeat; a ``local`` variant whose one call already
    lasts a repeat (a naive original: up to seconds) is timed around that call instead, which halves what it costs
    (it was warmed up by the correctness call; over RPC a call would include the round trip).
    """
    import tvm

    rng = random.Random(int(request.get("seed", 0)))
    min_repeat_s = float(request.get("min_repeat_ms", 20)) / 1000
    direct: dict[str, Callable[[], float]] = {}
    for variant in variants:
        tensors = [tvm.runtime.tensor(a.copy(), dev) for a in inputs]
        variant.number = max(1, min(1000, math.ceil(min_repeat_s / max(variant.first_call_s, 1e-7))))
        variant.timer = (variant.lib.time_evaluator("main", dev, number=variant.number, repeat=1), tensors)
        if local and variant.first_call_s >= min_repeat_s:
            direct[variant.id] = functools.partial(_one_call_s, variant.lib["main"], tensors)
    for _ in range(int(request.get("repeats", 10))):
        order = list(variants)
        rng.shuffle(order)
        for variant in order:
            assert variant.timer is not None  # set for every variant above
            timer, tensors = variant.timer
            variant.times.append(direct[variant.id]() if variant.id in direct else float(timer(*tensors).mean))


def _one_call_s(function, tensors: list) -> float:
    start = time.perf_counter()
    function(*tensors)
    return time.perf_counter() - start


def answer(argv: list[str], handler: Callable[[dict], dict], stage: str, program: str) -> int:
    """A one-shot process's protocol: read the request file named on the command line, write one JSON reply line
    (an exception too: the caller reads a failure, never waits on a dead process)."""
    if len(argv) != 1:
        print(f"usage: python -m speedlens.sandbox.{program} REQUEST.json", file=sys.stderr)
        return 2
    request = json.loads(Path(argv[0]).read_text())
    try:
        reply = handler(request)
    except Exception as exc:  # noqa: BLE001 - report, never hang the caller
        reply = {"ok": False, "stage": stage, "detail": short_error(exc), "traceback": traceback.format_exc()}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
    return 0


def main(argv: list[str]) -> int:
    return answer(argv, handle, "worker", "tvm_worker")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
