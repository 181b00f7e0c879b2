#pragma once
// The password of a team database's role, kept out of the URI people type
// and out of the database it unlocks: at a desk in the desktop keyring
// (`clearpostctl db login`), for the headless service in the systemd
// credential `clearpost-db-password` ($CREDENTIALS_DIRECTORY). A client
// certificate needs no secret here: libpq reads the files named by the URI's
// sslcert and sslkey.
//
// A password is filed under the URI without any password in it, as typed
// (user, host, port, database and options), so each role on each server has
// its own entry.

#include <string>

#include "clearpost/base/result.h"
#include "clearpost/security/keyring.h"

namespace clearpost::security {

// `location` with the stored password added when it is a postgresql:// URI
// that names none: the service's credential first, then the keyring. A file
// path, a URI that has a password, or a URI with nothing stored comes back
// unchanged (libpq may still find ~/.pgpass). Keep the result out of
// messages: show store::redact_uri(result).
Result<std::string> with_stored_password(const std::string& location, Keyring& keyring);

// Files `password` for `uri` in the keyring, replacing an older one.
Result<void> remember_database_password(const std::string& uri, const std::string& password, Keyring& keyring);
// Removes the stored password for `uri`; false when there was none.
Result<bool> forget_database_password(const std::string& uri, Keyring& keyring);

// `uri` with `password` in it (percent-encoded), for a connection attempt.
std::string uri_with_password(const std::string& uri, const std::string& password);

}  // namespace clearpost::security
