#pragma once
// One studio per person: a second launch asks the running one to bring its
// window to the front and exits, so nobody works in two windows that each
// publish and notify. The lock and the socket live in the person's config
// folder (0700); a lock left by a studio that crashed is taken over.

#include <filesystem>
#include <functional>
#include <memory>

class wxSingleInstanceChecker;
class wxObject;

namespace clearpost::gui {

class SingleInstance {
public:
    explicit SingleInstance(const std::filesystem::path& dir);
    ~SingleInstance();
    SingleInstance(const SingleInstance&) = delete;
    SingleInstance& operator=(const SingleInstance&) = delete;

    bool another_running() const;
    // Asks the running studio to come to the front, and to import `file`
    // when one is given; false when it did not answer.
    bool raise_other(const std::filesystem::path& file = {});
    // Answers later launches: `raise` runs on the GUI thread for each, with
    // the file it was asked to open (empty for none).
    bool serve(std::function<void(const std::filesystem::path&)> raise);

private:
    std::filesystem::path m_socket;
    std::unique_ptr<wxSingleInstanceChecker> m_checker;
    std::unique_ptr<wxObject> m_server;  // the wxServer answering later launches
};

}  // namespace clearpost::gui
