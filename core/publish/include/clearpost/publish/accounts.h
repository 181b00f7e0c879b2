#pragma once
// Connecting a social account: its secret (a Bluesky app password, a
// Mastodon access token) sealed in the vault, the account marked connected
// and the act audited. The command line and the studio both call this.

#include <optional>
#include <string>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/model/model.h"
#include "clearpost/net/http.h"
#include "clearpost/oauth/authorize.h"
#include "clearpost/security/audit.h"
#include "clearpost/security/vault.h"
#include "clearpost/store/store.h"

namespace clearpost::publish {

struct AccountSecret {
    std::string secret;   // app password or access token; never logged
    std::string service;  // the account's server: a Bluesky PDS, a Mastodon instance (required there)
    std::string appview;  // Bluesky: where post counts are read (empty: the public AppView)
};

// Bluesky and Mastodon: the networks with a publisher and a way in without a
// browser sign-in.
bool connects_with_secret(const std::string& network);

// Whether `actor` may connect a `network` account on `service` (admins;
// Bluesky and Mastodon, which have a publisher and a way in without a
// browser sign-in; Mastodon needs its instance): checked before anyone is
// asked for a secret.
Result<void> check_connect(const model::User& actor, const std::string& network, const std::string& service);

// check_connect's refusals; NotFound for an account never added; Invalid
// for an empty secret.
Result<void> connect_account(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                             const model::User& actor, const std::string& network, const std::string& handle,
                             const AccountSecret& secret, UnixSeconds now);

// Mastodon through the browser (RFC 8252), instead of a pasted token:
// registers Clearpost as an app on the instance (POST /api/v1/apps: each
// instance issues its own client id and secret), runs the authorisation
// with PKCE on a loopback redirect (Mastodon ignores the port of a
// 127.0.0.1 redirect URI), checks that the person signed in as `handle`, and
// seals the token with the app's credentials (for refresh and revocation)
// as connect_account does. Refused like connect_account; Forbidden when the
// person denied access or signed in as another account; Io when the
// instance cannot be reached, the time ran out or the stop was requested.
struct BrowserSignIn {
    std::string instance;               // "https://mastodon.example"
    oauth::AuthorizeOptions authorize;  // the browser opener, the time allowed, a stop
};
Result<void> connect_mastodon_in_browser(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                                         net::HttpClient& http, const model::User& actor, const std::string& handle,
                                         const BrowserSignIn& sign_in, UnixSeconds now);

// connect_mastodon_in_browser in two halves, for a caller (the studio) that
// waits for the person on another thread than its database connection's:
// the sign-in touches only the network; the grant is then sealed.
struct MastodonGrant {
    std::string instance;
    std::string access_token;
    std::string refresh_token;  // empty: none issued
    std::optional<UnixSeconds> expires_at;
    std::string client_id;
    std::string client_secret;
};
Result<MastodonGrant> sign_in_to_mastodon(net::HttpClient& http, const std::string& handle,
                                          const BrowserSignIn& sign_in);
Result<void> save_mastodon_grant(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                                 const model::User& actor, const std::string& handle, const MastodonGrant& grant,
                                 UnixSeconds now);

// The scopes Clearpost asks a Mastodon instance for: post, upload media,
// read its own statuses back (metrics) and who the account is.
inline constexpr const char* kMastodonScopes = "write:statuses write:media read:statuses profile";

// Disconnects an account (admins): its credentials are revoked at the
// network where it can do that (Mastodon signed in through the browser:
// RFC 7009 at the instance), then forgotten, and the account is marked
// disconnected, audited. A queued post for it then stops as NeedsAttention
// when due ("not connected"), to be retried once it is connected again.
// A revocation that fails does not stop the disconnect: `note` then says
// where the person revokes Clearpost's access by hand, as it does for an
// app password or a pasted token, which Clearpost cannot revoke itself.
// NotFound for an unknown account, Conflict for one that is not connected.
struct Disconnected {
    bool revoked = false;  // the network confirmed the revocation
    std::string note;      // what the person still has to do, if anything
};
Result<Disconnected> disconnect_account(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                                        net::HttpClient& http, const model::User& actor, const std::string& network,
                                        const std::string& handle, UnixSeconds now);

// Where a publisher puts a post's images for a network that only takes
// images by URL (Instagram and Threads: Meta fetches them). Kept in the
// account's sealed credentials as "media_host" (see
// publishers/common/media_host.hpp), and kept when the account is
// connected again.
struct MediaHost {
    std::string kind;           // "put" (HTTP PUT / WebDAV) or "s3"
    std::string upload_url;     // put: where objects are PUT; s3: the bucket's endpoint URL
    std::string public_url;     // where the network fetches them
    std::string authorization;  // put: the Authorization header, if the target needs one
    std::string region;         // s3
    std::string access_key;     // s3
    std::string secret_key;     // s3
};
// Admins only, audited (without secrets). Invalid for a malformed setting;
// NotFound for an unknown account; Conflict when it is not connected yet.
Result<void> set_media_host(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                            const model::User& actor, const std::string& network, const std::string& handle,
                            const MediaHost& host, UnixSeconds now);

// An account as the accounts page and clearpostctl account list show it.
struct AccountView {
    model::Account account;
    bool has_credentials = false;  // something is sealed for it
    // From the credentials, once read_token_expiry has opened them:
    std::optional<UnixSeconds> token_expires_at;  // the access token's end, when it has one
    bool renews = false;                          // a refresh token renews it before then
};
Result<std::vector<AccountView>> account_views(store::Store& store);
// Fills in token_expires_at and renews for the accounts with credentials
// (an entry the vault cannot open is left as it is).
void read_token_expiry(std::vector<AccountView>& views, security::Vault& vault);
// Whether any account has credentials: only then is there a vault worth
// opening (opening one on a database without any creates its key).
bool any_connected(const std::vector<AccountView>& views);

}  // namespace clearpost::publish
