#pragma once

#include <functional>

#include "clearpost/security/audit.h"
#include "clearpost/store/store.h"

namespace clearpost::workflow {

// Runs `body` (which writes its own audit entries) in one store transaction,
// then moves the audit anchor past what was committed.
inline Result<void> transact(store::Store& store, security::AuditLog& audit,
                             const std::function<Result<void>()>& body) {
    CLEARPOST_CHECK(store.transaction(body));
    return audit.anchor();
}

}  // namespace clearpost::workflow
