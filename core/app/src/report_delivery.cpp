#include "clearpost/app/report_delivery.h"

#include <nlohmann/json.hpp>

#include "clearpost/analytics/charts.h"
#include "clearpost/analytics/csv.h"
#include "clearpost/analytics/dashboard.h"
#include "clearpost/analytics/report.h"
#include "clearpost/publish/notify.h"
#include "clearpost/schedule/time_zone.h"
#include "clearpost/workflow/admin.h"

namespace clearpost::app {
namespace {

using nlohmann::json;

constexpr const char* kSetting = "report_schedule";

// Days since 1970-01-01 of a civil date, and back (proleptic Gregorian).
std::int64_t days_from_civil(schedule::LocalDate d) {
    const int y = d.year - (d.month <= 2 ? 1 : 0);
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

schedule::LocalDate civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<int>(z - era * 146097);
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    const int day = doy - (153 * mp + 2) / 5 + 1;
    const int month = mp + (mp < 10 ? 3 : -9);
    return {static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0)), month, day};
}

std::string format_date(schedule::LocalDate d) {
    char out[32];  // room for any int, so -O2 sees no truncation
    std::snprintf(out, sizeof out, "%04d-%02d-%02d", d.year, d.month, d.day);
    return out;
}

Result<schedule::LocalDate> parse_date(const std::string& text) {
    CLEARPOST_ASSIGN(auto parsed, schedule::parse_local_datetime(text + "T00:00"));
    return parsed.date();
}

bool plausible_address(const std::string& a) {
    const auto at = a.find('@');
    return at != std::string::npos && at > 0 && at + 1 < a.size() && a.find_first_of(" \r\n,<>") == std::string::npos;
}

Result<void> save(store::Store& store, const ReportSchedule& s) {
    return store.set_setting(kSetting, json{{"every", s.every}, {"format", s.format}, {"to", s.to}, {"last_sent", s.last_sent}}.dump());
}

}  // namespace

Result<std::optional<ReportSchedule>> report_schedule(store::Store& store) {
    CLEARPOST_ASSIGN(auto stored, store.setting(kSetting));
    if (!stored) return std::optional<ReportSchedule>{};
    const auto doc = json::parse(*stored, nullptr, false);
    if (!doc.is_object()) return make_error(ErrorCode::Corrupt, "the stored report schedule is damaged; set it again (clearpostctl org report-schedule)");
    ReportSchedule s;
    s.every = doc.value("every", std::string("week"));
    s.format = doc.value("format", std::string("pdf"));
    s.to = doc.value("to", std::vector<std::string>{});
    s.last_sent = doc.value("last_sent", std::string());
    return std::optional<ReportSchedule>{std::move(s)};
}

Result<void> set_report_schedule(store::Store& store, security::AuditLog& audit, const model::User& actor,
                                 const std::optional<ReportSchedule>& schedule, UnixSeconds now) {
    CLEARPOST_CHECK(workflow::require_admin(actor, "schedule reports"));
    std::string detail = "off";
    if (schedule) {
        if (schedule->every != "week" && schedule->every != "month")
            return make_error(ErrorCode::Invalid, "reports go out every week or every month, not every " + schedule->every);
        if (schedule->format != "pdf" && schedule->format != "csv")
            return make_error(ErrorCode::Invalid, "a scheduled report is a pdf or a csv, not " + schedule->format);
        if (schedule->to.empty()) return make_error(ErrorCode::Invalid, "name who receives the report (--to ADDRESS)");
        for (const auto& a : schedule->to)
            if (!plausible_address(a)) return make_error(ErrorCode::Invalid, "'" + a + "' is not an e-mail address");
        detail = "every " + schedule->every + ", " + schedule->format + ", " + std::to_string(schedule->to.size()) +
                 " recipient(s)";
    }
    CLEARPOST_CHECK(store.transaction([&]() -> Result<void> {
        if (schedule) {
            CLEARPOST_ASSIGN(auto before, report_schedule(store));
            ReportSchedule next = *schedule;
            // A period already mailed is not mailed again because the schedule changed.
            if (before && before->every == next.every) next.last_sent = before->last_sent;
            CLEARPOST_CHECK(save(store, next));
        } else {
            CLEARPOST_CHECK(store.delete_setting(kSetting));
        }
        return audit.append({actor.name, "report.schedule", "organisation", detail}, now);
    }));
    return audit.anchor();
}

Result<ReportPeriod> last_whole_period(const std::string& every, const std::string& zone_name, UnixSeconds now) {
    schedule::TzDatabase zones;
    CLEARPOST_ASSIGN(auto zone, zones.find(zone_name));
    CLEARPOST_ASSIGN(auto local, schedule::utc_to_local(now, zone));
    const schedule::LocalDate today = local.local.date();
    if (every == "month") {
        const schedule::LocalDate to{today.year, today.month, 1};
        const schedule::LocalDate from = today.month == 1 ? schedule::LocalDate{today.year - 1, 12, 1}
                                                          : schedule::LocalDate{today.year, today.month - 1, 1};
        return ReportPeriod{format_date(from), format_date(to)};
    }
    // Weeks run Monday to Monday; 1970-01-01 was a Thursday (day 0 -> 3 days after Monday).
    const std::int64_t days = days_from_civil(today);
    const std::int64_t monday = days - ((days + 3) % 7 + 7) % 7;
    return ReportPeriod{format_date(civil_from_days(monday - 7)), format_date(civil_from_days(monday))};
}

Result<std::optional<ReportPeriod>> deliver_due_report(store::Store& store, security::Vault& vault, UnixSeconds now) {
    CLEARPOST_ASSIGN(auto plan, report_schedule(store));
    if (!plan) return std::optional<ReportPeriod>{};
    CLEARPOST_ASSIGN(auto org, store.organisation());
    const std::string zone_name = org.default_zone.empty() ? "UTC" : org.default_zone;
    CLEARPOST_ASSIGN(auto period, last_whole_period(plan->every, zone_name, now));
    if (!plan->last_sent.empty() && plan->last_sent >= period.to) return std::optional<ReportPeriod>{};

    schedule::TzDatabase zones;
    CLEARPOST_ASSIGN(auto zone, zones.find(zone_name));
    CLEARPOST_ASSIGN(auto first, parse_date(period.from));
    CLEARPOST_ASSIGN(auto after_last, parse_date(period.to));
    CLEARPOST_ASSIGN(auto range, analytics::local_days(zone, first, after_last));
    net::MailAttachment file;
    std::size_t published = 0;
    if (plan->format == "pdf") {
        CLEARPOST_ASSIGN(auto dashboard, analytics::build_dashboard(store, range, zone));
        published = dashboard.current.posts;
        CLEARPOST_ASSIGN(file.data, analytics::pdf_report(dashboard, {org.name, now}));
        file.type = "application/pdf";
        file.name = "clearpost-report-" + period.from + ".pdf";
    } else {
        CLEARPOST_ASSIGN(auto report, analytics::build_report(store, range));
        published = report.rows.size();
        file.data = analytics::to_csv(analytics::report_table(report));
        file.type = "text/csv";
        file.name = "clearpost-report-" + period.from + ".csv";
    }
    const std::string last_day = format_date(civil_from_days(days_from_civil(after_last) - 1));
    net::Mail mail;
    mail.to = plan->to;
    mail.subject = "Clearpost (" + org.name + "): report " + period.from + " to " + last_day;
    mail.body = "The report of " + org.name + "'s social media from " + period.from + " to " + last_day + " (" +
                zone_name + ") is attached: " + std::to_string(published) +
                " published posts. Make another period with clearpostctl report or in the studio's Dashboard.\n";
    mail.attachments.push_back(std::move(file));
    CLEARPOST_CHECK(publish::send_through_relay(store, vault, std::move(mail), now));
    plan->last_sent = period.to;
    CLEARPOST_CHECK(save(store, *plan));
    return std::optional<ReportPeriod>{std::move(period)};
}

}  // namespace clearpost::app
