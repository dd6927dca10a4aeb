// Maximum sum of a non-empty contiguous subarray.
#include <cstdio>
#include <vector>
#include <climits>

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    std::vector<long long> v(n);
    for (int i = 0; i < n; ++i) scanf("%lld", &v[i]);

    long long best = LLONG_MIN;
    for (int l = 0; l < n; ++l) {
        long long sum = 0;
        for (int r = l; r < n; ++r) {
            sum += v[r];
            if (sum > best) best = sum;
        }
    }
    printf("%lld\n", best);
    return 0;
}
