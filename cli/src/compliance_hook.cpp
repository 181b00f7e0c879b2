#include "compliance_hook.h"

namespace clearpost::cli {

workflow::ComplianceCheck compliance_check() { return {}; }

}  // namespace clearpost::cli
