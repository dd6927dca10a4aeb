// Merge n ropes into one; merging lengths a and b costs a + b. Print the minimum total cost.
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;

int main() {
    int n;
    scanf("%d", &n);
    vector<ll> ropes(n);
    for (auto& r : ropes) scanf("%lld", &r);
    ll total = 0;
    while (ropes.size() > 1) {
        // take the two shortest ropes: two linear scans per merge
        auto it = min_element(ropes.begin(), ropes.end());
        ll a = *it;
        ropes.erase(it);
        it = min_element(ropes.begin(), ropes.end());
        ll b = *it;
        ropes.erase(it);
        total += a + b;
        ropes.push_back(a + b);
    }
    printf("%lld\n", total);
}
