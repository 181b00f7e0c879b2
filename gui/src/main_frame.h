#pragma once
// The studio's main window: the post list, the composer, the approval
// inbox, the calendar, the queue, the accounts, the dashboard and the audit log on one
// notebook, with the signed-in person always in the status bar.

#include <wx/frame.h>
#include <wx/listctrl.h>
#include <wx/timer.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "clearpost/model/model.h"
#include "post_loader.h"
#include "presenters/attention.h"
#include "presenters/backend.h"
#include "presenters/in_app_publisher.h"

class wxNotebook;

namespace clearpost::gui {

class ComposerPanel;
class InboxPanel;
class DashboardPanel;
class CalendarPanel;
class QueuePanel;
class AuditPanel;
class AccountsPanel;
class ImportDialog;
class StatusIcon;

class PostListCtrl : public wxListCtrl {
public:
    explicit PostListCtrl(wxWindow* parent);
    void set_rows(std::vector<PostRow> rows);
    const std::vector<PostRow>& rows() const { return m_rows; }

private:
    wxString OnGetItemText(long item, long column) const override;
    std::vector<PostRow> m_rows;
};

class MainFrame : public wxFrame {
public:
    enum class Page { Posts, Composer, Inbox, Calendar, Queue, Accounts, Dashboard, Audit };

    // `self_test`: each time a load lands, write the visible rows there
    // (used by the GUI test under Xvfb).
    MainFrame(std::string db, model::User user, std::filesystem::path self_test);
    ~MainFrame() override;

    void refresh();
    void show_page(Page page);
    // Loads the post on the worker and opens it in the composer.
    void open_post(model::Id id);
    // Signs another person in (password checked on the worker); `done` gets
    // the error message, empty on success.
    void switch_user(const std::string& name, const std::string& password,
                     std::function<void(const std::string&)> done = {});

    // Writes the calendar to `path` on the worker: CSV for an audit (anyone),
    // or the JSON backup that clearpostctl restore reads (admins); an
    // existing file is replaced only when `replace`. The status bar says
    // what happened.
    void export_calendar(const std::filesystem::path& path, bool json, bool replace);
    // File > Import posts for `file`: the import dialog, modal; the list is
    // read again when something was imported.
    void import_file(const std::filesystem::path& file);
    // Opens the import dialog for `file` without waiting for it (the GUI
    // test drives it); File > Import posts shows it modally instead.
    ImportDialog* start_import(const std::filesystem::path& file);

    const model::User& user() const { return m_user; }
    ComposerPanel* composer() const { return m_composer; }
    InboxPanel* inbox() const { return m_inbox; }
    DashboardPanel* dashboard() const { return m_dashboard; }
    CalendarPanel* calendar() const { return m_calendar; }
    QueuePanel* queue() const { return m_queue; }
    AuditPanel* audit() const { return m_audit; }
    AccountsPanel* accounts() const { return m_accounts; }
    PostListCtrl* post_list() const { return m_list; }
    bool ready() const { return m_ready; }
    bool has_tray_icon() const { return m_tray != nullptr; }
    wxString page_title(Page page) const;
    // Every notification shown, in order (for the GUI test).
    const std::vector<AttentionEvent>& notified() const { return m_notified; }
    // Called once the composer has its accounts and rules (for the GUI test).
    std::function<void()> on_ready;
    // Opens `location` in a new window after sign-in (File > Database...);
    // true when it did, and this window should close.
    std::function<bool(const std::string&)> open_database;

private:
    void build_menus();
    void on_loaded(Result<PostList> result);
    void write_self_test() const;
    void set_user(model::User user);
    void ask_switch_user();
    void ask_database();
    void ask_export();
    void ask_import();
    void show_status(const wxString& text);
    // Reads the shown page again when it is one that reads on showing.
    void reload_page(wxWindow* page);
    void show_publisher(const PublisherStatus& status);
    // Reads what waits for the signed-in person: tab counts and notifications.
    void check_attention();

    std::string m_db;  // a database file, or a postgresql:// URI
    model::User m_user;
    std::filesystem::path m_self_test;
    bool m_ready = false;
    std::unique_ptr<Backend> m_backend;
    ChangeListener m_changes;
    std::unique_ptr<InAppPublisher> m_publisher;
    AttentionTracker m_attention;
    std::vector<AttentionEvent> m_notified;
    wxTimer m_attention_timer;
    int m_published_seen = 0;     // targets the in-app publisher had handled at the last refresh
    wxLongLong m_message_at = 0;  // when show_status last said something
    StatusIcon* m_tray = nullptr;  // where the desktop has a status area (destroyed with Destroy())
    wxNotebook* m_book = nullptr;
    PostListCtrl* m_list = nullptr;
    ComposerPanel* m_composer = nullptr;
    InboxPanel* m_inbox = nullptr;
    DashboardPanel* m_dashboard = nullptr;
    CalendarPanel* m_calendar = nullptr;
    QueuePanel* m_queue = nullptr;
    AuditPanel* m_audit = nullptr;
    AccountsPanel* m_accounts = nullptr;
    bool m_dashboard_loaded = false;
    PostLoader m_loader;
};

}  // namespace clearpost::gui
