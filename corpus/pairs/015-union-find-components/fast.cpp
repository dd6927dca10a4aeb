// n towns, m roads added one by one; after each road print the number of connected components.
#include <bits/stdc++.h>
using namespace std;

struct DSU {
    vector<int> parent, size;
    explicit DSU(int n) : parent(n + 1), size(n + 1, 1) { iota(parent.begin(), parent.end(), 0); }
    int find(int x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];  // path halving
            x = parent[x];
        }
        return x;
    }
    bool unite(int a, int b) {
        a = find(a), b = find(b);
        if (a == b) return false;
        if (size[a] < size[b]) swap(a, b);  // union by size
        parent[b] = a;
        size[a] += size[b];
        return true;
    }
};

int main() {
    int n, m;
    scanf("%d %d", &n, &m);
    DSU dsu(n);
    int components = n;
    string out;
    for (int e = 0; e < m; e++) {
        int a, b;
        scanf("%d %d", &a, &b);
        if (dsu.unite(a, b)) components--;
        out += to_string(components);
        out += '\n';
    }
    fputs(out.c_str(), stdout);
    return 0;
}
