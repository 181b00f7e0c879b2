#pragma once
// Who is acting. Passwords are hashed with scrypt; roles are checked here and
// in the use cases, never only in a user interface.

#include <string>

#include "clearpost/base/result.h"
#include "clearpost/model/model.h"
#include "clearpost/store/store.h"

namespace clearpost::security {

// The user named `name` when `password` is theirs and they are active.
Result<model::User> authenticate(store::Store& store, const std::string& name,
                                 const std::string& password);

// Minimum rules for a new password: long enough to resist guessing.
Result<void> check_password_strength(const std::string& password);

}  // namespace clearpost::security
