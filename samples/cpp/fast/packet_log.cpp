// Packet Log Forensics
//
// A router logs the ids of the packets it forwards.  For each log we must
// report:
//   distinct   the number of distinct packet ids
//   pairs      the number of pairs of positions i < j with id_i + id_j = K
//              (K is given with the log; this finds split/merged packets)
//   streak     the length of the longest block of consecutive integers
//              v, v+1, ..., v+L-1 that all occur in the log
//   repeats    the number of positions whose id occurs earlier in the log
//   first_dup  the id at the first position whose id occurs earlier in the
//              log, or -1 when all ids are distinct
//   min_gap    the smallest distance j - i between two positions i < j
//              holding the same id, or -1 when all ids are distinct
// Logs are either listed explicitly or, when they are huge, produced by the
// router's pseudo-random generator id_1 = x0, id_{k+1} = (a * id_k + b) mod m.
//
// Input:  T, then T logs, each either
//   L n K            followed by n ids (0 <= id < 2^40), or
//   G n K x0 a b m   (all < 2^31; ids generated as above)
// Output: one line per log.
#include <cstdio>
#include <unordered_map>
#include <unordered_set>
#include <vector>
using namespace std;

struct Report {
    long long distinct = 0, pairs = 0, streak = 0, repeats = 0, firstDup = -1, minGap = -1;
};

vector<long long> readLog(long long& k) {
    char kind[4];
    long long n;
    scanf("%3s %lld %lld", kind, &n, &k);
    vector<long long> ids;
    if (kind[0] == 'L') {
        for (long long i = 0; i < n; i++) {
            long long x;
            scanf("%lld", &x);
            ids.push_back(x);
        }
    } else {
        long long x, a, b, m;
        scanf("%lld %lld %lld %lld", &x, &a, &b, &m);
        for (long long i = 0; i < n; i++) {
            ids.push_back(x);
            x = (a * x + b) % m;
        }
    }
    return ids;
}

Report analyze(const vector<long long>& ids, long long k) {
    Report r;
    unordered_map<long long, int> freq;
    unordered_set<long long> present;
    unordered_map<long long, long long> lastPos;
    for (size_t i = 0; i < ids.size(); i++) {
        long long x = ids[i];
        if (freq.count(k - x)) r.pairs += freq[k - x];
        if (present.count(x)) {
            r.repeats++;
            if (r.firstDup == -1) r.firstDup = x;
        } else {
            present.insert(x);
        }
        freq[x]++;
        if (lastPos.count(x)) {
            long long gap = (long long)i - lastPos[x];
            if (r.minGap == -1 || gap < r.minGap) r.minGap = gap;
        }
        lastPos[x] = i;
    }
    r.distinct = present.size();

    // longest streak: start only at values whose predecessor is absent
    unordered_set<long long> started;
    for (long long x : ids) {
        if (present.count(x - 1) || started.count(x)) continue;
        started.insert(x);
        long long len = 1;
        while (present.count(x + len)) len++;
        if (len > r.streak) r.streak = len;
    }
    return r;
}

int main() {
    int t;
    if (scanf("%d", &t) != 1) return 0;
    for (int c = 1; c <= t; c++) {
        long long k;
        vector<long long> ids = readLog(k);
        Report r = analyze(ids, k);
        printf("Log %d: n=%d distinct=%lld pairs=%lld streak=%lld repeats=%lld first_dup=%lld min_gap=%lld\n",
               c, (int)ids.size(), r.distinct, r.pairs, r.streak, r.repeats, r.firstDup, r.minGap);
    }
    return 0;
}
