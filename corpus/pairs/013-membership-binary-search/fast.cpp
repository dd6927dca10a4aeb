// Given n registered IDs and q lookups, print how many lookups hit a registered ID.
#include <bits/stdc++.h>
using namespace std;

vector<int> ids;

bool registered(int x) {
    return binary_search(ids.begin(), ids.end(), x);  // O(log n) on the sorted IDs
}

int main() {
    int n, q;
    scanf("%d %d", &n, &q);
    ids.resize(n);
    for (int i = 0; i < n; i++) scanf("%d", &ids[i]);
    sort(ids.begin(), ids.end());  // sort once up front
    int hits = 0;
    for (int i = 0; i < q; i++) {
        int x;
        scanf("%d", &x);
        if (registered(x)) hits++;
    }
    printf("%d\n", hits);
    return 0;
}
