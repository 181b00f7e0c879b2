#pragma once
// Numbered, forward-only schema migrations. A migration is never edited once
// released: a change is a new entry at the end.

#include <array>

#include "sql.h"

namespace clearpost::store::sqlite {

using sql::Migration;

inline constexpr std::array kMigrations{
    Migration{1, R"sql(
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE organisation (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    name          TEXT NOT NULL,
    default_zone  TEXT NOT NULL DEFAULT 'UTC'
) STRICT;

CREATE TABLE approval_chain (
    stage INTEGER PRIMARY KEY CHECK (stage >= 1),
    role  TEXT NOT NULL CHECK (role IN ('author','approver','privacy_officer','admin'))
) STRICT;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('author','approver','privacy_officer','admin')),
    active        INTEGER NOT NULL DEFAULT 1,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE social_accounts (
    id         INTEGER PRIMARY KEY,
    network    TEXT NOT NULL,
    handle     TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'connected',
    UNIQUE (network, handle)
) STRICT;

CREATE TABLE posts (
    id                 INTEGER PRIMARY KEY,
    state              TEXT NOT NULL,
    created_by         INTEGER NOT NULL REFERENCES users(id),
    current_version_id INTEGER REFERENCES post_versions(id) DEFERRABLE INITIALLY DEFERRED,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX posts_by_state ON posts(state, updated_at);

CREATE TABLE post_versions (
    id                  INTEGER PRIMARY KEY,
    post_id             INTEGER NOT NULL REFERENCES posts(id),
    number              INTEGER NOT NULL,
    author_id           INTEGER NOT NULL REFERENCES users(id),
    body                TEXT NOT NULL,
    scheduled_at        INTEGER,
    zone                TEXT NOT NULL,
    content_hash        TEXT NOT NULL,
    compliance_verdict  TEXT NOT NULL CHECK (compliance_verdict IN ('pass','warn','block')),
    compliance_findings TEXT NOT NULL,
    created_at          INTEGER NOT NULL,
    UNIQUE (post_id, number)
) STRICT;
-- Versions are immutable: an edit is a new version.
CREATE TRIGGER post_versions_immutable BEFORE UPDATE ON post_versions
BEGIN SELECT RAISE(ABORT, 'post versions are immutable'); END;

CREATE TABLE version_targets (
    version_id    INTEGER NOT NULL REFERENCES post_versions(id),
    account_id    INTEGER NOT NULL REFERENCES social_accounts(id),
    text_override TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (version_id, account_id)
) STRICT;

CREATE TABLE media (
    id       INTEGER PRIMARY KEY,
    sha256   TEXT NOT NULL,
    path     TEXT NOT NULL,
    alt_text TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE version_media (
    version_id INTEGER NOT NULL REFERENCES post_versions(id),
    position   INTEGER NOT NULL,
    media_id   INTEGER NOT NULL REFERENCES media(id),
    PRIMARY KEY (version_id, position)
) STRICT;

CREATE TABLE approvals (
    id                     INTEGER PRIMARY KEY,
    post_id                INTEGER NOT NULL REFERENCES posts(id),
    version_id             INTEGER NOT NULL REFERENCES post_versions(id),
    stage                  INTEGER NOT NULL,
    decision               TEXT NOT NULL CHECK (decision IN ('approved','changes_requested')),
    comment                TEXT NOT NULL DEFAULT '',
    approver_id            INTEGER NOT NULL REFERENCES users(id),
    version_hash           TEXT NOT NULL,
    override_justification TEXT NOT NULL DEFAULT '',
    decided_at             INTEGER NOT NULL
) STRICT;
CREATE INDEX approvals_by_version ON approvals(version_id, stage);

CREATE TABLE consent_records (
    id           INTEGER PRIMARY KEY,
    subject      TEXT NOT NULL,
    scope        TEXT NOT NULL,
    expires_at   INTEGER NOT NULL,
    document_ref TEXT NOT NULL DEFAULT '',
    recorded_by  INTEGER NOT NULL REFERENCES users(id),
    created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE post_consents (
    post_id    INTEGER NOT NULL REFERENCES posts(id),
    consent_id INTEGER NOT NULL REFERENCES consent_records(id),
    PRIMARY KEY (post_id, consent_id)
) STRICT;

-- The queue: one row per post and network account.
CREATE TABLE targets (
    id               INTEGER PRIMARY KEY,
    post_id          INTEGER NOT NULL REFERENCES posts(id),
    version_id       INTEGER NOT NULL REFERENCES post_versions(id),
    account_id       INTEGER NOT NULL REFERENCES social_accounts(id),
    state            TEXT NOT NULL,
    scheduled_at     INTEGER NOT NULL,
    lease_owner      TEXT NOT NULL DEFAULT '',
    lease_expires_at INTEGER NOT NULL DEFAULT 0,
    attempts         INTEGER NOT NULL DEFAULT 0,
    idempotency_key  TEXT NOT NULL UNIQUE,
    last_error       TEXT NOT NULL DEFAULT '',
    remote_url       TEXT NOT NULL DEFAULT '',
    updated_at       INTEGER NOT NULL
) STRICT;
-- Claims read only the due, claimable rows. The calendar reads by time from
-- a covering index, never touching the table.
CREATE INDEX targets_due ON targets(scheduled_at)
    WHERE state IN ('Scheduled', 'RetryWait', 'Publishing');
CREATE INDEX targets_by_time ON targets(scheduled_at, id, state, post_id, account_id);
CREATE INDEX targets_by_post ON targets(post_id);

CREATE TABLE publish_attempts (
    id              INTEGER PRIMARY KEY,
    target_id       INTEGER NOT NULL REFERENCES targets(id),
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    outcome         TEXT NOT NULL DEFAULT 'in_doubt',
    http_status     INTEGER,
    error           TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT NOT NULL
) STRICT;
CREATE INDEX attempts_by_target ON publish_attempts(target_id);

-- Append-only; each row is chained to the previous one by HMAC-SHA256.
CREATE TABLE audit_log (
    seq      INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL,
    detail   TEXT NOT NULL,
    prev_mac TEXT NOT NULL,
    mac      TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql"},
    Migration{2, R"sql(
-- Publishing: credentials sealed by security::Vault (never plaintext here),
-- notices people must see once, the emergency pause, remote post ids.
CREATE TABLE account_credentials (
    account_id INTEGER PRIMARY KEY REFERENCES social_accounts(id),
    sealed     BLOB NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE notices (
    id              INTEGER PRIMARY KEY,
    created_at      INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    account_id      INTEGER REFERENCES social_accounts(id),
    target_id       INTEGER REFERENCES targets(id),
    message         TEXT NOT NULL,
    acknowledged_at INTEGER
) STRICT;
CREATE INDEX notices_open ON notices(acknowledged_at, kind, account_id);

CREATE TABLE publishing_pause (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    paused_at INTEGER NOT NULL,
    paused_by TEXT NOT NULL,
    reason    TEXT NOT NULL
) STRICT;

ALTER TABLE targets ADD COLUMN remote_id TEXT NOT NULL DEFAULT '';

-- The organisation's public details the compliance engine must not flag
-- (phones, emails, addresses, domains, staff, public figures), as JSON.
ALTER TABLE organisation ADD COLUMN profile_json TEXT NOT NULL DEFAULT '{}';
)sql"},
    Migration{3, R"sql(
-- The service: per-account holds when a network asks to slow down, metrics
-- snapshots on a decaying schedule (history is never overwritten), notices
-- sent by e-mail, and small settings (e.g. the mail relay).
ALTER TABLE social_accounts ADD COLUMN hold_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE social_accounts ADD COLUMN hold_reason TEXT NOT NULL DEFAULT '';

ALTER TABLE targets ADD COLUMN published_at INTEGER;
ALTER TABLE targets ADD COLUMN metrics_due_at INTEGER;
ALTER TABLE targets ADD COLUMN metrics_fetches INTEGER NOT NULL DEFAULT 0;
CREATE INDEX targets_metrics_due ON targets(metrics_due_at) WHERE metrics_due_at IS NOT NULL;

-- Rate budgets count an account's recent attempts.
CREATE INDEX attempts_by_time ON publish_attempts(started_at);

CREATE TABLE metric_snapshots (
    id         INTEGER PRIMARY KEY,
    target_id  INTEGER NOT NULL REFERENCES targets(id),
    fetched_at INTEGER NOT NULL,
    metrics    TEXT NOT NULL  -- JSON object with only what the network reports
) STRICT;
CREATE INDEX snapshots_by_target ON metric_snapshots(target_id, fetched_at);

ALTER TABLE notices ADD COLUMN emailed_at INTEGER;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
)sql"},
    Migration{4, R"sql(
-- PostgreSQL only (team mode): the audit chain's head moves into a table
-- only the service role writes. A SQLite file keeps its anchor beside the
-- audit key, outside the file, so nothing changes here.
)sql"},
    Migration{5, R"sql(
-- Tags on posts (campaigns, topics) for per-tag analytics. They belong to the
-- post, not to a version: they are not approved content (not in the content
-- hash), so changing them needs no new approval; each change is audited.
-- Stored normalised (lower case, letters, digits, '-' and '_').
CREATE TABLE post_tags (
    post_id INTEGER NOT NULL REFERENCES posts(id),
    tag     TEXT NOT NULL,
    PRIMARY KEY (post_id, tag)
) STRICT;
-- Per-tag totals read a tag's posts in order from here.
CREATE INDEX post_tags_by_tag ON post_tags(tag, post_id);
)sql"},
    Migration{6, R"sql(
-- The accounts' own numbers (followers, following, posts): sampled once a
-- UTC day by the publishing service, and whenever a person asks. Appended,
-- never overwritten.
CREATE TABLE account_snapshots (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES social_accounts(id),
    fetched_at INTEGER NOT NULL,
    metrics    TEXT NOT NULL  -- JSON object with only what the network reports
) STRICT;
CREATE INDEX account_snapshots_by_account ON account_snapshots(account_id, fetched_at);
)sql"},
};

}  // namespace clearpost::store::sqlite
