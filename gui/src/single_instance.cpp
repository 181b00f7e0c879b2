#include "single_instance.h"

#include <wx/ipc.h>
#include <wx/snglinst.h>
#include <wx/utils.h>

namespace clearpost::gui {
namespace {

const char* const kTopic = "clearpost";

using Raise = std::function<void(const std::filesystem::path&)>;

// "raise", or "open:" and an absolute path to import.
class RaiseConnection : public wxConnection {
public:
    explicit RaiseConnection(Raise raise) : m_raise(std::move(raise)) {}
    bool OnExec(const wxString&, const wxString& data) override {
        if (data == "raise") {
            m_raise({});
            return true;
        }
        if (!data.StartsWith("open:")) return false;
        m_raise(std::filesystem::path(std::string(data.Mid(5).utf8_str())));
        return true;
    }

private:
    Raise m_raise;
};

class RaiseServer : public wxServer {
public:
    explicit RaiseServer(Raise raise) : m_raise(std::move(raise)) {}
    wxConnectionBase* OnAcceptConnection(const wxString& topic) override {
        return topic == kTopic ? new RaiseConnection(m_raise) : nullptr;
    }

private:
    Raise m_raise;
};

}  // namespace

SingleInstance::SingleInstance(const std::filesystem::path& dir) : m_socket(dir / "studio.sock") {
    // On a first start the folder does not exist yet, and the lock needs it.
    std::error_code ec;
    if (std::filesystem::create_directories(dir, ec))
        std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    m_checker = std::make_unique<wxSingleInstanceChecker>("studio.lock", wxString::FromUTF8(dir.string()));
}

SingleInstance::~SingleInstance() = default;

bool SingleInstance::another_running() const { return m_checker->IsAnotherRunning(); }

bool SingleInstance::raise_other(const std::filesystem::path& file) {
    wxClient client;
    std::unique_ptr<wxConnectionBase> connection(
        client.MakeConnection("localhost", wxString::FromUTF8(m_socket.string()), kTopic));
    if (!connection) return false;
    std::error_code ec;
    const auto absolute = file.empty() ? file : std::filesystem::absolute(file, ec);
    return connection->Execute(file.empty() ? wxString("raise") : "open:" + wxString::FromUTF8(absolute.string()));
}

bool SingleInstance::serve(std::function<void(const std::filesystem::path&)> raise) {
    if (m_server) return true;
    auto server = std::make_unique<RaiseServer>(std::move(raise));
    // A Unix socket: wx removes one left by a studio that crashed, and
    // makes the new one for this user only.
    if (!server->Create(wxString::FromUTF8(m_socket.string()))) return false;
    m_server = std::move(server);
    return true;
}

}  // namespace clearpost::gui
