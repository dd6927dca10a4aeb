// n seeded (group, value) items; q seeded queries (g, k) ask for the k-th smallest value of group g (-1 if none); print a checksum of answers.
#include <bits/stdc++.h>
using namespace std;

map<int, vector<int>> groups;

vector<int> getGroup(int g) {
    return groups[g];
}

int main() {
    int n, G, q;
    unsigned int s;
    cin >> n >> G >> q >> s;
    auto rnd = [&]() { s = s * 1664525u + 1013904223u; return s >> 8; };
    for (int i = 0; i < n; i++) {
        int g = rnd() % G;
        int v = rnd() % 1000000;
        groups[g].push_back(v);
    }
    for (auto& kv : groups) sort(kv.second.begin(), kv.second.end());
    long long check = 0;
    for (int i = 0; i < q; i++) {
        int g = rnd() % (G + 1);
        vector<int> lst = getGroup(g);
        int k = rnd() % (lst.size() + 1);
        int ans = k < (int)lst.size() ? lst[k] : -1;
        check = check * 31 + ans;
        check %= 1000000007;
    }
    cout << check << endl;
    return 0;
}
