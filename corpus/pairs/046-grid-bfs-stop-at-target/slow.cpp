// Seeded h x w maze ('#' with probability pct%); for q seeded (start, target) pairs print the shortest 4-neighbour path length or -1.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int h, w, pct, q;
    unsigned int seed;
    scanf("%d %d %d %d %u", &h, &w, &pct, &q, &seed);
    auto rnd = [&]() { seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5; return seed; };
    vector<char> wall(h * w);
    for (int i = 0; i < h * w; i++) wall[i] = (int)(rnd() % 100) < pct;
    vector<int> dist(h * w), que(h * w);
    const int dr[4] = {1, -1, 0, 0}, dc[4] = {0, 0, 1, -1};
    for (int t = 0; t < q; t++) {
        int sr = rnd() % h, sc = rnd() % w;
        int tr = min(h - 1, max(0, sr + (int)(rnd() % 61) - 30));
        int tc = min(w - 1, max(0, sc + (int)(rnd() % 61) - 30));
        int s = sr * w + sc, g = tr * w + tc;
        wall[s] = wall[g] = 0;
        fill(dist.begin(), dist.end(), -1);
        int head = 0, tail = 0;
        dist[s] = 0;
        que[tail++] = s;
        while (head < tail) {
            int u = que[head++];
            int r = u / w, c = u % w;
            for (int d = 0; d < 4; d++) {
                int nr = r + dr[d], nc = c + dc[d];
                if (nr < 0 || nr >= h || nc < 0 || nc >= w) continue;
                int v = nr * w + nc;
                if (wall[v] || dist[v] != -1) continue;
                dist[v] = dist[u] + 1;
                que[tail++] = v;
            }
        }
        printf("%d\n", dist[g]);
    }
    return 0;
}
