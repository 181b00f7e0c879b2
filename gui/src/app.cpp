// clearpost: the desktop studio. Opens (creating on first start) the
// database, signs the user in, and shows the posts.

#include <wx/app.h>
#include <wx/cmdline.h>
#include <wx/image.h>
#include <wx/msgdlg.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "clearpost/schedule/time_zone.h"
#include "clearpost/security/audit.h"
#include "clearpost/security/db_login.h"
#include "clearpost/security/users.h"
#include "clearpost/workflow/admin.h"
#include "dialogs.h"
#include "main_frame.h"
#include "presenters/database_choice.h"
#include "scenario.h"
#include "single_instance.h"

namespace clearpost::gui {
namespace {

std::string system_zone() {
    if (const char* tz = std::getenv("TZ"); tz && *tz) return *tz == ':' ? tz + 1 : tz;
    std::ifstream in("/etc/timezone");
    std::string zone;
    return (in >> zone) ? zone : "UTC";
}

void show_error(const Error& error) {
    wxMessageBox(to_wx(error.message), _("Clearpost"), wxOK | wxICON_ERROR);
}

}  // namespace

class App : public wxApp {
public:
    bool OnInit() override;
    void OnInitCmdLine(wxCmdLineParser& parser) override;
    bool OnCmdLineParsed(wxCmdLineParser& parser) override;

private:
    enum class Opened { Yes, Cancelled, Failed };
    // Opens `db`, signs someone in and shows a window for it.
    Opened open_window(std::string db);
    bool set_up(store::Store& store, security::AuditLog& audit);
    Result<model::User> sign_in(store::Store& store, const std::string& db);

    std::string m_db;  // --db: a database file, or a postgresql:// URI (team mode)
    std::string m_user;
    std::filesystem::path m_self_test;
    ScenarioOptions m_scenario_options;
    std::unique_ptr<Scenario> m_scenario;
    std::unique_ptr<SingleInstance> m_single;  // none under the GUI scenario, which runs beside others
    std::filesystem::path m_open_file;         // opened (imported) once the window is there
};

void App::OnInitCmdLine(wxCmdLineParser& parser) {
    wxApp::OnInitCmdLine(parser);
    parser.AddOption("", "db", _("database file (default: $XDG_DATA_HOME/clearpost/clearpost.db) or postgresql:// URI"));
    parser.AddOption("", "as", _("user to sign in as (password from CLEARPOST_PASSWORD or a dialog)"));
    parser.AddOption("", "self-test", _("write the loaded post list to this file (for tests)"));
    parser.AddOption("", "scenario", _("run the GUI test's scenario and write its checks to this file (for tests)"));
    parser.AddOption("", "screenshots", _("folder for the scenario's screenshots"));
    parser.AddOption("", "approver", _("who approves in the scenario (password from CLEARPOST_APPROVER_PASSWORD)"));
    parser.AddOption("", "admin", _("who reads the audit log in the scenario (password from CLEARPOST_ADMIN_PASSWORD)"));
    parser.AddParam(_("a calendar export or spreadsheet to import"), wxCMD_LINE_VAL_STRING, wxCMD_LINE_PARAM_OPTIONAL);
}

bool App::OnCmdLineParsed(wxCmdLineParser& parser) {
    wxString value;
    if (parser.Found("db", &value)) m_db = from_wx(value);
    if (parser.Found("as", &value)) m_user = from_wx(value);
    if (parser.Found("self-test", &value)) m_self_test = from_wx(value);
    if (parser.Found("scenario", &value)) m_scenario_options.report = from_wx(value);
    if (parser.Found("screenshots", &value)) m_scenario_options.screenshots = from_wx(value);
    if (parser.Found("approver", &value)) m_scenario_options.approver = from_wx(value);
    if (parser.Found("admin", &value)) m_scenario_options.admin = from_wx(value);
    if (parser.GetParamCount() > 0) m_open_file = from_wx(parser.GetParam(0));
    return wxApp::OnCmdLineParsed(parser);
}

bool App::set_up(store::Store& store, security::AuditLog& audit) {
    workflow::Admin admin(store, audit, system_now);
    while (true) {
        SetupDialog dialog(nullptr, system_zone());
        if (dialog.ShowModal() != wxID_OK) return false;
        schedule::TzDatabase zones;
        if (auto zone = zones.find(dialog.zone()); !zone) {
            show_error(zone.error());
            continue;
        }
        auto created = admin.initialise(dialog.organisation(), dialog.zone(), dialog.admin_name(),
                                        dialog.password());
        if (created) {
            m_user = created->name;
            return true;
        }
        show_error(created.error());
    }
}

Result<model::User> App::sign_in(store::Store& store, const std::string& db) {
    if (const char* env = std::getenv("CLEARPOST_PASSWORD"); env && *env && !m_user.empty()) {
        return security::authenticate(store, m_user, env);
    }
    SignInDialog dialog(nullptr, store::redact_uri(db), m_user);
    while (dialog.ShowModal() == wxID_OK) {
        auto user = security::authenticate(store, dialog.user(), dialog.password());
        if (user) return user;
        dialog.show_error(user.error().message);
    }
    return make_error(ErrorCode::Unauthenticated, "sign-in cancelled");
}

bool App::OnInit() {
    if (!wxApp::OnInit()) return false;
    // JPEG and PNG for the composer's thumbnails.
    wxInitAllImageHandlers();
    if (!m_scenario_options.report.empty()) {
        // Under test nobody can click an assertion dialog away: report it
        // on stderr so the run fails visibly instead of hanging.
        wxSetAssertHandler([](const wxString& file, int line, const wxString& func, const wxString& cond,
                              const wxString& msg) {
            std::fprintf(stderr, "wx assertion failed: %s:%d %s: %s %s\n", file.utf8_str().data(), line,
                         func.utf8_str().data(), cond.utf8_str().data(), msg.utf8_str().data());
        });
    }
    SetAppDisplayName("Clearpost");
    if (m_scenario_options.report.empty()) {
        m_single = std::make_unique<SingleInstance>(security::default_config_dir());
        if (m_single->another_running() && m_single->raise_other(m_open_file)) {
            std::fputs(m_open_file.empty() ? "Clearpost is already open: its window was brought to the front.\n"
                                           : "Clearpost is already open: the file was passed to it.\n",
                       stderr);
            CallAfter([this] { ExitMainLoop(); });  // no window: leave with status 0
            return true;
        }
        // No answer: a studio that crashed left its lock; this one takes over.
    }
    if (!m_db.empty()) return open_window(m_db) == Opened::Yes;
    // Without --db: the database chosen in File > Database..., else this
    // computer's. A team database that cannot be reached must not lock the
    // user out: offer this computer's database instead.
    const auto embedded = security::default_database_path().string();
    const auto chosen = chosen_database(security::default_config_dir(), embedded);
    const Opened opened = open_window(chosen);
    if (opened != Opened::Failed || chosen == embedded) return opened == Opened::Yes;
    if (wxMessageBox(_("Open this computer's database instead? File > Database... switches back to the team "
                       "database."),
                     _("Clearpost"), wxYES_NO | wxICON_QUESTION) != wxYES) {
        return false;
    }
    return open_window(embedded) == Opened::Yes;
}

App::Opened App::open_window(std::string db) {
    // A team database's password from the keyring (clearpostctl db login).
    auto located = security::with_stored_password(db, *security::system_keyring());
    if (!located) {
        show_error(located.error());
        return Opened::Failed;
    }
    db = std::move(*located);
    // The embedded default: created and migrated on first start.
    auto store = store::open_store(db, store::OpenMode::CreateIfMissing, store::MigrationPolicy::Migrate);
    if (!store) {
        show_error(store.error());
        return Opened::Failed;
    }
    auto audit = security::AuditLog::open(**store, security::default_config_dir());
    if (!audit) {
        show_error(audit.error());
        return Opened::Failed;
    }
    auto users = (*store)->list_users();
    if (!users) {
        show_error(users.error());
        return Opened::Failed;
    }
    if (users->empty() && !set_up(**store, *audit)) return Opened::Cancelled;
    auto user = sign_in(**store, db);
    if (!user) {
        if (user.error().code != ErrorCode::Unauthenticated || !m_self_test.empty()) show_error(user.error());
        return Opened::Cancelled;
    }
    auto* frame = new MainFrame(db, std::move(*user), m_self_test);
    frame->open_database = [this](const std::string& location) { return open_window(location) == Opened::Yes; };
    frame->Show();
    if (m_single) {
        m_single->serve([](const std::filesystem::path& file) {
            for (auto* window : wxTopLevelWindows) {
                if (auto* main = dynamic_cast<MainFrame*>(window)) {
                    main->Show();
                    main->Iconize(false);
                    main->Raise();
                    main->RequestUserAttention();
                    std::fputs("Brought to the front by a second launch.\n", stderr);
                    if (!file.empty()) main->CallAfter([main, file] { main->import_file(file); });
                    break;
                }
            }
        });
    }
    // A file the desktop opened with the studio (a calendar export).
    if (!m_open_file.empty()) frame->CallAfter([frame, file = m_open_file] { frame->import_file(file); });
    if (!m_scenario_options.report.empty()) {
        m_scenario = std::make_unique<Scenario>(frame, m_scenario_options);
        m_scenario->start();
    }
    return Opened::Yes;
}

}  // namespace clearpost::gui

wxIMPLEMENT_APP(clearpost::gui::App);
