"""Finding TVM-script targets needs only Python's ast, so these run without TVM installed."""

import pytest

from speedlens.analysis.tvm import find_targets, is_tvm_script
from speedlens.errors import InputError

pytestmark = pytest.mark.tvm

SOURCE = '''from tvm.script import ir as I
from tvm.script import tirx as T


@T.prim_func(s_tir=True)
def add(A: T.Buffer((8,), "float32"), B: T.Buffer((8,), "float32")):
    for i in range(8):
        with T.sblock("B"):
            vi = T.axis.remap("S", [i])
            B[vi] = A[vi] + T.float32(1)


def helper():
    return 1


@I.ir_module
class Module:
    @T.prim_func
    def main(A: T.Buffer((4,), "float32")):
        for i in range(4):
            with T.sblock("A"):
                vi = T.axis.remap("S", [i])
                A[vi] = T.float32(0)
'''


def test_finds_module_level_and_ir_module_prim_funcs():
    targets = find_targets(SOURCE)
    assert [t.name for t in targets] == ["add", "Module.main"]
    add, main = targets
    assert (add.kind, add.language) == ("prim_func", "tvm")
    lines = SOURCE.splitlines()
    assert lines[add.start_line].startswith("@T.prim_func")  # the decorator is part of the range
    assert lines[add.end_line].strip() == "B[vi] = A[vi] + T.float32(1)"
    assert add.text == "".join(SOURCE.splitlines(keepends=True)[add.start_line : add.end_line + 1])
    assert lines[main.start_line].strip() == "@T.prim_func"
    assert lines[main.end_line].strip() == "A[vi] = T.float32(0)"


def test_is_tvm_script():
    assert is_tvm_script(SOURCE)
    assert not is_tvm_script("def f():\n    return 1\n")


def test_syntax_error_is_a_clear_input_error():
    with pytest.raises(InputError) as info:
        find_targets("@T.prim_func\ndef f(:\n", path="broken.py")
    assert "broken.py:2" in str(info.value) and "not valid Python" in str(info.value)


def test_samples_have_one_target_each():
    from pathlib import Path

    samples = Path(__file__).resolve().parents[2] / "samples" / "tvm"
    for name in ("matmul", "matmul_heldout", "conv2d_nhwc", "softmax", "layernorm"):
        [target] = find_targets((samples / f"{name}.py").read_text())
        assert target.name == name
