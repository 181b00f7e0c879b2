#include "clearpost/oauth/pkce.h"

namespace clearpost::oauth {
namespace {

constexpr char kStandard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrlSafe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

template <typename Byte>
std::string encode(const Byte* data, std::size_t size, const char* alphabet, bool pad) {
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const unsigned v = static_cast<unsigned>(static_cast<unsigned char>(data[i])) << 16 |
                           static_cast<unsigned>(static_cast<unsigned char>(data[i + 1])) << 8 |
                           static_cast<unsigned>(static_cast<unsigned char>(data[i + 2]));
        out.push_back(alphabet[v >> 18 & 63]);
        out.push_back(alphabet[v >> 12 & 63]);
        out.push_back(alphabet[v >> 6 & 63]);
        out.push_back(alphabet[v & 63]);
    }
    const std::size_t rest = size - i;
    if (rest > 0) {
        unsigned v = static_cast<unsigned>(static_cast<unsigned char>(data[i])) << 16;
        if (rest == 2) v |= static_cast<unsigned>(static_cast<unsigned char>(data[i + 1])) << 8;
        out.push_back(alphabet[v >> 18 & 63]);
        out.push_back(alphabet[v >> 12 & 63]);
        if (rest == 2) out.push_back(alphabet[v >> 6 & 63]);
        if (pad) out.append(rest == 2 ? "=" : "==");
    }
    return out;
}

bool is_unreserved(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

}  // namespace

std::string base64url(const crypto::Bytes& bytes) { return encode(bytes.data(), bytes.size(), kUrlSafe, false); }

std::string base64(std::string_view bytes) { return encode(bytes.data(), bytes.size(), kStandard, true); }

std::string s256_challenge(std::string_view verifier) {
    // sha256_hex always yields 64 hex digits, so decoding cannot fail.
    auto digest = crypto::from_hex(crypto::sha256_hex(verifier));
    return base64url(digest.value());
}

bool is_valid_verifier(std::string_view verifier) noexcept {
    if (verifier.size() < 43 || verifier.size() > 128) return false;
    for (const char c : verifier)
        if (!is_unreserved(c)) return false;
    return true;
}

Pkce make_pkce() {
    // 32 random bytes give the 43-character verifier RFC 7636 section 4.1 recommends.
    Pkce p;
    p.verifier = base64url(crypto::random_bytes(32));
    p.challenge = s256_challenge(p.verifier);
    return p;
}

std::string make_state() { return base64url(crypto::random_bytes(16)); }

}  // namespace clearpost::oauth
