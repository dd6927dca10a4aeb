// Rank contestants: sort by total score (desc), then best single score (desc), then name; print the ranking.
#include <bits/stdc++.h>
using namespace std;

struct Contestant {
    string name;
    vector<int> scores;
};

int total(Contestant c) {
    int s = 0;
    for (int x : c.scores) s += x;
    return s;
}

int best(Contestant c) {
    return *max_element(c.scores.begin(), c.scores.end());
}

bool cmp(Contestant a, Contestant b) {
    if (total(a) != total(b)) return total(a) > total(b);
    if (best(a) != best(b)) return best(a) > best(b);
    return a.name < b.name;
}

int main() {
    int n, k;
    cin >> n >> k;
    vector<Contestant> cs(n);
    for (int i = 0; i < n; i++) {
        cin >> cs[i].name;
        cs[i].scores.resize(k);
        for (int j = 0; j < k; j++) cin >> cs[i].scores[j];
    }
    sort(cs.begin(), cs.end(), cmp);
    for (int i = 0; i < n; i++) cout << i + 1 << " " << cs[i].name << " " << total(cs[i]) << "\n";
    return 0;
}
