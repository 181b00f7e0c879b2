#pragma once
// Proof Key for Code Exchange (RFC 7636, S256 only) and the `state` value of
// an authorisation request, both from OpenSSL's random generator.

#include <string>
#include <string_view>

#include "clearpost/crypto/crypto.h"

namespace clearpost::oauth {

struct Pkce {
    std::string verifier;   // 43 characters of [A-Za-z0-9-_] (32 random bytes)
    std::string challenge;  // BASE64URL(SHA256(verifier)), no padding
};

// A fresh verifier and its S256 challenge.
Pkce make_pkce();

// BASE64URL(SHA256(ASCII(verifier))) without padding (RFC 7636 section 4.2).
std::string s256_challenge(std::string_view verifier);

// True when `verifier` has the length and alphabet RFC 7636 section 4.1 allows.
bool is_valid_verifier(std::string_view verifier) noexcept;

// An unguessable `state` for one authorisation request (128 random bits).
std::string make_state();

// Base64 without padding in the URL-safe alphabet (RFC 4648 section 5).
std::string base64url(const crypto::Bytes& bytes);
// Base64 with padding in the standard alphabet (RFC 4648 section 4).
std::string base64(std::string_view bytes);

}  // namespace clearpost::oauth
