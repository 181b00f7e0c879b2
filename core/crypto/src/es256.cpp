// ES256 with OpenSSL 3's EVP interfaces (no deprecated EC_KEY calls).

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <memory>

#include "clearpost/crypto/crypto.h"

namespace clearpost::crypto {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using Sig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using Bn = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

constexpr std::size_t kCoordinate = 32;  // P-256

Error failed(const std::string& what) { return {ErrorCode::Io, "ES256: " + what + " failed in OpenSSL"}; }

Result<Pkey> read_private(std::string_view pem) {
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return failed("reading the key");
    Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key || !EVP_PKEY_is_a(key.get(), "EC"))
        return Error{ErrorCode::Corrupt, "the stored DPoP key is not a P-256 private key; connect the account again"};
    char group[64] = {};
    if (EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, nullptr) != 1 ||
        std::string_view(group) != "prime256v1")
        return Error{ErrorCode::Corrupt, "the stored DPoP key is not on P-256; connect the account again"};
    return key;
}

}  // namespace

Result<std::string> generate_es256_key() {
    Pkey key(EVP_EC_gen("P-256"));
    if (!key) return failed("making a key");
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return failed("writing the key");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

Result<EcPublicKey> es256_public_key(std::string_view private_pem) {
    CLEARPOST_ASSIGN(auto key, read_private(private_pem));
    BIGNUM* x = nullptr;
    BIGNUM* y = nullptr;
    if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
        EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1) {
        BN_free(x);
        return failed("reading the public key");
    }
    Bn bx(x), by(y);
    EcPublicKey out{Bytes(kCoordinate), Bytes(kCoordinate)};
    if (BN_bn2binpad(bx.get(), out.x.data(), kCoordinate) != kCoordinate ||
        BN_bn2binpad(by.get(), out.y.data(), kCoordinate) != kCoordinate)
        return failed("encoding the public key");
    return out;
}

Result<Bytes> es256_sign(std::string_view private_pem, std::string_view data) {
    CLEARPOST_ASSIGN(auto key, read_private(private_pem));
    MdCtx ctx(EVP_MD_CTX_new());
    std::size_t der_size = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &der_size, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
        return failed("signing");
    Bytes der(der_size);
    if (EVP_DigestSign(ctx.get(), der.data(), &der_size, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
        return failed("signing");
    // OpenSSL gives DER (SEQUENCE of two INTEGERs); JWS wants R || S.
    const unsigned char* p = der.data();
    Sig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_size)));
    if (!sig) return failed("decoding the signature");
    Bytes out(2 * kCoordinate);
    if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.data(), kCoordinate) != kCoordinate ||
        BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.data() + kCoordinate, kCoordinate) != kCoordinate)
        return failed("encoding the signature");
    return out;
}

Result<bool> es256_verify(const EcPublicKey& key, std::string_view data, const Bytes& signature) {
    if (key.x.size() != kCoordinate || key.y.size() != kCoordinate || signature.size() != 2 * kCoordinate) return false;
    // The uncompressed point 0x04 || X || Y, as a public key of group P-256.
    Bytes point{0x04};
    point.insert(point.end(), key.x.begin(), key.x.end());
    point.insert(point.end(), key.y.begin(), key.y.end());
    std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>> build(OSSL_PARAM_BLD_new());
    if (!build || OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
        return failed("building the public key");
    std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>> params(OSSL_PARAM_BLD_to_param(build.get()));
    std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>> pctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !pctx || EVP_PKEY_fromdata_init(pctx.get()) != 1 ||
        EVP_PKEY_fromdata(pctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return false;  // not a point on the curve
    Pkey pub(raw);
    Sig sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(signature.data(), kCoordinate, nullptr);
    BIGNUM* s = BN_bin2bn(signature.data() + kCoordinate, kCoordinate, nullptr);
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return failed("reading the signature");
    }
    unsigned char* der = nullptr;
    const int der_size = i2d_ECDSA_SIG(sig.get(), &der);
    if (der_size <= 0) return failed("encoding the signature");
    MdCtx ctx(EVP_MD_CTX_new());
    const int verdict = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pub.get()) == 1
                            ? EVP_DigestVerify(ctx.get(), der, static_cast<std::size_t>(der_size),
                                               reinterpret_cast<const unsigned char*>(data.data()), data.size())
                            : -1;
    OPENSSL_free(der);
    return verdict == 1;
}

}  // namespace clearpost::crypto
