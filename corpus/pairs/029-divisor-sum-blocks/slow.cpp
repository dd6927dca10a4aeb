// For each query n print D(n) = sum_{i=1..n} floor(n / i) (the total number of divisors of 1..n).
#include <cstdio>

// direct definition: one division per i
long long D(long long n) {
    long long total = 0;
    for (long long i = 1; i <= n; ++i) total += n / i;
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
