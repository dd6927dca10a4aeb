// DAG with n <= 2000 vertices and edges u -> v (u < v): print the number of ordered pairs (u, v), u != v, with v reachable from u.
#include <bits/stdc++.h>
using namespace std;

const int MAXN = 2000;

int main() {
    int n, m;
    scanf("%d %d", &n, &m);
    vector<vector<int>> out(n);
    for (int i = 0; i < m; i++) {
        int u, v;
        scanf("%d %d", &u, &v);
        out[u].push_back(v);
    }
    // one bitset row per vertex: a whole row is merged 64 bits at a time
    vector<bitset<MAXN>> reach(n);
    for (int u = n - 1; u >= 0; u--) {
        for (int v : out[u]) {
            reach[u][v] = 1;
            reach[u] |= reach[v];
        }
    }
    long long pairs = 0;
    for (int u = 0; u < n; u++) pairs += reach[u].count();
    printf("%lld\n", pairs);
    return 0;
}
