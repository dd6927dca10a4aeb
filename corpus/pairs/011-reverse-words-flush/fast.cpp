// Read n words and print each one reversed on its own line.
#include <bits/stdc++.h>
using namespace std;

int main() {
    // read everything at once, reverse every token in place, write everything at once
    string in;
    {
        char chunk[1 << 16];
        size_t k;
        while ((k = fread(chunk, 1, sizeof chunk, stdin)) > 0) in.append(chunk, k);
    }
    size_t p = 0, len = in.size();
    auto skipSpace = [&]() { while (p < len && isspace((unsigned char)in[p])) ++p; };
    skipSpace();
    int n = 0;
    while (p < len && isdigit((unsigned char)in[p])) n = n * 10 + (in[p++] - '0');

    string out;
    out.reserve(len + n);
    for (int i = 0; i < n; ++i) {
        skipSpace();
        size_t b = p;
        while (p < len && !isspace((unsigned char)in[p])) ++p;
        out.append(in.rbegin() + (len - p), in.rbegin() + (len - b));
        out += '\n';
    }
    fwrite(out.data(), 1, out.size(), stdout);
}
