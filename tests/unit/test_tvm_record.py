"""The tuning record: measured traces kept per device and workload, and a search that starts from them."""

import asyncio
import json
from pathlib import Path

import pytest

from speedlens.analysis.tvm import find_targets
from speedlens.config import Settings
from speedlens.propose.tvm_record import PER_WORKLOAD, TuningRecord, op_class
from speedlens.propose.tvm_search import HeuristicPolicy, Search, detect_hardware, worker_measurer
from speedlens.sandbox.run import Sandbox
from tests.support.programs import GEMM_128

GEMM_CLASS = op_class({"blocks": [{"name": "C", "reduction": True, "loops": [
    {"kind": "S"}, {"kind": "S"}, {"kind": "R"}]}]})  # fmt: skip


def entry(n: int, speedup: float) -> dict:
    return {"steps": [{"op": "parallel", "block": "C", "loop": n}], "speedup": speedup, "latency_s": 1 / speedup,
            "action": f"a{n}", "config": None}  # fmt: skip


def test_the_best_traces_of_the_workload_come_first_then_those_of_its_shape_class(tmp_path):
    record = TuningRecord("local | test CPU", tmp_path)
    record.add("gemm128", GEMM_CLASS, [entry(0, 2.0), entry(1, 5.0)])
    record.add("gemm512", GEMM_CLASS, [entry(2, 9.0)])
    record.add("softmax", "other", [entry(3, 20.0)])
    warm = record.warm("gemm128", GEMM_CLASS)
    assert [w["action"] for w in warm] == ["a1", "a0", "a2"]
    assert [w["exact"] for w in warm] == [True, True, False]
    assert [w["action"] for w in record.warm("gemm256", GEMM_CLASS)] == ["a2", "a1", "a0"]  # a new size: the class
    assert TuningRecord("rpc://h:1/k | test CPU", tmp_path).warm("gemm128", GEMM_CLASS) == []  # per device


def test_the_record_is_bounded_and_survives_damage(tmp_path):
    record = TuningRecord("local | test CPU", tmp_path)
    record.add("w", GEMM_CLASS, [entry(n, 1 + n) for n in range(PER_WORKLOAD + 5)])
    stored = json.loads(record.path.read_text())["workloads"]["w"]["entries"]
    assert len(stored) == PER_WORKLOAD and stored[0]["speedup"] == PER_WORKLOAD + 5
    record.add("w", GEMM_CLASS, [{"steps": "not a list", "speedup": 3}, entry(0, float("nan"))])  # never stored
    assert len(json.loads(record.path.read_text())["workloads"]["w"]["entries"]) == PER_WORKLOAD
    record.path.write_text("{not json")
    assert record.warm("w", GEMM_CLASS) == []
    record.add("w", GEMM_CLASS, [entry(0, 2.0)])  # a damaged record is started afresh
    assert [w["action"] for w in record.warm("w", GEMM_CLASS)] == ["a0"]


@pytest.mark.tvm
def test_a_warm_record_reaches_the_same_best_schedule_in_a_quarter_of_the_samples(tmp_path):
    """Real searches of one GEMM: the second, with the first one's record, measures the first one's best schedule
    within a quarter of the first one's samples (as its very first sample: the record's best comes first)."""
    pytest.importorskip("tvm", reason="TVM tests need the tvm extra: pip install 'speedlens[tvm]'")
    path = tmp_path / "gemm.py"
    path.write_text(GEMM_128)
    [target] = find_targets(GEMM_128)
    measure = worker_measurer(GEMM_128, target, path, Settings(), Sandbox())
    record = TuningRecord("local | test", tmp_path / "records")
    hardware = detect_hardware()

    def search(trials: int) -> Search:
        run = Search(HeuristicPolicy(hardware), measure, trials, record=record)
        asyncio.run(run.run())
        return run

    cold = search(8)
    best = cold.best()
    assert cold.samples == 8 and best.parent is not None and cold.root.workload
    warm = search(8 // 4)
    assert warm.samples == 2
    first = warm.nodes[1]  # the first sample of the warm search
    assert first.steps == best.steps and first.action.startswith("from the tuning record")
    # Its record now holds both searches' measurements of that schedule under one entry.
    stored = [e["steps"] for e in json.loads(record.path.read_text())["workloads"][cold.root.workload]["entries"]]
    assert stored.count(best.steps) == 1


def test_records_live_in_the_users_cache_per_device():
    a, b = TuningRecord("local | cpu A"), TuningRecord("local | cpu B")
    assert a.path.parent == b.path.parent and a.path != b.path
    assert Path(a.path.parent).name == "tvm-records"
