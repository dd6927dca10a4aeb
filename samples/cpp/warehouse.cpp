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
using namespace std;

struct Shelf {
    long long qty;
    long long cost;
};

long long rangeValue(const vector<Shelf>& shelves, int l, int r) {
    long long total = 0;
    for (int i = l; i <= r; i++) total += shelves[i].qty * shelves[i].cost;
    return total;
}

void rangeMax(const vector<Shelf>& shelves, int l, int r, long long& best, int& where) {
    best = -1;
    where = -1;
    for (int i = l; i <= r; i++) {
        if (shelves[i].qty > best) {
            best = shelves[i].qty;
            where = i;
        }
    }
}

long long rangeQuantity(const vector<Shelf>& shelves, int l, int r) {
    long long total = 0;
    for (int i = l; i <= r; i++) total += shelves[i].qty;
    return total;
}

int main() {
    int n, m;
    long long seed;
    if (scanf("%d %d %lld", &n, &m, &seed) != 3) return 0;
    vector<Shelf> shelves(n + 1, Shelf{0, 0});
    long long x = seed;
    for (int i = 1; i <= n; i++) {
        x = x * 48271 % 2147483647;
        shelves[i].qty = x % 1000001;
        shelves[i].cost = 1 + x % 10000;
    }
    for (int k = 0; k < m; k++) {
        char op[4];
        scanf("%3s", op);
        if (op[0] == 'U') {
            int i;
            long long q, c;
            scanf("%d %lld %lld", &i, &q, &c);
            shelves[i].qty = q;
            shelves[i].cost = c;
            continue;
        }
        int l, r;
        scanf("%d %d", &l, &r);
        if (op[0] == 'V') {
            printf("%lld\n", rangeValue(shelves, l, r));
        } else if (op[0] == 'X') {
            long long best;
            int where;
            rangeMax(shelves, l, r, best, where);
            printf("%lld %d\n", best, where);
        } else {
            printf("%lld\n", rangeQuantity(shelves, l, r) / (r - l + 1));
        }
    }
    printf("total %lld\n", rangeValue(shelves, 1, n));
    return 0;
}
