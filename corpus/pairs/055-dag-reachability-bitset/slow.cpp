// DAG with n <= 2000 vertices and edges u -> v (u < v): print the number of ordered pairs (u, v), u != v, with v reachable from u.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, m;
    scanf("%d %d", &n, &m);
    vector<vector<int>> out(n);
    for (int i = 0; i < m; i++) {
        int u, v;
        scanf("%d %d", &u, &v);
        out[u].push_back(v);
    }
    vector<vector<bool>> reach(n, vector<bool>(n, false));
    for (int u = n - 1; u >= 0; u--) {
        for (int v : out[u]) {
            reach[u][v] = true;
            for (int k = 0; k < n; k++)
                if (reach[v][k]) reach[u][k] = true;
        }
    }
    long long pairs = 0;
    for (int u = 0; u < n; u++)
        for (int k = 0; k < n; k++)
            if (reach[u][k]) pairs++;
    printf("%lld\n", pairs);
    return 0;
}
