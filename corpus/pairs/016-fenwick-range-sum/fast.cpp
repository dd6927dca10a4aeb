// Array of n zeros; queries "1 i x" add x to a[i], "2 l r" print a[l] + ... + a[r] (1-indexed).
#include <iostream>
#include <vector>
using namespace std;
using ll = long long;

struct Fenwick {
    int n;
    vector<ll> t;
    explicit Fenwick(int n) : n(n), t(n + 1, 0) {}
    void add(int i, ll x) { for (; i <= n; i += i & -i) t[i] += x; }
    ll prefix(int i) const { ll s = 0; for (; i > 0; i -= i & -i) s += t[i]; return s; }
};

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n, q;
    cin >> n >> q;
    Fenwick bit(n);
    while (q--) {
        int type;
        cin >> type;
        if (type == 1) {
            int i;
            ll x;
            cin >> i >> x;
            bit.add(i, x);
        } else {
            int l, r;
            cin >> l >> r;
            cout << bit.prefix(r) - bit.prefix(l - 1) << '\n';
        }
    }
}
