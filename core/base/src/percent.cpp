#include "clearpost/base/percent.h"

namespace clearpost {

std::string percent_encode(std::string_view text, bool space_as_plus) {
    static constexpr char kHexUpper[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out.push_back(ch);
        } else if (c == ' ' && space_as_plus) {
            out.push_back('+');
        } else {
            out.push_back('%');
            out.push_back(kHexUpper[c >> 4]);
            out.push_back(kHexUpper[c & 0xF]);
        }
    }
    return out;
}

}  // namespace clearpost
