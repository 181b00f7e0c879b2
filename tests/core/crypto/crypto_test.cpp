#include "clearpost/crypto/crypto.h"

#include <catch2/catch.hpp>

using namespace clearpost;
using namespace clearpost::crypto;

TEST_CASE("SHA-256 and HMAC-SHA256 match the published test vectors") {
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // RFC 4231, test case 2.
    const std::string key = "Jefe";
    CHECK(hmac_sha256_hex(Bytes(key.begin(), key.end()), "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("hex decoding refuses what is not hex") {
    CHECK(to_hex(*from_hex("00ff7a")) == "00ff7a");
    CHECK_FALSE(from_hex("abc").ok());
    CHECK_FALSE(from_hex("zz").ok());
}

TEST_CASE("scrypt password hashes verify the right password only") {
    const ScryptParams fast{1 << 10, 8, 1};  // cheap for tests; production uses 2^15
    auto hash = hash_password("correct horse", fast);
    REQUIRE(hash.ok());
    CHECK(hash->rfind("scrypt$1024$8$1$", 0) == 0);
    CHECK(*verify_password("correct horse", *hash));
    CHECK_FALSE(*verify_password("correct horse!", *hash));
    // Two hashes of one password differ (fresh salt each time).
    CHECK(*hash_password("correct horse", fast) != *hash);
    CHECK(verify_password("x", "scrypt$oops").error().code == ErrorCode::Corrupt);
}

TEST_CASE("AES-256-GCM sealing round-trips and detects tampering and moved values") {
    const Bytes key = random_bytes(32);
    auto sealed = seal(key, "app-password-1234", "account 7");
    REQUIRE(sealed.ok());
    CHECK(sealed->size() == 12 + 17 + 16);
    CHECK(*open_sealed(key, *sealed, "account 7") == "app-password-1234");
    // A fresh nonce each time: the same secret never seals to the same bytes.
    CHECK(*seal(key, "app-password-1234", "account 7") != *sealed);
    CHECK(open_sealed(key, *sealed, "account 8").error().code == ErrorCode::Tampered);
    auto flipped = *sealed;
    flipped[14] ^= 1;
    CHECK(open_sealed(key, flipped, "account 7").error().code == ErrorCode::Tampered);
    CHECK(open_sealed(random_bytes(32), *sealed, "account 7").error().code == ErrorCode::Tampered);
    CHECK(open_sealed(key, Bytes(5), "account 7").error().code == ErrorCode::Corrupt);
}

TEST_CASE("a key derived from a passphrase depends on the passphrase, the salt and the cost") {
    const Bytes salt = random_bytes(16);
    const ScryptParams cheap{1 << 10, 8, 1};
    auto a = derive_key_scrypt("correct horse battery staple", salt, cheap);
    REQUIRE(a.ok());
    CHECK(a->size() == 32);
    CHECK(*derive_key_scrypt("correct horse battery staple", salt, cheap) == *a);
    CHECK(*derive_key_scrypt("correct horse battery stapler", salt, cheap) != *a);
    CHECK(*derive_key_scrypt("correct horse battery staple", random_bytes(16), cheap) != *a);
    CHECK(*derive_key_scrypt("correct horse battery staple", salt, ScryptParams{1 << 11, 8, 1}) != *a);
    auto short_salt = derive_key_scrypt("correct horse battery staple", Bytes(8), cheap);
    REQUIRE_FALSE(short_salt.ok());
    CHECK(short_salt.error().code == ErrorCode::Invalid);
}

TEST_CASE("ES256 keys sign in JWS form and only the matching key verifies") {
    const auto pem = crypto::generate_es256_key();
    REQUIRE(pem.ok());
    CHECK_THAT(*pem, Catch::StartsWith("-----BEGIN PRIVATE KEY-----"));
    const auto pub = crypto::es256_public_key(*pem);
    REQUIRE(pub.ok());
    CHECK(pub->x.size() == 32);
    CHECK(pub->y.size() == 32);
    const auto signature = crypto::es256_sign(*pem, "header.payload");
    REQUIRE(signature.ok());
    CHECK(signature->size() == 64);  // R || S, not DER
    CHECK(*crypto::es256_verify(*pub, "header.payload", *signature));
    CHECK_FALSE(*crypto::es256_verify(*pub, "header.payload2", *signature));
    auto flipped = *signature;
    flipped[10] ^= 1;
    CHECK_FALSE(*crypto::es256_verify(*pub, "header.payload", flipped));
    const auto other = crypto::es256_public_key(*crypto::generate_es256_key());
    CHECK_FALSE(*crypto::es256_verify(*other, "header.payload", *signature));
    // A key of another curve, or not a key at all, is refused with words.
    CHECK(crypto::es256_sign("not a key", "x").error().code == ErrorCode::Corrupt);
}
