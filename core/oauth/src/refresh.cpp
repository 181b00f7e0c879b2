#include "clearpost/oauth/refresh.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "clearpost/crypto/crypto.h"

namespace clearpost::oauth {

using nlohmann::json;

std::filesystem::path refresh_lock_dir(const std::filesystem::path& key_dir, const std::string& database_id) {
    return key_dir / "vault" / (database_id + ".locks");
}

Result<AccountLock> AccountLock::acquire(const std::filesystem::path& dir, model::Id account,
                                         std::chrono::milliseconds wait) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return make_error(ErrorCode::Io, "cannot create the lock folder " + dir.string() + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);
    const auto path = dir / ("account-" + std::to_string(account) + ".lock");
    // Lock files are never removed: removing one while another process
    // waits on it would let a third lock a new file beside it.
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return make_error(ErrorCode::Io, "cannot open " + path.string() + ": " + std::strerror(errno));
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return AccountLock(fd);
        const int error = errno;
        if (error != EWOULDBLOCK && error != EINTR) {
            ::close(fd);
            return make_error(ErrorCode::Io, "cannot lock " + path.string() + ": " + std::strerror(error));
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            ::close(fd);
            return make_error(ErrorCode::Conflict, "another refresh of account " + std::to_string(account) +
                                                       " is still running; try again shortly");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

AccountLock::AccountLock(AccountLock&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}

AccountLock& AccountLock::operator=(AccountLock&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

AccountLock::~AccountLock() {
    if (m_fd >= 0) ::close(m_fd);  // closing the last descriptor releases the flock
}

std::string merge_tokens(const std::string& credentials_json, const TokenSet& tokens) {
    json doc = json::parse(credentials_json, nullptr, false);
    if (!doc.is_object()) doc = json::object();
    doc["access_token"] = tokens.access_token;
    doc["token_type"] = tokens.token_type;
    if (!tokens.refresh_token.empty()) {
        doc["refresh_token"] = tokens.refresh_token;
    } else {
        doc.erase("refresh_token");
    }
    if (!tokens.scope.empty()) doc["scope"] = tokens.scope;
    if (tokens.expires_at) {
        doc["expires_at"] = *tokens.expires_at;
    } else {
        doc.erase("expires_at");
    }
    return doc.dump();
}

Result<TokenSet> tokens_from(const std::string& credentials_json) {
    const json doc = json::parse(credentials_json, nullptr, false);
    auto text = [&](const char* key) {
        return doc.contains(key) && doc[key].is_string() ? doc[key].get<std::string>() : std::string();
    };
    if (!doc.is_object() || text("access_token").empty()) {
        return make_error(ErrorCode::Corrupt, "the stored credentials hold no OAuth access token; reconnect the account");
    }
    TokenSet t;
    t.access_token = text("access_token");
    t.token_type = text("token_type");
    t.refresh_token = text("refresh_token");
    t.scope = text("scope");
    if (doc.contains("expires_at") && doc["expires_at"].is_number_integer())
        t.expires_at = doc["expires_at"].get<UnixSeconds>();
    return t;
}

namespace {

TokenError local_error(TokenFailure kind, std::string message) {
    TokenError e;
    e.kind = kind;
    e.message = std::move(message);
    return e;
}

}  // namespace

Refresher::Refresher(security::Vault& vault, Client& client, std::filesystem::path lock_dir, Clock clock,
                     RefreshOptions options)
    : m_vault(&vault),
      m_client(&client),
      m_lock_dir(std::move(lock_dir)),
      m_clock(std::move(clock)),
      m_options(options) {}

Result<void> Refresher::store(model::Id account, const TokenSet& tokens) {
    CLEARPOST_ASSIGN(auto lock, AccountLock::acquire(m_lock_dir, account, m_options.lock_wait));
    auto current = m_vault->get(account);
    if (!current && current.error().code != ErrorCode::NotFound) return std::move(current).error();
    return m_vault->put(account, merge_tokens(current ? *current : std::string("{}"), tokens), m_clock());
}

TokenResult Refresher::fresh_tokens(model::Id account, const std::string& rejected_access_token) {
    auto lock = AccountLock::acquire(m_lock_dir, account, m_options.lock_wait);
    if (!lock) return local_error(TokenFailure::Transient, lock.error().message);

    // Read under the lock: another thread or process may have refreshed.
    auto stored = m_vault->get(account);
    if (!stored) {
        const auto code = stored.error().code;
        // Missing or unreadable credentials need a person; a busy database does not.
        const bool person = code == ErrorCode::NotFound || code == ErrorCode::Corrupt || code == ErrorCode::Tampered;
        return local_error(person ? TokenFailure::Reauthorise : TokenFailure::Transient, stored.error().message);
    }
    auto current = tokens_from(*stored);
    if (!current) return local_error(TokenFailure::Reauthorise, current.error().message);

    const UnixSeconds now = m_clock();
    const bool was_rejected =
        !rejected_access_token.empty() && crypto::constant_time_equal(current->access_token, rejected_access_token);
    const bool expiring = current->expires_at && *current->expires_at <= now + m_options.ahead.count();
    if (!was_rejected && !expiring) return std::move(*current);

    auto refreshed = m_client->refresh(current->refresh_token);
    auto* tokens = std::get_if<TokenSet>(&refreshed);
    if (!tokens) return refreshed;  // the stored tokens stay as they were

    // Sealed and committed before the lock goes: nobody can send the old,
    // now used-up refresh token again. A busy database gets a few more tries
    // because giving up here would lose the only valid refresh token.
    const std::string doc = merge_tokens(*stored, *tokens);
    Result<void> saved = ok();
    for (int attempt = 0; attempt < 3; ++attempt) {
        saved = m_vault->put(account, doc, m_clock());
        if (saved) return refreshed;
    }
    auto e = local_error(TokenFailure::Transient,
                         "the account's new tokens could not be saved (" + saved.error().message +
                             "); if the network used up the old refresh token, the account must be reconnected");
    e.in_doubt = true;
    return e;
}

}  // namespace clearpost::oauth
