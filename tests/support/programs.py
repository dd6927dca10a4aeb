"""Small programs several test modules share."""

# A naive 128x128x128 float32 GEMM prim_func (TVM 0.27 tirx dialect).
GEMM_128 = '''from tvm.script import tirx as T


@T.prim_func(s_tir=True)
def gemm(A: T.Buffer((128, 128), "float32"), B: T.Buffer((128, 128), "float32"), C: T.Buffer((128, 128), "float32")):
    for i, j, k in T.grid(128, 128, 128):
        with T.sblock("C"):
            vi, vj, vk = T.axis.remap("SSR", [i, j, k])
            with T.init():
                C[vi, vj] = T.float32(0)
            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
'''

# A C++ program whose loop has a closed form: the smallest realistic optimization target.
SUM_PROGRAM = """#include <bits/stdc++.h>
using namespace std;
int main() {
    long long n; cin >> n;
    long long s = 0;
    for (long long i = 1; i <= n; i++) s += i;
    cout << s << endl;
}
"""
