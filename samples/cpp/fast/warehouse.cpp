// Warehouse Inventory
//
// A warehouse has n shelves in a row, numbered 1..n.  Shelf i holds q_i items,
// each worth c_i coins.  The manager issues m commands:
//   V l r     print the total value sum(q_i * c_i) of shelves l..r
//   X l r     print the largest quantity q_i on shelves l..r and the smallest
//             shelf number where it occurs
//   A l r     print the average quantity on shelves l..r, rounded down
//   U i q c   restock shelf i: it now holds q items worth c coins each
// Finally print the total value of the whole warehouse.
//
// The initial stock comes from the legacy inventory system, which only stores a
// seed s: with x_0 = s and x_i = x_{i-1} * 48271 mod 2147483647, shelf i starts
// with q_i = x_i mod 1000001 items worth c_i = 1 + x_i mod 10000 coins each.
//
// Input:  n m s, then m commands.
// Limits: 1 <= n <= 200000, 0 <= q <= 10^6, 1 <= c <= 10^4, 1 <= s < 2^31 - 1.
#include <cstdio>
#include <vector>
#include <utility>
#include <algorithm>
using namespace std;

struct Shelf {
    long long qty;
    long long cost;
};

// Fenwick tree over 1..n for point updates and prefix sums
struct Fenwick {
    int n;
    vector<long long> t;
    explicit Fenwick(int n) : n(n), t(n + 1, 0) {}
    // O(n) construction from a[1..n]
    void build(const vector<long long>& a) {
        for (int i = 1; i <= n; i++) {
            t[i] += a[i];
            int j = i + (i & -i);
            if (j <= n) t[j] += t[i];
        }
    }
    void add(int i, long long d) {
        for (; i <= n; i += i & -i) t[i] += d;
    }
    long long prefix(int i) const {
        long long s = 0;
        for (; i > 0; i -= i & -i) s += t[i];
        return s;
    }
    long long range(int l, int r) const { return prefix(r) - prefix(l - 1); }
};

// iterative segment tree of (quantity, -index) pairs: max quantity, smallest index
struct MaxTree {
    int size;
    vector<pair<long long, int>> t;
    explicit MaxTree(int n) : size(1) {
        while (size < n + 1) size <<= 1;
        t.assign(2 * size, make_pair(-1LL, 0));
    }
    // O(n) construction from q[1..n]
    void build(const vector<long long>& q, int n) {
        for (int i = 1; i <= n; i++) t[i + size] = make_pair(q[i], -i);
        for (int p = size - 1; p >= 1; p--) t[p] = max(t[2 * p], t[2 * p + 1]);
    }
    void set(int i, long long q) {
        int p = i + size;
        t[p] = make_pair(q, -i);
        for (p >>= 1; p >= 1; p >>= 1) t[p] = max(t[2 * p], t[2 * p + 1]);
    }
    pair<long long, int> query(int l, int r) const {
        pair<long long, int> best(-1LL, 0);
        for (int a = l + size, b = r + size + 1; a < b; a >>= 1, b >>= 1) {
            if (a & 1) best = max(best, t[a++]);
            if (b & 1) best = max(best, t[--b]);
        }
        return best;
    }
};

int main() {
    int n, m;
    long long seed;
    if (scanf("%d %d %lld", &n, &m, &seed) != 3) return 0;
    vector<Shelf> shelves(n + 1, Shelf{0, 0});
    long long x = seed;
    vector<long long> val(n + 1, 0), qty(n + 1, 0);
    for (int i = 1; i <= n; i++) {
        x = x * 48271 % 2147483647;
        shelves[i].qty = x % 1000001;
        shelves[i].cost = 1 + x % 10000;
        val[i] = shelves[i].qty * shelves[i].cost;
        qty[i] = shelves[i].qty;
    }
    Fenwick value(n), quantity(n);
    value.build(val);
    quantity.build(qty);
    MaxTree best(n);
    best.build(qty, n);
    for (int k = 0; k < m; k++) {
        char op[4];
        scanf("%3s", op);
        if (op[0] == 'U') {
            int i;
            long long q, c;
            scanf("%d %lld %lld", &i, &q, &c);
            value.add(i, q * c - shelves[i].qty * shelves[i].cost);
            quantity.add(i, q - shelves[i].qty);
            best.set(i, q);
            shelves[i].qty = q;
            shelves[i].cost = c;
            continue;
        }
        int l, r;
        scanf("%d %d", &l, &r);
        if (op[0] == 'V') {
            printf("%lld\n", value.range(l, r));
        } else if (op[0] == 'X') {
            pair<long long, int> b = best.query(l, r);
            printf("%lld %d\n", b.first, -b.second);
        } else {
            printf("%lld\n", quantity.range(l, r) / (r - l + 1));
        }
    }
    printf("total %lld\n", value.range(1, n));
    return 0;
}
