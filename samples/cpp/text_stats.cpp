// Document Analyzer
//
// An editor wants quick statistics about a batch of documents.  Each document
// is one line of at most 200000 characters (letters, digits, spaces and
// punctuation).  For every document print:
//   Doc i: chars=C letters=L words=W vowels=V
//   longest run: the character (or "none" for an empty document) that forms the
//     longest block of equal consecutive characters, and the block's length
//     (the first such block when there are ties)
//   rle: the length of the run-length encoding of the lowercase letters of the
//     document (each maximal run of equal letters becomes the letter followed
//     by the run length when it is > 1; other characters are dropped), and a
//     polynomial hash (base 131, modulo 1000000007) of that encoding
//   balance: "yes" if the parentheses '(' ')' in the document are balanced
//     and "no" otherwise
//
// Input:  T on the first line, then T lines, one document each.
#include <cstdio>
#include <cstring>
#include <string>
using namespace std;

const int MAXLEN = 200005;
char doc[MAXLEN + 2];

bool isVowel(char c) {
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' ||
           c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U';
}

bool isLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

void countBasics(const char* s, int& letters, int& words, int& vowels) {
    letters = words = vowels = 0;
    bool inWord = false;
    for (int i = 0; i < strlen(s); i++) {
        if (isLetter(s[i])) letters++;
        if (isVowel(s[i])) vowels++;
        if (s[i] != ' ') {
            if (!inWord) words++;
            inWord = true;
        } else {
            inWord = false;
        }
    }
}

void longestRun(const char* s, char& best, int& bestLen) {
    best = 0;
    bestLen = 0;
    int cur = 0;
    for (int i = 0; i < strlen(s); i++) {
        if (i > 0 && s[i] == s[i - 1]) cur++;
        else cur = 1;
        if (cur > bestLen) {
            bestLen = cur;
            best = s[i];
        }
    }
}

string runLengthLetters(const char* s) {
    string enc;
    int j = 0;
    for (int i = 0; i < strlen(s); i = j) {
        char c = s[i];
        j = i;
        while (s[j] == c) j++;
        if (c >= 'a' && c <= 'z') {
            enc = enc + c;
            if (j - i > 1) enc = enc + to_string(j - i);
        }
    }
    return enc;
}

long long polyHash(const string& s) {
    const long long MOD = 1000000007LL;
    long long h = 0;
    for (char c : s) h = (h * 131 + (unsigned char)c) % MOD;
    return h;
}

bool balanced(const char* s) {
    int depth = 0;
    for (int i = 0; i < strlen(s); i++) {
        if (s[i] == '(') depth++;
        else if (s[i] == ')') {
            depth--;
            if (depth < 0) return false;
        }
    }
    return depth == 0;
}

int main() {
    int t;
    if (scanf("%d", &t) != 1) return 0;
    fgets(doc, sizeof(doc), stdin);  // rest of the first line
    for (int d = 1; d <= t; d++) {
        if (!fgets(doc, sizeof(doc), stdin)) doc[0] = 0;
        int len = strlen(doc);
        while (len > 0 && (doc[len - 1] == '\n' || doc[len - 1] == '\r')) doc[--len] = 0;

        int letters, words, vowels;
        countBasics(doc, letters, words, vowels);
        printf("Doc %d: chars=%d letters=%d words=%d vowels=%d\n", d, len, letters, words, vowels);

        char best;
        int bestLen;
        longestRun(doc, best, bestLen);
        if (bestLen == 0) printf("longest run: none 0\n");
        else printf("longest run: '%c' %d\n", best, bestLen);

        string enc = runLengthLetters(doc);
        printf("rle: %d %lld\n", (int)enc.size(), polyHash(enc));
        printf("balance: %s\n", balanced(doc) ? "yes" : "no");
    }
    return 0;
}
