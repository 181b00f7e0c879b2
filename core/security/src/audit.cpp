#include "clearpost/security/audit.h"

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

const std::string kGenesis(64, '0');

Error os_error(const std::string& what, const std::filesystem::path& path) {
    return make_error(ErrorCode::Io, what + " " + path.string() + ": " + std::strerror(errno));
}

// A file descriptor closed on scope exit.
class Fd {
public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() {
        if (m_fd >= 0) ::close(m_fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

Result<void> write_all(int fd, const std::string& data, const std::filesystem::path& path) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return os_error("cannot write", path);
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) return os_error("cannot flush", path);
    return ok();
}

Result<void> ensure_private_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return make_error(ErrorCode::Io, "cannot create " + dir.string() + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);
    return ok();
}

Result<std::optional<crypto::Bytes>> read_key(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return std::optional<crypto::Bytes>{};
        return os_error("cannot read the audit key", path);
    }
    if ((st.st_mode & 077) != 0) {
        return make_error(ErrorCode::Io, "the audit key " + path.string() +
                                             " is readable by others; run: chmod 600 " +
                                             path.string());
    }
    std::ifstream in(path);
    std::string hex;
    in >> hex;
    auto key = crypto::from_hex(hex);
    if (!key || key->size() != 32) {
        return make_error(ErrorCode::Corrupt, "the audit key " + path.string() +
                                                  " is damaged; restore it from your backup");
    }
    return std::optional<crypto::Bytes>{std::move(*key)};
}

Result<crypto::Bytes> create_key(const std::filesystem::path& path) {
    const crypto::Bytes key = crypto::random_bytes(32);
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) return os_error("cannot create the audit key", path);
    CLEARPOST_CHECK(write_all(fd.get(), crypto::to_hex(key) + "\n", path));
    return key;
}

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
    const auto anchor_path = dir / (db_id + ".head");
    CLEARPOST_ASSIGN(auto key, read_key(key_path));
    if (!key) {
        CLEARPOST_ASSIGN(auto last, store.last_audit());
        if (last) {
            return make_error(ErrorCode::NotFound,
                              "the audit key " + key_path.string() +
                                  " is missing but the database has an audit log; restore the key "
                                  "from your backup");
        }
        CLEARPOST_CHECK(ensure_private_dir(dir));
        CLEARPOST_ASSIGN(key, create_key(key_path));
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
    CLEARPOST_ASSIGN(auto anchor, read_anchor(m_anchor_path));
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
            fail(anchor->seq, "entry " + std::to_string(anchor->seq) +
                                  " does not match the anchor kept outside the database");
        }
    } else if (head > 0) {
        fail(1, "the audit anchor " + m_anchor_path.string() +
                    " is missing; the newest entries cannot be vouched for");
    }
    return report;
}

}  // namespace clearpost::security
