// Count inversions: pairs i < j with p[i] > p[j].
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
#define rep(i, a, b) for (int i = (a); i < (b); ++i)

vector<int> tmp;

// merge sort on p[lo, hi), returns the inversions inside the range
ll sortCount(vector<int>& p, int lo, int hi) {
    if (hi - lo < 2) return 0;
    int mid = (lo + hi) / 2;
    ll res = sortCount(p, lo, mid) + sortCount(p, mid, hi);
    int i = lo, j = mid, k = lo;
    while (i < mid && j < hi) {
        if (p[j] < p[i]) { res += mid - i; tmp[k++] = p[j++]; }
        else tmp[k++] = p[i++];
    }
    while (i < mid) tmp[k++] = p[i++];
    while (j < hi) tmp[k++] = p[j++];
    rep(t, lo, hi) p[t] = tmp[t];
    return res;
}

int main() {
    int n;
    cin >> n;
    vector<int> p(n);
    rep(i, 0, n) cin >> p[i];
    tmp.assign(n, 0);
    cout << sortCount(p, 0, n) << "\n";
}
