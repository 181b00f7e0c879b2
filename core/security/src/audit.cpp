#include "clearpost/security/audit.h"

#include "key_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace clearpost::security {
namespace {

using keyfile::Fd;
using keyfile::ensure_private_dir;
using keyfile::os_error;
using keyfile::read_key;
using keyfile::create_key;
using keyfile::write_all;

const std::string kGenesis(64, '0');

struct Anchor {
    std::int64_t seq = 0;
    std::string mac;
};

Result<std::optional<Anchor>> read_anchor(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) {
        if (!std::filesystem::exists(path)) return std::optional<Anchor>{};
        return os_error("cannot read the audit anchor", path);
    }
    Anchor a;
    if (!(in >> a.seq >> a.mac) || a.seq < 1 || a.mac.size() != 64) {
        return make_error(ErrorCode::Tampered,
                          "the audit anchor " + path.string() + " is damaged");
    }
    return std::optional<Anchor>{std::move(a)};
}

std::string length_prefixed(const std::string& s) { return std::to_string(s.size()) + ":" + s + "\n"; }

}  // namespace

AuditLog::AuditLog(store::Store& store, crypto::Bytes key, std::filesystem::path key_path,
                   std::filesystem::path anchor_path)
    : m_store(&store),
      m_key(std::move(key)),
      m_key_path(std::move(key_path)),
      m_anchor_path(std::move(anchor_path)) {}

Result<AuditLog> AuditLog::open(store::Store& store, const std::filesystem::path& key_dir) {
    CLEARPOST_ASSIGN(std::string db_id, store.database_id());
    const auto dir = key_dir / "audit";
    const auto key_path = dir / (db_id + ".key");
    // A team database keeps its own anchor (Store::keeps_audit_anchor).
    const auto anchor_path = store.keeps_audit_anchor() ? std::filesystem::path{} : dir / (db_id + ".head");
    CLEARPOST_ASSIGN(auto key, read_key(key_path, "audit key"));
    if (!key) {
        CLEARPOST_ASSIGN(auto last, store.last_audit());
        if (last) {
            return make_error(ErrorCode::NotFound,
                              "the audit key " + key_path.string() +
                                  " is missing but the database has an audit log; restore the key "
                                  "from your backup" +
                                  (store.keeps_audit_anchor()
                                       ? std::string(", or copy it from a machine that already uses this team "
                                                     "database")
                                       : std::string()));
        }
        CLEARPOST_CHECK(ensure_private_dir(dir));
        CLEARPOST_ASSIGN(key, create_key(key_path, "audit key"));
    }
    return AuditLog(store, std::move(*key), key_path, anchor_path);
}

std::string AuditLog::mac_of(const model::AuditEntry& e) const {
    const std::string content = e.prev_mac + "\n" + std::to_string(e.seq) + "\n" +
                                std::to_string(e.at) + "\n" + length_prefixed(e.actor) +
                                length_prefixed(e.action) + length_prefixed(e.subject) +
                                length_prefixed(e.detail);
    return crypto::hmac_sha256_hex(m_key, content);
}

Result<void> AuditLog::append(const AuditEvent& event, UnixSeconds now) {
    CLEARPOST_ASSIGN(auto last, m_store->last_audit());
    model::AuditEntry e;
    e.seq = last ? last->seq + 1 : 1;
    e.at = now;
    e.actor = event.actor;
    e.action = event.action;
    e.subject = event.subject;
    e.detail = event.detail;
    e.prev_mac = last ? last->mac : kGenesis;
    e.mac = mac_of(e);
    return m_store->append_audit(e);
}

Result<void> AuditLog::anchor() {
    if (m_anchor_path.empty()) return ok();  // the database moved its anchor as it committed
    CLEARPOST_ASSIGN(auto last, m_store->last_audit());
    if (!last) return ok();
    CLEARPOST_CHECK(ensure_private_dir(m_anchor_path.parent_path()));
    // A lock file serialises anchor updates of processes sharing the database.
    const auto lock_path = m_anchor_path.string() + ".lock";
    Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (lock.get() < 0 || ::flock(lock.get(), LOCK_EX) != 0) {
        return os_error("cannot lock the audit anchor", lock_path);
    }
    CLEARPOST_ASSIGN(auto current, read_anchor(m_anchor_path));
    if (current && current->seq >= last->seq) return ok();
    const auto tmp = m_anchor_path.string() + ".tmp";
    {
        Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (fd.get() < 0) return os_error("cannot write the audit anchor", tmp);
        CLEARPOST_CHECK(write_all(fd.get(), std::to_string(last->seq) + " " + last->mac + "\n", tmp));
    }
    if (::rename(tmp.c_str(), m_anchor_path.c_str()) != 0) {
        return os_error("cannot replace the audit anchor", m_anchor_path);
    }
    return ok();
}

Result<AuditVerification> AuditLog::verify() {
    AuditVerification report;
    std::optional<Anchor> anchor;
    if (m_anchor_path.empty()) {
        CLEARPOST_ASSIGN(auto kept, m_store->audit_anchor());
        if (kept) anchor = Anchor{kept->seq, kept->mac};
    } else {
        CLEARPOST_ASSIGN(anchor, read_anchor(m_anchor_path));
    }
    const std::string where = m_anchor_path.empty() ? "the anchor kept in the database's audit_anchor table"
                                                    : "the anchor kept outside the database";
    std::string prev = kGenesis;
    std::int64_t expected = 1;
    std::string mac_at_anchor;
    auto fail = [&report](std::int64_t seq, std::string problem) {
        report.intact = false;
        report.first_bad_seq = seq;
        report.problem = std::move(problem);
        return false;
    };
    CLEARPOST_CHECK(m_store->each_audit([&](const model::AuditEntry& e) {
        ++report.entries;
        if (e.seq != expected) {
            return fail(expected, e.seq > expected
                                      ? "entry " + std::to_string(expected) +
                                            " is missing (the log jumps to " + std::to_string(e.seq) + ")"
                                      : "entry " + std::to_string(e.seq) + " is out of place after entry " +
                                            std::to_string(expected - 1));
        }
        if (e.prev_mac != prev) {
            return fail(e.seq, "entry " + std::to_string(e.seq) +
                                   " does not follow the entry before it (inserted or reordered)");
        }
        if (!crypto::constant_time_equal(mac_of(e), e.mac)) {
            return fail(e.seq, "entry " + std::to_string(e.seq) + " was altered after it was written");
        }
        if (anchor && e.seq == anchor->seq) mac_at_anchor = e.mac;
        prev = e.mac;
        ++expected;
        return true;
    }));
    if (!report.intact) return report;
    const std::int64_t head = expected - 1;
    if (anchor) {
        if (head < anchor->seq) {
            fail(head + 1, "entries " + std::to_string(head + 1) + " to " +
                               std::to_string(anchor->seq) + " were deleted (the anchor records " +
                               std::to_string(anchor->seq) + " entries)");
        } else if (mac_at_anchor != anchor->mac) {
            fail(anchor->seq, "entry " + std::to_string(anchor->seq) + " does not match " + where);
        }
    } else if (head > 0) {
        fail(1, (m_anchor_path.empty() ? "the database's audit anchor"
                                       : "the audit anchor " + m_anchor_path.string()) +
                    " is missing; the newest entries cannot be vouched for");
    }
    return report;
}

}  // namespace clearpost::security
