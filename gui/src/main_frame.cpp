#include "main_frame.h"

#include <wx/aboutdlg.h>
#include <wx/app.h>
#include <wx/bmpbndl.h>
#include <wx/busyinfo.h>
#include <wx/filedlg.h>
#include <wx/iconbndl.h>
#include <wx/log.h>
#include <wx/menu.h>
#include <wx/msgdlg.h>
#include <wx/notebook.h>
#include <wx/notifmsg.h>
#include <wx/persist/bookctrl.h>
#include <wx/persist/toplevel.h>
#include <wx/sizer.h>
#include <wx/statusbr.h>
#include <wx/taskbar.h>
#include <wx/textentry.h>
#include <wx/utils.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>

#include "accounts_panel.h"
#include "async.h"
#include "audit_panel.h"
#include "calendar_panel.h"
#include "clearpost/app/compliance.h"
#include "clearpost/base/file.h"
#include "clearpost/security/audit.h"
#include "clearpost/security/users.h"
#include "clearpost/transfer/transfer.h"
#include "composer_panel.h"
#include "dashboard_panel.h"
#include "dialogs.h"
#include "import_dialog.h"
#include "inbox_panel.h"
#include "presenters/database_choice.h"
#include "queue_panel.h"

namespace clearpost::gui {
namespace {

enum Column { ColId, ColState, ColVersion, ColAuthor, ColWhen, ColText, ColumnCount };

enum MenuId {
    IdSwitchUser = wxID_HIGHEST + 1,
    IdDatabase,
    IdExport,
    IdImport,
    IdViewPosts,
    IdViewComposer,
    IdViewInbox,
    IdViewCalendar,
    IdViewQueue,
    IdViewAccounts,
    IdViewDashboard,
    IdViewAudit,
    IdPausePublishing,
    IdResumePublishing,
    IdSaveDraft,
    IdSubmit,
    IdFix,
    IdNextFinding,
    IdApprove,
    IdRequestChanges,
};

}  // namespace

PostListCtrl::PostListCtrl(wxWindow* parent)
    : wxListCtrl(parent, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                 wxLC_REPORT | wxLC_VIRTUAL | wxLC_SINGLE_SEL | wxLC_HRULES) {
    SetName(_("Posts"));
    AppendColumn(_("Post"), wxLIST_FORMAT_RIGHT, FromDIP(60));
    AppendColumn(_("State"), wxLIST_FORMAT_LEFT, FromDIP(130));
    AppendColumn(_("Version"), wxLIST_FORMAT_RIGHT, FromDIP(70));
    AppendColumn(_("Author"), wxLIST_FORMAT_LEFT, FromDIP(110));
    AppendColumn(_("Publishes"), wxLIST_FORMAT_LEFT, FromDIP(170));
    AppendColumn(_("Text"), wxLIST_FORMAT_LEFT, FromDIP(420));
}

void PostListCtrl::set_rows(std::vector<PostRow> rows) {
    m_rows = std::move(rows);
    SetItemCount(static_cast<long>(m_rows.size()));
    Refresh();
}

wxString PostListCtrl::OnGetItemText(long item, long column) const {
    if (item < 0 || static_cast<std::size_t>(item) >= m_rows.size()) return {};
    const auto& r = m_rows[static_cast<std::size_t>(item)];
    switch (column) {
    case ColId: return wxString::Format("%lld", static_cast<long long>(r.id));
    case ColState: return to_wx(r.state);
    case ColVersion: return wxString::Format("%d", r.version);
    case ColAuthor: return to_wx(r.author);
    case ColWhen: return r.when.empty() ? wxString(_("not scheduled")) : to_wx(r.when);
    case ColText: return to_wx(r.text);
    default: return {};
    }
}

// The status-area icon: its tooltip says who publishes; a click brings the
// window forward; its menu has the emergency pause.
class StatusIcon : public wxTaskBarIcon {
public:
    explicit StatusIcon(MainFrame* frame) : m_frame(frame) {
        Bind(wxEVT_TASKBAR_LEFT_DOWN, [this](wxTaskBarIconEvent&) { bring_forward(); });
    }
    bool SetIcon(const wxBitmapBundle& icon, const wxString& tooltip = wxString()) override {
        m_icon = icon;
        return wxTaskBarIcon::SetIcon(icon, tooltip);
    }
    const wxBitmapBundle& icon() const { return m_icon; }

protected:
    wxMenu* CreatePopupMenu() override {
        auto* menu = new wxMenu;
        menu->Append(wxID_OPEN, _("&Show Clearpost"));
        menu->Append(IdPausePublishing, _("&Pause all publishing..."));
        menu->AppendSeparator();
        menu->Append(wxID_EXIT, _("&Quit"));
        menu->Bind(wxEVT_MENU, [this](wxCommandEvent& e) {
            if (e.GetId() == wxID_OPEN) return bring_forward();
            if (e.GetId() == wxID_EXIT) {
                m_frame->Close();
                return;
            }
            bring_forward();
            wxCommandEvent forward(wxEVT_MENU, e.GetId());
            m_frame->GetEventHandler()->ProcessEvent(forward);
        });
        return menu;
    }

private:
    void bring_forward() {
        m_frame->Show();
        m_frame->Iconize(false);
        m_frame->Raise();
    }
    MainFrame* m_frame;
    wxBitmapBundle m_icon;
};

MainFrame::MainFrame(std::string db, model::User user, std::filesystem::path self_test)
    : wxFrame(nullptr, wxID_ANY, _("Clearpost"), wxDefaultPosition, wxSize(1180, 760)),
      m_db(std::move(db)),
      m_user(std::move(user)),
      m_self_test(std::move(self_test)) {
    SetName("studio");
    // Results come back to the GUI thread through the application object,
    // which outlives every window; each continuation checks its own window.
    m_backend = std::make_unique<Backend>(
        BackendPaths{m_db, security::default_config_dir(), app::assets_dir()},
        [](std::function<void()> continuation) {
            if (auto* app = wxTheApp) app->CallAfter(std::move(continuation));
        });
    build_menus();
    // The app's icon at every size the desktop asks for, drawn from its SVG.
    if (auto icon = wxBitmapBundle::FromSVGFile((app::assets_dir() / "icons" / "clearpost.svg").string(),
                                                wxSize(64, 64));
        icon.IsOk()) {
        wxIconBundle icons;
        for (int size : {16, 24, 32, 48, 64, 128, 256}) icons.AddIcon(icon.GetIcon(wxSize(size, size)));
        SetIcons(icons);
        // Where the desktop has a status area: who publishes, one click away.
        if (wxTaskBarIcon::IsAvailable()) {
            m_tray = new StatusIcon(this);
            m_tray->SetIcon(icon, _("Clearpost"));
        }
    }

    m_book = new wxNotebook(this, wxID_ANY);
    m_list = new PostListCtrl(m_book);
    m_composer = new ComposerPanel(m_book, *m_backend);
    m_inbox = new InboxPanel(m_book, *m_backend);
    m_calendar = new CalendarPanel(m_book, *m_backend);
    m_queue = new QueuePanel(m_book, *m_backend);
    m_accounts = new AccountsPanel(m_book, *m_backend);
    m_dashboard = new DashboardPanel(m_book, *m_backend);
    m_audit = new AuditPanel(m_book, *m_backend);
    // In the order of Page.
    m_book->AddPage(m_list, _("Posts"));
    m_book->AddPage(m_composer, _("Compose"));
    m_book->AddPage(m_inbox, _("Inbox"));
    m_book->AddPage(m_calendar, _("Calendar"));
    m_book->AddPage(m_queue, _("Queue"));
    m_book->AddPage(m_accounts, _("Accounts"));
    m_book->AddPage(m_dashboard, _("Dashboard"));
    m_book->AddPage(m_audit, _("Audit log"));
    // The calendar, the queue and the audit log read afresh each time they
    // are shown; the dashboard the first time (its period is the user's).
    m_book->Bind(wxEVT_NOTEBOOK_PAGE_CHANGED, [this](wxBookCtrlEvent& e) {
        e.Skip();
        auto* page = m_book->GetPage(static_cast<std::size_t>(e.GetSelection()));
        if (page == m_dashboard && !m_dashboard_loaded) {
            m_dashboard_loaded = true;
            m_dashboard->reload();
        }
        reload_page(page);
    });
    auto* sizer = new wxBoxSizer(wxVERTICAL);
    sizer->Add(m_book, 1, wxEXPAND);
    SetSizer(sizer);

    // The message of the moment; who publishes; who is acting.
    CreateStatusBar(3);
    const int widths[] = {-1, FromDIP(340), FromDIP(230)};
    SetStatusWidths(3, widths);

    m_composer->on_saved = [this](const SavedPost& saved) {
        show_status(wxString::Format(_("Post %lld saved: %s"), static_cast<long long>(saved.post_id),
                                     to_wx(std::string(model::to_string(saved.state)))));
        refresh();
        if (saved.state == model::State::InReview) m_inbox->reload();
    };
    m_inbox->on_decided = [this](const wxString& message) {
        show_status(message);
        refresh();
    };
    m_calendar->on_open_post = [this](model::Id id) { open_post(id); };
    m_queue->on_open_post = [this](model::Id id) { open_post(id); };
    m_queue->on_changed = [this](const wxString& message) {
        show_status(message);
        refresh();
    };
    m_accounts->on_changed = [this](const wxString& message) { show_status(message); };
    m_calendar->on_export = [this] { ask_export(); };
    m_queue->on_export = [this] { ask_export(); };
    m_calendar->on_changed = [this](const wxString& message) {
        show_status(message);
        refresh();
    };
    // Enter or a double click on a post opens it in the composer.
    m_list->Bind(wxEVT_LIST_ITEM_ACTIVATED, [this](wxListEvent& e) {
        const auto& rows = m_list->rows();
        if (e.GetIndex() < 0 || static_cast<std::size_t>(e.GetIndex()) >= rows.size()) return;
        open_post(rows[static_cast<std::size_t>(e.GetIndex())].id);
    });

    wxPersistentRegisterAndRestore(this, "studio");
    // The page the person last had open.
    wxPersistentRegisterAndRestore(m_book, "studio_page");
    set_user(m_user);
    m_backend->run<StudioSetup>([](Services& s) { return load_setup(s); },
                                on_window<StudioSetup>(this, [](MainFrame& self, Result<StudioSetup> setup) {
                                    if (!setup) {
                                        self.show_status(_("The composer is unavailable"));
                                        wxMessageBox(to_wx(setup.error().message), _("Clearpost"),
                                                     wxOK | wxICON_ERROR, &self);
                                        return;
                                    }
                                    self.m_composer->set_setup(*setup);
                                    self.m_ready = true;
                                    if (self.on_ready) self.on_ready();
                                }));
    refresh();
    // Publishes due posts while no clearpostctl run does (status bar).
    SetStatusText(_("Publishing: looking for clearpostctl run..."), 1);
    m_publisher = std::make_unique<InAppPublisher>(m_db, security::default_config_dir(),
                                                   [this](const PublisherStatus& status) {
                                                       CallAfter([this, status] { show_publisher(status); });
                                                   });
    // What others do in another process (SQLite has no live channel) is
    // noticed within half a minute.
    m_attention_timer.Bind(wxEVT_TIMER, [this](wxTimerEvent&) { check_attention(); });
    m_attention_timer.Start(30000);
    // Team mode: what others approve, publish or send for review shows up here.
    m_changes.start(m_db, [this](std::vector<store::Change> changes) {
        const bool posts = std::any_of(changes.begin(), changes.end(), [](const auto& c) { return c.kind == "post"; });
        CallAfter([this, posts] {
            refresh();
            if (posts) m_inbox->reload();
        });
    });
}

MainFrame::~MainFrame() {
    if (m_tray) {
        m_tray->RemoveIcon();
        m_tray->Destroy();
    }
    // Stop the workers before the panels they report to are destroyed.
    m_attention_timer.Stop();
    m_publisher.reset();
    m_changes.stop();
    m_backend.reset();
}

void MainFrame::build_menus() {
    auto* file = new wxMenu;
    file->Append(wxID_NEW, _("&New post\tCtrl+N"));
    file->Append(wxID_REFRESH, _("&Refresh\tF5"));
    file->AppendSeparator();
    file->Append(IdSwitchUser, _("S&witch user...\tCtrl+U"));
    file->Append(IdDatabase, _("&Database..."), _("Open this computer's database or a team database"));
    file->Append(IdImport, _("&Import posts...\tCtrl+I"),
                 _("Posts from a Clearpost, Hootsuite, Sprout Social or Buffer file, as drafts"));
    file->Append(IdExport, _("&Export calendar...\tCtrl+E"),
                 _("Posts, versions, approvals, targets, states and live links, as CSV or a JSON backup"));
    file->AppendSeparator();
    file->Append(wxID_EXIT);
    auto* edit = new wxMenu;
    edit->Append(wxID_UNDO);
    edit->Append(wxID_REDO);
    edit->AppendSeparator();
    edit->Append(wxID_CUT);
    edit->Append(wxID_COPY);
    edit->Append(wxID_PASTE);
    edit->AppendSeparator();
    edit->Append(wxID_SELECTALL);
    auto* post = new wxMenu;
    post->Append(IdSaveDraft, _("&Save draft\tCtrl+S"));
    post->Append(IdSubmit, _("Su&bmit for approval\tCtrl+Shift+S"));
    post->AppendSeparator();
    post->Append(IdNextFinding, _("&Next finding\tF8"));
    post->Append(IdFix, _("&Fix selected finding\tCtrl+Shift+F"));
    auto* review = new wxMenu;
    review->Append(IdApprove, _("&Approve\tCtrl+Shift+A"));
    review->Append(IdRequestChanges, _("Request &changes\tCtrl+Shift+R"));
    auto* view = new wxMenu;
    view->Append(IdViewPosts, _("&Posts\tCtrl+1"));
    view->Append(IdViewComposer, _("&Compose\tCtrl+2"));
    view->Append(IdViewInbox, _("&Inbox\tCtrl+3"));
    view->Append(IdViewCalendar, _("C&alendar\tCtrl+4"));
    view->Append(IdViewQueue, _("&Queue\tCtrl+5"));
    view->Append(IdViewAccounts, _("A&ccounts\tCtrl+6"));
    view->Append(IdViewDashboard, _("&Dashboard\tCtrl+7"));
    view->Append(IdViewAudit, _("Audit &log\tCtrl+8"));
    auto* publishing = new wxMenu;
    publishing->Append(IdPausePublishing, _("&Pause all publishing...\tCtrl+Shift+P"),
                       _("Stop every network at once, for everyone, until someone resumes"));
    publishing->Append(IdResumePublishing, _("&Resume publishing"));
    auto* help = new wxMenu;
    help->Append(wxID_ABOUT);
    auto* bar = new wxMenuBar;
    bar->Append(file, _("&File"));
    bar->Append(edit, _("&Edit"));
    bar->Append(post, _("&Post"));
    bar->Append(review, _("&Review"));
    bar->Append(publishing, _("Pu&blishing"));
    bar->Append(view, _("&View"));
    bar->Append(help, _("&Help"));
    SetMenuBar(bar);

    Bind(wxEVT_MENU, [this](wxCommandEvent&) {
        show_page(Page::Composer);
        m_composer->new_post();
    }, wxID_NEW);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { refresh(); m_inbox->reload(); }, wxID_REFRESH);
    // Edit commands go to the focused text field (editor, comment, zone).
    for (int id : {wxID_UNDO, wxID_REDO, wxID_CUT, wxID_COPY, wxID_PASTE, wxID_SELECTALL}) {
        Bind(wxEVT_MENU, [](wxCommandEvent& e) {
            auto* entry = dynamic_cast<wxTextEntryBase*>(wxWindow::FindFocus());
            if (!entry) return;
            switch (e.GetId()) {
            case wxID_UNDO: entry->Undo(); break;
            case wxID_REDO: entry->Redo(); break;
            case wxID_CUT: entry->Cut(); break;
            case wxID_COPY: entry->Copy(); break;
            case wxID_PASTE: entry->Paste(); break;
            default: entry->SelectAll(); break;
            }
        }, id);
    }
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { ask_switch_user(); }, IdSwitchUser);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { ask_database(); }, IdDatabase);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { ask_export(); }, IdExport);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { ask_import(); }, IdImport);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { Close(); }, wxID_EXIT);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { m_composer->save(AfterSave::KeepDraft); }, IdSaveDraft);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { m_composer->save(AfterSave::Submit); }, IdSubmit);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { show_page(Page::Composer); m_composer->select_next_finding(); },
         IdNextFinding);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { m_composer->apply_fix(); }, IdFix);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { show_page(Page::Inbox); m_inbox->approve(); }, IdApprove);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { show_page(Page::Inbox); m_inbox->request_changes(); },
         IdRequestChanges);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { show_page(Page::Posts); }, IdViewPosts);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { show_page(Page::Composer); }, IdViewComposer);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { show_page(Page::Inbox); }, IdViewInbox);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { show_page(Page::Calendar); }, IdViewCalendar);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { show_page(Page::Queue); }, IdViewQueue);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { show_page(Page::Accounts); }, IdViewAccounts);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { show_page(Page::Dashboard); }, IdViewDashboard);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { show_page(Page::Audit); }, IdViewAudit);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { show_page(Page::Queue); m_queue->pause_publishing(); },
         IdPausePublishing);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { show_page(Page::Queue); m_queue->resume_publishing(); },
         IdResumePublishing);
    Bind(wxEVT_MENU,
         [this](wxCommandEvent&) {
             wxAboutDialogInfo info;
             info.SetName("Clearpost");
             info.SetVersion(CLEARPOST_VERSION);
             info.SetDescription(_("Content scheduling with compliance review for healthcare teams."));
             wxAboutBox(info, this);
         },
         wxID_ABOUT);
}

void MainFrame::open_post(model::Id id) {
    m_backend->run<workflow::PostDetail>(
        [id](Services& s) { return s.flow.detail(id); },
        on_window<workflow::PostDetail>(this, [](MainFrame& self, Result<workflow::PostDetail> detail) {
            if (!detail) {
                wxMessageBox(to_wx(detail.error().message), _("Open post"), wxOK | wxICON_ERROR, &self);
                return;
            }
            self.m_composer->edit_post(*detail);
            self.show_page(Page::Composer);
        }));
}

void MainFrame::show_page(Page page) {
    m_book->SetSelection(static_cast<std::size_t>(page));
}

wxString MainFrame::page_title(Page page) const { return m_book->GetPageText(static_cast<std::size_t>(page)); }

void MainFrame::show_status(const wxString& text) {
    SetStatusText(text, 0);
    m_message_at = wxGetLocalTimeMillis();
}

void MainFrame::set_user(model::User user) {
    m_user = std::move(user);
    // Who is acting is always visible: separation of duties depends on it.
    SetStatusText(wxString::Format(_("Signed in as %s (%s)"), to_wx(m_user.name),
                                   to_wx(std::string(model::to_string(m_user.role)))),
                  2);
    m_composer->set_user(m_user);
    m_inbox->set_user(m_user);
    m_queue->set_user(m_user);
    m_audit->set_user(m_user);
    m_accounts->set_user(m_user);
    m_calendar->set_user(m_user);
    m_attention.reset();
    reload_page(m_book->GetCurrentPage());
}

void MainFrame::check_attention() {
    m_backend->run<AttentionSnapshot>(
        [user = m_user](Services& s) { return load_attention(s, user); },
        on_window<AttentionSnapshot>(this, [name = m_user.name](MainFrame& self, Result<AttentionSnapshot> snapshot) {
            // Dropped when someone else signed in meanwhile, or unreadable
            // (the pages say why).
            if (!snapshot || name != self.m_user.name) return;
            auto label = [](const wxString& page, std::size_t n) {
                return n == 0 ? page : wxString::Format("%s (%zu)", page, n);
            };
            self.m_book->SetPageText(static_cast<std::size_t>(Page::Inbox), label(_("Inbox"), snapshot->reviews));
            self.m_book->SetPageText(static_cast<std::size_t>(Page::Queue), label(_("Queue"), snapshot->problems));
            for (auto& event : self.m_attention.update(*snapshot)) {
                wxNotificationMessage message(to_wx(event.title), to_wx(event.body), &self);
                // Without a notification service (a bare X server) showing
                // fails; the tab counts still say it, so no error dialog.
                wxLogNull quiet;
                message.Show();
                self.m_notified.push_back(std::move(event));
            }
        }));
}

void MainFrame::show_publisher(const PublisherStatus& status) {
    wxString text;
    switch (status.mode) {
    case PublisherStatus::Mode::Here:
        text = wxString::Format(_("Publishing here, no clearpostctl run (%d sent)"), status.total.published);
        break;
    case PublisherStatus::Mode::Service: {
        // The holder is "KIND HOST:PID:RANDOM": people need the kind and the host.
        const auto space = status.detail.find(' ');
        const std::string kind = status.detail.substr(0, space);
        const std::string host = space == std::string::npos ? std::string()
                                                            : status.detail.substr(space + 1, status.detail.find(':') - space - 1);
        text = kind == "service" ? wxString::Format(_("Publishing: clearpostctl run on %s"), to_wx(host))
                                 : wxString::Format(_("Publishing: another studio on %s"), to_wx(host));
        break;
    }
    case PublisherStatus::Mode::Unavailable: text = _("Not publishing from here: ") + to_wx(status.detail); break;
    }
    SetStatusText(text, 1);
    if (m_tray) {
        m_tray->SetIcon(m_tray->icon(), _("Clearpost: ") + text);
        // For the GUI test: what the status area says, beside the list.
        if (!m_self_test.empty()) std::ofstream(m_self_test.string() + ".tray") << from_wx(_("Clearpost: ") + text) << "\n";
    }
    // What it published shows in the lists.
    if (status.mode == PublisherStatus::Mode::Here && status.total.claimed > m_published_seen) {
        m_published_seen = status.total.claimed;
        refresh();
    }
}

void MainFrame::reload_page(wxWindow* page) {
    if (page == m_calendar) m_calendar->reload();
    else if (page == m_queue) m_queue->reload();
    else if (page == m_audit) m_audit->reload();
    else if (page == m_accounts) m_accounts->reload();
}

void MainFrame::ask_switch_user() {
    SignInDialog dialog(this, store::redact_uri(m_db), std::string());
    if (dialog.ShowModal() != wxID_OK) return;
    switch_user(dialog.user(), dialog.password(), [this](const std::string& error) {
        if (!error.empty()) wxMessageBox(to_wx(error), _("Switch user"), wxOK | wxICON_ERROR, this);
    });
}

void MainFrame::ask_import() {
    wxFileDialog dialog(this, _("Import posts"), wxString(), wxString(),
                        _("Spreadsheets and Clearpost files (*.csv;*.json)|*.csv;*.CSV;*.json;*.JSON|All files|*"),
                        wxFD_OPEN | wxFD_FILE_MUST_EXIST);
    if (dialog.ShowModal() != wxID_OK) return;
    import_file(from_wx(dialog.GetPath()));
}

void MainFrame::import_file(const std::filesystem::path& file) {
    std::fprintf(stderr, "Opening %s to import.\n", file.string().c_str());
    ImportDialog import(this, *m_backend, m_user, file);
    import.ShowModal();
    if (import.imported() && import.report()) {
        show_status(to_wx(import_summary(*import.report())));
        refresh();
    }
}

ImportDialog* MainFrame::start_import(const std::filesystem::path& file) {
    auto* import = new ImportDialog(this, *m_backend, m_user, file);
    import->Show();
    return import;
}

void MainFrame::ask_export() {
    const wxString today = wxDateTime::Today().FormatISODate();
    wxFileDialog dialog(this, _("Export calendar"), wxString(), "clearpost-calendar-" + today + ".csv",
                        _("CSV for an audit (*.csv)|*.csv|JSON backup, for clearpostctl restore (*.clearpost.json)|*.json"),
                        wxFD_SAVE | wxFD_OVERWRITE_PROMPT);
    if (dialog.ShowModal() != wxID_OK) return;
    std::filesystem::path path = from_wx(dialog.GetPath());
    const bool json = dialog.GetFilterIndex() == 1 || path.extension() == ".json";
    // The backup's own file type, which the desktop opens with the studio.
    if (path.extension().empty()) path += json ? ".clearpost.json" : ".csv";
    // The dialog asked before replacing a file.
    export_calendar(path, json, true);
}

void MainFrame::export_calendar(const std::filesystem::path& path, bool json, bool replace) {
    show_status(wxString::Format(_("Exporting the calendar to %s..."), to_wx(path.string())));
    m_backend->run<std::size_t>(
        [user = m_user, path, json, replace](Services& s) -> Result<std::size_t> {
            std::string bytes;
            if (json) {
                CLEARPOST_ASSIGN(bytes, transfer::export_json(s.store, user, system_now()));
            } else {
                CLEARPOST_ASSIGN(bytes, transfer::export_csv(s.store, user));
            }
            // A backup holds what only admins may read: for this user only.
            CLEARPOST_CHECK(write_file_atomically(path, bytes, replace ? Overwrite::Replace : Overwrite::Refuse,
                                                  json ? 0600 : 0666));
            return bytes.size();
        },
        on_window<std::size_t>(this, [path](MainFrame& self, Result<std::size_t> written) {
            if (!written) {
                self.show_status(_("The calendar was not exported"));
                wxMessageBox(to_wx(written.error().message), _("Export calendar"), wxOK | wxICON_ERROR, &self);
                return;
            }
            self.show_status(wxString::Format(_("Exported the calendar to %s (%zu bytes)."), to_wx(path.string()),
                                              *written));
        }));
}

void MainFrame::ask_database() {
    if (!open_database) return;
    const auto config = security::default_config_dir();
    const auto embedded = security::default_database_path().string();
    std::string address = chosen_database(config, embedded);
    if (!store::is_postgres_uri(address)) address.clear();
    DatabaseDialog dialog(this, embedded, address);
    while (dialog.ShowModal() == wxID_OK) {
        std::string location = embedded;
        if (dialog.team()) {
            // The server may take seconds to answer (or time out): the check
            // runs on its own thread while this window keeps painting.
            auto pending = std::async(std::launch::async, [address = dialog.address(), password = dialog.password(),
                                                           remember = dialog.remember()] {
                return connect_team_database(address, password, remember, *security::system_keyring());
            });
            {
                wxBusyInfo waiting(_("Connecting to the team database..."), this);
                while (pending.wait_for(std::chrono::milliseconds(30)) != std::future_status::ready) wxSafeYield(this);
            }
            auto connected = pending.get();
            if (!connected) {
                dialog.show_error(connected.error().message);
                continue;
            }
            location = std::move(*connected);
        }
        if (auto chosen = choose_database(config, dialog.team() ? dialog.address() : std::string()); !chosen) {
            dialog.show_error(chosen.error().message);
            continue;
        }
        // The new window (after sign-in) replaces this one; if sign-in is
        // cancelled this window stays as it was.
        if (open_database(location)) Close();
        return;
    }
}

void MainFrame::switch_user(const std::string& name, const std::string& password,
                            std::function<void(const std::string&)> done) {
    SetStatusText(_("Signing in..."), 0);
    // Password hashing is deliberately slow: it runs on the worker.
    m_backend->run<model::User>(
        [name, password](Services& s) { return security::authenticate(s.store, name, password); },
        on_window<model::User>(this, [done = std::move(done)](MainFrame& self, Result<model::User> user) {
            if (!user) {
                self.show_status(_("Sign-in failed"));
                if (done) done(user.error().message);
                return;
            }
            self.set_user(std::move(*user));
            // The status bar's right side names who is acting now.
            self.refresh();
            if (done) done({});
        }));
}

void MainFrame::refresh() {
    reload_page(m_book->GetCurrentPage());
    check_attention();
    m_loader.start(m_db, [this](Result<PostList> result) {
        // Back to the GUI thread; wx drops the call if the frame is gone.
        CallAfter([this, result = std::move(result)]() mutable { on_loaded(std::move(result)); });
    });
}

void MainFrame::on_loaded(Result<PostList> result) {
    if (!result.ok()) {
        show_status(_("Could not load posts"));
        wxMessageBox(to_wx(result.error().message), _("Clearpost"), wxOK | wxICON_ERROR, this);
        return;
    }
    const auto count = result->rows.size();
    m_list->set_rows(std::move(result->rows));
    // What just happened stays readable for a while; then the list's summary.
    if (wxGetLocalTimeMillis() - m_message_at > 8000) {
        SetStatusText(wxString::Format(wxPLURAL("%zu post; times in %s; database %s",
                                                "%zu posts; times in %s; database %s", count),
                                       count, to_wx(result->zone), to_wx(store::redact_uri(m_db))),
                      0);
    }
    if (!m_self_test.empty()) write_self_test();
}

void MainFrame::write_self_test() const {
    std::ofstream out(m_self_test.string() + ".tmp");
    out << "user " << m_user.name << " " << model::to_string(m_user.role) << "\n";
    for (long i = 0; i < m_list->GetItemCount(); ++i) {
        for (int c = 0; c < ColumnCount; ++c) out << (c ? "\t" : "") << from_wx(m_list->GetItemText(i, c));
        out << "\n";
    }
    out.close();
    std::filesystem::rename(m_self_test.string() + ".tmp", m_self_test);
}

}  // namespace clearpost::gui
