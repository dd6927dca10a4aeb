// For each given board size n (n <= 14) print the number of ways to place n non-attacking queens.
#include <bits/stdc++.h>
using namespace std;

int n;
unsigned full;

// cols / ld / rd: bitmasks of attacked columns in the current row
long long place(unsigned cols, unsigned ld, unsigned rd) {
    if (cols == full) return 1;
    long long ways = 0;
    unsigned avail = full & ~(cols | ld | rd);
    while (avail) {
        unsigned bit = avail & -avail;  // lowest free column
        avail ^= bit;
        ways += place(cols | bit, (ld | bit) << 1, (rd | bit) >> 1);
    }
    return ways;
}

int main() {
    int t;
    scanf("%d", &t);
    while (t--) {
        scanf("%d", &n);
        full = (1u << n) - 1;
        printf("%d %lld\n", n, place(0, 0, 0));
    }
    return 0;
}
