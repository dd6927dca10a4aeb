// Array of n zeros; queries "1 i x" add x to a[i], "2 l r" print a[l] + ... + a[r] (1-indexed).
#include <iostream>
#include <vector>
using namespace std;
using ll = long long;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n, q;
    cin >> n >> q;
    vector<ll> a(n + 1, 0);
    while (q--) {
        int type;
        cin >> type;
        if (type == 1) {
            int i;
            ll x;
            cin >> i >> x;
            a[i] += x;
        } else {
            int l, r;
            cin >> l >> r;
            ll s = 0;
            for (int k = l; k <= r; k++) s += a[k];
            cout << s << '\n';
        }
    }
}
