#pragma once
// Opening the system browser for an authorisation request (RFC 8252: never
// an embedded web view). Injected as a function, so tests can drive the
// network's sign-in pages over HTTP instead.

#include <functional>
#include <string>
#include <vector>

#include "clearpost/base/result.h"

namespace clearpost::oauth {

// Starts showing `url` to the person and returns without waiting for them.
using BrowserOpener = std::function<Result<void>(const std::string& url)>;

// The desktop's default browser through `xdg-open`. NotFound when xdg-open is
// not installed (a server without a desktop: open the address elsewhere).
Result<void> open_in_system_browser(const std::string& url);

// Runs `argv` (argv[0] looked up on PATH) in a session of its own with its
// input and output on /dev/null, and returns once it was started; nobody
// waits for it. NotFound when argv[0] is not found, Io when it cannot start.
Result<void> spawn_detached(const std::vector<std::string>& argv);

}  // namespace clearpost::oauth
