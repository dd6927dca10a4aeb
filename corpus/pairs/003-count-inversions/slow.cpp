// Count inversions: pairs i < j with p[i] > p[j].
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
#define rep(i, a, b) for (int i = (a); i < (b); ++i)

ll countInversions(const vector<int>& p) {
    int n = p.size();
    ll inv = 0;
    rep(i, 0, n) {
        rep(j, i + 1, n) {
            if (p[i] > p[j]) inv++;
        }
    }
    return inv;
}

int main() {
    int n;
    cin >> n;
    vector<int> p(n);
    rep(i, 0, n) cin >> p[i];
    cout << countInversions(p) << "\n";
}
