#include "clearpost/crypto/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>

namespace clearpost::crypto {
namespace {

constexpr char kHex[] = "0123456789abcdef";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Result<Bytes> scrypt_derive(std::string_view password, const Bytes& salt,
                            const ScryptParams& params, std::size_t length) {
    Bytes out(length);
    // 64 MiB covers N=2^15, r=8 (32 MiB) with room; OpenSSL refuses otherwise.
    constexpr std::uint64_t kMaxMem = 64ull * 1024 * 1024;
    if (EVP_PBE_scrypt(password.data(), password.size(), salt.data(), salt.size(), params.n,
                       params.r, params.p, kMaxMem, out.data(), out.size()) != 1) {
        return make_error(ErrorCode::Invalid, "scrypt parameters were refused");
    }
    return out;
}

}  // namespace

std::string to_hex(const Bytes& bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (auto b : bytes) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xF]);
    }
    return out;
}

Result<Bytes> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) return make_error(ErrorCode::Invalid, "hex text has an odd length");
    Bytes out(hex.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = hex_value(hex[2 * i]);
        const int lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return make_error(ErrorCode::Invalid, "text is not hexadecimal");
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return out;
}

Bytes sha256(std::string_view data) {
    Bytes digest(32);
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("OpenSSL SHA-256 failed");  // only on a broken libcrypto
    }
    return digest;
}

std::string sha256_hex(std::string_view data) { return to_hex(sha256(data)); }

std::string hmac_sha256_hex(const Bytes& key, std::string_view data) {
    Bytes mac(32);
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
             &len) == nullptr) {
        throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
    }
    return to_hex(mac);
}

Bytes random_bytes(std::size_t count) {
    Bytes out(count);
    if (RAND_bytes(out.data(), static_cast<int>(count)) != 1) {
        throw std::runtime_error("the system random generator failed");
    }
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {

struct CipherCtx {
    CipherCtx() : ctx(EVP_CIPHER_CTX_new()) {}
    ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
    CipherCtx(const CipherCtx&) = delete;
    CipherCtx& operator=(const CipherCtx&) = delete;
    EVP_CIPHER_CTX* ctx;
};

constexpr std::size_t kNonce = 12;
constexpr std::size_t kTag = 16;

}  // namespace

Result<Bytes> seal(const Bytes& key, std::string_view plaintext, std::string_view aad) {
    if (key.size() != 32) return make_error(ErrorCode::Invalid, "AES-256-GCM needs a 32-byte key");
    Bytes out = random_bytes(kNonce);
    out.resize(kNonce + plaintext.size() + kTag);
    CipherCtx c;
    int len = 0;
    const auto* in = reinterpret_cast<const unsigned char*>(plaintext.data());
    const auto* a = reinterpret_cast<const unsigned char*>(aad.data());
    if (!c.ctx || EVP_EncryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, key.data(), out.data()) != 1 ||
        EVP_EncryptUpdate(c.ctx, nullptr, &len, a, static_cast<int>(aad.size())) != 1 ||
        EVP_EncryptUpdate(c.ctx, out.data() + kNonce, &len, in, static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(c.ctx, out.data() + kNonce + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, kTag, out.data() + kNonce + plaintext.size()) != 1) {
        return make_error(ErrorCode::Storage, "encryption failed (OpenSSL)");
    }
    return out;
}

Result<std::string> open_sealed(const Bytes& key, const Bytes& sealed, std::string_view aad) {
    if (key.size() != 32) return make_error(ErrorCode::Invalid, "AES-256-GCM needs a 32-byte key");
    if (sealed.size() < kNonce + kTag) return make_error(ErrorCode::Corrupt, "the sealed value is truncated");
    const std::size_t n = sealed.size() - kNonce - kTag;
    std::string out(n, '\0');
    CipherCtx c;
    int len = 0;
    const auto* a = reinterpret_cast<const unsigned char*>(aad.data());
    Bytes tag(sealed.end() - kTag, sealed.end());
    if (!c.ctx || EVP_DecryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, key.data(), sealed.data()) != 1 ||
        EVP_DecryptUpdate(c.ctx, nullptr, &len, a, static_cast<int>(aad.size())) != 1 ||
        EVP_DecryptUpdate(c.ctx, reinterpret_cast<unsigned char*>(out.data()), &len, sealed.data() + kNonce,
                          static_cast<int>(n)) != 1 ||
        EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) != 1 ||
        EVP_DecryptFinal_ex(c.ctx, reinterpret_cast<unsigned char*>(out.data()) + len, &len) != 1) {
        return make_error(ErrorCode::Tampered, "a sealed value failed its integrity check (wrong key, or altered)");
    }
    return out;
}

Result<std::string> hash_password(std::string_view password, ScryptParams params) {
    const Bytes salt = random_bytes(16);
    CLEARPOST_ASSIGN(Bytes derived, scrypt_derive(password, salt, params, 32));
    return "scrypt$" + std::to_string(params.n) + "$" + std::to_string(params.r) + "$" +
           std::to_string(params.p) + "$" + to_hex(salt) + "$" + to_hex(derived);
}

Result<bool> verify_password(std::string_view password, std::string_view encoded) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const auto pos = encoded.find('$', start);
        parts.push_back(encoded.substr(start, pos - start));
        if (pos == std::string_view::npos) break;
        start = pos + 1;
    }
    const Error malformed{ErrorCode::Corrupt, "the stored password hash is malformed"};
    if (parts.size() != 6 || parts[0] != "scrypt") return malformed;
    ScryptParams params;
    auto parse = [](std::string_view s, auto& out) {
        auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        return ec == std::errc{} && ptr == s.data() + s.size();
    };
    if (!parse(parts[1], params.n) || !parse(parts[2], params.r) || !parse(parts[3], params.p))
        return malformed;
    auto salt = from_hex(parts[4]);
    auto expected = from_hex(parts[5]);
    if (!salt || !expected || expected->empty()) return malformed;
    CLEARPOST_ASSIGN(Bytes derived, scrypt_derive(password, *salt, params, expected->size()));
    return CRYPTO_memcmp(derived.data(), expected->data(), derived.size()) == 0;
}

Result<Bytes> derive_key_scrypt(std::string_view passphrase, const Bytes& salt, const ScryptParams& params,
                                std::size_t length) {
    if (salt.size() < 16) return make_error(ErrorCode::Invalid, "an scrypt salt needs at least 16 bytes");
    return scrypt_derive(passphrase, salt, params, length);
}

}  // namespace clearpost::crypto
