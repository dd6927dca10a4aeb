"""Row-wise softmax of a 256x1024 float32 matrix (numerically stable: subtract the row max), no schedule."""

from tvm.script import tirx as T


@T.prim_func(s_tir=True)
def softmax(A: T.Buffer((256, 1024), "float32"), B: T.Buffer((256, 1024), "float32")):
    T.func_attr({"tir.noalias": True})
    row_max = T.sblock_alloc_buffer((256,), "float32")
    row_exp = T.sblock_alloc_buffer((256, 1024), "float32")
    row_sum = T.sblock_alloc_buffer((256,), "float32")
    for i, j in T.grid(256, 1024):
        with T.sblock("max"):
            vi, vj = T.axis.remap("SR", [i, j])
            with T.init():
                row_max[vi] = T.float32(-3.4028234663852886e38)
            row_max[vi] = T.max(row_max[vi], A[vi, vj])
    for i, j in T.grid(256, 1024):
        with T.sblock("exp"):
            vi, vj = T.axis.remap("SS", [i, j])
            row_exp[vi, vj] = T.exp(A[vi, vj] - row_max[vi])
    for i, j in T.grid(256, 1024):
        with T.sblock("sum"):
            vi, vj = T.axis.remap("SR", [i, j])
            with T.init():
                row_sum[vi] = T.float32(0)
            row_sum[vi] = row_sum[vi] + row_exp[vi, vj]
    for i, j in T.grid(256, 1024):
        with T.sblock("norm"):
            vi, vj = T.axis.remap("SS", [i, j])
            B[vi, vj] = row_exp[vi, vj] / row_sum[vi]
