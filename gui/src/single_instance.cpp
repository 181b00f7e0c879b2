#include "single_instance.h"

#include <wx/ipc.h>
#include <wx/snglinst.h>
#include <wx/utils.h>

namespace clearpost::gui {
namespace {

const char* const kTopic = "clearpost";

class RaiseConnection : public wxConnection {
public:
    explicit RaiseConnection(std::function<void()> raise) : m_raise(std::move(raise)) {}
    bool OnExec(const wxString&, const wxString& data) override {
        if (data != "raise") return false;
        m_raise();
        return true;
    }

private:
    std::function<void()> m_raise;
};

class RaiseServer : public wxServer {
public:
    explicit RaiseServer(std::function<void()> raise) : m_raise(std::move(raise)) {}
    wxConnectionBase* OnAcceptConnection(const wxString& topic) override {
        return topic == kTopic ? new RaiseConnection(m_raise) : nullptr;
    }

private:
    std::function<void()> m_raise;
};

}  // namespace

SingleInstance::SingleInstance(const std::filesystem::path& dir)
    : m_socket(dir / "studio.sock"),
      m_checker(std::make_unique<wxSingleInstanceChecker>("studio.lock", wxString::FromUTF8(dir.string()))) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
}

SingleInstance::~SingleInstance() = default;

bool SingleInstance::another_running() const { return m_checker->IsAnotherRunning(); }

bool SingleInstance::raise_other() {
    wxClient client;
    std::unique_ptr<wxConnectionBase> connection(
        client.MakeConnection("localhost", wxString::FromUTF8(m_socket.string()), kTopic));
    return connection && connection->Execute("raise");
}

bool SingleInstance::serve(std::function<void()> raise) {
    if (m_server) return true;
    auto server = std::make_unique<RaiseServer>(std::move(raise));
    // A Unix socket: wx removes one left by a studio that crashed, and
    // makes the new one for this user only.
    if (!server->Create(wxString::FromUTF8(m_socket.string()))) return false;
    m_server = std::move(server);
    return true;
}

}  // namespace clearpost::gui
