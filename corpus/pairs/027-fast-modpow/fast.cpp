// q queries "a e m": print a^e mod m.
#include <stdio.h>

typedef unsigned long long u64;

/* square-and-multiply: O(log e) multiplications */
static u64 power(u64 a, u64 e, u64 m) {
    u64 r = 1 % m;
    a %= m;
    while (e > 0) {
        if (e & 1) r = r * a % m;
        a = a * a % m;
        e >>= 1;
    }
    return r;
}

int main(void) {
    int q;
    scanf("%d", &q);
    for (int i = 0; i < q; i++) {
        u64 a, e, m;
        scanf("%llu %llu %llu", &a, &e, &m);
        printf("%llu\n", power(a, e, m));
    }
    return 0;
}
