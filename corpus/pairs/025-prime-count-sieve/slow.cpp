// Print the number of primes <= N and the sum of those primes.
#include <cstdio>

bool isPrime(int x) {
    if (x < 2) return false;
    for (int d = 2; d * d <= x; d++)
        if (x % d == 0) return false;
    return true;
}

int main() {
    int N;
    scanf("%d", &N);
    int count = 0;
    long long sum = 0;
    for (int i = 2; i <= N; i++) {
        if (isPrime(i)) {
            count++;
            sum += i;
        }
    }
    printf("%d %lld\n", count, sum);
    return 0;
}
