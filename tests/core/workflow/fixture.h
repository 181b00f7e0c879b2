#pragma once
// A real database (a SQLite file in a temp folder, or a fresh PostgreSQL
// schema in the PostgreSQL runs) with an organisation, one user per role,
// two accounts and a controllable clock.

#include <memory>

#include "clearpost/security/audit.h"
#include "clearpost/store/store.h"
#include "clearpost/workflow/admin.h"
#include "clearpost/workflow/workflow.h"
#include "temp_dir.h"
#include "test_database.h"

namespace clearpost::testing {

struct WorkflowFixture {
    explicit WorkflowFixture(workflow::ComplianceCheck check = {});

    model::VersionContent content(const std::string& text, UnixSeconds at = 1900000000) const;
    // Creates `c` as the author, submits it, approves it as the approver and
    // schedules it; any refusal fails the test.
    model::Id approved_and_scheduled(const model::VersionContent& c);

    TempDir dir;
    std::string database;  // for store::open_store
    UnixSeconds now = 1800000000;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<security::AuditLog> audit;
    std::unique_ptr<workflow::Admin> admin_service;
    std::unique_ptr<workflow::Workflow> flow;
    model::User admin, author, author2, approver, approver2, privacy;
    model::Account bluesky, mastodon;
};

}  // namespace clearpost::testing
