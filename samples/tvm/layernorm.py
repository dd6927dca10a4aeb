"""Layer normalization over the rows of a 256x1024 float32 matrix (mean and variance per row, then scale and
shift by gamma and beta; epsilon 1e-5), no schedule."""

from tvm.script import tirx as T


@T.prim_func(s_tir=True)
def layernorm(A: T.Buffer((256, 1024), "float32"), gamma: T.Buffer((1024,), "float32"),
              beta: T.Buffer((1024,), "float32"), B: T.Buffer((256, 1024), "float32")):
    T.func_attr({"tir.noalias": True})
    row_sum = T.sblock_alloc_buffer((256,), "float32")
    row_sq_sum = T.sblock_alloc_buffer((256,), "float32")
    for i, j in T.grid(256, 1024):
        with T.sblock("sum"):
            vi, vj = T.axis.remap("SR", [i, j])
            with T.init():
                row_sum[vi] = T.float32(0)
            row_sum[vi] = row_sum[vi] + A[vi, vj]
    for i, j in T.grid(256, 1024):
        with T.sblock("sq_sum"):
            vi, vj = T.axis.remap("SR", [i, j])
            with T.init():
                row_sq_sum[vi] = T.float32(0)
            row_sq_sum[vi] = row_sq_sum[vi] + A[vi, vj] * A[vi, vj]
    for i, j in T.grid(256, 1024):
        with T.sblock("norm"):
            vi, vj = T.axis.remap("SS", [i, j])
            B[vi, vj] = (A[vi, vj] - row_sum[vi] * T.float32(1.0 / 1024)) * T.rsqrt(
                row_sq_sum[vi] * T.float32(1.0 / 1024) - row_sum[vi] * row_sum[vi] * T.float32(1.0 / 1024 / 1024)
                + T.float32(1e-5)) * gamma[vj] + beta[vj]
