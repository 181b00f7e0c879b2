#pragma once
// What the store benchmarks fill their databases with: a user who writes
// every post, accounts spread over five networks, and one-version posts.

#include <string>
#include <utility>
#include <vector>

#include "clearpost/store/store.h"

namespace clearpost::bench {

struct People {
    model::Id author = 0;
    std::vector<model::Id> accounts;
};

// The user "bench" and `accounts` accounts "acct0".. on bluesky, mastodon,
// x, linkedin and facebook in turn.
inline Result<People> add_people(store::Store& store, int accounts) {
    People people;
    model::User u;
    u.name = "bench";
    u.password_hash = "x";
    CLEARPOST_ASSIGN(people.author, store.insert_user(u));
    static const char* const kNetworks[] = {"bluesky", "mastodon", "x", "linkedin", "facebook"};
    for (int a = 0; a < accounts; ++a) {
        CLEARPOST_ASSIGN(model::Id id, store.insert_account({0, kNetworks[a % 5], "acct" + std::to_string(a), "connected"}));
        people.accounts.push_back(id);
    }
    return people;
}

// Post number `n` ("Benchmark post N") with one version written at
// `written`; `compliance` as checked. Returns the post and version ids.
inline Result<std::pair<model::Id, model::Id>> add_post(store::Store& store, model::Id author, long n,
                                                        UnixSeconds written, model::ComplianceResult compliance = {}) {
    CLEARPOST_ASSIGN(model::Id pid, store.insert_post(author, written));
    store::NewVersion v;
    v.post_id = pid;
    v.number = 1;
    v.author_id = author;
    v.content.text = "Benchmark post " + std::to_string(n);
    v.content.zone = "America/New_York";
    v.content_hash = std::to_string(n);
    v.created_at = written;
    v.compliance = std::move(compliance);
    CLEARPOST_ASSIGN(model::Id vid, store.insert_version(v));
    return std::pair{pid, vid};
}

}  // namespace clearpost::bench
