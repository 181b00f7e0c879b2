#include "clearpost/text/utf8.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace clearpost::text {

namespace {
constexpr bool is_continuation(unsigned char b) noexcept { return (b & 0xC0U) == 0x80U; }
}  // namespace

Decoded decode_at(std::string_view text, std::size_t pos) noexcept {
    Decoded d;
    if (pos >= text.size()) return d;
    const auto b0 = static_cast<unsigned char>(text[pos]);
    if (b0 < 0x80U) return {b0, 1, true};
    std::size_t need = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (b0 >= 0xC2U && b0 <= 0xDFU) {
        need = 1; cp = b0 & 0x1FU; min = 0x80;
    } else if (b0 >= 0xE0U && b0 <= 0xEFU) {
        need = 2; cp = b0 & 0x0FU; min = 0x800;
    } else if (b0 >= 0xF0U && b0 <= 0xF4U) {
        need = 3; cp = b0 & 0x07U; min = 0x10000;
    } else {
        return d;  // stray continuation byte, C0/C1 or F5..FF
    }
    std::size_t i = 1;
    for (; i <= need; ++i) {
        if (pos + i >= text.size()) return {kReplacementCharacter, i, false};
        const auto b = static_cast<unsigned char>(text[pos + i]);
        if (!is_continuation(b)) return {kReplacementCharacter, i, false};
        cp = (cp << 6U) | (b & 0x3FU);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return {kReplacementCharacter, need + 1, false};
    return {cp, need + 1, true};
}

std::size_t first_invalid_byte(std::string_view text) noexcept {
    std::size_t pos = 0;
    while (pos < text.size()) {
        // Fast path for ASCII runs, eight bytes at a time.
        if (static_cast<unsigned char>(text[pos]) < 0x80U) {
            ++pos;
            while (pos + 8 <= text.size()) {
                std::uint64_t block = 0;
                std::memcpy(&block, text.data() + pos, sizeof block);
                if ((block & 0x8080808080808080ULL) != 0) break;
                pos += 8;
            }
            continue;
        }
        const Decoded d = decode_at(text, pos);
        if (!d.valid) return pos;
        pos += d.length;
    }
    return text.size();
}

bool is_valid_utf8(std::string_view text) noexcept { return first_invalid_byte(text) == text.size(); }

Result<void> validate_utf8(std::string_view text) {
    const std::size_t bad = first_invalid_byte(text);
    if (bad == text.size()) return ok();
    return make_error(ErrorCode::Invalid,
                      "the text is not valid UTF-8 (bad byte sequence at byte " + std::to_string(bad) +
                          "); save it as UTF-8 and try again");
}

std::u32string decode_lossy(std::string_view text) {
    std::u32string out;
    out.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size();) {
        const Decoded d = decode_at(text, pos);
        out.push_back(d.code_point);
        pos += d.length;
    }
    return out;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = kReplacementCharacter;
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0U | (cp >> 6U)));
        out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0U | (cp >> 12U)));
        out.push_back(static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU)));
        out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
    } else {
        out.push_back(static_cast<char>(0xF0U | (cp >> 18U)));
        out.push_back(static_cast<char>(0x80U | ((cp >> 12U) & 0x3FU)));
        out.push_back(static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU)));
        out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
    }
}

std::size_t code_point_count(std::string_view text) noexcept {
    std::size_t n = 0;
    for (std::size_t pos = 0; pos < text.size(); ++n) {
        if (static_cast<unsigned char>(text[pos]) < 0x80U) {
            ++pos;
            // ASCII runs (nearly all text) are counted eight bytes at a time.
            while (pos + 8 <= text.size()) {
                std::uint64_t block = 0;
                std::memcpy(&block, text.data() + pos, sizeof block);
                if ((block & 0x8080808080808080ULL) != 0) break;
                pos += 8;
                n += 8;
            }
            continue;
        }
        pos += decode_at(text, pos).length;
    }
    return n;
}

OffsetMap::OffsetMap(std::string_view text) : m_size(text.size()) {
    m_starts.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size();) {
        m_starts.push_back(pos);
        pos += decode_at(text, pos).length;
    }
}

std::size_t OffsetMap::to_code_point(std::size_t byte_offset) const noexcept {
    if (byte_offset >= m_size) return m_starts.size();
    // The last start <= byte_offset.
    auto it = std::upper_bound(m_starts.begin(), m_starts.end(), byte_offset);
    return static_cast<std::size_t>(it - m_starts.begin()) - 1;
}

std::size_t OffsetMap::to_byte(std::size_t code_point_index) const noexcept {
    if (code_point_index >= m_starts.size()) return m_size;
    return m_starts[code_point_index];
}

}  // namespace clearpost::text
