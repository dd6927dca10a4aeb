// Print the n x m table whose cell (i, j) holds (i * j) % k, one row per line.
#include <bits/stdc++.h>
using namespace std;

static char buf[1 << 16];
static int pos = 0;

inline void flushOut() { fwrite(buf, 1, pos, stdout); pos = 0; }
inline void putChar(char c) {
    if (pos == (int)sizeof(buf)) flushOut();
    buf[pos++] = c;
}
inline void putInt(long long x) {
    char d[24];
    int len = 0;
    do { d[len++] = char('0' + x % 10); x /= 10; } while (x > 0);
    while (len) putChar(d[--len]);
}

int main() {
    int n, m, k;
    if (scanf("%d %d %d", &n, &m, &k) != 3) return 0;
    for (int i = 1; i <= n; i++) {
        long long v = 0;  // i * j % k, updated incrementally
        for (int j = 1; j <= m; j++) {
            v += i % k;
            if (v >= k) v -= k;
            putInt(v);
            if (j < m) putChar(' ');
        }
        putChar('\n');
    }
    flushOut();
    return 0;
}
