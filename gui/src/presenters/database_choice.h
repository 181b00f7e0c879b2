#pragma once
// Which database the studio opens: the one given with --db, else the one
// chosen in File > Database... (kept in the user's config folder), else the
// embedded file. A team database's address is kept without its password;
// the password goes to the desktop keyring when the user asks for that.

#include <filesystem>
#include <string>

#include "clearpost/base/result.h"
#include "clearpost/security/keyring.h"

namespace clearpost::gui {

// The saved choice, or `embedded` when there is none (or it was reset).
std::string chosen_database(const std::filesystem::path& config_dir, const std::filesystem::path& embedded);

// Saves `location` (a file path or a postgresql:// URI without a password)
// as the studio's database; an empty location goes back to the embedded file.
Result<void> choose_database(const std::filesystem::path& config_dir, const std::string& location);

// Checks a team database before the studio switches to it: a postgresql://
// address without a password in it; connects with `password` (when given)
// or what is stored for it, and only then keeps the password in `keyring`
// when `remember` says so. Returns the location to open (with the password,
// so keep it out of messages: show store::redact_uri()).
Result<std::string> connect_team_database(const std::string& uri, const std::string& password, bool remember,
                                          security::Keyring& keyring);

}  // namespace clearpost::gui
