#include "import_dialog.h"

#include <wx/button.h>
#include <wx/checklst.h>
#include <wx/choice.h>
#include <wx/gauge.h>
#include <wx/listctrl.h>
#include <wx/msgdlg.h>
#include <wx/sizer.h>
#include <wx/stattext.h>

#include "async.h"
#include "dialogs.h"
#include "virtual_list.h"

namespace clearpost::gui {
namespace {

// The formats as the choice lists them, in transfer::Format's order.
constexpr transfer::Format kFormats[] = {transfer::Format::Auto,      transfer::Format::ClearpostCsv,
                                         transfer::Format::ClearpostJson, transfer::Format::Hootsuite,
                                         transfer::Format::Sprout,    transfer::Format::Buffer};

struct Setup {
    std::vector<model::Account> accounts;
    std::string zone;
};

}  // namespace

ImportDialog::ImportDialog(wxWindow* parent, Backend& backend, const model::User& user, std::filesystem::path file)
    : wxDialog(parent, wxID_ANY, _("Import posts"), wxDefaultPosition, wxDefaultSize,
               wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER),
      m_backend(backend),
      m_user(user),
      m_file(std::move(file)) {
    const int gap = FromDIP(8);
    auto* top = new wxBoxSizer(wxVERTICAL);
    auto* intro = new wxStaticText(
        this, wxID_ANY,
        wxString::Format(_("%s: every post comes in as a draft, checked by the compliance engine; nothing is "
                           "scheduled. Check the file first to see what will happen to each row."),
                         to_wx(m_file.filename().string())));
    intro->Wrap(FromDIP(640));
    top->Add(intro, 0, wxALL, gap);

    auto* grid = new wxFlexGridSizer(2, wxSize(gap, gap));
    grid->AddGrowableCol(1);
    grid->Add(new wxStaticText(this, wxID_ANY, _("&Layout:")), 0, wxALIGN_CENTER_VERTICAL);
    m_format = new wxChoice(this, wxID_ANY);
    m_format->SetName(_("File layout"));
    for (const auto& name : {_("Recognise it"), _("Clearpost CSV"), _("Clearpost JSON"), _("Hootsuite bulk composer"),
                             _("Sprout Social bulk scheduling"), _("Buffer export")})
        m_format->Append(name);
    m_format->SetSelection(0);
    grid->Add(m_format, 0);
    grid->Add(new wxStaticText(this, wxID_ANY, _("&Dates like 03/04:")), 0, wxALIGN_CENTER_VERTICAL);
    m_dates = new wxChoice(this, wxID_ANY);
    m_dates->SetName(_("Date order"));
    m_dates->Append(_("Tell from the file (refuse what is ambiguous)"));
    m_dates->Append(_("Day first (3 April)"));
    m_dates->Append(_("Month first (March 4)"));
    m_dates->SetSelection(0);
    grid->Add(m_dates, 0);
    grid->Add(new wxStaticText(this, wxID_ANY, _("Post &to:")), 0, wxALIGN_TOP);
    m_targets = new wxCheckListBox(this, wxID_ANY, wxDefaultPosition, FromDIP(wxSize(320, 80)));
    m_targets->SetName(_("Accounts for layouts that name none"));
    m_targets->SetToolTip(_("Hootsuite, Sprout Social and Buffer files name no account: every post goes to these"));
    grid->Add(m_targets, 1, wxEXPAND);
    top->Add(grid, 0, wxEXPAND | wxLEFT | wxRIGHT, gap);

    auto* actions = new wxBoxSizer(wxHORIZONTAL);
    m_check = new wxButton(this, wxID_ANY, _("&Check file"));
    m_import = new wxButton(this, wxID_ANY, _("&Import as drafts"));
    m_import->Disable();
    actions->Add(m_check, 0, wxRIGHT, gap);
    actions->Add(m_import, 0, wxRIGHT, gap);
    m_gauge = new wxGauge(this, wxID_ANY, 100);
    m_gauge->SetName(_("Import progress"));
    actions->Add(m_gauge, 1, wxALIGN_CENTER_VERTICAL);
    top->Add(actions, 0, wxEXPAND | wxALL, gap);

    m_summary = new wxStaticText(this, wxID_ANY, _("Reading the accounts..."));
    m_summary->SetName(_("Import summary"));
    top->Add(m_summary, 0, wxEXPAND | wxLEFT | wxRIGHT, gap);
    m_list = new VirtualList(this, _("Rows of the file"), {{_("Row"), 50, wxLIST_FORMAT_RIGHT}, {_("Publishes"), 170},
                                                           {_("What happens"), 520}});
    m_list->SetMinSize(FromDIP(wxSize(760, 260)));
    top->Add(m_list, 1, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, gap);
    // The whole of a long reason, for the selected row.
    m_detail = new wxStaticText(this, wxID_ANY, wxString());
    m_detail->SetName(_("Selected row"));
    top->Add(m_detail, 0, wxEXPAND | wxALL, gap);
    m_list->Bind(wxEVT_LIST_ITEM_SELECTED, [this](wxListEvent& e) {
        const auto row = static_cast<std::size_t>(e.GetIndex());
        if (row >= m_rows.size()) return;
        m_detail->SetLabel(wxString::Format(_("Row %zu: %s"), m_rows[row].row, to_wx(m_rows[row].outcome)));
        m_detail->Wrap(m_list->GetClientSize().x);
        Layout();
    });
    top->Add(CreateSeparatedButtonSizer(wxCLOSE), 0, wxEXPAND | wxALL, gap);
    SetSizerAndFit(top);
    SetEscapeId(wxID_CLOSE);

    m_check->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { check(); });
    m_import->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { import(); });
    // Changing how the file is read makes the last check stale.
    auto stale = [this](wxCommandEvent&) {
        m_import->Disable();
        m_summary->SetLabel(_("Check the file again with these settings."));
    };
    m_format->Bind(wxEVT_CHOICE, stale);
    m_dates->Bind(wxEVT_CHOICE, stale);
    m_targets->Bind(wxEVT_CHECKLISTBOX, stale);
    // Closing while the worker imports would leave nobody to read the outcome.
    Bind(wxEVT_CLOSE_WINDOW, [this](wxCloseEvent& e) {
        if (m_busy && e.CanVeto()) return e.Veto();
        e.Skip();
    });
    Bind(wxEVT_BUTTON, [this](wxCommandEvent& e) {
        if (m_busy) return;
        e.Skip();
    }, wxID_CLOSE);

    set_busy(true);
    m_backend.run<Setup>(
        [](Services& s) -> Result<Setup> {
            CLEARPOST_ASSIGN(auto accounts, s.store.list_accounts());
            CLEARPOST_ASSIGN(auto org, s.store.organisation());
            return Setup{std::move(accounts), org.default_zone};
        },
        on_window<Setup>(this, [](ImportDialog& self, Result<Setup> setup) {
            self.set_busy(false);
            if (!setup) {
                self.m_summary->SetLabel(to_wx(setup.error().message));
                return;
            }
            self.m_accounts = setup->accounts;
            for (const auto& a : self.m_accounts) self.m_targets->Append(to_wx(a.network + ":" + a.handle));
            schedule::TzDatabase zones;
            if (auto zone = zones.find(setup->zone)) self.m_zone = *zone;
            self.m_summary->SetLabel(_("Check the file to see what will happen to each row."));
        }));
}

transfer::ImportOptions ImportDialog::options() const {
    transfer::ImportOptions o;
    o.format = kFormats[std::max(m_format->GetSelection(), 0)];
    o.date_order = m_dates->GetSelection() == 1   ? transfer::DateOrder::DayFirst
                   : m_dates->GetSelection() == 2 ? transfer::DateOrder::MonthFirst
                                                  : transfer::DateOrder::Unknown;
    for (unsigned i = 0; i < m_targets->GetCount() && i < m_accounts.size(); ++i)
        if (m_targets->IsChecked(i)) o.accounts.push_back(m_accounts[i].network + ":" + m_accounts[i].handle);
    return o;
}

void ImportDialog::check() { run(true); }
void ImportDialog::import() { run(false); }

void ImportDialog::run(bool dry_run) {
    if (m_busy || m_imported) return;
    auto o = options();
    o.dry_run = dry_run;
    if (!dry_run) {
        // The worker reports rows as they commit; the bar follows on this thread.
        auto progress = std::make_shared<std::atomic<int>>(0);
        o.progress = [this, progress](std::size_t done, std::size_t total) {
            const int percent = total ? static_cast<int>(done * 100 / total) : 100;
            if (progress->exchange(percent) != percent) CallAfter([this, percent] { m_gauge->SetValue(percent); });
        };
        m_gauge->SetValue(0);
    }
    set_busy(true);
    m_summary->SetLabel(dry_run ? _("Checking every row...") : _("Importing..."));
    m_backend.run<transfer::ImportReport>(
        [user = m_user, file = m_file, o](Services& s) { return import_file(s, user, file, o); },
        on_window<transfer::ImportReport>(this, [dry_run](ImportDialog& self, Result<transfer::ImportReport> report) {
            self.set_busy(false);
            if (!report) {
                // A whole-file problem: nothing was written.
                self.m_report.reset();
                self.m_rows.clear();
                self.m_list->show(0, {});
                self.m_summary->SetLabel(to_wx(report.error().message));
                self.m_import->Disable();
                return;
            }
            self.m_report = std::move(*report);
            self.m_imported = !dry_run;
            self.show_report();
        }));
}

void ImportDialog::show_report() {
    m_rows = import_rows(*m_report, m_zone ? &*m_zone : nullptr);
    m_list->show(m_rows.size(), [this](std::size_t row, long column) -> wxString {
        const auto& r = m_rows[row];
        switch (column) {
        case 0: return wxString::Format("%zu", r.row);
        case 1: return to_wx(r.when);
        default: return to_wx(r.outcome);
        }
    });
    m_summary->SetLabel(to_wx(import_summary(*m_report)));
    m_detail->SetLabel(m_report->rejected() ? _("Select a row to read all of what it says.") : wxString());
    m_gauge->SetValue(m_imported ? 100 : 0);
    m_import->Enable(!m_imported && m_report->created() > 0);
    m_check->Enable(!m_imported);
}

void ImportDialog::set_busy(bool busy) {
    m_busy = busy;
    m_check->Enable(!busy && !m_imported);
    m_import->Enable(!busy && !m_imported && m_report && m_report->dry_run && m_report->created() > 0);
    if (busy) m_gauge->Pulse();
}

}  // namespace clearpost::gui
