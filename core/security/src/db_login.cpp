#include "clearpost/security/db_login.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "clearpost/base/percent.h"
#include "clearpost/store/store.h"

namespace clearpost::security {
namespace {

constexpr const char* kKeyId = "database-password";
constexpr const char* kCredentialName = "clearpost-db-password";

bool has_password(const std::string& uri) { return store::uri_without_password(uri) != uri; }

// The service's credential, read when its folder holds one.
Result<std::optional<std::string>> credential_password() {
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (!dir || !*dir) return std::optional<std::string>{};
    const auto path = std::filesystem::path(dir) / kCredentialName;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::optional<std::string>{};
    if ((st.st_mode & 007) != 0) {
        return make_error(ErrorCode::Forbidden, "the database password credential " + path.string() +
                                                    " can be read by other users; make it 0600 (systemd's "
                                                    "LoadCredential does)");
    }
    std::ifstream in(path, std::ios::binary);
    std::string password((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
        return make_error(ErrorCode::Io, "cannot read the database password credential " + path.string());
    }
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
    return std::optional<std::string>{std::move(password)};
}

}  // namespace

std::string uri_with_password(const std::string& uri, const std::string& password) {
    const std::string bare = store::uri_without_password(uri);
    return bare + (bare.find('?') == std::string::npos ? "?" : "&") + "password=" + percent_encode(password);
}

Result<std::string> with_stored_password(const std::string& location, Keyring& keyring) {
    if (!store::is_postgres_uri(location) || has_password(location)) return location;
    CLEARPOST_ASSIGN(auto credential, credential_password());
    if (credential) return uri_with_password(location, *credential);
    std::string why;
    if (!keyring.available(why)) return location;
    CLEARPOST_ASSIGN(auto stored, keyring.lookup(store::uri_without_password(location), kKeyId));
    return stored ? uri_with_password(location, *stored) : location;
}

Result<void> remember_database_password(const std::string& uri, const std::string& password, Keyring& keyring) {
    std::string why;
    if (!keyring.available(why)) {
        return make_error(ErrorCode::Incompatible,
                          "there is no desktop keyring to keep the password in (" + why +
                              "); a service gets it as the systemd credential clearpost-db-password, and libpq "
                              "also reads ~/.pgpass");
    }
    const std::string key = store::uri_without_password(uri);
    return keyring.store(key, kKeyId, password, "Clearpost database password (" + key + ")");
}

Result<bool> forget_database_password(const std::string& uri, Keyring& keyring) {
    std::string why;
    if (!keyring.available(why)) return make_error(ErrorCode::Incompatible, "no desktop keyring: " + why);
    const std::string key = store::uri_without_password(uri);
    CLEARPOST_ASSIGN(auto stored, keyring.lookup(key, kKeyId));
    if (!stored) return false;
    CLEARPOST_CHECK(keyring.remove(key, kKeyId));
    return true;
}

}  // namespace clearpost::security
