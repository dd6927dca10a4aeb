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
    scanf("%d %d %d %llu", &n, &m, &q, &st);
    vector<int> eu(m), ev(m), start(n + 1, 0);
    for (int e = 0; e < m; e++) {
        eu[e] = rnd() % n;
        ev[e] = rnd() % n;
        start[eu[e] + 1]++;
        start[ev[e] + 1]++;
    }
    for (int i = 0; i < n; i++) start[i + 1] += start[i];
    // compressed sparse rows: all neighbours of a vertex sit next to each other
    vector<int> nbr(2 * (size_t)m), fill(start.begin(), start.end() - 1);
    for (int e = 0; e < m; e++) {
        nbr[fill[eu[e]]++] = ev[e];
        nbr[fill[ev[e]]++] = eu[e];
    }
    vector<int> dist(n), que(n);
    for (int t = 0; t < q; t++) {
        int src = rnd() % n;
        std::fill(dist.begin(), dist.end(), -1);
        int head = 0, tail = 0;
        dist[src] = 0;
        que[tail++] = src;
        while (head < tail) {
            int u = que[head++];
            int du = dist[u] + 1;
            for (int k = start[u]; k < start[u + 1]; k++) {
                int v = nbr[k];
                if (dist[v] == -1) {
                    dist[v] = du;
                    que[tail++] = v;
                }
            }
        }
        long long sum = 0;
        int unreach = 0;
        for (int i = 0; i < n; i++) {
            if (dist[i] < 0) unreach++;
            else sum += dist[i];
        }
        printf("%lld %d\n", sum, unreach);
    }
    return 0;
}
