#pragma once
// Thin, typed wrappers over OpenSSL 3. The only place in core/ that includes
// OpenSSL headers, so the rest of core stays light to compile.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "clearpost/base/result.h"

namespace clearpost::crypto {

using Bytes = std::vector<std::uint8_t>;

std::string to_hex(const Bytes& bytes);
Result<Bytes> from_hex(std::string_view hex);

// SHA-256 of the bytes of `data`, as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

// SHA-256 of the bytes of `data` (32 bytes).
Bytes sha256(std::string_view data);

// HMAC-SHA256(key, data), as 64 lowercase hex digits.
std::string hmac_sha256_hex(const Bytes& key, std::string_view data);

// Cryptographically secure random bytes (OpenSSL's RAND_bytes).
Bytes random_bytes(std::size_t count);

// Compares in time independent of where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

// AES-256-GCM with a fresh random 96-bit nonce per call. The sealed form is
// nonce || ciphertext || 128-bit tag; `aad` is authenticated, not stored, so
// a sealed value moved to another record (another aad) fails to open.
Result<Bytes> seal(const Bytes& key, std::string_view plaintext, std::string_view aad);
Result<std::string> open_sealed(const Bytes& key, const Bytes& sealed, std::string_view aad);

// Password hashing with scrypt (RFC 7914). The encoded form carries its own
// parameters and salt: "scrypt$N$r$p$salt_hex$hash_hex", so parameters can be
// raised later without invalidating stored hashes.
struct ScryptParams {
    std::uint64_t n = 1 << 15;
    std::uint32_t r = 8;
    std::uint32_t p = 1;
};
Result<std::string> hash_password(std::string_view password, ScryptParams params = {});
// Ok(true) when `password` matches; Ok(false) on a mismatch; an error when the
// stored hash is malformed.
Result<bool> verify_password(std::string_view password, std::string_view encoded);

// A key of `length` bytes derived from a passphrase with scrypt (RFC 7914),
// e.g. to wrap another key. The caller keeps the salt and parameters.
Result<Bytes> derive_key_scrypt(std::string_view passphrase, const Bytes& salt, const ScryptParams& params,
                                std::size_t length = 32);

// ES256: ECDSA on P-256 with SHA-256 (RFC 7518 section 3.4), for DPoP
// proofs (RFC 9449). Private keys travel as PKCS#8 PEM, to be sealed in the
// vault with the session they are bound to.
Result<std::string> generate_es256_key();
// The public half as the JWK members "x" and "y" (32 bytes each, big endian).
struct EcPublicKey {
    Bytes x;
    Bytes y;
};
Result<EcPublicKey> es256_public_key(std::string_view private_pem);
// The signature of `data` in JWS form: R || S, 32 bytes each.
Result<Bytes> es256_sign(std::string_view private_pem, std::string_view data);
// Checks a JWS-form signature with the public key (tests, and peers' proofs).
Result<bool> es256_verify(const EcPublicKey& key, std::string_view data, const Bytes& signature);

}  // namespace clearpost::crypto
