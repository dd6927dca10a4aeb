// Random undirected graph (n, m, seed); for q seeded sources print the sum of BFS distances and the number of unreachable vertices.
#include <bits/stdc++.h>
using namespace std;

unsigned long long st;
unsigned int rnd() {
    st ^= st << 7;
    st ^= st >> 9;
    return (unsigned int)st;
}

int main() {
    int n, m, q;
    cin >> n >> m >> q >> st;
    vector<list<int>> adj(n);
    for (int e = 0; e < m; e++) {
        int u = rnd() % n, v = rnd() % n;
        adj[u].push_back(v);
        adj[v].push_back(u);
    }
    for (int t = 0; t < q; t++) {
        int src = rnd() % n;
        vector<int> dist(n, -1);
        queue<int> bfs;
        dist[src] = 0;
        bfs.push(src);
        while (!bfs.empty()) {
            int u = bfs.front();
            bfs.pop();
            for (list<int>::iterator it = adj[u].begin(); it != adj[u].end(); ++it) {
                if (dist[*it] == -1) {
                    dist[*it] = dist[u] + 1;
                    bfs.push(*it);
                }
            }
        }
        long long sum = 0;
        int unreach = 0;
        for (int i = 0; i < n; i++) {
            if (dist[i] < 0) unreach++;
            else sum += dist[i];
        }
        cout << sum << " " << unreach << "\n";
    }
    return 0;
}
