// n positive weights (n <= 28) and a target T: print YES if some subset sums exactly to T, else NO.
#include <bits/stdc++.h>
using namespace std;

int n;
long long T;
long long a[30], suffix[31];

bool go(int i, long long sum) {
    if (sum == T) return true;                       // done: the rest can be skipped
    if (i == n || sum > T) return false;             // overshoot: weights are positive
    if (sum + suffix[i] < T) return false;           // even taking everything left is too little
    return go(i + 1, sum + a[i]) || go(i + 1, sum);  // || stops at the first success
}

int main() {
    scanf("%d %lld", &n, &T);
    for (int i = 0; i < n; i++) scanf("%lld", &a[i]);
    sort(a, a + n, greater<long long>());
    suffix[n] = 0;
    for (int i = n - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + a[i];
    puts(go(0, 0) ? "YES" : "NO");
    return 0;
}
