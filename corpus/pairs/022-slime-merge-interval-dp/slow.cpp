// n slimes in a row; merging two adjacent slimes of sizes x and y costs x + y. Minimum cost to merge all.
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;

int n;
vector<ll> a;

ll solve(int l, int r) {  // minimum cost to merge slimes l..r into one
    if (l == r) return 0;
    ll best = LLONG_MAX;
    for (int k = l; k < r; k++)
        best = min(best, solve(l, k) + solve(k + 1, r));
    ll sum = 0;
    for (int i = l; i <= r; i++) sum += a[i];
    return best + sum;
}

int main() {
    scanf("%d", &n);
    a.resize(n);
    for (int i = 0; i < n; i++) scanf("%lld", &a[i]);
    printf("%lld\n", solve(0, n - 1));
}
