#pragma once
// File > Import posts: a spreadsheet or JSON file checked first (nothing
// written), its rows listed with what will happen to each, then imported as
// drafts on the worker with a progress bar, and the outcome of every row.

#include <wx/dialog.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <vector>

#include "presenters/backend.h"
#include "presenters/import.h"

class wxButton;
class wxCheckListBox;
class wxChoice;
class wxGauge;
class wxStaticText;

namespace clearpost::gui {

class VirtualList;

class ImportDialog : public wxDialog {
public:
    ImportDialog(wxWindow* parent, Backend& backend, const model::User& user, std::filesystem::path file);

    // Reads and checks every row on the worker; writes nothing.
    void check();
    // Imports the rows as drafts on the worker.
    void import();

    // State the GUI test reads.
    bool busy() const { return m_busy; }
    bool imported() const { return m_imported; }
    const std::optional<transfer::ImportReport>& report() const { return m_report; }
    wxStaticText* summary() const { return m_summary; }
    VirtualList* rows() const { return m_list; }
    wxGauge* gauge() const { return m_gauge; }

private:
    transfer::ImportOptions options() const;
    void run(bool dry_run);
    void show_report();
    void set_busy(bool busy);

    Backend& m_backend;
    model::User m_user;
    std::filesystem::path m_file;
    std::vector<model::Account> m_accounts;
    std::optional<schedule::TimeZone> m_zone;
    std::optional<transfer::ImportReport> m_report;
    std::vector<ImportRowView> m_rows;
    bool m_busy = false;
    bool m_imported = false;

    wxChoice* m_format = nullptr;
    wxChoice* m_dates = nullptr;
    wxCheckListBox* m_targets = nullptr;
    wxButton* m_check = nullptr;
    wxButton* m_import = nullptr;
    wxGauge* m_gauge = nullptr;
    wxStaticText* m_summary = nullptr;
    wxStaticText* m_detail = nullptr;
    VirtualList* m_list = nullptr;
};

}  // namespace clearpost::gui
