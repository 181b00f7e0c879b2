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
