"""A 3x3 convolution, NHWC layout, 1x14x14x256 -> 1x14x14x256, padding 1, stride 1: plain loops, no schedule."""

from tvm.script import tirx as T


@T.prim_func(s_tir=True)
def conv2d_nhwc(
    data: T.Buffer((1, 14, 14, 256), "float32"),
    weight: T.Buffer((3, 3, 256, 256), "float32"),
    out: T.Buffer((1, 14, 14, 256), "float32"),
):
    T.func_attr({"tir.noalias": True})
    pad = T.sblock_alloc_buffer((1, 16, 16, 256), "float32")
    for n, h, w, c in T.grid(1, 16, 16, 256):
        with T.sblock("pad"):
            vn, vh, vw, vc = T.axis.remap("SSSS", [n, h, w, c])
            pad[vn, vh, vw, vc] = T.if_then_else(
                1 <= vh and vh < 15 and 1 <= vw and vw < 15, data[vn, vh - 1, vw - 1, vc], T.float32(0)
            )
    for n, h, w, co, rh, rw, ci in T.grid(1, 14, 14, 256, 3, 3, 256):
        with T.sblock("conv"):
            vn, vh, vw, vco, vrh, vrw, vci = T.axis.remap("SSSSRRR", [n, h, w, co, rh, rw, ci])
            with T.init():
                out[vn, vh, vw, vco] = T.float32(0)
            out[vn, vh, vw, vco] = out[vn, vh, vw, vco] + pad[vn, vh + vrh, vw + vrw, vci] * weight[vrh, vrw, vci, vco]
