"""A 1000x700 by 700x500 float32 matrix multiply written the plain way: C = A @ B, one loop nest, no schedule."""

from tvm.script import tirx as T


@T.prim_func(s_tir=True)
def matmul_heldout(
    A: T.Buffer((1000, 700), "float32"),
    B: T.Buffer((700, 500), "float32"),
    C: T.Buffer((1000, 500), "float32"),
):
    T.func_attr({"tir.noalias": True})
    for i, j, k in T.grid(1000, 500, 700):
        with T.sblock("C"):
            vi, vj, vk = T.axis.remap("SSR", [i, j, k])
            with T.init():
                C[vi, vj] = T.float32(0)
            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
