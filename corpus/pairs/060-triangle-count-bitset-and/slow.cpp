// Undirected simple graph with n <= 4096 vertices and m edges: print the number of triangles.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, m;
    scanf("%d %d", &n, &m);
    vector<vector<bool>> adj(n, vector<bool>(n, false));
    vector<pair<int, int>> edges(m);
    for (int i = 0; i < m; i++) {
        int u, v;
        scanf("%d %d", &u, &v);
        adj[u][v] = adj[v][u] = true;
        edges[i] = {u, v};
    }
    long long tri = 0;
    for (auto& e : edges) {
        int u = e.first, v = e.second;
        for (int w = 0; w < n; w++)
            if (adj[u][w] && adj[v][w]) tri++;
    }
    printf("%lld\n", tri / 3);
    return 0;
}
