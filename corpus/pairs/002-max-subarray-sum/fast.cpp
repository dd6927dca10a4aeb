// Maximum sum of a non-empty contiguous subarray.
#include <cstdio>
#include <vector>
#include <climits>
#include <algorithm>

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    std::vector<long long> v(n);
    for (int i = 0; i < n; ++i) scanf("%lld", &v[i]);

    // Kadane: best sum of a subarray ending at r is either v[r] alone or v[r] + best ending at r-1
    long long best = LLONG_MIN, cur = 0;
    for (int r = 0; r < n; ++r) {
        cur = (r == 0) ? v[r] : std::max(v[r], cur + v[r]);
        best = std::max(best, cur);
    }
    printf("%lld\n", best);
    return 0;
}
