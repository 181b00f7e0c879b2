#include "clearpost/publish/oauth_connect.h"

#include <nlohmann/json.hpp>

#include "clearpost/oauth/atproto.h"
#include "clearpost/workflow/admin.h"

namespace clearpost::publish {
namespace {

using nlohmann::json;

std::string text(const json& j, const char* name) {
    return j.is_object() && j.contains(name) && j[name].is_string() ? j[name].get<std::string>() : std::string();
}

std::string app_secret_name(const std::string& network) { return "app:" + network; }

}  // namespace

Result<OAuthSpec> oauth_spec(PluginRegistry& plugins, const std::string& network) {
    CLEARPOST_ASSIGN(auto plugin, plugins.find(network));
    const auto caps = json::parse(plugin->capabilities(), nullptr, false);
    const json o = caps.is_object() ? caps.value("oauth", json()) : json();
    if (!o.is_object()) {
        return make_error(ErrorCode::Invalid, network + " accounts do not connect through an OAuth sign-in (" +
                                                  (network == "mastodon" ? "use --browser with --service"
                                                                         : "use an app password") + ")");
    }
    OAuthSpec spec;
    spec.authorize_url = text(o, "authorize_url");
    spec.token_url = text(o, "token_url");
    spec.revocation_url = text(o, "revocation_url");
    if (spec.authorize_url.empty() || spec.token_url.empty())
        return make_error(ErrorCode::Invalid, "the " + network + " publisher names no authorisation or token endpoint");
    if (o.contains("scopes") && o["scopes"].is_array())
        for (const auto& scope : o["scopes"])
            if (scope.is_string()) spec.scopes.push_back(scope.get<std::string>());
    const std::string auth = text(o, "client_auth");
    spec.client_auth = auth == "post" ? oauth::ClientAuth::SecretPost
                       : auth == "basic" ? oauth::ClientAuth::SecretBasic
                                         : oauth::ClientAuth::None;
    spec.needs_client_secret = o.value("needs_client_secret", false);
    const int port = o.value("redirect_port", 0);
    if (port < 0 || port > 65535) return make_error(ErrorCode::Invalid, "the " + network + " publisher names a bad redirect port");
    spec.redirect_port = static_cast<std::uint16_t>(port);
    if (const std::string path = text(o, "redirect_path"); !path.empty()) spec.redirect_path = path;
    if (o.contains("extra_params") && o["extra_params"].is_object())
        for (const auto& [k, v] : o["extra_params"].items())
            if (v.is_string()) spec.extra_params.emplace_back(k, v.get<std::string>());
    return spec;
}

Result<void> set_app_registration(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                                  PluginRegistry& plugins, const model::User& actor, const std::string& network,
                                  const AppRegistration& app, UnixSeconds now) {
    CLEARPOST_CHECK(workflow::require_admin(actor, "register apps with networks"));
    CLEARPOST_ASSIGN(auto spec, oauth_spec(plugins, network));
    if (app.client_id.empty()) return make_error(ErrorCode::Invalid, "enter the app's client id from " + network + "'s developer portal");
    if (spec.needs_client_secret && app.client_secret.empty()) {
        return make_error(ErrorCode::Invalid, network + " needs the app's client secret too (its token exchange "
                                                        "requires it); see docs/app-registration.md");
    }
    const json doc{{"client_id", app.client_id},         {"client_secret", app.client_secret},
                   {"authorize_url", app.authorize_url}, {"token_url", app.token_url},
                   {"revocation_url", app.revocation_url}, {"api_url", app.api_url}};
    CLEARPOST_CHECK(store.transaction([&]() -> Result<void> {
        CLEARPOST_CHECK(vault.put_named(app_secret_name(network), doc.dump()));
        return audit.append({actor.name, "app.register", network,
                             "client id " + app.client_id + (app.client_secret.empty() ? ", no secret" : ", with a secret")},
                            now);
    }));
    return audit.anchor();
}

Result<std::optional<AppRegistration>> app_registration(security::Vault& vault, const std::string& network) {
    auto sealed = vault.get_named(app_secret_name(network));
    if (!sealed) {
        if (sealed.error().code == ErrorCode::NotFound) return std::optional<AppRegistration>{};
        return std::move(sealed).error();
    }
    const auto doc = json::parse(*sealed, nullptr, false);
    if (!doc.is_object()) return make_error(ErrorCode::Corrupt, "the stored " + network + " app registration is damaged; set it again");
    return std::optional<AppRegistration>{AppRegistration{text(doc, "client_id"), text(doc, "client_secret"),
                                                          text(doc, "authorize_url"), text(doc, "token_url"),
                                                          text(doc, "revocation_url"), text(doc, "api_url")}};
}

Result<std::string> sign_in_with_oauth(PluginRegistry& plugins, PluginHost& host, net::HttpClient& http,
                                       const AppRegistration& app, const std::string& network,
                                       const std::string& handle, oauth::AuthorizeOptions options) {
    CLEARPOST_ASSIGN(auto spec, oauth_spec(plugins, network));
    if (app.client_id.empty() || (spec.needs_client_secret && app.client_secret.empty())) {
        return make_error(ErrorCode::Invalid, "register Clearpost's app with " + network +
                                                  " first (clearpostctl app set " + network +
                                                  "); see docs/app-registration.md");
    }
    oauth::ClientConfig config;
    config.authorization_endpoint = app.authorize_url.empty() ? spec.authorize_url : app.authorize_url;
    config.token_endpoint = app.token_url.empty() ? spec.token_url : app.token_url;
    config.client_id = app.client_id;
    config.auth = spec.client_auth;
    if (config.auth != oauth::ClientAuth::None) config.client_secret = app.client_secret;
    config.scopes = spec.scopes;
    config.extra_authorization_params = spec.extra_params;
    oauth::Client client(config, http);
    if (options.loopback.port == 0) options.loopback.port = spec.redirect_port;
    options.loopback.path = spec.redirect_path;
    CLEARPOST_ASSIGN(auto tokens, oauth::authorize(client, options));

    json creds{{"access_token", tokens.access_token}, {"client_id", app.client_id}};
    if (!tokens.refresh_token.empty()) creds["refresh_token"] = tokens.refresh_token;
    if (tokens.expires_at) creds["expires_at"] = *tokens.expires_at;
    if (!tokens.scope.empty()) creds["scope"] = tokens.scope;
    if (!app.client_secret.empty()) creds["client_secret"] = app.client_secret;
    if (!app.api_url.empty()) creds["api_url"] = app.api_url;
    if (!app.token_url.empty()) creds["token_url"] = app.token_url;
    // Kept with the grant, so disconnecting revokes it (RFC 7009).
    if (const auto revoke = app.revocation_url.empty() ? spec.revocation_url : app.revocation_url; !revoke.empty()) {
        creds["revocation_url"] = revoke;
        creds["client_auth"] = spec.client_auth == oauth::ClientAuth::SecretBasic ? "basic"
                               : spec.client_auth == oauth::ClientAuth::SecretPost ? "post"
                                                                                  : "none";
    }

    // The plugin checks who signed in and finishes the credentials.
    CLEARPOST_ASSIGN(auto plugin, plugins.find(network));
    const auto& table = plugin->table();
    if (!table.authorize_complete)
        return make_error(ErrorCode::Invalid, "the " + network + " publisher cannot finish a sign-in");
    std::vector<std::string> secrets{tokens.access_token};
    if (!tokens.refresh_token.empty()) secrets.push_back(tokens.refresh_token);
    if (!app.client_secret.empty()) secrets.push_back(app.client_secret);
    const auto call = host.call(table.authorize_complete, table.free_string,
                                json{{"account", {{"network", network}, {"handle", handle}}}, {"credentials", creds}}.dump(),
                                secrets);
    switch (call.status) {
    case CLEARPOST_OK: {
        const auto result = json::parse(call.result_json, nullptr, false);
        if (result.is_object() && result.contains("credentials") && result["credentials"].is_object())
            return result["credentials"].dump();
        return creds.dump();
    }
    case CLEARPOST_ERR_AUTH: return make_error(ErrorCode::Forbidden, call.message);
    case CLEARPOST_ERR_TRANSIENT:
    case CLEARPOST_ERR_RATE_LIMITED:
    case CLEARPOST_ERR_IN_DOUBT: return make_error(ErrorCode::Io, call.message + "; try connecting again");
    default: return make_error(ErrorCode::Invalid, call.message);
    }
}

Result<std::string> sign_in_to_bluesky(net::HttpClient& http, const std::string& handle, const std::string& service,
                                       const std::string& appview, oauth::AuthorizeOptions options) {
    oauth::AtprotoSignIn sign_in;
    sign_in.handle = handle;
    if (!service.empty()) sign_in.service = service;
    sign_in.authorize = std::move(options);
    CLEARPOST_ASSIGN(auto session, oauth::sign_in_atproto(http, sign_in));
    json creds{{"service", session.pds},          {"did", session.did},
               {"handle", session.handle},        {"identifier", session.handle},
               {"access_token", session.access_token}, {"refresh_token", session.refresh_token},
               {"token_endpoint", session.token_endpoint}, {"issuer", session.issuer},
               {"client_id", session.client_id},  {"scope", session.scope},
               {"dpop_key", session.dpop_key}};
    if (session.expires_at) creds["expires_at"] = *session.expires_at;
    if (!session.revocation_endpoint.empty()) creds["dpop_revocation_url"] = session.revocation_endpoint;
    if (!appview.empty()) creds["appview"] = appview;
    return creds.dump();
}

Result<void> save_oauth_grant(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                              const model::User& actor, const std::string& network, const std::string& handle,
                              const std::string& credentials, UnixSeconds now) {
    CLEARPOST_CHECK(workflow::require_admin(actor, "connect accounts"));
    CLEARPOST_ASSIGN(auto account, store.find_account(network, handle));
    if (!account) return make_error(ErrorCode::NotFound, "no account " + network + ":" + handle + "; add it first");
    auto doc = json::parse(credentials, nullptr, false);
    if (!doc.is_object() || doc.empty()) return make_error(ErrorCode::Invalid, "the sign-in gave no credentials; connect again");
    // Reconnecting keeps what the organisation set on the account (its media host).
    if (auto before = vault.get(account->id)) {
        const auto old = json::parse(*before, nullptr, false);
        if (old.is_object() && old.contains("media_host") && !doc.contains("media_host")) doc["media_host"] = old["media_host"];
    }
    CLEARPOST_CHECK(store.transaction([&]() -> Result<void> {
        CLEARPOST_CHECK(vault.put(account->id, doc.dump(), now));
        CLEARPOST_CHECK(store.set_account_status(account->id, "connected"));
        return audit.append({actor.name, "account.connect", "account " + std::to_string(account->id),
                             network + ":" + handle + " signed in through the browser"},
                            now);
    }));
    return audit.anchor();
}

Result<void> connect_with_oauth(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                                PluginRegistry& plugins, PluginHost& host, net::HttpClient& http,
                                const model::User& actor, const std::string& network, const std::string& handle,
                                const oauth::AuthorizeOptions& options, UnixSeconds now) {
    // Refused before the person is sent to the browser.
    CLEARPOST_CHECK(workflow::require_admin(actor, "connect accounts"));
    CLEARPOST_ASSIGN(auto account, store.find_account(network, handle));
    if (!account) return make_error(ErrorCode::NotFound, "no account " + network + ":" + handle + "; add it first");
    CLEARPOST_ASSIGN(auto app, app_registration(vault, network));
    if (!app) {
        return make_error(ErrorCode::Invalid, "no app is registered for " + network +
                                                  ": register Clearpost with " + network +
                                                  "'s developer portal, then run clearpostctl app set " + network +
                                                  " --client-id ID (docs/app-registration.md)");
    }
    CLEARPOST_ASSIGN(auto credentials, sign_in_with_oauth(plugins, host, http, *app, network, handle, options));
    return save_oauth_grant(store, vault, audit, actor, network, handle, credentials, now);
}

}  // namespace clearpost::publish
