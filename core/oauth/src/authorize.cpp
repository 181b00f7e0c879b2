#include "clearpost/oauth/authorize.h"

#include "clearpost/oauth/pkce.h"

namespace clearpost::oauth {

Result<TokenSet> authorize(Client& client, const AuthorizeOptions& options) {
    // Listening before the browser opens, so the redirect always finds us.
    CLEARPOST_ASSIGN(auto listener, LoopbackListener::open(options.loopback));
    const Pkce pkce = make_pkce();
    const std::string state = make_state();
    const std::string url = build_authorization_url(client.config(), listener.redirect_uri(), state, pkce.challenge);
    CLEARPOST_CHECK(options.open_browser ? options.open_browser(url) : open_in_system_browser(url));
    CLEARPOST_ASSIGN(const std::string code, listener.wait_for_code(state, options.timeout, options.stop));
    auto tokens = client.exchange_code(code, listener.redirect_uri(), pkce.verifier);
    if (auto* e = std::get_if<TokenError>(&tokens)) return e->to_error();
    return std::get<TokenSet>(std::move(tokens));
}

}  // namespace clearpost::oauth
