// Undirected simple graph with n <= 4096 vertices and m edges: print the number of triangles.
#include <bits/stdc++.h>
using namespace std;

const int MAXN = 4096;

int main() {
    int n, m;
    scanf("%d %d", &n, &m);
    vector<bitset<MAXN>> adj(n);
    vector<pair<int, int>> edges(m);
    for (int i = 0; i < m; i++) {
        int u, v;
        scanf("%d %d", &u, &v);
        adj[u][v] = adj[v][u] = 1;
        edges[i] = {u, v};
    }
    long long tri = 0;
    // common neighbours of an edge: AND the two rows, popcount the result
    for (auto& e : edges) tri += (adj[e.first] & adj[e.second]).count();
    printf("%lld\n", tri / 3);
    return 0;
}
