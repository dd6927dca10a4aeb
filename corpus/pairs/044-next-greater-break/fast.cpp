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
        for (int j = i + 1; j < n; j++) {
            if (temp[j] > temp[i]) {
                wait = j - i;
                break;  // the first warmer day is the answer
            }
        }
        sum += wait;
        printf("%d%c", wait, i + 1 == n ? '\n' : ' ');
    }
    printf("%lld\n", sum);
    return 0;
}
