// Rank contestants: sort by total score (desc), then best single score (desc), then name; print the ranking.
#include <bits/stdc++.h>
using namespace std;

struct Contestant {
    string name;
    vector<int> scores;
    int sum = 0, top = 0;
};

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n, k;
    cin >> n >> k;
    vector<Contestant> cs(n);
    for (auto& c : cs) {
        cin >> c.name;
        c.scores.resize(k);
        for (int& x : c.scores) cin >> x;
        c.sum = accumulate(c.scores.begin(), c.scores.end(), 0);
        c.top = *max_element(c.scores.begin(), c.scores.end());
    }
    // const-reference comparator on cached keys: no copies of names or score vectors
    sort(cs.begin(), cs.end(), [](const Contestant& a, const Contestant& b) {
        if (a.sum != b.sum) return a.sum > b.sum;
        if (a.top != b.top) return a.top > b.top;
        return a.name < b.name;
    });
    for (int i = 0; i < n; i++) cout << i + 1 << " " << cs[i].name << " " << cs[i].sum << "\n";
    return 0;
}
