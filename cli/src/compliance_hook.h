#pragma once

#include "clearpost/workflow/workflow.h"

namespace clearpost::cli {

// The compliance engine as the workflow runs it on every new version.
workflow::ComplianceCheck compliance_check();

}  // namespace clearpost::cli
