// Merge n ropes into one; merging lengths a and b costs a + b. Print the minimum total cost.
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;

int main() {
    int n;
    scanf("%d", &n);
    vector<ll> ropes(n);
    for (auto& r : ropes) scanf("%lld", &r);
    // min-heap: each merge is O(log n)
    priority_queue<ll, vector<ll>, greater<ll>> pq(greater<ll>(), move(ropes));
    ll total = 0;
    while (pq.size() > 1) {
        ll a = pq.top(); pq.pop();
        ll b = pq.top(); pq.pop();
        total += a + b;
        pq.push(a + b);
    }
    printf("%lld\n", total);
}
