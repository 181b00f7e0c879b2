#pragma once
// UTF-8 decoding, validation and offset mapping.
//
// Core strings are UTF-8 std::string. Findings and facets carry UTF-8 byte
// offsets (what Bluesky and our JSON contract use); the GUI wants code-point
// offsets. These functions never throw and never read past the input: an
// invalid sequence decodes as U+FFFD and consumes at least one byte, so a
// scanner over arbitrary bytes always terminates.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "clearpost/base/result.h"

namespace clearpost::text {

inline constexpr char32_t kReplacementCharacter = 0xFFFD;

struct Decoded {
    char32_t code_point = kReplacementCharacter;
    std::size_t length = 1;  // bytes consumed, always >= 1 when pos < size
    bool valid = false;
};

// Decodes the code point that starts at byte `pos` (pos < text.size()).
// Rejects overlong forms, surrogates and values above U+10FFFF.
Decoded decode_at(std::string_view text, std::size_t pos) noexcept;

// Ok when `text` is well-formed UTF-8; otherwise an Invalid error naming the
// byte offset of the first bad sequence.
Result<void> validate_utf8(std::string_view text);
bool is_valid_utf8(std::string_view text) noexcept;

// Byte offset of the first invalid sequence, or text.size() when valid.
std::size_t first_invalid_byte(std::string_view text) noexcept;

// Every code point of `text`; each invalid sequence becomes U+FFFD.
std::u32string decode_lossy(std::string_view text);

// Appends the UTF-8 encoding of `cp` (U+FFFD for values that cannot be encoded).
void append_utf8(std::string& out, char32_t cp);

// Number of code points; each invalid sequence counts as one.
std::size_t code_point_count(std::string_view text) noexcept;

// Maps between byte offsets and code-point offsets of one text. Building the
// map is O(n); each lookup is O(log n). A byte offset inside a multi-byte
// sequence maps to the code point that contains it.
class OffsetMap {
public:
    explicit OffsetMap(std::string_view text);

    std::size_t code_points() const noexcept { return m_starts.size(); }
    std::size_t bytes() const noexcept { return m_size; }
    // Code-point index for a byte offset in [0, bytes()]; bytes() maps to code_points().
    std::size_t to_code_point(std::size_t byte_offset) const noexcept;
    // Byte offset for a code-point index in [0, code_points()].
    std::size_t to_byte(std::size_t code_point_index) const noexcept;

private:
    std::vector<std::size_t> m_starts;  // byte offset where each code point starts
    std::size_t m_size = 0;
};

}  // namespace clearpost::text
