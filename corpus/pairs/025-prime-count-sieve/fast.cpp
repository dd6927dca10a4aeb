// Print the number of primes <= N and the sum of those primes.
#include <cstdio>
#include <vector>

int main() {
    int N;
    scanf("%d", &N);
    // sieve of Eratosthenes: O(N log log N) instead of trial division per number
    std::vector<char> composite(N + 1, 0);
    int count = 0;
    long long sum = 0;
    for (long long i = 2; i <= N; i++) {
        if (composite[i]) continue;
        count++;
        sum += i;
        for (long long j = i * i; j <= N; j += i) composite[j] = 1;
    }
    printf("%d %lld\n", count, sum);
    return 0;
}
