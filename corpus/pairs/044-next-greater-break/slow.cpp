// For each day print how many days until a strictly warmer temperature (0 if never).
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    vector<int> temp(n);
    for (int i = 0; i < n; i++) scanf("%d", &temp[i]);
    long long sum = 0;
    for (int i = 0; i < n; i++) {
        int wait = 0;
        for (int j = n - 1; j > i; j--) {
            if (temp[j] > temp[i]) wait = j - i;  // keeps the nearest one found last
        }
        sum += wait;
        printf("%d%c", wait, i + 1 == n ? '\n' : ' ');
    }
    printf("%lld\n", sum);
    return 0;
}
