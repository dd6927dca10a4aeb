// n towns, m roads added one by one; after each road print the number of connected components.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, m;
    scanf("%d %d", &n, &m);
    vector<int> comp(n + 1);
    for (int v = 1; v <= n; v++) comp[v] = v;  // comp[v] = label of v's component
    int components = n;
    string out;
    for (int e = 0; e < m; e++) {
        int a, b;
        scanf("%d %d", &a, &b);
        int ca = comp[a], cb = comp[b];
        if (ca != cb) {
            // relabel the whole array: O(n) per merge
            for (int v = 1; v <= n; v++)
                if (comp[v] == cb) comp[v] = ca;
            components--;
        }
        out += to_string(components);
        out += '\n';
    }
    fputs(out.c_str(), stdout);
    return 0;
}
