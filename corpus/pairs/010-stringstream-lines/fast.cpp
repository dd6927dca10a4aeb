// Each line after the first holds the scores of one student; print every student's total,
// then the best student's line number and total.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main() {
    // slurp stdin once and parse it by hand
    std::vector<char> data;
    char chunk[1 << 16];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, stdin)) > 0) data.insert(data.end(), chunk, chunk + got);
    data.push_back('\0');
    const char* p = data.data();

    int n = (int)strtol(p, (char**)&p, 10);
    while (*p && *p != '\n') p++;
    if (*p) p++;
    long long bestTotal = -1;
    int bestIdx = -1;
    std::string out;  // all output collected here, written once
    for (int i = 1; i <= n; i++) {
        long long total = 0;
        while (*p && *p != '\n') {
            if (*p == '-' || (*p >= '0' && *p <= '9')) {
                bool neg = (*p == '-');
                if (neg) p++;
                long long x = 0;
                while (*p >= '0' && *p <= '9') x = x * 10 + (*p++ - '0');
                total += neg ? -x : x;
            } else {
                p++;
            }
        }
        if (*p) p++;
        out += std::to_string(total);
        out += '\n';
        if (total > bestTotal) {
            bestTotal = total;
            bestIdx = i;
        }
    }
    fwrite(out.data(), 1, out.size(), stdout);
    printf("%d %lld\n", bestIdx, bestTotal);
    return 0;
}
