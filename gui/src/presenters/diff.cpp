#include "diff.h"

#include <algorithm>
#include <cstdint>

namespace clearpost::gui {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Words and the whitespace runs between them.
std::vector<std::string_view> tokens(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < text.size()) {
        const bool space = is_space(text[i]);
        std::size_t j = i + 1;
        while (j < text.size() && is_space(text[j]) == space) ++j;
        out.push_back(text.substr(i, j - i));
        i = j;
    }
    return out;
}

void append(std::vector<DiffSegment>& out, DiffSegment::Kind kind, std::string_view text) {
    if (text.empty()) return;
    if (!out.empty() && out.back().kind == kind) {
        out.back().text += text;
    } else {
        out.push_back({kind, std::string(text)});
    }
}

constexpr std::size_t kMaxCells = 4'000'000;

bool blank(const std::string& text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return is_space(c); });
}

// A change of several words reads as one: spaces kept between changed words
// ("{+after+}[-Maria-] {+her+}[-Lopez-]") join the change, and each run of
// changes becomes one removal followed by one addition.
std::vector<DiffSegment> readable(const std::vector<DiffSegment>& in) {
    using Kind = DiffSegment::Kind;
    std::vector<DiffSegment> out;
    std::string removed, added;
    auto flush = [&] {
        append(out, Kind::Removed, removed);
        append(out, Kind::Added, added);
        removed.clear();
        added.clear();
    };
    for (std::size_t k = 0; k < in.size(); ++k) {
        const auto& seg = in[k];
        const bool inside = seg.kind == Kind::Same && blank(seg.text) && k > 0 && k + 1 < in.size() &&
                            in[k - 1].kind != Kind::Same && in[k + 1].kind != Kind::Same;
        if (seg.kind == Kind::Removed || inside) removed += seg.text;
        if (seg.kind == Kind::Added || inside) added += seg.text;
        if (seg.kind == Kind::Same && !inside) {
            flush();
            append(out, Kind::Same, seg.text);
        }
    }
    flush();
    return out;
}

}  // namespace

std::vector<DiffSegment> word_diff(std::string_view before, std::string_view after) {
    using Kind = DiffSegment::Kind;
    const auto a = tokens(before);
    const auto b = tokens(after);
    std::vector<DiffSegment> out;
    // The common beginning and end need no table.
    std::size_t head = 0;
    while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
    std::size_t tail = 0;
    while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) ++tail;
    for (std::size_t i = 0; i < head; ++i) append(out, Kind::Same, a[i]);
    const std::size_t n = a.size() - head - tail, m = b.size() - head - tail;
    if (n * m > kMaxCells) {
        for (std::size_t i = 0; i < n; ++i) append(out, Kind::Removed, a[head + i]);
        for (std::size_t j = 0; j < m; ++j) append(out, Kind::Added, b[head + j]);
    } else {
        // Longest common subsequence lengths of the suffixes, then one walk.
        std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
        auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
        for (std::size_t i = n; i-- > 0;)
            for (std::size_t j = m; j-- > 0;)
                at(i, j) = a[head + i] == b[head + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
        std::size_t i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a[head + i] == b[head + j]) {
                append(out, Kind::Same, a[head + i]);
                ++i;
                ++j;
            } else if (j < m && (i == n || at(i, j + 1) >= at(i + 1, j))) {
                append(out, Kind::Added, b[head + j++]);
            } else {
                append(out, Kind::Removed, a[head + i++]);
            }
        }
    }
    for (std::size_t k = a.size() - tail; k < a.size(); ++k) append(out, Kind::Same, a[k]);
    return readable(out);
}

}  // namespace clearpost::gui
