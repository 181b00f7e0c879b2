#pragma once
// Reports delivered on a schedule: every week or month, the service
// (clearpostctl run) mails the report of the period that just ended, as a
// PDF or CSV attachment, through the organisation's mail relay, to the
// addresses an admin chose. Each period goes out once; a period missed
// while the service was stopped goes out when it runs again (only the
// newest one: older ones can be made with clearpostctl report).

#include <optional>
#include <string>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"
#include "clearpost/model/model.h"
#include "clearpost/security/audit.h"
#include "clearpost/security/vault.h"
#include "clearpost/store/store.h"

namespace clearpost::app {

struct ReportSchedule {
    std::string every = "week";   // "week" (Monday to Monday) or "month", in the organisation's time zone
    std::string format = "pdf";   // "pdf" or "csv"
    std::vector<std::string> to;  // recipients
    std::string last_sent;        // "YYYY-MM-DD": the first day after the last period mailed; empty: none yet
};

// The stored schedule; nothing when reports are not mailed.
Result<std::optional<ReportSchedule>> report_schedule(store::Store& store);
// Admins only; audited. Invalid for another `every` or `format`, or a
// malformed address. nullopt turns the delivery off.
Result<void> set_report_schedule(store::Store& store, security::AuditLog& audit, const model::User& actor,
                                 const std::optional<ReportSchedule>& schedule, UnixSeconds now);

// The newest whole period before `now` (local days [from, to) as
// "YYYY-MM-DD"), whether or not it was sent.
struct ReportPeriod {
    std::string from;
    std::string to;
};
Result<ReportPeriod> last_whole_period(const std::string& every, const std::string& zone, UnixSeconds now);

// Mails the report of the newest whole period if it was not sent yet and
// records it as sent. Nothing when no schedule is set or the period went
// out already; Conflict when no mail relay is set (nothing recorded, so it
// goes out once one is). Returns the period sent.
Result<std::optional<ReportPeriod>> deliver_due_report(store::Store& store, security::Vault& vault, UnixSeconds now);

}  // namespace clearpost::app
