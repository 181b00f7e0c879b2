#pragma once
// Keeping an account's OAuth tokens fresh without ever losing the refresh
// token: one refresh per account at a time across threads and processes,
// and a rotated (single-use) refresh token sealed in the vault before anyone
// else may refresh again.
//
// Single flight is an exclusive flock(2) on a per-account lock file next to
// the vault key ($XDG_CONFIG_HOME/clearpost/vault/<database id>.locks/). The
// kernel drops the lock when its holder exits or crashes, so there is no
// stale lease to expire, and whoever can read the vault key (and so use the
// tokens) can see the lock. Each acquisition opens the file anew, so two
// threads of one process exclude each other too.

#include <chrono>
#include <filesystem>
#include <string>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"
#include "clearpost/model/model.h"
#include "clearpost/oauth/client.h"
#include "clearpost/security/vault.h"

namespace clearpost::oauth {

// Where the refresh locks of a database live, beside its vault key.
std::filesystem::path refresh_lock_dir(const std::filesystem::path& key_dir, const std::string& database_id);

// Holds the refresh lock of one account until destroyed (move-only).
class AccountLock {
public:
    // Waits up to `wait` for the lock. Conflict when another holder keeps it
    // that long; Io when the lock file cannot be made.
    static Result<AccountLock> acquire(const std::filesystem::path& dir, model::Id account,
                                       std::chrono::milliseconds wait);

    AccountLock(AccountLock&& other) noexcept;
    AccountLock& operator=(AccountLock&& other) noexcept;
    AccountLock(const AccountLock&) = delete;
    AccountLock& operator=(const AccountLock&) = delete;
    ~AccountLock();

private:
    explicit AccountLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

// The OAuth fields of an account's credentials document in the vault:
// {"access_token", "refresh_token", "token_type", "scope", "expires_at"},
// next to whatever else the network's plugin keeps there.
std::string merge_tokens(const std::string& credentials_json, const TokenSet& tokens);
// Corrupt when the document is not a JSON object with an access token.
Result<TokenSet> tokens_from(const std::string& credentials_json);

struct RefreshOptions {
    std::chrono::seconds ahead{300};                // refresh when less than this is left
    std::chrono::milliseconds lock_wait{60000};     // longer than one refresh request can take
};

class Refresher {
public:
    // Uses `vault` (one per thread, like its store) and `client` (the
    // account's network) from the calling thread only.
    Refresher(security::Vault& vault, Client& client, std::filesystem::path lock_dir, Clock clock = system_now,
              RefreshOptions options = {});

    // Tokens of `account` good for at least `ahead`. Under the account's
    // lock, the stored tokens are read again; a refresh request is sent only
    // when they are about to expire or when the stored access token is still
    // `rejected_access_token` (a 401 answer), so callers that raced for the
    // lock get the winner's tokens. New tokens are sealed in the vault before
    // the lock is released. A failed refresh leaves the stored tokens as they
    // were: Reauthorise only on a definite invalid_grant (or no refresh token
    // stored, or unreadable credentials); Transient otherwise.
    TokenResult fresh_tokens(model::Id account, const std::string& rejected_access_token = {});

    // Stores an account's tokens (after connecting it), under its lock.
    Result<void> store(model::Id account, const TokenSet& tokens);

private:
    security::Vault* m_vault;
    Client* m_client;
    std::filesystem::path m_lock_dir;
    Clock m_clock;
    RefreshOptions m_options;
};

}  // namespace clearpost::oauth
