"""Monte-Carlo tree search over TVM schedules, after "Reasoning Compiler" (LLM-guided MCTS for compilers).

A state is a schedule trace: a list of JSON steps (see ``sandbox.tvm_worker``) applied to the user's prim_func.
An expansion adds a child proposed by a *policy*: ``HeuristicPolicy`` (hardware-informed templates: tile for the
caches and registers, vectorize the innermost spatial loop, parallelize the outer ones, cache the accumulator,
unroll) or ``LlmPolicy`` (a model shown the current TVMScript, the trace, the latencies measured so far and the
hardware). The reward is the log of the measured speedup over the original, measured in the sandboxed worker
with the original interleaved in the same process. Every measured sample counts against ``tvm.trials``;
proposals TVM rejects are dropped before measurement and cost nothing.

The engine calls ``optimize_prim_func``; nothing here knows about the editor.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import os
import random
import re
import statistics
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from speedlens.config import Settings
from speedlens.models import (
    Candidate,
    Result,
    Status,
    Target,
    Verdict,
    content_hash,
    no_progress,
    sort_results,
)
from speedlens.propose.tvm_record import TuningRecord, op_class
from speedlens.sandbox.run import Sandbox
from speedlens.sandbox.tvm import WorkerError, run_worker, target_spec, verify_prim_func

log = logging.getLogger(__name__)

Step = dict
Trace = list  # list[Step]
# A measurer takes traces and returns, per trace, the worker's result dict (status, times, info, script, trace)
# plus the baseline times of the same call under the key "baseline_times".
Measurer = Callable[[list[Trace]], Awaitable[list[dict]]]


# -- hardware ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hardware:
    """What a schedule should be shaped for: cores, SIMD width and cache sizes of this machine."""

    cores: int = 1
    vector_bits: int = 128
    l1d_bytes: int = 32 << 10
    l2_bytes: int = 512 << 10
    l3_bytes: int = 8 << 20
    model: str = "unknown CPU"

    def lanes(self, dtype_bits: int = 32) -> int:
        return max(1, self.vector_bits // dtype_bits)

    def describe(self) -> str:
        return (
            f"{self.model}: {self.cores} cores, {self.vector_bits}-bit SIMD ({self.lanes()} float32 lanes), "
            f"L1d {self.l1d_bytes >> 10} KiB, L2 {self.l2_bytes >> 10} KiB, L3 {self.l3_bytes >> 20} MiB per core group"
        )


def _size(text: str) -> int:
    match = re.match(r"(\d+)\s*([KMG]?)", text.strip())
    if not match:
        return 0
    return int(match.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30}[match.group(2)]


def detect_hardware() -> Hardware:
    """Read /proc/cpuinfo and sysfs (no TVM needed); anything unreadable keeps a conservative default."""
    hw = Hardware(cores=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    values: dict = {}
    try:
        info = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^(?:flags|Features)\s*:(.*)$", info, re.M)
        flags = set(found.group(1).split()) if found else set()
        values["vector_bits"] = 512 if "avx512f" in flags else 256 if "avx2" in flags or "avx" in flags else 128
        model = re.search(r"^model name\s*:(.*)$", info, re.M)
        if model:
            values["model"] = model.group(1).strip()
    except (OSError, AttributeError):
        pass
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            level = int((index / "level").read_text())
            kind = (index / "type").read_text().strip()
            size = _size((index / "size").read_text())
        except (OSError, ValueError):
            continue
        if level == 1 and kind == "Data":
            values["l1d_bytes"] = size
        elif level == 2:
            values["l2_bytes"] = size
        elif level == 3:
            values["l3_bytes"] = size
    return Hardware(**{**hw.__dict__, **values})


# -- the tree ----------------------------------------------------------------------------------------------


@dataclass
class Node:
    steps: Trace
    parent: Node | None = None
    action: str = "original"  # what the edge from the parent did, for prompts and reports
    children: list[Node] = field(default_factory=list)
    visits: int = 0
    value: float = 0.0  # sum of rewards backed up through this node
    speedup: float | None = None  # measured, against the original interleaved in the same worker call
    latency_s: float | None = None
    script: str = ""
    trace_text: str = ""
    info: dict = field(default_factory=dict)
    config: dict | None = None  # the heuristic's parameters, when it made this node
    workload: str = ""  # the root's: TVM's structural hash of the prim_func (the tuning record's key)
    proposals: list | None = None  # pending (action, steps, config) from the policy, best first
    exhausted: bool = False

    @property
    def key(self) -> str:
        return json.dumps(self.steps, sort_keys=True)

    def uct(self, exploration: float) -> float:
        if self.visits == 0:
            return math.inf
        parent_visits = self.parent.visits if self.parent else self.visits
        return self.value / self.visits + exploration * math.sqrt(math.log(parent_visits + 1) / self.visits)


@dataclass
class Proposal:
    action: str
    steps: Trace  # the full trace of the child
    config: dict | None = None


class Policy(Protocol):
    name: str

    async def propose(self, node: Node, search: Search) -> list[Proposal]:
        """Children worth measuring from ``node``, best first (the tree widens through them in order)."""


# -- heuristic policy --------------------------------------------------------------------------------------


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def _closest(options: list[int], want: float) -> int:
    return min(options, key=lambda d: (abs(math.log(d / want)), d))


class HeuristicPolicy:
    """Hardware-informed schedule templates, and parameter moves around the best ones.

    For a reduction block with spatial loops (GEMM, convolution) the template is CPU multi-level tiling:
    a register tile (rows x a few SIMD vectors) innermost, a cache tile around it sized for L1/L2, the reduction
    loop split between them, the accumulator cached and written back per tile, the outer tiles fused and run in
    parallel, the innermost spatial loop vectorized, the row loop unrolled. Other blocks get their outer spatial
    loops parallelized and their innermost spatial loop vectorized; padding-like producers of a tiled block are
    computed once, in parallel, rather than inlined: inlined, their bounds checks would run in the innermost loop,
    once per reuse (9 times per element in a 3x3 convolution). Children of a templated node change one parameter
    (neighbouring tile sizes, unroll depth, inlining the producers, ...).
    """

    name = "heuristic"

    def __init__(self, hardware: Hardware, seed: int = 0):
        self.hw = hardware
        self.rng = random.Random(seed)

    async def propose(self, node: Node, search: Search) -> list[Proposal]:
        blocks = search.root.info.get("blocks", [])
        if node.parent is None:
            configs = self.initial_configs(blocks)
        elif node.config is not None:
            configs = self.neighbours(node.config, blocks)
        else:
            return []
        proposals = []
        for config in configs:
            steps = self.steps(config, blocks)
            if steps:
                proposals.append(Proposal(self.label(config), steps, config))
        return proposals

    # The main (tiled) block: the contraction (two or more spatial loops, a long reduction) with the most work;
    # row reductions (softmax, norms) are better served row by row.
    @staticmethod
    def main_block(blocks: list[dict]) -> dict | None:
        def work(b):
            return math.prod(loop["extent"] or 1 for loop in b["loops"])

        tileable = [
            b for b in blocks
            if b["reduction"] and all(loop["kind"] in ("S", "R") for loop in b["loops"])
            and sum(1 for loop in b["loops"] if loop["kind"] == "S" and (loop["extent"] or 1) > 1) >= 2
            and sum(1 for loop in b["loops"] if loop["kind"] == "R" and (loop["extent"] or 1) >= 16) >= 1
        ]  # fmt: skip
        return max(tileable, key=work, default=None)

    def _roles(self, block: dict) -> tuple[int, int | None, int]:
        """(vector loop, row loop or None, reduction loop) indices in the block's original loop nest."""
        loops = block["loops"]
        spatial = [i for i, loop in enumerate(loops) if loop["kind"] == "S" and (loop["extent"] or 1) > 1]
        vec = spatial[-1]
        row = spatial[-2] if len(spatial) > 1 else None
        reds = [i for i, loop in enumerate(loops) if loop["kind"] == "R"]
        red = max(reds, key=lambda i: (loops[i]["extent"] or 1, i))
        return vec, row, red

    def initial_configs(self, blocks: list[dict]) -> list[dict]:
        """Templates ranked by a small cost model: register pressure, cache fit, parallel slack."""
        main = self.main_block(blocks)
        configs: list[tuple[float, dict]] = []
        if main is None:
            # Row by row first; a row reduction split into SIMD partial sums (rfactor) first of all, because a
            # serial reduction is one long dependency chain (one add's latency per element).
            has_row_reduction = any(self._row_reduction(b) is not None for b in blocks)
            for fuse_rows, rfactor, vec_factor in itertools.product((True, False), (True, False), (1, 2, 4)):
                if rfactor and not has_row_reduction:
                    continue
                cost = (0.0 if fuse_rows else 2.0) + (0.0 if rfactor else 1.0) + vec_factor / 10
                configs.append((cost, {"main": None, "fuse_rows": fuse_rows, "rfactor": rfactor,
                                       "vec_factor": vec_factor, "unroll": 0}))  # fmt: skip
            return [c for _, c in sorted(configs, key=lambda x: x[0])]
        loops = main["loops"]
        vec, row, red = self._roles(main)
        lanes = self.hw.lanes(32)
        vec_ext, row_ext, red_ext = loops[vec]["extent"], loops[row]["extent"] if row is not None else 1, \
            loops[red]["extent"]  # fmt: skip
        registers = 16 if self.hw.vector_bits < 512 else 32
        for v_in, r_in in itertools.product(_divisors(vec_ext), _divisors(row_ext)):
            if v_in % lanes or v_in > 4 * lanes or r_in > 8:
                continue
            accumulators = r_in * v_in // lanes
            if accumulators > registers - 2:  # plus one broadcast input and one loaded vector
                continue
            for k_in in (d for d in _divisors(red_ext) if d <= 64):
                # The k-panel of A and B plus the C tile should stay in L1.
                panel = 4 * (r_in * k_in + k_in * v_in + r_in * v_in)
                if panel > self.hw.l1d_bytes:
                    continue
                for v_mid, r_mid in itertools.product(
                    _divisors(vec_ext // v_in), _divisors(row_ext // r_in) if row is not None else [1]
                ):
                    tile_bytes = 4 * (r_in * r_mid) * (v_in * v_mid)
                    outer_tiles = (vec_ext // (v_in * v_mid)) * (row_ext // (r_in * r_mid))
                    if tile_bytes > self.hw.l2_bytes // 2 or outer_tiles < 2 * self.hw.cores:
                        continue
                    cost = (
                        abs(accumulators - (registers // 2)) * 1.0
                        + abs(math.log2(max(k_in, 1) / 4)) * 0.5
                        + abs(math.log2(tile_bytes / (self.hw.l1d_bytes / 2))) * 0.7
                        + (0.0 if outer_tiles >= 8 * self.hw.cores else 1.0)
                        + self.rng.random() * 0.3
                    )
                    configs.append((cost, {
                        "main": main["name"], "v_in": v_in, "r_in": r_in, "k_in": k_in, "v_mid": v_mid,
                        "r_mid": r_mid, "unroll": 64, "cache": True, "parallel_mid": False, "inline": False,
                        "pack": False,
                    }))  # fmt: skip
        return self.kernel_configs(main) + self._ranked(configs, main, vec_ext)

    def _ranked(self, configs: list[tuple[float, dict]], main: dict, vec_ext: int) -> list[dict]:
        """Cheapest first, but the best config of each register-tile shape before any second of a shape; each
        packable one (enough vector tiles to run in parallel) also with its operand packed, right after it."""
        configs.sort(key=lambda x: x[0])
        seen: set[tuple[int, int]] = set()
        diverse: list[dict] = []
        rest: list[dict] = []
        for _, c in configs:
            shape = (c["v_in"], c["r_in"])
            (rest if shape in seen else diverse).append(c)
            seen.add(shape)
        packable = self._packed_operand(main) is not None
        first = [variant for c in diverse[:6] for variant in
                 ([c, {**c, "pack": True}] if packable and vec_ext // (c["v_in"] * c["v_mid"]) >= 2 * self.hw.cores
                  else [c])]  # fmt: skip
        return first + rest[:30]

    # -- the register-blocked micro-kernel (the shape BLAS libraries run) --

    def kernel_configs(self, main: dict, count: int = 3) -> list[dict]:
        """The micro-kernel for a contraction in its best few register-tile shapes, ahead of every generic
        tiling: it is what OpenBLAS runs, so a small budget should measure it first. A convolution runs it as an
        implicit GEMM: rows along the output's width, columns along its channels, the whole (kh, kw, ci)
        reduction inside, so each accumulator tile is written once (measured on samples/tvm's conv2d: 2x32 in
        7.4 ms against 9.1 ms for the best generic tiling's first proposals)."""
        if not self._kernel_fits(main):
            return []
        shapes = sorted(self._kernel_shapes(main))[:count]
        return [self._kernel_config(main, mr, nr) for _, mr, nr in shapes]

    def _kernel_fits(self, main: dict) -> bool:
        """A row loop, a vector loop and known extents. An operand streaming along the vector and reduction loops
        (a GEMM's B) is packed, or padded when the vector loop is no multiple of a register tile; without one (a
        convolution's 4-D weights) only register tiles that divide the vector loop are used."""
        vec, row, _ = self._roles(main)
        known = all(loop["extent"] for loop in main["loops"])
        return row is not None and known and bool(self._kernel_shapes(main))

    def _max_rows(self, vectors: int) -> int:
        """Rows of a register tile ``vectors`` SIMD vectors wide: rows * vectors accumulators, plus the loaded
        vectors of B and one broadcast of A, in 16 registers (AVX2) or 32 (AVX-512); more spill and run ~2x
        slower. At most 8 rows: each row costs a broadcast per k."""
        registers = 32 if self.hw.vector_bits >= 512 else 16
        return min(8, (registers - 1 - vectors) // vectors)

    def _kernel_shapes(self, main: dict) -> list[tuple[float, int, int]]:
        """(cost, rows, columns) of register tiles. Columns: 1, 2 or 4 whole SIMD vectors (TVM scalarizes a
        20- or 24-lane vector, ~10x slower), the vector loop padded up to a multiple when they do not divide it
        (costing the padded work and one copy). Rows preferably divide the row loop: the guard of a remainder
        tile costs up to 2x. Cheapest: the most accumulators (FMA latency hidden), two vectors wide (one loaded
        B vector feeds many FMAs)."""
        vec, row, _ = self._roles(main)
        n, m = main["loops"][vec]["extent"], main["loops"][row]["extent"]
        lanes = self.hw.lanes(32)
        best = 2 * self._max_rows(2)
        shapes = []
        packable = self._packed_operand(main) is not None
        for nr in (v * lanes for v in (1, 2, 4) if v * lanes <= max(n, lanes)):
            waste = -n % nr / n
            if waste and not packable:  # padding goes through the packed operand's copy
                continue
            for mr in range(2, min(self._max_rows(nr // lanes), m) + 1):
                cost = 0.5 * (best - mr * nr // lanes) + 2.0 * (m % mr != 0) + 0.3 * abs(nr // lanes - 2) \
                    + 10 * waste + 0.5 * (waste > 0)  # fmt: skip
                shapes.append((cost, mr, nr))
        return shapes

    def _kernel_config(self, main: dict, mr: int, nr: int) -> dict:
        """``nc`` register-tile columns per L2 panel: the packed operand's K x (nc * nr) panel fills half of L2,
        so it is reused from L2 by every row tile of the panel."""
        vec, _, _ = self._roles(main)
        n = main["loops"][vec]["extent"]
        k = math.prod(loop["extent"] for loop in main["loops"] if loop["kind"] == "R")
        fits = [d for d in _divisors(-(-n // nr)) if 4 * k * nr * d <= self.hw.l2_bytes // 2]
        return {"main": main["name"], "kernel": True, "mr": mr, "nr": nr, "nc": max(fits, default=1),
                "pack": self._packed_operand(main) is not None}

    def kernel_neighbours(self, config: dict, main: dict) -> list[dict]:
        """One-parameter moves of a micro-kernel: rows, register-tile width, L2 panel width, packing."""
        vec, _, _ = self._roles(main)
        moves = [{**config, "mr": mr} for mr in (config["mr"] - 1, config["mr"] + 1)
                 if 1 <= mr <= self._max_rows(config["nr"] // self.hw.lanes(32))]  # fmt: skip
        moves += [{**self._kernel_config(main, mr, nr), "pack": config["pack"]}
                  for _, mr, nr in sorted(self._kernel_shapes(main))[:6] if nr != config["nr"]]  # fmt: skip
        panels = _divisors(-(-main["loops"][vec]["extent"] // config["nr"]))
        i = panels.index(config["nc"]) if config["nc"] in panels else 0
        moves += [{**config, "nc": panels[j]} for j in (i - 1, i + 1) if 0 <= j < len(panels)]
        if self._packed_operand(main) is not None:
            moves.append({**config, "pack": not config["pack"]})
        self.rng.shuffle(moves)
        return moves

    def neighbours(self, config: dict, blocks: list[dict]) -> list[dict]:
        """One-parameter moves: adjacent tile sizes, unroll depth, what runs in parallel, caching."""
        moves = []
        if config.get("main") is None:
            for key, options in (("vec_factor", (1, 2, 4, 8)), ("unroll", (0, 16, 64)),
                                 ("rfactor", (True, False))):  # fmt: skip
                moves += [{**config, key: o} for o in options if o != config.get(key, False)]
            return moves
        main = next(b for b in blocks if b["name"] == config["main"])
        if config.get("kernel"):
            return self.kernel_neighbours(config, main)
        vec, row, red = self._roles(main)
        ext = {"v": main["loops"][vec]["extent"], "r": main["loops"][row]["extent"] if row is not None else 1,
               "k": main["loops"][red]["extent"]}  # fmt: skip
        for key, total in (("k_in", ext["k"]), ("v_mid", ext["v"] // config["v_in"]),
                           ("r_mid", ext["r"] // config["r_in"])):  # fmt: skip
            sizes = _divisors(total)
            i = sizes.index(config[key]) if config[key] in sizes else 0
            moves += [{**config, key: sizes[j]} for j in (i - 1, i + 1) if 0 <= j < len(sizes)]
        moves += [{**config, "unroll": u} for u in (0, 16, 512) if u != config["unroll"]]
        moves += [{**config, "parallel_mid": not config["parallel_mid"]}, {**config, "cache": not config["cache"]}]
        # Packing parallelizes over vector tiles only: worth a sample when there are enough of them for the cores.
        vector_tiles = ext["v"] // (config["v_in"] * config["v_mid"])
        if self._packed_operand(main) is not None and vector_tiles >= 2 * self.hw.cores:
            moves.append({**config, "pack": not config.get("pack", False)})
        if any(not b["reduction"] and set(b["writes"]) & set(main["reads"]) for b in blocks):
            moves.append({**config, "inline": not config["inline"]})  # padding: inlined, or computed once
        self.rng.shuffle(moves)
        return moves

    @staticmethod
    def label(config: dict) -> str:
        if config.get("main") is None:
            return f"parallel rows, vectorize x{config['vec_factor']}" + (
                ", producers computed per row" if config.get("fuse_rows") else "") + (
                ", row reductions split into SIMD partials" if config.get("rfactor") else "")  # fmt: skip
        if config.get("kernel"):
            return (f"micro-kernel {config['main']}: {config['mr']}x{config['nr']} accumulators in registers, "
                    f"{config['nr'] * config['nc']}-column L2 panel, full reduction inside"
                    + (", operand packed [N/nr, K, nr]" if config["pack"] else ""))  # fmt: skip
        return (
            f"tile {config['main']}: register {config['r_in']}x{config['v_in']}, cache tile "
            f"{config['r_in'] * config['r_mid']}x{config['v_in'] * config['v_mid']}, k-split {config['k_in']}, "
            f"unroll {config['unroll']}" + (", cached accumulator" if config["cache"] else "")
            + (", parallel over 2 tile levels" if config["parallel_mid"] else "")
            + (", producers inlined" if config.get("inline") else "")
            + (", operand packed per tile" if config.get("pack") else "")
        )

    # -- turning a config into steps --

    def steps(self, config: dict, blocks: list[dict]) -> Trace:
        if config.get("main") is None:
            return self._simple_steps(config, blocks)
        steps: Trace = []
        main = next(b for b in blocks if b["name"] == config["main"])
        others = [b for b in blocks if b is not main]
        inlined = set()
        for b in others:  # padding-like producers: pure spatial blocks the main block reads
            if config.get("inline") and not b["reduction"] and set(b["writes"]) & set(main["reads"]):
                steps.append({"op": "compute_inline", "block": b["name"]})
                inlined.add(b["name"])
        steps += self._kernel_steps(config, main) if config.get("kernel") else self._tile_steps(config, main)
        for b in others:
            if b["name"] not in inlined:
                steps += self._elementwise_steps(b, 1)
        return steps

    def _tile_steps(self, c: dict, block: dict) -> Trace:
        name, loops = block["name"], block["loops"]
        vec, row, red = self._roles(block)
        names = [f"l{i}" for i in range(len(loops))]
        splits = {vec: [None, c["v_mid"], c["v_in"]], red: [None, c["k_in"]]}
        if row is not None:
            splits[row] = [None, c["r_mid"], c["r_in"]]
        steps: Trace = []
        for i in sorted(splits, reverse=True):  # back to front: earlier indices stay valid
            steps.append({"op": "split", "block": name, "loop": i, "factors": splits[i]})
            parts = [f"{names[i]}_{j}" for j in range(len(splits[i]))]
            names[i : i + 1] = parts
        other_s = [f"l{i}" for i, loop in enumerate(loops) if loop["kind"] == "S" and i not in (vec, row)]
        other_r = [f"l{i}" for i, loop in enumerate(loops) if loop["kind"] == "R" and i != red]
        tiled = [i for i in (row, vec) if i is not None]
        packed = self._packed_operand(block) if c.get("pack") else None
        # Packing: the vector tile loop goes outside the row tile loop, so each vector tile's panel of the operand
        # is packed once and reused by every row tile of it.
        outer = other_s + [f"l{i}_0" for i in (tiled if packed is None else reversed(tiled))]
        mid = [f"l{i}_1" for i in tiled]
        order = outer + mid + other_r + [f"l{red}_0", f"l{red}_1"] + [f"l{i}_2" for i in tiled]
        steps.append({"op": "reorder", "block": name, "order": [names.index(n) for n in order]})
        if c["cache"]:
            steps.append({"op": "cache_write", "block": name, "buffer": 0, "scope": "global"})
            steps.append({"op": "reverse_compute_at", "block": f"{block['writes'][0]}_global", "target": name,
                          "loop": len(outer) + len(mid) - 1})  # fmt: skip
        fused = len(outer) + (len(mid) if c["parallel_mid"] else 0)
        if packed is not None:  # the packing block sits in the vector tile loop: fuse and run in parallel above it
            steps += self._pack_steps(block, packed, len(other_s), c["v_in"] * c["v_mid"])
            fused = len(other_s) + 1
        if fused > 1:
            steps.append({"op": "fuse", "block": name, "loops": list(range(fused))})
        steps.append({"op": "parallel", "block": name, "loop": 0})
        if c["unroll"]:
            steps.append({"op": "auto_unroll", "block": name, "loop": 0, "max_step": c["unroll"]})
        if row is not None and c["r_in"] > 1:
            steps.append({"op": "unroll", "block": name, "loop": -2})
        steps.append({"op": "vectorize", "block": name, "loop": -1})
        first_reduction = len(outer) + len(mid) - (fused - 1)
        steps.append({"op": "decompose_reduction", "block": name, "loop": first_reduction})
        steps.append({"op": "vectorize", "block": f"{name}_init", "loop": -1})
        if c["cache"]:
            steps.append({"op": "vectorize", "block": f"{block['writes'][0]}_global", "loop": -1})
        return steps

    def _kernel_steps(self, c: dict, block: dict) -> Trace:
        """Loops [panel, row tile, column tile, reduction, rows, columns]: the whole reduction runs on an
        mr x nr accumulator tile (rows unrolled, columns vectorized: mr * nr / lanes registers), zeroed before
        it and written back after it; the (panel, row tile) loops are fused and run in parallel."""
        name, loops = block["name"], block["loops"]
        vec, row, red = self._roles(block)
        assert row is not None  # _kernel_fits
        names = [f"l{i}" for i in range(len(loops))]
        splits = {vec: [None, c["nc"], c["nr"]], row: [None, c["mr"]]}
        padded = loops[vec]["extent"] % c["nr"] != 0
        steps: Trace = []
        if padded:  # the vector loop rounded up to whole register tiles: inputs and output get "_pad" copies
            steps.append({"op": "pad_einsum", "block": name,
                          "padding": [c["nr"] if i == vec else 1 for i in range(len(loops))]})  # fmt: skip
        for i in sorted(splits, reverse=True):  # back to front: earlier indices stay valid
            steps.append({"op": "split", "block": name, "loop": i, "factors": splits[i]})
            names[i : i + 1] = [f"l{i}_{j}" for j in range(len(splits[i]))]
        other_s = [f"l{i}" for i, loop in enumerate(loops) if loop["kind"] == "S" and i not in (vec, row)]
        other_r = [f"l{i}" for i, loop in enumerate(loops) if loop["kind"] == "R" and i != red]
        outer = [*other_s, f"l{vec}_0", f"l{row}_0"]
        order = [*outer, f"l{vec}_1", *other_r, f"l{red}", f"l{row}_1", f"l{vec}_2"]
        steps.append({"op": "reorder", "block": name, "order": [names.index(n) for n in order]})
        packed = self._packed_operand(block)
        if packed is not None and (c["pack"] or padded):
            steps += self._kernel_pack_steps(block, packed, c["nr"], padded, c["pack"])
        suffix = "_pad" if padded else ""
        out = f"{block['writes'][0]}{suffix}_global"
        if padded:  # the padded output's copy back: row by row, in parallel
            steps.append({"op": "parallel", "block": f"{block['writes'][0]}_pad", "loop": 0})
        return steps + [
            {"op": "cache_write", "block": name, "buffer": 0, "scope": "global"},
            {"op": "reverse_compute_at", "block": out, "target": name, "loop": len(outer)},
            {"op": "fuse", "block": name, "loops": list(range(len(outer)))},
            {"op": "parallel", "block": name, "loop": 0},
            {"op": "unroll", "block": name, "loop": -2},
            {"op": "vectorize", "block": name, "loop": -1},
            {"op": "decompose_reduction", "block": name, "loop": 2},
            {"op": "vectorize", "block": f"{name}_init", "loop": -1},
            {"op": "vectorize", "block": out, "loop": -1},
        ]

    def _kernel_pack_steps(self, block: dict, read: int, nr: int, padded: bool, pack: bool) -> Trace:
        """The whole operand copied once, in parallel, into [N / nr, K, nr]: the micro-kernel then loads its nr
        columns for each k from one contiguous stream instead of a row ``N`` floats apart. A padded operand
        already has its copy (``<B>_pad``): that copy is laid out packed, or only run in parallel."""
        name = f"{block['reads'][read]}{'_pad' if padded else '_global'}"
        if not pack:
            return [{"op": "parallel", "block": name, "loop": 0}]
        vec, _, red = self._roles(block)
        dims = block["read_loops"][read]
        j = dims.index(vec)  # the copy's loops follow the operand's dimensions: split j, then [j tiles, k, nr]
        indices = "k, j" if dims.index(red) < j else "j, k"
        cache = [] if padded else [{"op": "cache_read", "block": block["name"], "buffer": read, "scope": "global"}]
        return cache + [
            {"op": "transform_layout", "block": name, "buffer": 0, "kind": "write",
             "index_map": f"lambda {indices}: (j // {nr}, k, j % {nr})"},
            {"op": "split", "block": name, "loop": j, "factors": [None, nr]},
            {"op": "reorder", "block": name, "order": [1, 0, 2] if j == 1 else [0, 2, 1]},
            {"op": "parallel", "block": name, "loop": 0},
            {"op": "vectorize", "block": name, "loop": -1},
        ]  # fmt: skip

    def _packed_operand(self, block: dict) -> int | None:
        """The read (index) that streams along the vector and reduction loops but not the row loop: a GEMM's B,
        read a row of the tile at a time, a large stride apart along the reduction."""
        vec, row, red = self._roles(block)
        for index, used in enumerate(block.get("read_loops", [])):
            operand = block["reads"][index] not in block["writes"]  # not the accumulator
            if operand and len(used) == 2 and vec in used and red in used and row not in used:
                return index
        return None

    def _pack_steps(self, block: dict, read: int, at: int, tile: int) -> Trace:
        """Copy the operand's panel for one vector tile, at loop ``at``, into a buffer laid out [tile, k, lanes]:
        the register tile then reads it contiguously along the reduction."""
        name = f"{block['reads'][read]}_global"
        steps: Trace = [{"op": "cache_read", "block": block["name"], "buffer": read, "scope": "global"},
                        {"op": "compute_at", "block": name, "target": block["name"], "loop": at}]  # fmt: skip
        vec, _, red = self._roles(block)
        # The copy's indices in the operand's own order: the reduction index first or the vector one.
        if block["read_loops"][read].index(red) < block["read_loops"][read].index(vec):
            index_map = f"lambda k, j: (j // {tile}, k, j % {tile})"
        else:
            index_map = f"lambda j, k: (j // {tile}, k, j % {tile})"
        steps.append({"op": "transform_layout", "block": name, "buffer": 0, "kind": "write", "index_map": index_map})
        steps.append({"op": "vectorize", "block": name, "loop": -1})
        return steps

    def _elementwise_steps(self, block: dict, vec_factor: int) -> Trace:
        """Parallelize the leading spatial loops; vectorize the innermost loop when it is spatial."""
        loops, name = block["loops"], block["name"]
        steps: Trace = []
        lanes = self.hw.lanes(32) * vec_factor
        inner = loops[-1] if loops else None
        vectorize = inner is not None and inner["kind"] == "S" and inner["extent"] and inner["extent"] % lanes == 0
        if vectorize and inner is not None and inner["extent"] > lanes:
            steps.append({"op": "split", "block": name, "loop": len(loops) - 1, "factors": [None, lanes]})
        leading = 0
        for loop in loops:
            if loop["kind"] != "S" or (vectorize and loop is inner):
                break
            leading += 1
        if leading > 1:
            steps.append({"op": "fuse", "block": name, "loops": list(range(leading))})
        if leading:
            steps.append({"op": "parallel", "block": name, "loop": 0})
        if vectorize:
            steps.append({"op": "vectorize", "block": name, "loop": -1})
        return steps

    def _simple_steps(self, config: dict, blocks: list[dict]) -> Trace:
        """No block worth tiling (softmax, layer norm): work row by row in parallel, vectorize inner loops."""
        if not blocks:
            return []
        last = blocks[-1]
        producers = blocks[:-1]
        rows_shared = config.get("fuse_rows") and producers and all(
            b["loops"] and last["loops"] and b["loops"][0]["kind"] == "S"
            and b["loops"][0]["extent"] == last["loops"][0]["extent"] for b in producers
        )  # fmt: skip
        lanes = self.hw.lanes(32) * config["vec_factor"]
        split_up = {b["name"] for b in blocks if config.get("rfactor") and self._row_reduction(b, lanes) is not None}
        steps: Trace = []
        if not rows_shared:
            for b in blocks:
                if b["name"] in split_up:
                    steps += self._rfactor_steps(b, lanes)
                    steps += [{"op": "parallel", "block": f"{b['name']}_rf", "loop": 0},
                              {"op": "vectorize", "block": f"{b['name']}_rf", "loop": -1},
                              {"op": "parallel", "block": b["name"], "loop": 0}]  # fmt: skip
                else:
                    steps += self._elementwise_steps(b, config["vec_factor"])
            return steps
        for b in blocks:
            if b["name"] in split_up:
                steps += self._rfactor_steps(b, lanes)
        steps.append({"op": "parallel", "block": last["name"], "loop": 0})
        if last["name"] in split_up:
            steps += self._place_partials(last, last, lanes)
        for b in reversed(producers):  # consumers first, so each producer lands inside the row loop
            steps.append({"op": "compute_at", "block": b["name"], "target": last["name"], "loop": 0})
            if b["name"] in split_up:
                steps += self._place_partials(b, last, lanes)
        for b in blocks:
            inner = b["loops"][-1]
            if len(b["loops"]) > 1 and inner["kind"] == "S" and inner["extent"] and inner["extent"] % lanes == 0:
                steps.append({"op": "split", "block": b["name"], "loop": -1, "factors": [None, lanes]})
                steps.append({"op": "vectorize", "block": b["name"], "loop": -1})
        if config.get("unroll"):
            steps.append({"op": "auto_unroll", "block": last["name"], "loop": 0, "max_step": config["unroll"]})
        return steps

    @staticmethod
    def _row_reduction(block: dict, lanes: int = 1) -> int | None:
        """The number of spatial loops of a block shaped [spatial..., reduction] whose reduction splits into
        ``lanes``-wide partials (None when it is not such a block)."""
        loops = block["loops"]
        if not block["reduction"] or len(loops) < 2 or loops[-1]["kind"] != "R":
            return None
        extent = loops[-1]["extent"]
        if not extent or extent % lanes or extent <= lanes or any(loop["kind"] != "S" for loop in loops[:-1]):
            return None
        return len(loops) - 1

    @classmethod
    def _spatial_loops(cls, block: dict, lanes: int) -> int:
        """``_row_reduction`` for a block the caller already chose as a row reduction."""
        spatial = cls._row_reduction(block, lanes)
        if spatial is None:
            raise ValueError(f"block {block['name']} is not a row reduction of {lanes}-wide partials")
        return spatial

    def _rfactor_steps(self, block: dict, lanes: int) -> Trace:
        """Split the reduction into ``lanes`` interleaved partial results (block ``<name>_rf``) and a final sum."""
        spatial = self._spatial_loops(block, lanes)
        name = block["name"]
        return [
            {"op": "split", "block": name, "loop": spatial, "factors": [None, lanes]},
            {"op": "rfactor", "block": name, "loop": spatial + 1, "factor_axis": spatial},
        ]

    def _place_partials(self, block: dict, row_owner: dict, lanes: int) -> Trace:
        """Compute ``block``'s partials inside ``row_owner``'s row loop, lanes innermost and vectorized.

        compute_at regenerates the partial block's loops in its iterator order, which rfactor starts with the lane
        iterator: [row, lanes, other spatial..., reduction]; the lane loop moves innermost.
        """
        spatial = self._spatial_loops(block, lanes)
        partials = f"{block['name']}_rf"
        return [
            {"op": "compute_at", "block": partials, "target": row_owner["name"], "loop": 0},
            {"op": "reorder", "block": partials, "order": [*range(2, spatial + 2), 1]},
            {"op": "vectorize", "block": partials, "loop": -1},
        ]


# -- LLM policy --------------------------------------------------------------------------------------------

STEP_LANGUAGE = """Each step is a JSON object; blocks by name, loops by index in that block's loop nest
(0 = outermost, -1 = innermost), as they are *after* the previous steps:
  {"op": "split", "block": "C", "loop": 0, "factors": [null, 32]}      (factors multiply to the extent; one may be null)
  {"op": "reorder", "block": "C", "order": [0, 2, 1]}                  (loop indices, new order)
  {"op": "fuse", "block": "C", "loops": [0, 1]}                        (adjacent loops)
  {"op": "parallel" | "vectorize" | "unroll", "block": "C", "loop": -1}
  {"op": "auto_unroll", "block": "C", "loop": 0, "max_step": 64}
  {"op": "cache_read" | "cache_write", "block": "C", "buffer": 0, "scope": "global"}   (new block "<buffer>_global")
  {"op": "compute_at" | "reverse_compute_at", "block": "C_global", "target": "C", "loop": 3}
  {"op": "compute_inline" | "reverse_compute_inline", "block": "pad"}
  {"op": "decompose_reduction", "block": "C", "loop": 2}   (C becomes "C_update" plus "C_init"; do it after
                                                             parallel/vectorize of C)
  {"op": "rfactor", "block": "S", "loop": 2, "factor_axis": 1}   (partial results per iteration of reduction
      loop 2 in a new block "S_rf", whose loop 2 is spatial and can be vectorized; factor_axis, default 0, is
      where that loop goes in the partial-results buffer)
  {"op": "transform_layout", "block": "B_global", "buffer": 0, "kind": "write",
   "index_map": "lambda k, j: (j // 64, k, j % 64)"}   (new layout of the block's write (or "read") buffer; with
      cache_read + compute_at, a packed copy of an operand's tile, contiguous along the reduction)
  {"op": "pad_einsum", "block": "C", "padding": [1, 16, 1]}   (round each block iterator up to a multiple:
      zero-padded input copies "<input>_pad", output "<output>_pad" copied back by block "<output>_pad")"""


class LlmPolicy:
    """Asks a model (through litellm) for schedule steps to append to a node's trace.

    The prompt carries what the paper's proposer sees: the current program, the trace that produced it, the
    latencies of the states measured so far and the hardware. Answers that are not a JSON list of steps are
    skipped; steps TVM rejects are dropped by the worker before any measurement.
    """

    name = "llm"

    def __init__(self, settings: Settings, hardware: Hardware, proposals_per_call: int = 3):
        self.settings = settings
        self.hw = hardware
        self.k = proposals_per_call
        self.prompts: list[str] = []  # every prompt sent, for reports and tests

    def prompt(self, node: Node, search: Search) -> str:
        measured = sorted((n for n in search.nodes if n.speedup is not None), key=lambda n: -(n.speedup or 0))
        history = "\n".join(
            f"- {n.latency_s * 1e3:.3f} ms ({n.speedup:.2f}x): {n.action}; steps={json.dumps(n.steps)}"
            for n in measured[:12] if n.latency_s is not None
        ) or "- (nothing measured yet)"  # fmt: skip
        base = search.root.latency_s
        original = f"The original takes {base * 1e3:.3f} ms." if base is not None else "The original is unmeasured."
        return (
            f"You optimize a TVM TensorIR prim_func for this CPU: {self.hw.describe()}.\n"
            f"{original}\n\n"
            f"Current state (trace so far, applied to the original):\n{json.dumps(node.steps)}\n"
            f"TVM's record of it:\n{node.trace_text or '(original, no steps)'}\n\n"
            f"Current TVMScript:\n```python\n{node.script}```\n\n"
            f"Loop structure: {json.dumps(node.info)}\n\n"
            f"Measured states so far (latency, speedup over the original, best first):\n{history}\n\n"
            f"{STEP_LANGUAGE}\n\n"
            f"Propose {self.k} different sequences of steps to APPEND to the current trace that make it faster "
            f"(tile for the caches, vectorize the innermost spatial loop, parallelize outer loops, ...). Answer "
            f"with only a JSON list of {self.k} lists of steps."
        )

    async def propose(self, node: Node, search: Search) -> list[Proposal]:
        from speedlens.propose.llm import LlmError, complete

        text = self.prompt(node, search)
        self.prompts.append(text)
        try:  # the same path as the C++ proposer: its cache, retries, and one-line errors
            answer = await complete([{"role": "user", "content": text}], self.settings)
        except LlmError as exc:  # a failing model ends this expansion, not the search
            log.warning("tvm-search: the model failed: %s", exc)
            return []
        return [Proposal(f"llm: {len(steps)} steps", node.steps + steps) for steps in parse_step_lists(answer.text)]


def parse_step_lists(answer: str) -> list[Trace]:
    """The lists of steps in a model's answer: a JSON list of lists (or one list) of step objects."""
    fenced = re.findall(r"```(?:json)?\s*(.*?)```", answer, re.S)
    for text in [*fenced, answer]:
        start = text.find("[")
        if start < 0:
            continue
        try:
            data, _ = json.JSONDecoder().raw_decode(text[start:])
        except ValueError:
            continue
        if isinstance(data, list) and data and all(isinstance(s, dict) for s in data):
            data = [data]
        lists = [d for d in data if isinstance(d, list) and d and all(isinstance(s, dict) for s in d)]
        if lists:
            return lists
    return []


# -- the search --------------------------------------------------------------------------------------------


IMPROVEMENT = 1.01  # a better schedule, for the search's patience: faster by more than timing noise


@dataclass
class SearchReport:
    best: Node
    nodes: list[Node]
    samples: int
    proposals: int
    invalid: int


class Search:
    """UCT over schedule traces, measured in batches so each worker call amortizes TVM's start-up."""

    def __init__(
        self,
        policy: Policy,
        measure: Measurer,
        trials: int,
        seed: int = 0,
        batch: int = 4,
        exploration: float = 0.5,
        progress: Callable[[str, int | None], None] = no_progress,
        record: TuningRecord | None = None,
        patience: int = 0,
    ):
        self.policy, self.measure, self.record = policy, measure, record
        self.patience = patience  # samples without a better schedule after which the search ends (0: never)
        self.warm: list[Proposal] = []  # the record's best traces, tried before the policy's first proposals
        self.trials, self.batch, self.exploration = trials, max(1, batch), exploration
        self.rng = random.Random(seed)
        self.progress = progress
        self.root = Node(steps=[])
        self.nodes: list[Node] = [self.root]
        self.seen: set[str] = {self.root.key}
        self.samples = self.proposals = self.invalid = 0

    async def run(self) -> SearchReport:
        await self._measure_root()
        if self.record is not None:
            self.warm = [
                Proposal(f"from the tuning record{'' if e['exact'] else ' (a similar workload)'}: "
                         f"{e.get('action', 'steps')}", e["steps"], e.get("config"))
                for e in self.record.warm(self.root.workload, op_class(self.root.info))
            ]  # fmt: skip
        stalls = 0
        best_speedup, improved_at = 0.0, 0
        while self.samples < self.trials and stalls < 3:
            wanted = min(self.batch, self.trials - self.samples)
            picks = await self._pick(wanted)
            if not picks:
                break
            results = await self.measure([p.steps for _, p in picks])
            measured = 0
            for (parent, proposal), result in zip(picks, results, strict=True):
                self.proposals += 1
                if result["status"] in ("invalid", "build_error"):  # TVM refused it: nothing was measured
                    self.invalid += 1
                    log.debug("tvm-search: rejected %s: %s", proposal.action, result.get("detail"))
                    continue
                self.samples += 1
                measured += 1
                self._add_child(parent, proposal, result)
            stalls = 0 if measured else stalls + 1
            best = self.best()
            if (best.speedup or 0.0) > best_speedup * IMPROVEMENT:
                best_speedup, improved_at = best.speedup or 0.0, self.samples
            if self.patience and self.samples - improved_at >= self.patience:
                log.debug("tvm-search: no better schedule in %d samples: stopping at %d", self.patience, self.samples)
                break
            self.progress(
                f"tvm-search ({self.policy.name}): {self.samples}/{self.trials} samples, best {best.speedup or 1:.2f}x",
                int(100 * self.samples / max(self.trials, 1)),
            )
        if self.record is not None:
            self.record.add(self.root.workload, op_class(self.root.info), self.measured())
        return SearchReport(self.best(), self.nodes, self.samples, self.proposals, self.invalid)

    def measured(self) -> list[dict]:
        """The correct, measured states as tuning-record entries."""
        return [
            {"steps": n.steps, "speedup": n.speedup, "latency_s": n.latency_s, "action": n.action, "config": n.config}
            for n in self.nodes[1:] if n.speedup is not None
        ]  # fmt: skip

    async def _measure_root(self) -> None:
        [result] = await self.measure([[]])
        self.root.latency_s = statistics.median(result["times"])
        self.root.speedup = 1.0
        self.root.info = result.get("info", {})
        self.root.script = result.get("script", "")
        self.root.workload = result.get("workload", "")
        self.root.visits = 1

    def best(self) -> Node:
        return max(self.nodes, key=lambda n: (n.speedup or 0.0, -len(n.steps)))

    async def _pick(self, wanted: int) -> list[tuple[Node, Proposal]]:
        """Up to ``wanted`` new (parent, proposal) pairs: descend by UCT, widen where the policy has more."""
        picks: list[tuple[Node, Proposal]] = []
        for _ in range(wanted * 4):
            if len(picks) >= wanted:
                break
            node = self._select()
            if node is None:
                break
            proposal = await self._next_proposal(node)
            if proposal is None:
                node.exhausted = True
                continue
            picks.append((node, proposal))
        return picks

    def _select(self) -> Node | None:
        """UCT descent; a node with untried proposals (or not yet asked) may widen instead of descending."""
        node = self.root
        while True:
            candidates = [c for c in node.children if c.speedup is not None and c.proposals != []]
            widen = not node.exhausted and (not node.children or len(node.children) < 1 + math.sqrt(node.visits))
            if widen or (not candidates and not node.exhausted):
                return node
            if not candidates:
                return self._select_fallback()
            scored = [(c.uct(self.exploration), self.rng.random(), c) for c in candidates]
            node = max(scored, key=lambda x: (x[0], x[1]))[2]

    def _select_fallback(self) -> Node | None:
        open_nodes = [n for n in self.nodes if not n.exhausted and n.speedup is not None]
        return max(open_nodes, key=lambda n: (n.speedup or 0, self.rng.random()), default=None)

    async def _next_proposal(self, node: Node) -> Proposal | None:
        if node.proposals is None:
            warm = self.warm if node is self.root else []
            node.proposals = warm + list(await self.policy.propose(node, self))
        while node.proposals:
            proposal = node.proposals.pop(0)
            key = json.dumps(proposal.steps, sort_keys=True)
            if key not in self.seen:
                self.seen.add(key)
                return proposal
        return None

    def _add_child(self, parent: Node, proposal: Proposal, result: dict) -> None:
        child = Node(steps=proposal.steps, parent=parent, action=proposal.action, config=proposal.config)
        child.info = result.get("info", {})
        child.script = result.get("script", "")
        child.trace_text = result.get("trace", "")
        if result["status"] == "ok" and result["times"]:
            child.latency_s = statistics.median(result["times"])
            child.speedup = statistics.median(result["baseline_times"]) / child.latency_s
            reward = math.log(child.speedup)
        else:
            child.exhausted = True  # wrong or crashing: never expand it
            reward = -1.0
        parent.children.append(child)
        self.nodes.append(child)
        node: Node | None = child
        while node is not None:
            node.visits += 1
            node.value += reward
            node = node.parent


def worker_measurer(
    source: str, target: Target, path: Path, settings: Settings, sandbox: Sandbox, repeats: int = 3
) -> Measurer:
    """Measure traces in one sandboxed worker call each batch, the original interleaved with them."""

    async def measure(traces: list[Trace]) -> list[dict]:
        request = {
            "func": target.name,
            "target": target_spec(settings),
            "seed": settings.tvm.seed,
            "repeats": repeats,
            "min_repeat_ms": 10,
            "check": True,
            "describe": True,
            "candidates": [{"id": str(i), "steps": t} for i, t in enumerate(traces) if t],
        }
        reply = await run_worker(request, source=source, path=path, settings=settings, sandbox=sandbox)
        base = reply["baseline"]
        by_id = {r["id"]: r for r in reply["results"]}
        out = []
        for i, trace in enumerate(traces):
            result = dict(by_id[str(i)]) if trace else {"status": "ok", **base}
            result["baseline_times"] = base["times"]
            out.append(result)
        return out

    return measure


def device_key(settings: Settings, hardware: Hardware) -> str:
    """What the tuning record is kept per: where schedules run (the runner) and what they are built for (the
    target, or this CPU when the target is the host's)."""
    built_for = settings.tvm.target.strip() or f"{hardware.model}, {hardware.cores} cores"
    return f"{settings.tvm.runner.strip() or 'local'} | {built_for}"


def candidate_code(node: Node, target: Target, policy: str, samples: int) -> str:
    """The scheduled function, indented like the original, under a comment that records how it was found."""
    indent = target.text[: len(target.text) - len(target.text.lstrip())]
    header = [
        f"# speedlens tvm-search:{policy}: {node.speedup or 1:.2f}x in search ({samples} measured samples). "
        f"Schedule trace (speedlens steps on the original, in order):",
        *[f"#   {json.dumps(step)}" for step in node.steps],
    ]
    body = node.script.rstrip("\n").splitlines()
    return "\n".join(indent + line if line else line for line in header + body) + "\n"


async def optimize_prim_func(
    source: str,
    target: Target,
    path: Path,
    settings: Settings,
    progress: Callable[[str, int | None], None],
    *,
    sandbox: Sandbox | None = None,
    policy: Policy | None = None,
    verify_top: int = 2,
) -> list[Result]:
    """Search schedules for one prim_func and verify the best; results best first.

    The LLM policy is used when ``settings.model`` is set, else the heuristic one. The best distinct states
    (up to ``verify_top``) are re-measured from their *code* (the text offered to the user) with
    ``settings.tvm.repeats`` interleaved repeats; verification samples are not search samples.
    """
    sandbox = sandbox or Sandbox()
    hardware = detect_hardware()
    if policy is None:
        policy = LlmPolicy(settings, hardware) if settings.model else HeuristicPolicy(hardware, settings.tvm.seed)
    proposer = f"tvm-search:{policy.name}"
    key = content_hash(target.text, settings.fingerprint(), "tvm-search")
    progress(f"tvm-search ({policy.name}): measuring {target.name}", 0)
    measure = worker_measurer(source, target, path, settings, sandbox)
    record = TuningRecord(device_key(settings, hardware)) if settings.tvm.record else None
    search = Search(policy, measure, settings.tvm.trials, seed=settings.tvm.seed, progress=progress, record=record,
                    patience=settings.tvm.patience)  # fmt: skip
    try:
        report = await search.run()
    except WorkerError as exc:
        verdict = Verdict(status=exc.status, detail=exc.detail, alpha=settings.alpha, samples=search.samples,
                          network_isolated=sandbox.network_isolated,
                          filesystem_isolated=sandbox.filesystem_isolated)  # fmt: skip
        return [Result(Candidate(target, target.text, proposer, "the original could not be measured"), verdict, key)]
    ranked = sorted((n for n in report.nodes if n.parent is not None and n.speedup), key=lambda n: -(n.speedup or 0.0))
    results = []
    for node in ranked[:verify_top]:
        progress(f"tvm-search: verifying a {node.speedup:.2f}x schedule", 95)
        code = candidate_code(node, target, policy.name, report.samples)
        verdict = await verify_prim_func(source, target, code, path, settings, samples=report.samples,
                                         sandbox=sandbox)  # fmt: skip
        description = f"{node.action} (search: {node.speedup:.2f}x, {report.samples} samples, " \
                      f"{report.invalid} invalid proposals rejected by TVM)"  # fmt: skip
        candidate = Candidate(target, code, proposer, description, meta={"steps": node.steps})
        results.append(Result(candidate, verdict, key))
        if verdict.status == Status.VERIFIED:
            break
    if not results:
        verdict = Verdict(status=Status.NOT_FASTER, alpha=settings.alpha, samples=report.samples,
                          detail=f"no schedule measured faster than the original in {report.samples} samples "
                                 f"({report.invalid} proposals rejected by TVM)")  # fmt: skip
        results.append(Result(Candidate(target, target.text, proposer, "no faster schedule"), verdict, key))
    return sort_results(results)
