#include "main_frame.h"

#include <wx/aboutdlg.h>
#include <wx/menu.h>
#include <wx/msgdlg.h>
#include <wx/sizer.h>
#include <wx/statusbr.h>

#include <fstream>

#include "dialogs.h"

namespace clearpost::gui {
namespace {

enum Column { ColId, ColState, ColVersion, ColAuthor, ColWhen, ColText, ColumnCount };

}  // namespace

PostListCtrl::PostListCtrl(wxWindow* parent)
    : wxListCtrl(parent, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                 wxLC_REPORT | wxLC_VIRTUAL | wxLC_SINGLE_SEL | wxLC_HRULES) {
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

MainFrame::MainFrame(std::filesystem::path db, model::User user, std::filesystem::path self_test)
    : wxFrame(nullptr, wxID_ANY, _("Clearpost"), wxDefaultPosition, wxSize(1000, 620)),
      m_db(std::move(db)),
      m_user(std::move(user)),
      m_self_test(std::move(self_test)) {
    auto* file = new wxMenu;
    file->Append(wxID_REFRESH, _("&Refresh\tF5"));
    file->AppendSeparator();
    file->Append(wxID_EXIT);
    auto* help = new wxMenu;
    help->Append(wxID_ABOUT);
    auto* bar = new wxMenuBar;
    bar->Append(file, _("&File"));
    bar->Append(help, _("&Help"));
    SetMenuBar(bar);

    m_list = new PostListCtrl(this);
    auto* sizer = new wxBoxSizer(wxVERTICAL);
    sizer->Add(m_list, 1, wxEXPAND);
    SetSizer(sizer);

    CreateStatusBar(2);
    const int widths[] = {-1, FromDIP(260)};
    SetStatusWidths(2, widths);
    // Who is acting is always visible: separation of duties depends on it.
    SetStatusText(wxString::Format(_("Signed in as %s (%s)"), to_wx(m_user.name),
                                   to_wx(std::string(model::to_string(m_user.role)))),
                  1);
    SetStatusText(_("Loading posts…"), 0);

    Bind(wxEVT_MENU, [this](wxCommandEvent&) { refresh(); }, wxID_REFRESH);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { Close(); }, wxID_EXIT);
    Bind(wxEVT_MENU,
         [this](wxCommandEvent&) {
             wxAboutDialogInfo info;
             info.SetName("Clearpost");
             info.SetVersion(CLEARPOST_VERSION);
             info.SetDescription(_("Content scheduling with compliance review for healthcare teams."));
             wxAboutBox(info, this);
         },
         wxID_ABOUT);
    refresh();
}

void MainFrame::refresh() {
    SetStatusText(_("Loading posts…"), 0);
    m_loader.start(m_db, [this](Result<PostList> result) {
        // Back to the GUI thread; wx drops the call if the frame is gone.
        CallAfter([this, result = std::move(result)]() mutable { on_loaded(std::move(result)); });
    });
}

void MainFrame::on_loaded(Result<PostList> result) {
    if (!result.ok()) {
        SetStatusText(_("Could not load posts"), 0);
        wxMessageBox(to_wx(result.error().message), _("Clearpost"), wxOK | wxICON_ERROR, this);
        return;
    }
    const auto count = result->rows.size();
    m_list->set_rows(std::move(result->rows));
    const std::string summary = std::to_string(count) + (count == 1 ? " post" : " posts") +
                                " \u2014 times in " + result->zone + " \u2014 " + m_db.string();
    SetStatusText(to_wx(summary), 0);
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
