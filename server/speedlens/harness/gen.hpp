// speedlens harness support: seeded type-directed argument generators, printers and serializers (C++17).
// Inlined into every generated driver; names live in speedlens_harness so they cannot clash with the project's.
// Guarded: a recording build puts it at the top of a header that may be included twice.
#ifndef SPEEDLENS_HARNESS_GEN_HPP
#define SPEEDLENS_HARNESS_GEN_HPP
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iterator>
#include <ctime>
#include <deque>
#include <iostream>
#include <list>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace speedlens_harness {

using Rng = std::mt19937_64;

// Nested values (a vector's strings, a map's keys) stay small; the top-level size is the input's size.
inline std::size_t nested(std::size_t n) { return std::min<std::size_t>(n, 24); }
inline std::size_t between(Rng& rng, std::size_t lo, std::size_t hi) { return lo + rng() % (hi - lo + 1); }
// An element's size: numbers keep the container's span (so duplicates are neither certain nor absent).
template <class T> std::size_t element_size(std::size_t n) { return std::is_arithmetic_v<T> ? n : nested(n); }

template <class T, class = void> struct Gen;

template <class T> T make(Rng& rng, std::size_t n) { return Gen<T>::make(rng, n); }

template <> struct Gen<bool> { static bool make(Rng& rng, std::size_t) { return rng() & 1; } };
template <> struct Gen<char> { static char make(Rng& rng, std::size_t) { return static_cast<char>('a' + rng() % 6); } };
template <class T>
struct Gen<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>>> {
    // Small magnitudes: duplicates and collisions happen, sums do not overflow.
    static T make(Rng& rng, std::size_t n) {
        long long span = static_cast<long long>(std::max<std::size_t>(n, 16));
        long long v = static_cast<long long>(rng() % static_cast<unsigned long long>(2 * span + 1)) - span;
        return static_cast<T>(std::is_signed_v<T> ? v : (v < 0 ? -v : v));
    }
};
template <class T> struct Gen<T, std::enable_if_t<std::is_floating_point_v<T>>> {
    static T make(Rng& rng, std::size_t) { return static_cast<T>(std::uniform_real_distribution<double>(-1e3, 1e3)(rng)); }
};
template <> struct Gen<std::string> {
    static std::string make(Rng& rng, std::size_t n) {
        // A top-level string is a text half the time and a short word (a prefix, a separator) otherwise.
        std::size_t length = n > 24 && (rng() & 1) ? between(rng, 0, 4) : between(rng, n / 2, n);
        std::string s(length, 'a');
        for (char& c : s) c = static_cast<char>('a' + rng() % 4);
        return s;
    }
};
template <class A, class B> struct Gen<std::pair<A, B>> {
    static std::pair<A, B> make(Rng& rng, std::size_t n) { A a = speedlens_harness::make<A>(rng, n); return {a, speedlens_harness::make<B>(rng, n)}; }
};
template <class... Ts> struct Gen<std::tuple<Ts...>> {
    static std::tuple<Ts...> make(Rng& rng, std::size_t n) { return std::tuple<Ts...>{speedlens_harness::make<Ts>(rng, n)...}; }
};
template <class T, std::size_t N> struct Gen<std::array<T, N>> {
    static std::array<T, N> make(Rng& rng, std::size_t n) {
        std::array<T, N> out{};
        for (auto& v : out) v = speedlens_harness::make<T>(rng, nested(n));
        return out;
    }
};
template <class C> C make_sequence(Rng& rng, std::size_t n) {
    C out;
    std::size_t count = between(rng, n / 2, n);
    for (std::size_t i = 0; i < count; ++i) out.insert(out.end(), speedlens_harness::make<typename C::value_type>(
        rng, element_size<typename C::value_type>(n)));
    return out;
}
template <class T> struct Gen<std::vector<T>> { static std::vector<T> make(Rng& r, std::size_t n) { return make_sequence<std::vector<T>>(r, n); } };
template <class T> struct Gen<std::deque<T>> { static std::deque<T> make(Rng& r, std::size_t n) { return make_sequence<std::deque<T>>(r, n); } };
template <class T> struct Gen<std::list<T>> { static std::list<T> make(Rng& r, std::size_t n) { return make_sequence<std::list<T>>(r, n); } };
template <class C> C make_associative(Rng& rng, std::size_t n) {
    C out;
    std::size_t count = between(rng, n / 2, n);
    for (std::size_t i = 0; i < count; ++i) {
        using Key = std::remove_const_t<typename C::key_type>;
        if constexpr (std::is_same_v<typename C::key_type, typename C::value_type>) {
            out.insert(speedlens_harness::make<Key>(rng, element_size<Key>(n)));
        } else {
            Key key = speedlens_harness::make<Key>(rng, element_size<Key>(n));
            out.emplace(key, speedlens_harness::make<typename C::mapped_type>(rng, nested(n)));
        }
    }
    return out;
}
template <class K, class V> struct Gen<std::map<K, V>> { static std::map<K, V> make(Rng& r, std::size_t n) { return make_associative<std::map<K, V>>(r, n); } };
template <class K, class V> struct Gen<std::unordered_map<K, V>> {
    static std::unordered_map<K, V> make(Rng& r, std::size_t n) { return make_associative<std::unordered_map<K, V>>(r, n); }
};
template <class K> struct Gen<std::set<K>> { static std::set<K> make(Rng& r, std::size_t n) { return make_associative<std::set<K>>(r, n); } };
template <class K> struct Gen<std::unordered_set<K>> {
    static std::unordered_set<K> make(Rng& r, std::size_t n) { return make_associative<std::unordered_set<K>>(r, n); }
};

// ---- printing: one canonical text per value (unordered containers sorted, so iteration order never differs) ----

template <class T> void show(std::ostream& out, const T& value);

template <class It> void show_range(std::ostream& out, It first, It last) {
    out << '[';
    for (bool sep = false; first != last; ++first, sep = true) {
        if (sep) out << ' ';
        show(out, *first);
    }
    out << ']';
}
template <class C> void show_sorted(std::ostream& out, const C& c) {
    std::vector<std::string> parts;
    for (const auto& v : c) { std::ostringstream s; show(s, v); parts.push_back(s.str()); }
    std::sort(parts.begin(), parts.end());
    out << '{';
    for (std::size_t i = 0; i < parts.size(); ++i) out << (i ? " " : "") << parts[i];
    out << '}';
}

template <class T> struct is_unordered : std::false_type {};
template <class K, class V> struct is_unordered<std::unordered_map<K, V>> : std::true_type {};
template <class K> struct is_unordered<std::unordered_set<K>> : std::true_type {};
template <class T, class = void> struct is_range : std::false_type {};
template <class T> struct is_range<T, std::void_t<decltype(std::begin(std::declval<const T&>()))>> : std::true_type {};
template <class T> struct is_tuple_like : std::false_type {};
template <class A, class B> struct is_tuple_like<std::pair<A, B>> : std::true_type {};
template <class... Ts> struct is_tuple_like<std::tuple<Ts...>> : std::true_type {};

template <class T> void show(std::ostream& out, const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
        out << (value ? "true" : "false");
    } else if constexpr (std::is_same_v<T, char> || std::is_same_v<T, signed char> || std::is_same_v<T, unsigned char>) {
        out << static_cast<int>(value);
    } else if constexpr (std::is_floating_point_v<T>) {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%.17g", static_cast<double>(value));
        out << buffer;
    } else if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
        out << +static_cast<std::conditional_t<std::is_enum_v<T>, long long, T>>(value);
    } else if constexpr (std::is_same_v<T, std::string>) {
        out << value.size() << ':' << value;
    } else if constexpr (is_tuple_like<T>::value) {
        out << '(';
        std::apply([&](const auto&... parts) { bool sep = false; ((out << (sep ? " " : ""), show(out, parts), sep = true), ...); }, value);
        out << ')';
    } else if constexpr (is_unordered<T>::value) {
        show_sorted(out, value);
    } else if constexpr (is_range<T>::value) {
        show_range(out, std::begin(value), std::end(value));
    } else {
        static_assert(sizeof(T) == 0, "speedlens cannot print this type");
    }
}

// ---- serializing: an argument tuple recorded in the project's tests read back exactly by the driver ----
// Text, whitespace-separated: integers in decimal, floating point in hexadecimal (%a: every bit kept), a string
// as LENGTH:BYTES (any bytes), a container as its count then its elements, pairs/tuples/arrays/structs as their
// parts in order, an enum as its underlying value. Every type ``make`` builds has both directions; the project's
// structs get specializations.

template <class T> void write(std::ostream& out, const T& value);
template <class T> bool read(std::istream& in, T& value);

template <class T> struct is_array : std::false_type {};
template <class T, std::size_t N> struct is_array<std::array<T, N>> : std::true_type {};
template <class T, class = void> struct is_map : std::false_type {};
template <class T> struct is_map<T, std::void_t<typename T::mapped_type>> : std::true_type {};

template <class T> void write(std::ostream& out, const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
        out << (value ? 1 : 0) << ' ';
    } else if constexpr (std::is_floating_point_v<T>) {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%La ", static_cast<long double>(value));
        out << buffer;
    } else if constexpr (std::is_integral_v<T>) {
        out << +static_cast<std::conditional_t<std::is_signed_v<T>, long long, unsigned long long>>(value) << ' ';
    } else if constexpr (std::is_enum_v<T>) {
        write(out, static_cast<std::underlying_type_t<T>>(value));
    } else if constexpr (std::is_same_v<T, std::string>) {
        out << value.size() << ':';
        out.write(value.data(), static_cast<std::streamsize>(value.size()));
        out << ' ';
    } else if constexpr (is_tuple_like<T>::value) {
        std::apply([&](const auto&... parts) { (write(out, parts), ...); }, value);
    } else if constexpr (is_array<T>::value) {
        for (const auto& v : value) write(out, v);
    } else if constexpr (is_range<T>::value) {
        out << std::distance(std::begin(value), std::end(value)) << ' ';
        for (const auto& v : value) write(out, v);
    } else {
        static_assert(sizeof(T) == 0, "speedlens cannot serialize this type");
    }
}
// A (pointer, length) buffer, as the driver holds it: a vector.
template <class T> void write_buffer(std::ostream& out, const T* data, std::size_t size) {
    write(out, std::vector<std::remove_cv_t<T>>(data, data + size));
}

template <class T> bool read(std::istream& in, T& value) {
    if constexpr (std::is_same_v<T, bool>) {
        int v = 0;
        if (!(in >> v)) return false;
        value = v != 0;
        return true;
    } else if constexpr (std::is_floating_point_v<T>) {
        std::string token;
        if (!(in >> token)) return false;
        char* end = nullptr;
        const long double v = std::strtold(token.c_str(), &end);
        value = static_cast<T>(v);
        return end != token.c_str() && *end == '\0';
    } else if constexpr (std::is_integral_v<T>) {
        std::conditional_t<std::is_signed_v<T>, long long, unsigned long long> v{};
        if (!(in >> v)) return false;
        value = static_cast<T>(v);
        return true;
    } else if constexpr (std::is_enum_v<T>) {
        std::underlying_type_t<T> v{};
        if (!read(in, v)) return false;
        value = static_cast<T>(v);
        return true;
    } else if constexpr (std::is_same_v<T, std::string>) {
        std::size_t size = 0;
        if (!(in >> size) || in.get() != ':') return false;
        value.assign(size, '\0');
        return static_cast<bool>(in.read(value.data(), static_cast<std::streamsize>(size)));
    } else if constexpr (is_tuple_like<T>::value) {
        return std::apply([&](auto&... parts) { return (read(in, parts) && ...); }, value);
    } else if constexpr (is_array<T>::value) {
        for (auto& v : value) if (!read(in, v)) return false;
        return true;
    } else if constexpr (is_range<T>::value) {
        std::size_t count = 0;
        if (!(in >> count)) return false;
        value = T{};
        for (std::size_t i = 0; i < count; ++i) {
            if constexpr (is_map<T>::value) {
                std::pair<std::remove_const_t<typename T::key_type>, typename T::mapped_type> v{};
                if (!read(in, v)) return false;
                value.insert(value.end(), std::move(v));
            } else {
                typename T::value_type v{};
                if (!read(in, v)) return false;
                value.insert(value.end(), std::move(v));
            }
        }
        return true;
    } else {
        static_assert(sizeof(T) == 0, "speedlens cannot serialize this type");
        return false;
    }
}

// ---- recording (the project's tests and benchmarks, built with the function wrapped) ----
// A wrapped function's recorder appends at most RECORD_LIMIT distinct tuples (none over RECORD_MAX_BYTES) per
// process to its file, each as "LENGTH\n", the tuple's text, "\n"; once full, a call costs one comparison.
constexpr std::size_t RECORD_LIMIT = 32;
constexpr std::size_t RECORD_MAX_BYTES = 1 << 20;
struct Recorder {
    const char* path;
    std::size_t kept = 0;
    std::set<std::size_t> seen{};
    bool wants() const { return kept < RECORD_LIMIT; }
    void record(const std::string& text) {
        if (text.size() > RECORD_MAX_BYTES || !seen.insert(std::hash<std::string>{}(text)).second) return;
        if (std::FILE* file = std::fopen(path, "ab")) {
            std::fprintf(file, "%zu\n", text.size());
            std::fwrite(text.data(), 1, text.size(), file);
            std::fputc('\n', file);
            std::fclose(file);
            ++kept;
        }
    }
};

// Keeps a value alive for the optimizer (as Google Benchmark's DoNotOptimize): a call whose result is unused is
// still made, and not hoisted out of the repetition loop.
template <class T> inline void keep(T const& value) { asm volatile("" : : "r,m"(value) : "memory"); }

}  // namespace speedlens_harness

#endif  // SPEEDLENS_HARNESS_GEN_HPP
