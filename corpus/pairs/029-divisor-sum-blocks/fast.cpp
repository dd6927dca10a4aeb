// For each query n print D(n) = sum_{i=1..n} floor(n / i) (the total number of divisors of 1..n).
#include <cstdio>

// floor(n / i) takes only O(sqrt n) distinct values: add each block [i, j] of equal quotient at once
long long D(long long n) {
    long long total = 0;
    for (long long i = 1; i <= n;) {
        long long v = n / i;
        long long j = n / v;  // last i with the same quotient
        total += v * (j - i + 1);
        i = j + 1;
    }
    return total;
}

int main() {
    int T;
    scanf("%d", &T);
    while (T--) {
        long long n;
        scanf("%lld", &n);
        printf("%lld\n", D(n));
    }
    return 0;
}
