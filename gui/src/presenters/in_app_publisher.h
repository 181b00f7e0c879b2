#pragma once
// Publishing inside the studio when no `clearpostctl run` announces itself
// (publish::ServiceLease): a thread of its own that, every poll, either
// takes the free lease and publishes what is due (one round of the
// service, on its own connection), or sees the service hold it and stands
// by. What it is doing is reported for the status bar. It never opens the
// vault with a passphrase (the studio has no terminal): a vault that needs
// one leaves publishing to the service, and says so.

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "clearpost/publish/dispatcher.h"

namespace clearpost::gui {

struct PublisherStatus {
    enum class Mode {
        Here,         // this studio holds the lease and publishes
        Service,      // `clearpostctl run` (or another studio) publishes
        Unavailable,  // nobody publishes from here: `detail` says why
    };
    Mode mode = Mode::Unavailable;
    std::string detail;           // the other holder, or what went wrong
    publish::DispatchStats total;  // what this studio published so far
};

class InAppPublisher {
public:
    using Report = std::function<void(const PublisherStatus&)>;  // called on the publisher's thread

    InAppPublisher(std::string database, std::filesystem::path key_dir, Report report, int poll_seconds = 10);
    // Finishes the post in flight, hands back the other claims and the lease.
    ~InAppPublisher();
    InAppPublisher(const InAppPublisher&) = delete;
    InAppPublisher& operator=(const InAppPublisher&) = delete;

private:
    void loop(std::stop_token stop);

    std::string m_database;
    std::filesystem::path m_key_dir;
    Report m_report;
    int m_poll_seconds;
    std::atomic<bool> m_stop{false};  // serve() watches this one
    std::jthread m_thread;            // last: starts after everything above exists
};

}  // namespace clearpost::gui
