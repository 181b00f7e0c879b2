#include "clearpost/security/users.h"

#include "clearpost/crypto/crypto.h"

namespace clearpost::security {

Result<model::User> authenticate(store::Store& store, const std::string& name,
                                 const std::string& password) {
    CLEARPOST_ASSIGN(auto user, store.find_user(name));
    if (!user) {
        return make_error(ErrorCode::NotFound, "no user named '" + name +
                                                   "'; list users with: clearpostctl user list");
    }
    if (!user->active) {
        return make_error(ErrorCode::Forbidden, "the user '" + name +
                                                    "' is deactivated; ask an administrator");
    }
    CLEARPOST_ASSIGN(bool matches, crypto::verify_password(password, user->password_hash));
    if (!matches) {
        return make_error(ErrorCode::Unauthenticated,
                          "wrong password for '" + name + "'; set CLEARPOST_PASSWORD or type it again");
    }
    return std::move(*user);
}

Result<void> check_password_strength(const std::string& password) {
    if (password.size() < 10) {
        return make_error(ErrorCode::Invalid,
                          "the password is too short; use at least 10 characters (a passphrase is best)");
    }
    return ok();
}

}  // namespace clearpost::security
