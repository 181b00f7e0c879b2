#pragma once

#include <string_view>

namespace clearpost {

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or values
// past U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace clearpost
