#include "clearpost/publish/accounts.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "clearpost/oauth/dpop.h"
#include "clearpost/workflow/admin.h"

namespace clearpost::publish {

bool connects_with_secret(const std::string& network) { return network == "bluesky" || network == "mastodon"; }

Result<void> check_connect(const model::User& actor, const std::string& network, const std::string& service) {
    CLEARPOST_CHECK(workflow::require_admin(actor, "connect accounts"));
    // Storing a password for any other network would look like success and
    // publish nothing.
    if (!connects_with_secret(network)) {
        return make_error(ErrorCode::Invalid, network + " accounts connect by signing in through the browser with the "
                                                        "organisation's registered app, not with a pasted secret: "
                                                        "clearpostctl account connect " + network +
                                                        " HANDLE (docs/app-registration.md)");
    }
    if (network == "mastodon" && service.empty()) {
        return make_error(ErrorCode::Invalid,
                          "a Mastodon account needs its instance (--service https://INSTANCE in clearpostctl)");
    }
    return ok();
}

Result<void> connect_account(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                             const model::User& actor, const std::string& network, const std::string& handle,
                             const AccountSecret& secret, UnixSeconds now) {
    CLEARPOST_CHECK(check_connect(actor, network, secret.service));
    CLEARPOST_ASSIGN(auto account, store.find_account(network, handle));
    if (!account) {
        return make_error(ErrorCode::NotFound, "no account " + network + ":" + handle + "; add it first");
    }
    const bool mastodon = network == "mastodon";
    if (secret.secret.empty()) {
        return make_error(ErrorCode::Invalid, mastodon ? "enter the account's access token" : "enter the app password");
    }
    nlohmann::json creds = mastodon ? nlohmann::json{{"access_token", secret.secret}}
                                    : nlohmann::json{{"identifier", handle}, {"app_password", secret.secret}};
    if (!secret.service.empty()) creds["service"] = secret.service;
    if (!secret.appview.empty()) creds["appview"] = secret.appview;
    CLEARPOST_CHECK(store.transaction([&]() -> Result<void> {
        CLEARPOST_CHECK(vault.put(account->id, creds.dump(), now));
        CLEARPOST_CHECK(store.set_account_status(account->id, "connected"));
        return audit.append({actor.name, "account.connect", "account " + std::to_string(account->id),
                             network + ":" + handle},
                            now);
    }));
    return audit.anchor();
}

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// What a failed instance call says, for people.
Error instance_error(const net::HttpResult& r, const std::string& doing) {
    if (const auto* f = std::get_if<net::HttpFailure>(&r)) {
        return make_error(ErrorCode::Io, doing + ": " + f->message + "; check the instance address and the network");
    }
    const auto& response = std::get<net::HttpResponse>(r);
    const auto body = nlohmann::json::parse(response.body, nullptr, false);
    std::string said = body.is_object() && body.contains("error") && body["error"].is_string()
                           ? body["error"].get<std::string>()
                           : "HTTP " + std::to_string(response.status);
    return make_error(response.status >= 500 || response.status == 429 ? ErrorCode::Io : ErrorCode::Invalid,
                      doing + ": the instance answered " + said);
}

}  // namespace

Result<MastodonGrant> sign_in_to_mastodon(net::HttpClient& http, const std::string& handle,
                                          const BrowserSignIn& sign_in) {
    std::string instance = sign_in.instance;
    while (!instance.empty() && instance.back() == '/') instance.pop_back();
    if (instance.empty()) return make_error(ErrorCode::Invalid, "enter the Mastodon instance, e.g. https://mastodon.social");

    // methods/apps#create: the redirect without a port, which the instance
    // matches against any port of 127.0.0.1.
    const std::string redirect = "http://127.0.0.1" + sign_in.authorize.loopback.path;
    const auto registered = http.send({"POST", instance + "/api/v1/apps",
                                       {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}},
                                       oauth::form_encode({{"client_name", "Clearpost"},
                                                           {"redirect_uris", redirect},
                                                           {"scopes", kMastodonScopes}}),
                                       std::chrono::seconds(15), {}, {}});
    const auto* app_response = std::get_if<net::HttpResponse>(&registered);
    if (!app_response || app_response->status != 200) return instance_error(registered, "registering Clearpost");
    const auto app = nlohmann::json::parse(app_response->body, nullptr, false);
    if (!app.is_object() || !app.contains("client_id") || !app["client_id"].is_string() ||
        !app.contains("client_secret") || !app["client_secret"].is_string()) {
        return make_error(ErrorCode::Invalid, "registering Clearpost: the instance's answer has no client id and secret");
    }
    oauth::ClientConfig config;
    config.authorization_endpoint = instance + "/oauth/authorize";
    config.token_endpoint = instance + "/oauth/token";
    config.revocation_endpoint = instance + "/oauth/revoke";
    config.client_id = app["client_id"].get<std::string>();
    config.client_secret = app["client_secret"].get<std::string>();
    config.auth = oauth::ClientAuth::SecretPost;
    config.scopes = {"write:statuses", "write:media", "read:statuses", "profile"};
    oauth::Client client(config, http);
    CLEARPOST_ASSIGN(auto tokens, oauth::authorize(client, sign_in.authorize));

    // The person may have been signed in to the instance as someone else.
    const auto me = http.send({"GET", instance + "/api/v1/accounts/verify_credentials",
                               {{"Authorization", "Bearer " + tokens.access_token}, {"Accept", "application/json"}},
                               "", std::chrono::seconds(15), {tokens.access_token}, {}});
    const auto* me_response = std::get_if<net::HttpResponse>(&me);
    if (!me_response || me_response->status != 200) return instance_error(me, "checking who signed in");
    const auto who = nlohmann::json::parse(me_response->body, nullptr, false);
    const std::string username = who.is_object() && who.contains("username") && who["username"].is_string()
                                     ? who["username"].get<std::string>()
                                     : std::string();
    std::string expected = handle;
    if (!expected.empty() && expected.front() == '@') expected.erase(0, 1);
    expected = expected.substr(0, expected.find('@'));
    if (username.empty() || lower(username) != lower(expected)) {
        // The token is of no use to us: give it back.
        client.revoke(tokens.access_token, "access_token");
        return make_error(ErrorCode::Forbidden, "the browser signed in as @" + username + ", not @" + expected +
                                                    "; sign out of the instance there and connect again");
    }
    return MastodonGrant{instance,          tokens.access_token, tokens.refresh_token, tokens.expires_at,
                         config.client_id, config.client_secret};
}

Result<void> save_mastodon_grant(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                                 const model::User& actor, const std::string& handle, const MastodonGrant& grant,
                                 UnixSeconds now) {
    CLEARPOST_CHECK(check_connect(actor, "mastodon", grant.instance));
    CLEARPOST_ASSIGN(auto account, store.find_account("mastodon", handle));
    if (!account) return make_error(ErrorCode::NotFound, "no account mastodon:" + handle + "; add it first");
    nlohmann::json creds{{"service", grant.instance},
                         {"access_token", grant.access_token},
                         {"client_id", grant.client_id},
                         {"client_secret", grant.client_secret}};
    if (!grant.refresh_token.empty()) creds["refresh_token"] = grant.refresh_token;
    if (grant.expires_at) creds["expires_at"] = *grant.expires_at;
    CLEARPOST_CHECK(store.transaction([&]() -> Result<void> {
        CLEARPOST_CHECK(vault.put(account->id, creds.dump(), now));
        CLEARPOST_CHECK(store.set_account_status(account->id, "connected"));
        return audit.append({actor.name, "account.connect", "account " + std::to_string(account->id),
                             "mastodon:" + handle + " signed in through the browser"},
                            now);
    }));
    return audit.anchor();
}

Result<void> connect_mastodon_in_browser(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                                         net::HttpClient& http, const model::User& actor, const std::string& handle,
                                         const BrowserSignIn& sign_in, UnixSeconds now) {
    // Refused before the person is sent to the browser.
    CLEARPOST_CHECK(check_connect(actor, "mastodon", sign_in.instance));
    CLEARPOST_ASSIGN(auto account, store.find_account("mastodon", handle));
    if (!account) return make_error(ErrorCode::NotFound, "no account mastodon:" + handle + "; add it first");
    CLEARPOST_ASSIGN(auto grant, sign_in_to_mastodon(http, handle, sign_in));
    return save_mastodon_grant(store, vault, audit, actor, handle, grant, now);
}

Result<Disconnected> disconnect_account(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                                        net::HttpClient& http, const model::User& actor, const std::string& network,
                                        const std::string& handle, UnixSeconds now) {
    CLEARPOST_CHECK(workflow::require_admin(actor, "disconnect accounts"));
    CLEARPOST_ASSIGN(auto account, store.find_account(network, handle));
    if (!account) return make_error(ErrorCode::NotFound, "no account " + network + ":" + handle);
    CLEARPOST_ASSIGN(auto sealed, store.sealed_credentials(account->id));
    if (!sealed) return make_error(ErrorCode::Conflict, network + ":" + handle + " is not connected");
    CLEARPOST_ASSIGN(auto plain, vault.get(account->id));
    const auto creds = nlohmann::json::parse(plain, nullptr, false);
    auto field = [&](const char* name) {
        return creds.is_object() && creds.contains(name) && creds[name].is_string() ? creds[name].get<std::string>()
                                                                                    : std::string();
    };
    Disconnected out;
    if (network == "mastodon" && !field("client_id").empty() && !field("client_secret").empty()) {
        oauth::ClientConfig config;
        config.token_endpoint = field("service") + "/oauth/token";
        config.revocation_endpoint = field("service") + "/oauth/revoke";
        config.client_id = field("client_id");
        config.client_secret = field("client_secret");
        config.auth = oauth::ClientAuth::SecretPost;
        oauth::Client client(config, http);
        if (auto failed = client.revoke(field("access_token"), "access_token")) {
            out.note = "the instance could not be told (" + failed->message +
                       "); remove Clearpost under Preferences > Account > Authorized apps on " + field("service");
        } else {
            out.revoked = true;
        }
    } else if (network == "mastodon") {
        out.note = "Clearpost cannot revoke a pasted access token; delete it under Preferences > Development on " +
                   field("service");
    } else if (!field("dpop_revocation_url").empty() && !field("dpop_key").empty()) {
        // An atproto OAuth session: RFC 7009 with a DPoP proof, as its server asks.
        net::HttpRequest r;
        r.method = "POST";
        r.url = field("dpop_revocation_url");
        r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
        r.body = oauth::form_encode({{"token", field("refresh_token")}, {"client_id", field("client_id")}});
        r.secrets = {field("refresh_token")};
        oauth::DpopNonces nonces;
        const auto answer = oauth::dpop_send(http, r, field("dpop_key"), {}, nonces);
        const auto* response = std::get_if<net::HttpResponse>(&answer);
        if (response && response->status == 200) {
            out.revoked = true;
        } else {
            out.note = "Bluesky could not be told; sign Clearpost's session out in Bluesky's settings";
        }
    } else if (!field("revocation_url").empty()) {
        // Signed in through the browser (connect_with_oauth): RFC 7009 at the network.
        oauth::ClientConfig config;
        config.revocation_endpoint = field("revocation_url");
        config.client_id = field("client_id");
        config.client_secret = field("client_secret");
        config.auth = field("client_auth") == "basic" ? oauth::ClientAuth::SecretBasic
                      : field("client_auth") == "post" ? oauth::ClientAuth::SecretPost
                                                       : oauth::ClientAuth::None;
        oauth::Client client(config, http);
        const bool has_refresh = !field("refresh_token").empty();
        if (auto failed = client.revoke(field(has_refresh ? "refresh_token" : "access_token"),
                                        has_refresh ? "refresh_token" : "access_token")) {
            out.note = network + " could not be told (" + failed->message +
                       "); remove Clearpost from the connected apps in the account's " + network + " settings";
        } else {
            out.revoked = true;
        }
    } else if (!field("dpop_key").empty()) {
        out.note = "Bluesky's server names no way to revoke the session; sign Clearpost out in Bluesky's settings";
    } else if (network == "bluesky") {
        out.note = "Clearpost cannot revoke an app password; delete it in Bluesky's settings (Privacy and "
                   "security > App passwords)";
    } else {
        out.note = network + " offers Clearpost no way to revoke its access; remove Clearpost from the connected "
                             "apps in the account's " + network + " settings";
    }
    CLEARPOST_CHECK(store.transaction([&]() -> Result<void> {
        CLEARPOST_CHECK(vault.remove(account->id));
        CLEARPOST_CHECK(store.set_account_status(account->id, "disconnected"));
        return audit.append({actor.name, "account.disconnect", "account " + std::to_string(account->id),
                             network + ":" + handle + (out.revoked ? "; access revoked at the network"
                                                                   : "; not revoked at the network")},
                            now);
    }));
    CLEARPOST_CHECK(audit.anchor());
    return out;
}

Result<void> set_media_host(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                            const model::User& actor, const std::string& network, const std::string& handle,
                            const MediaHost& host, UnixSeconds now) {
    CLEARPOST_CHECK(workflow::require_admin(actor, "set media hosts"));
    auto web_url = [](const std::string& url) { return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0; };
    if (!web_url(host.public_url)) return make_error(ErrorCode::Invalid, "the public URL must be an http(s) URL the network can fetch");
    nlohmann::json setting{{"kind", host.kind}, {"public_url", host.public_url}};
    if (host.kind == "put") {
        if (!web_url(host.upload_url)) return make_error(ErrorCode::Invalid, "the upload URL must be an http(s) URL");
        setting["upload_url"] = host.upload_url;
        if (!host.authorization.empty()) setting["authorization"] = host.authorization;
    } else if (host.kind == "s3") {
        if (!web_url(host.upload_url) || host.region.empty() || host.access_key.empty() || host.secret_key.empty())
            return make_error(ErrorCode::Invalid, "an S3 media host needs the bucket's endpoint URL, its region, an access key and its secret");
        setting.update({{"endpoint", host.upload_url}, {"region", host.region}, {"access_key", host.access_key},
                        {"secret_key", host.secret_key}});
    } else {
        return make_error(ErrorCode::Invalid, "a media host is \"put\" (HTTP PUT or WebDAV) or \"s3\"");
    }
    CLEARPOST_ASSIGN(auto account, store.find_account(network, handle));
    if (!account) return make_error(ErrorCode::NotFound, "no account " + network + ":" + handle);
    auto plain = vault.get(account->id);
    if (!plain && plain.error().code == ErrorCode::NotFound)
        return make_error(ErrorCode::Conflict, network + ":" + handle + " is not connected; connect it first");
    if (!plain) return std::move(plain).error();
    auto creds = nlohmann::json::parse(*plain, nullptr, false);
    if (!creds.is_object()) return make_error(ErrorCode::Corrupt, "the stored credentials of " + network + ":" + handle + " are damaged; reconnect the account");
    creds["media_host"] = setting;
    CLEARPOST_CHECK(store.transaction([&]() -> Result<void> {
        CLEARPOST_CHECK(vault.put(account->id, creds.dump(), now));
        return audit.append({actor.name, "account.media_host", "account " + std::to_string(account->id),
                             network + ":" + handle + " puts images on " + host.kind + " " + host.public_url},
                            now);
    }));
    return audit.anchor();
}

Result<std::vector<AccountView>> account_views(store::Store& store) {
    CLEARPOST_ASSIGN(auto accounts, store.list_accounts());
    std::vector<AccountView> out;
    for (auto& a : accounts) {
        CLEARPOST_ASSIGN(auto sealed, store.sealed_credentials(a.id));
        out.push_back({std::move(a), sealed.has_value(), std::nullopt, false});
    }
    return out;
}

void read_token_expiry(std::vector<AccountView>& views, security::Vault& vault) {
    for (auto& view : views) {
        if (!view.has_credentials) continue;
        auto plain = vault.get(view.account.id);
        if (!plain) continue;
        const auto creds = nlohmann::json::parse(*plain, nullptr, false);
        if (!creds.is_object()) continue;
        if (creds.contains("expires_at") && creds["expires_at"].is_number_integer())
            view.token_expires_at = creds["expires_at"].get<UnixSeconds>();
        view.renews = creds.contains("refresh_token") && creds["refresh_token"].is_string() &&
                      !creds["refresh_token"].get<std::string>().empty();
    }
}

bool any_connected(const std::vector<AccountView>& views) {
    return std::any_of(views.begin(), views.end(), [](const AccountView& v) { return v.has_credentials; });
}

}  // namespace clearpost::publish
