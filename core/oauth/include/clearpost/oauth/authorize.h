#pragma once
// The whole native-app authorisation (RFC 8252) in one call: a loopback
// listener, PKCE S256 and `state`, the system browser, the one redirect, and
// the code exchange.

#include <chrono>
#include <stop_token>

#include "clearpost/base/result.h"
#include "clearpost/oauth/browser.h"
#include "clearpost/oauth/client.h"
#include "clearpost/oauth/loopback.h"

namespace clearpost::oauth {

struct AuthorizeOptions {
    LoopbackOptions loopback;
    std::chrono::milliseconds timeout{std::chrono::minutes(5)};  // for the person to sign in
    BrowserOpener open_browser;  // empty: open_in_system_browser
    std::stop_token stop;        // ends the wait early (Io), e.g. when the window closes
};

// Runs the flow and returns the account's first tokens. Errors: those of
// LoopbackListener::open and wait_for_code (Tampered on a wrong state,
// Forbidden when the person refused, Io on a timeout), of the browser
// opener, and of the code exchange (TokenError::to_error()).
Result<TokenSet> authorize(Client& client, const AuthorizeOptions& options);

}  // namespace clearpost::oauth
