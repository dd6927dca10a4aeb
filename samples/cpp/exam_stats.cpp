// Exam Statistics
//
// A school publishes the results of several exams.  For each exam we are given
// the scores of its N students (integers 0..1000000, not necessarily distinct)
// and then Q questions from curious parents:
//   C lo hi   how many students scored between lo and hi inclusive?
//   K k       what is the k-th smallest score (1-based)?
//   R x       the rank of score x: the number of students who scored strictly
//             less than x, plus one
//   M lo hi   the median of the scores in [lo, hi] (the lower median when the
//             count is even), or -1 if no student scored in that range
// For every exam first print a line "Exam i: min max mean" (mean with two
// decimals, computed with integer arithmetic), then one line per question.
//
// Input:  T, then for each exam: N Q, the N scores, and Q question lines.
#include <cstdio>
#include <vector>
#include <algorithm>
using namespace std;

struct Summary {
    int lo, hi;
    long long sum;
    int n;
};

Summary summarize(vector<int> scores) {
    Summary s{scores.front(), scores.front(), 0, (int)scores.size()};
    for (int x : scores) {
        s.lo = min(s.lo, x);
        s.hi = max(s.hi, x);
        s.sum += x;
    }
    return s;
}

// number of scores < x in the sorted list
int countBelow(vector<int> sorted, int x) {
    return lower_bound(sorted.begin(), sorted.end(), x) - sorted.begin();
}

int countInRange(vector<int> sorted, int lo, int hi) {
    if (lo > hi) return 0;
    int a = lower_bound(sorted.begin(), sorted.end(), lo) - sorted.begin();
    int b = upper_bound(sorted.begin(), sorted.end(), hi) - sorted.begin();
    return b - a;
}

int kth(vector<int> sorted, int k) {
    if (k < 1 || k > (int)sorted.size()) return -1;
    return sorted[k - 1];
}

int medianInRange(vector<int> sorted, int lo, int hi) {
    int cnt = countInRange(sorted, lo, hi);
    if (cnt == 0) return -1;
    int first = countBelow(sorted, lo);
    return kth(sorted, first + (cnt + 1) / 2);
}

int main() {
    int t;
    if (scanf("%d", &t) != 1) return 0;
    for (int e = 1; e <= t; e++) {
        int n, q;
        scanf("%d %d", &n, &q);
        vector<int> scores(n);
        for (int i = 0; i < n; i++) scanf("%d", &scores[i]);
        vector<int> sorted = scores;
        sort(sorted.begin(), sorted.end());

        Summary s = summarize(scores);
        long long whole = s.sum / s.n;
        long long cents = (s.sum % s.n) * 100 / s.n;
        printf("Exam %d: %d %d %lld.%02lld\n", e, s.lo, s.hi, whole, cents);

        for (int i = 0; i < q; i++) {
            char op[4];
            scanf("%3s", op);
            if (op[0] == 'C') {
                int lo, hi;
                scanf("%d %d", &lo, &hi);
                printf("%d\n", countInRange(sorted, lo, hi));
            } else if (op[0] == 'K') {
                int k;
                scanf("%d", &k);
                printf("%d\n", kth(sorted, k));
            } else if (op[0] == 'R') {
                int x;
                scanf("%d", &x);
                printf("%d\n", countBelow(sorted, x) + 1);
            } else {
                int lo, hi;
                scanf("%d %d", &lo, &hi);
                printf("%d\n", medianInRange(sorted, lo, hi));
            }
        }
    }
    return 0;
}
