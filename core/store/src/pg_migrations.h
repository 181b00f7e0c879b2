#pragma once
// The migrations of migrations.h, expressed for PostgreSQL: same numbers,
// same tables and columns. A change to the schema is a new entry at the end
// of both lists (latest_schema_version() reads the SQLite one; pg_db.cpp
// checks that the two agree).
//
// Differences from SQLite: BIGINT for INTEGER, BYTEA for BLOB; row ids come
// from a sequence through clearpost_row_id(), which also fills an id given
// as NULL and moves the sequence past an id given explicitly (restores), as
// SQLite's rowid does; the append-only and immutable rules are PL/pgSQL
// triggers; text that is listed in order sorts bytewise (COLLATE "C"), as
// in SQLite.

#include <array>

#include "sql.h"

namespace clearpost::store::pg {

using sql::Migration;

inline constexpr std::array kMigrations{
    Migration{1, R"sql(
CREATE FUNCTION clearpost_row_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS NULL THEN
        NEW.id := nextval(TG_ARGV[0]::regclass);
    ELSIF NEW.id > coalesce(pg_sequence_last_value(TG_ARGV[0]::regclass), 0) THEN
        PERFORM setval(TG_ARGV[0]::regclass, NEW.id);
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION clearpost_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE organisation (
    id            BIGINT PRIMARY KEY CHECK (id = 1),
    name          TEXT NOT NULL,
    default_zone  TEXT NOT NULL DEFAULT 'UTC'
);

CREATE TABLE approval_chain (
    stage BIGINT PRIMARY KEY CHECK (stage >= 1),
    role  TEXT NOT NULL CHECK (role IN ('author','approver','privacy_officer','admin'))
);

CREATE SEQUENCE users_id_seq;
CREATE TABLE users (
    id            BIGINT PRIMARY KEY,
    name          TEXT COLLATE "C" NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('author','approver','privacy_officer','admin')),
    active        BIGINT NOT NULL DEFAULT 1,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE TRIGGER users_id BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION clearpost_row_id('users_id_seq');

CREATE SEQUENCE social_accounts_id_seq;
CREATE TABLE social_accounts (
    id         BIGINT PRIMARY KEY,
    network    TEXT COLLATE "C" NOT NULL,
    handle     TEXT COLLATE "C" NOT NULL,
    status     TEXT NOT NULL DEFAULT 'connected',
    UNIQUE (network, handle)
);
CREATE TRIGGER social_accounts_id BEFORE INSERT ON social_accounts FOR EACH ROW
    EXECUTE FUNCTION clearpost_row_id('social_accounts_id_seq');

CREATE SEQUENCE posts_id_seq;
CREATE TABLE posts (
    id                 BIGINT PRIMARY KEY,
    state              TEXT NOT NULL,
    created_by         BIGINT NOT NULL REFERENCES users(id),
    current_version_id BIGINT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE TRIGGER posts_id BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION clearpost_row_id('posts_id_seq');
CREATE INDEX posts_by_state ON posts(state, updated_at);

CREATE SEQUENCE post_versions_id_seq;
CREATE TABLE post_versions (
    id                  BIGINT PRIMARY KEY,
    post_id             BIGINT NOT NULL REFERENCES posts(id),
    number              BIGINT NOT NULL,
    author_id           BIGINT NOT NULL REFERENCES users(id),
    body                TEXT NOT NULL,
    scheduled_at        BIGINT,
    zone                TEXT NOT NULL,
    content_hash        TEXT NOT NULL,
    compliance_verdict  TEXT NOT NULL CHECK (compliance_verdict IN ('pass','warn','block')),
    compliance_findings TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    UNIQUE (post_id, number)
);
CREATE TRIGGER post_versions_id BEFORE INSERT ON post_versions FOR EACH ROW
    EXECUTE FUNCTION clearpost_row_id('post_versions_id_seq');
-- Versions are immutable: an edit is a new version.
CREATE TRIGGER post_versions_immutable BEFORE UPDATE ON post_versions FOR EACH ROW
    EXECUTE FUNCTION clearpost_refuse('post versions are immutable');
ALTER TABLE posts ADD FOREIGN KEY (current_version_id) REFERENCES post_versions(id)
    DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE version_targets (
    version_id    BIGINT NOT NULL REFERENCES post_versions(id),
    account_id    BIGINT NOT NULL REFERENCES social_accounts(id),
    text_override TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (version_id, account_id)
);

CREATE SEQUENCE media_id_seq;
CREATE TABLE media (
    id       BIGINT PRIMARY KEY,
    sha256   TEXT NOT NULL,
    path     TEXT NOT NULL,
    alt_text TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER media_id BEFORE INSERT ON media FOR EACH ROW EXECUTE FUNCTION clearpost_row_id('media_id_seq');

CREATE TABLE version_media (
    version_id BIGINT NOT NULL REFERENCES post_versions(id),
    position   BIGINT NOT NULL,
    media_id   BIGINT NOT NULL REFERENCES media(id),
    PRIMARY KEY (version_id, position)
);

CREATE SEQUENCE approvals_id_seq;
CREATE TABLE approvals (
    id                     BIGINT PRIMARY KEY,
    post_id                BIGINT NOT NULL REFERENCES posts(id),
    version_id             BIGINT NOT NULL REFERENCES post_versions(id),
    stage                  BIGINT NOT NULL,
    decision               TEXT NOT NULL CHECK (decision IN ('approved','changes_requested')),
    comment                TEXT NOT NULL DEFAULT '',
    approver_id            BIGINT NOT NULL REFERENCES users(id),
    version_hash           TEXT NOT NULL,
    override_justification TEXT NOT NULL DEFAULT '',
    decided_at             BIGINT NOT NULL
);
CREATE TRIGGER approvals_id BEFORE INSERT ON approvals FOR EACH ROW EXECUTE FUNCTION clearpost_row_id('approvals_id_seq');
CREATE INDEX approvals_by_version ON approvals(version_id, stage);

CREATE SEQUENCE consent_records_id_seq;
CREATE TABLE consent_records (
    id           BIGINT PRIMARY KEY,
    subject      TEXT NOT NULL,
    scope        TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    document_ref TEXT NOT NULL DEFAULT '',
    recorded_by  BIGINT NOT NULL REFERENCES users(id),
    created_at   BIGINT NOT NULL
);
CREATE TRIGGER consent_records_id BEFORE INSERT ON consent_records FOR EACH ROW
    EXECUTE FUNCTION clearpost_row_id('consent_records_id_seq');

CREATE TABLE post_consents (
    post_id    BIGINT NOT NULL REFERENCES posts(id),
    consent_id BIGINT NOT NULL REFERENCES consent_records(id),
    PRIMARY KEY (post_id, consent_id)
);

-- The queue: one row per post and network account.
CREATE SEQUENCE targets_id_seq;
CREATE TABLE targets (
    id               BIGINT PRIMARY KEY,
    post_id          BIGINT NOT NULL REFERENCES posts(id),
    version_id       BIGINT NOT NULL REFERENCES post_versions(id),
    account_id       BIGINT NOT NULL REFERENCES social_accounts(id),
    state            TEXT NOT NULL,
    scheduled_at     BIGINT NOT NULL,
    lease_owner      TEXT NOT NULL DEFAULT '',
    lease_expires_at BIGINT NOT NULL DEFAULT 0,
    attempts         BIGINT NOT NULL DEFAULT 0,
    idempotency_key  TEXT NOT NULL UNIQUE,
    last_error       TEXT NOT NULL DEFAULT '',
    remote_url       TEXT NOT NULL DEFAULT '',
    updated_at       BIGINT NOT NULL
);
CREATE TRIGGER targets_id BEFORE INSERT ON targets FOR EACH ROW EXECUTE FUNCTION clearpost_row_id('targets_id_seq');
CREATE INDEX targets_due ON targets(scheduled_at)
    WHERE state IN ('Scheduled', 'RetryWait', 'Publishing');
CREATE INDEX targets_by_time ON targets(scheduled_at, id, state, post_id, account_id);
CREATE INDEX targets_by_post ON targets(post_id);

CREATE SEQUENCE publish_attempts_id_seq;
CREATE TABLE publish_attempts (
    id              BIGINT PRIMARY KEY,
    target_id       BIGINT NOT NULL REFERENCES targets(id),
    started_at      BIGINT NOT NULL,
    finished_at     BIGINT,
    outcome         TEXT NOT NULL DEFAULT 'in_doubt',
    http_status     BIGINT,
    error           TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT NOT NULL
);
CREATE TRIGGER publish_attempts_id BEFORE INSERT ON publish_attempts FOR EACH ROW
    EXECUTE FUNCTION clearpost_row_id('publish_attempts_id_seq');
CREATE INDEX attempts_by_target ON publish_attempts(target_id);

-- Append-only; each row is chained to the previous one by HMAC-SHA256.
CREATE TABLE audit_log (
    seq      BIGINT PRIMARY KEY,
    at       BIGINT NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL,
    detail   TEXT NOT NULL,
    prev_mac TEXT NOT NULL,
    mac      TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW
    EXECUTE FUNCTION clearpost_refuse('the audit log is append-only');
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT
    EXECUTE FUNCTION clearpost_refuse('the audit log is append-only');
)sql"},
    Migration{2, R"sql(
CREATE TABLE account_credentials (
    account_id BIGINT PRIMARY KEY REFERENCES social_accounts(id),
    sealed     BYTEA NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE SEQUENCE notices_id_seq;
CREATE TABLE notices (
    id              BIGINT PRIMARY KEY,
    created_at      BIGINT NOT NULL,
    kind            TEXT NOT NULL,
    account_id      BIGINT REFERENCES social_accounts(id),
    target_id       BIGINT REFERENCES targets(id),
    message         TEXT NOT NULL,
    acknowledged_at BIGINT
);
CREATE TRIGGER notices_id BEFORE INSERT ON notices FOR EACH ROW EXECUTE FUNCTION clearpost_row_id('notices_id_seq');
CREATE INDEX notices_open ON notices(acknowledged_at, kind, account_id);

CREATE TABLE publishing_pause (
    id        BIGINT PRIMARY KEY CHECK (id = 1),
    paused_at BIGINT NOT NULL,
    paused_by TEXT NOT NULL,
    reason    TEXT NOT NULL
);

ALTER TABLE targets ADD COLUMN remote_id TEXT NOT NULL DEFAULT '';
ALTER TABLE organisation ADD COLUMN profile_json TEXT NOT NULL DEFAULT '{}';
)sql"},
    Migration{3, R"sql(
ALTER TABLE social_accounts ADD COLUMN hold_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE social_accounts ADD COLUMN hold_reason TEXT NOT NULL DEFAULT '';

ALTER TABLE targets ADD COLUMN published_at BIGINT;
ALTER TABLE targets ADD COLUMN metrics_due_at BIGINT;
ALTER TABLE targets ADD COLUMN metrics_fetches BIGINT NOT NULL DEFAULT 0;
CREATE INDEX targets_metrics_due ON targets(metrics_due_at) WHERE metrics_due_at IS NOT NULL;

CREATE INDEX attempts_by_time ON publish_attempts(started_at);

CREATE SEQUENCE metric_snapshots_id_seq;
CREATE TABLE metric_snapshots (
    id         BIGINT PRIMARY KEY,
    target_id  BIGINT NOT NULL REFERENCES targets(id),
    fetched_at BIGINT NOT NULL,
    metrics    TEXT NOT NULL
);
CREATE TRIGGER metric_snapshots_id BEFORE INSERT ON metric_snapshots FOR EACH ROW
    EXECUTE FUNCTION clearpost_row_id('metric_snapshots_id_seq');
CREATE INDEX snapshots_by_target ON metric_snapshots(target_id, fetched_at);

ALTER TABLE notices ADD COLUMN emailed_at BIGINT;

CREATE TABLE settings (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
);
)sql"},
    Migration{4, R"sql(
-- Team mode: the audit chain's head lives in the database, in a table only
-- the service role (the owner, who ran the migrations) writes. Appending an
-- entry moves it through a SECURITY DEFINER trigger, which also refuses an
-- entry that does not extend the chain; desk roles get SELECT and INSERT on
-- the log and SELECT on the anchor (clearpost_grant_desk), so for them the
-- log is append-only by privilege as well as by trigger.
CREATE TABLE audit_anchor (
    id  BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    mac TEXT NOT NULL
);
INSERT INTO audit_anchor(id, seq, mac) SELECT 1, seq, mac FROM audit_log ORDER BY seq DESC LIMIT 1;
CREATE TRIGGER audit_anchor_no_delete BEFORE DELETE ON audit_anchor FOR EACH ROW
    EXECUTE FUNCTION clearpost_refuse('the audit anchor only moves forward');
CREATE TRIGGER audit_anchor_no_truncate BEFORE TRUNCATE ON audit_anchor FOR EACH STATEMENT
    EXECUTE FUNCTION clearpost_refuse('the audit anchor only moves forward');

CREATE FUNCTION clearpost_audit_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    head_seq BIGINT;
    head_mac TEXT;
BEGIN
    SELECT seq, mac INTO head_seq, head_mac FROM audit_anchor WHERE id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        head_seq := 0;
        head_mac := repeat('0', 64);
    END IF;
    IF NEW.seq <> head_seq + 1 OR NEW.prev_mac <> head_mac THEN
        RAISE EXCEPTION 'audit entry % does not extend the chain (its head is entry %)', NEW.seq, head_seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    INSERT INTO audit_anchor(id, seq, mac) VALUES (1, NEW.seq, NEW.mac)
        ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, mac = EXCLUDED.mac;
    RETURN NEW;
END $$;
-- A SECURITY DEFINER function must not find its tables through the caller's
-- search_path: pin it to this schema.
DO $$ BEGIN
    EXECUTE format('ALTER FUNCTION clearpost_audit_chain() SET search_path = %I, pg_catalog, pg_temp',
                   current_schema());
END $$;
REVOKE ALL ON FUNCTION clearpost_audit_chain() FROM PUBLIC;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION clearpost_audit_chain();

REVOKE ALL ON audit_anchor FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

-- What a desk role (studio users, clearpostctl on a desktop) may do: read
-- and write the working tables, append to the audit log, read the anchor
-- and the schema version. Run by the owner; again after an upgrade adds
-- tables.
CREATE FUNCTION clearpost_grant_desk(desk TEXT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    s TEXT := current_schema();
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, desk);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', s, desk);
    EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO %I', s, desk);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I.audit_log FROM %I', s, desk);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %I.audit_anchor FROM %I', s, desk);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %I.schema_version FROM %I', s, desk);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I.post_versions FROM %I', s, desk);
END $$;
REVOKE ALL ON FUNCTION clearpost_grant_desk(TEXT) FROM PUBLIC;
)sql"},
    Migration{5, R"sql(
-- Tags on posts (campaigns, topics); see migrations.h. Tags are listed in
-- order, so they sort bytewise as in SQLite. Desk roles need
-- clearpostctl db grant again to reach the new table.
CREATE TABLE post_tags (
    post_id BIGINT NOT NULL REFERENCES posts(id),
    tag     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (post_id, tag)
);
CREATE INDEX post_tags_by_tag ON post_tags(tag, post_id);
)sql"},
    Migration{6, R"sql(
-- Daily account samples (followers...); see migrations.h. Desk roles need
-- clearpostctl db grant again to reach the new table.
CREATE SEQUENCE account_snapshots_id_seq;
CREATE TABLE account_snapshots (
    id         BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES social_accounts(id),
    fetched_at BIGINT NOT NULL,
    metrics    TEXT NOT NULL
);
CREATE TRIGGER account_snapshots_id BEFORE INSERT ON account_snapshots FOR EACH ROW
    EXECUTE FUNCTION clearpost_row_id('account_snapshots_id_seq');
CREATE INDEX account_snapshots_by_account ON account_snapshots(account_id, fetched_at);
)sql"},
};

}  // namespace clearpost::store::pg
