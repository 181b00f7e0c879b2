#pragma once
// Connecting an account of a network whose publisher signs in with OAuth
// (X, LinkedIn, Facebook, Instagram, Threads) through the system browser.
// The plugin's capabilities say how ("oauth": endpoints, scopes, client
// authentication, redirect port); the organisation's own registered app
// (client id, and secret where the network needs one) is kept in the vault;
// the plugin's authorize_complete checks who signed in and finishes the
// credentials (ids, long-lived tokens) before they are sealed.

#include <optional>
#include <string>

#include "clearpost/base/result.h"
#include "clearpost/model/model.h"
#include "clearpost/net/http.h"
#include "clearpost/oauth/authorize.h"
#include "clearpost/publish/host.h"
#include "clearpost/publish/plugins.h"
#include "clearpost/security/audit.h"
#include "clearpost/security/vault.h"
#include "clearpost/store/store.h"

namespace clearpost::publish {

// What the plugin declares about its network's sign-in.
struct OAuthSpec {
    std::string authorize_url;
    std::string token_url;
    std::string revocation_url;  // RFC 7009; empty: the network revokes only in its own settings
    std::vector<std::string> scopes;
    oauth::ClientAuth client_auth = oauth::ClientAuth::None;
    bool needs_client_secret = false;
    std::uint16_t redirect_port = 0;  // 0: any loopback port; else the registered one
    std::string redirect_path = "/callback";
    std::vector<std::pair<std::string, std::string>> extra_params;
};
// NotFound when no loaded plugin publishes to `network`; Invalid when it
// does not sign in with OAuth (Bluesky, Mastodon have their own ways).
Result<OAuthSpec> oauth_spec(PluginRegistry& plugins, const std::string& network);

// The organisation's own app registered with a network, kept as the vault's
// named secret "app:<network>" (sealed like an account's credentials).
struct AppRegistration {
    std::string client_id;
    std::string client_secret;  // empty for a public client (X)
    // Another server than the network's own, for a test or a regional API;
    // empty: the plugin's production endpoints.
    std::string authorize_url;
    std::string token_url;
    std::string revocation_url;
    std::string api_url;
};
// Admins only; audited (without the secret). Invalid when the network
// needs a secret and none is given, or the plugin does not use OAuth.
Result<void> set_app_registration(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                                  PluginRegistry& plugins, const model::User& actor, const std::string& network,
                                  const AppRegistration& app, UnixSeconds now);
// nullopt when none is stored.
Result<std::optional<AppRegistration>> app_registration(security::Vault& vault, const std::string& network);

// The sign-in itself, touching only the network (the studio runs it on a
// thread of its own): the browser, the loopback redirect with PKCE and
// state, the code exchange, then the plugin's authorize_complete. Returns
// the credentials document to seal. Forbidden when the person refused or
// signed in as another account than `handle`; Io when the network cannot
// be reached, the time ran out or the stop was requested.
Result<std::string> sign_in_with_oauth(PluginRegistry& plugins, PluginHost& host, net::HttpClient& http,
                                       const AppRegistration& app, const std::string& network,
                                       const std::string& handle, oauth::AuthorizeOptions options);

// Seals what sign_in_with_oauth returned, marks the account connected and
// audits it. Admins only; NotFound for an account never added.
Result<void> save_oauth_grant(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                              const model::User& actor, const std::string& network, const std::string& handle,
                              const std::string& credentials, UnixSeconds now);

// Bluesky through the browser with atproto OAuth (oauth::sign_in_atproto:
// PAR, PKCE, DPoP) instead of an app password: the credentials to seal with
// save_oauth_grant (the session's tokens, its DPoP key and where to renew
// them). `service` resolves the handle (default https://bsky.social); the
// account's own PDS comes from its DID document.
Result<std::string> sign_in_to_bluesky(net::HttpClient& http, const std::string& handle, const std::string& service,
                                       const std::string& appview, oauth::AuthorizeOptions options);

// Both halves, for clearpostctl: refused before the browser opens when the
// actor is not an admin, the account was never added, or the network needs
// an app registration that is missing (the message names the command).
Result<void> connect_with_oauth(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                                PluginRegistry& plugins, PluginHost& host, net::HttpClient& http,
                                const model::User& actor, const std::string& network, const std::string& handle,
                                const oauth::AuthorizeOptions& options, UnixSeconds now);

}  // namespace clearpost::publish
