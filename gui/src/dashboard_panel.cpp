#include "dashboard_panel.h"

#include <wx/button.h>
#include <wx/choice.h>
#include <wx/datectrl.h>
#include <wx/dialog.h>
#include <wx/dateevt.h>
#include <wx/dcclient.h>
#include <wx/filedlg.h>
#include <wx/graphics.h>
#include <wx/listctrl.h>
#include <wx/menu.h>
#include <wx/msgdlg.h>
#include <wx/scrolwin.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/utils.h>

#include <algorithm>

#include "async.h"
#include "clearpost/analytics/charts.h"
#include "dialogs.h"

namespace clearpost::gui {
namespace {

enum TopColumn { TopPublished, TopNetwork, TopAccount, TopEngagement, TopText, TopColumnCount };

struct Loaded {
    analytics::Dashboard dashboard;
    std::string organisation;
};

wxString change(double now, double before) {
    if (before == 0) return now == 0 ? _("no change") : _("new");
    return wxString::Format("%+.0f%%", (now - before) / before * 100);
}

double per_post(const analytics::Totals& t) {
    return t.measured == 0 ? 0 : static_cast<double>(t.engagement) / static_cast<double>(t.measured);
}

// "2026-03-07 23:30" in the organisation's zone.
std::string local_minute(UnixSeconds t, const schedule::TimeZone& zone) {
    auto local = schedule::utc_to_local(t, zone);
    if (!local) return format_utc(t);
    std::string minute = schedule::format_local_datetime(local->local).substr(0, 16);
    minute[10] = ' ';
    return minute;
}

schedule::LocalDate to_local_date(const wxDateTime& d) {
    return {d.GetYear(), static_cast<int>(d.GetMonth()) + 1, d.GetDay()};
}

}  // namespace

// One chart, drawn by core/analytics on the cairo context behind the window
// (wxGTK's graphics renderer is cairo), so the screen, the PNG/SVG files and
// the PDF show the same drawing. Right click saves it.
class ChartCanvas : public wxPanel {
public:
    ChartCanvas(wxWindow* parent, analytics::Chart chart, const std::optional<analytics::Dashboard>& dashboard)
        : wxPanel(parent, wxID_ANY, wxDefaultPosition, parent->FromDIP(wxSize(460, 260)), wxFULL_REPAINT_ON_RESIZE),
          m_chart(chart),
          m_dashboard(dashboard) {
        SetName(wxString::FromUTF8(std::string(analytics::to_string(chart))));
        SetBackgroundStyle(wxBG_STYLE_PAINT);
        Bind(wxEVT_PAINT, [this](wxPaintEvent&) { paint(); });
        Bind(wxEVT_CONTEXT_MENU, [this](wxContextMenuEvent&) { menu(); });
    }

private:
    void paint() {
        wxPaintDC dc(this);
        std::unique_ptr<wxGraphicsContext> gc(wxGraphicsRenderer::GetCairoRenderer()->CreateContext(dc));
        const wxSize size = GetClientSize();
        gc->SetBrush(*wxWHITE_BRUSH);
        gc->DrawRectangle(0, 0, size.x, size.y);
        if (!m_dashboard) return;
        auto* cr = static_cast<cairo_t*>(gc->GetNativeContext());
        if (!cr) return;
        const double pad = FromDIP(10);
        // Draw in device-independent units, so text keeps its size on HiDPI.
        const double scale = GetDPIScaleFactor();
        gc->Translate(pad, pad);
        gc->Scale(scale, scale);
        analytics::draw_chart(cr, *m_dashboard, m_chart, (size.x - 2 * pad) / scale, (size.y - 2 * pad) / scale);
    }

    void menu() {
        if (!m_dashboard) return;
        wxMenu m;
        m.Append(1, _("Save chart as &PNG..."));
        m.Append(2, _("Save chart as &SVG..."));
        const int chosen = GetPopupMenuSelectionFromUser(m);
        if (chosen != 1 && chosen != 2) return;
        const bool png = chosen == 1;
        const wxString name = wxString::FromUTF8(std::string(analytics::to_string(m_chart))) + (png ? ".png" : ".svg");
        wxFileDialog dialog(this, _("Save chart"), {}, name, png ? _("PNG images (*.png)|*.png") : _("SVG images (*.svg)|*.svg"),
                            wxFD_SAVE | wxFD_OVERWRITE_PROMPT);
        if (dialog.ShowModal() != wxID_OK) return;
        auto saved = analytics::write_chart(*m_dashboard, m_chart,
                                            png ? analytics::ImageFormat::Png : analytics::ImageFormat::Svg,
                                            from_wx(dialog.GetPath()), Overwrite::Replace);
        if (!saved) wxMessageBox(to_wx(saved.error().message), _("Clearpost"), wxOK | wxICON_ERROR, this);
    }

    analytics::Chart m_chart;
    const std::optional<analytics::Dashboard>& m_dashboard;
};

// A top post's snapshots, oldest first: when each was fetched (in the
// organisation's zone) and the counts the network reported then. Not modal,
// so the dashboard stays usable beside it; one at a time, reused.
class SnapshotDialog : public wxDialog {
public:
    explicit SnapshotDialog(wxWindow* parent)
        : wxDialog(parent, wxID_ANY, _("Snapshot history"), wxDefaultPosition, parent->FromDIP(wxSize(620, 360)),
                   wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER) {
        SetName(_("Snapshot history"));
        m_heading = new wxStaticText(this, wxID_ANY, {});
        m_list = new wxListCtrl(this, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                                wxLC_REPORT | wxLC_SINGLE_SEL | wxLC_HRULES);
        m_list->SetName(_("Snapshots"));
        auto* note = new wxStaticText(
            this, wxID_ANY,
            wxString::Format(_("Counts as the network reported them at each fetch; a count it did not report is "
                               "shown as %s, never 0."),
                             wxString::FromUTF8("\u2013")));
        note->Wrap(FromDIP(580));
        auto* sizer = new wxBoxSizer(wxVERTICAL);
        sizer->Add(m_heading, 0, wxEXPAND | wxALL, FromDIP(8));
        sizer->Add(m_list, 1, wxEXPAND | wxLEFT | wxRIGHT, FromDIP(8));
        sizer->Add(note, 0, wxEXPAND | wxALL, FromDIP(8));
        sizer->Add(CreateStdDialogButtonSizer(wxCLOSE), 0, wxEXPAND | wxALL, FromDIP(8));
        SetSizer(sizer);
        Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { Hide(); }, wxID_CLOSE);
    }

    void show(const analytics::History& history, const store::PublishedTarget& target, const schedule::TimeZone& zone) {
        m_heading->SetLabel(wxString::Format(_("Post %lld on %s, published %s"), static_cast<long long>(target.post_id),
                                             to_wx(target.network + " \u00b7 " + target.handle),
                                             to_wx(local_minute(target.published_at, zone))));
        m_list->ClearAll();
        m_list->AppendColumn(wxString::Format(_("Fetched (%s)"), to_wx(zone.name())), wxLIST_FORMAT_LEFT,
                             FromDIP(220));
        for (const auto& name : history.metric_names) m_list->AppendColumn(to_wx(name), wxLIST_FORMAT_RIGHT, FromDIP(80));
        for (std::size_t i = 0; i < history.rows.size(); ++i) {
            const auto& row = history.rows[i];
            const long item = m_list->InsertItem(static_cast<long>(i), to_wx(local_minute(row.fetched_at, zone)));
            for (std::size_t m = 0; m < history.metric_names.size(); ++m) {
                const auto found = row.metrics.find(history.metric_names[m]);
                m_list->SetItem(item, static_cast<int>(m + 1),
                                found == row.metrics.end() ? wxString::FromUTF8("\u2013") : to_wx(found->second));
            }
        }
        if (history.rows.empty()) m_list->InsertItem(0, _("No snapshot yet: the first comes an hour after publishing"));
        Layout();
        Show();
        Raise();
    }

    wxListCtrl* list() const { return m_list; }

private:
    wxStaticText* m_heading;
    wxListCtrl* m_list;
};

DashboardPanel::DashboardPanel(wxWindow* parent, Backend& backend) : wxPanel(parent), m_backend(backend) {
    SetName(_("Dashboard"));
    build();
}

void DashboardPanel::build() {
    auto* bar = new wxBoxSizer(wxHORIZONTAL);
    m_period = new wxChoice(this, wxID_ANY);
    m_period->SetName(_("Period"));
    for (const wxString& label : {_("Last 7 days"), _("Last 30 days"), _("Last 90 days"), _("Custom range")})
        m_period->Append(label);
    m_period->SetSelection(1);
    m_from = new wxDatePickerCtrl(this, wxID_ANY, wxDateTime::Today().Subtract(wxDateSpan::Days(29)));
    m_to = new wxDatePickerCtrl(this, wxID_ANY, wxDateTime::Today());
    m_from->SetName(_("From"));
    m_to->SetName(_("To"));
    m_from->Disable();
    m_to->Disable();
    m_pdf = new wxButton(this, wxID_ANY, _("Save PDF &report..."));
    bar->Add(new wxStaticText(this, wxID_ANY, _("&Period:")), 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, FromDIP(6));
    bar->Add(m_period, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, FromDIP(12));
    bar->Add(m_from, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, FromDIP(4));
    bar->Add(new wxStaticText(this, wxID_ANY, wxString::FromUTF8("–")), 0, wxALIGN_CENTER_VERTICAL | wxRIGHT,
             FromDIP(4));
    bar->Add(m_to, 0, wxALIGN_CENTER_VERTICAL);
    bar->AddStretchSpacer();
    bar->Add(m_pdf, 0, wxALIGN_CENTER_VERTICAL);

    m_summary = new wxStaticText(this, wxID_ANY, _("Loading..."));
    m_summary->SetName(_("Summary"));

    m_scroll = new wxScrolledWindow(this, wxID_ANY);
    auto* scroll = m_scroll;
    scroll->SetScrollRate(0, FromDIP(20));
    auto* grid = new wxGridSizer(2, FromDIP(8), FromDIP(8));
    for (analytics::Chart chart : {analytics::Chart::Engagement, analytics::Chart::Heatmap, analytics::Chart::Findings,
                                   analytics::Chart::Turnaround, analytics::Chart::Followers}) {
        auto* canvas = new ChartCanvas(scroll, chart, m_dashboard);
        m_charts.push_back(canvas);
        grid->Add(canvas, 1, wxEXPAND);
    }
    // Beside the follower chart, each account's numbers.
    m_audience = new wxListCtrl(scroll, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                                wxLC_REPORT | wxLC_SINGLE_SEL | wxLC_HRULES);
    m_audience->SetName(_("Followers"));
    m_audience->AppendColumn(_("Account"), wxLIST_FORMAT_LEFT, FromDIP(200));
    m_audience->AppendColumn(_("Followers"), wxLIST_FORMAT_RIGHT, FromDIP(90));
    m_audience->AppendColumn(_("At the start"), wxLIST_FORMAT_RIGHT, FromDIP(90));
    m_audience->AppendColumn(_("Change"), wxLIST_FORMAT_RIGHT, FromDIP(80));
    grid->Add(m_audience, 1, wxEXPAND);
    m_top = new wxListCtrl(scroll, wxID_ANY, wxDefaultPosition, FromDIP(wxSize(-1, 260)),
                           wxLC_REPORT | wxLC_SINGLE_SEL | wxLC_HRULES);
    m_top->SetName(_("Top posts"));
    m_top->AppendColumn(_("Published"), wxLIST_FORMAT_LEFT, FromDIP(140));
    m_top->AppendColumn(_("Network"), wxLIST_FORMAT_LEFT, FromDIP(90));
    m_top->AppendColumn(_("Account"), wxLIST_FORMAT_LEFT, FromDIP(140));
    m_top->AppendColumn(_("Engagement"), wxLIST_FORMAT_RIGHT, FromDIP(90));
    m_top->AppendColumn(_("Post"), wxLIST_FORMAT_LEFT, FromDIP(460));
    auto* inner = new wxBoxSizer(wxVERTICAL);
    inner->Add(grid, 0, wxEXPAND | wxALL, FromDIP(4));
    auto* top_bar = new wxBoxSizer(wxHORIZONTAL);
    top_bar->Add(new wxStaticText(scroll, wxID_ANY, _("Top posts (double-click opens the live post)")), 0,
                 wxALIGN_CENTER_VERTICAL);
    top_bar->AddStretchSpacer();
    m_history_button = new wxButton(scroll, wxID_ANY, _("Snapshot &history..."));
    m_history_button->Disable();
    top_bar->Add(m_history_button, 0, wxALIGN_CENTER_VERTICAL);
    inner->Add(top_bar, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, FromDIP(6));
    inner->Add(m_top, 0, wxEXPAND | wxALL, FromDIP(4));
    // Per-tag totals (campaigns, topics): a table, since tags are many and
    // named, where a chart of bars would need a legend to read.
    m_tags = new wxListCtrl(scroll, wxID_ANY, wxDefaultPosition, FromDIP(wxSize(-1, 180)),
                            wxLC_REPORT | wxLC_SINGLE_SEL | wxLC_HRULES);
    m_tags->SetName(_("By tag"));
    m_tags->AppendColumn(_("Tag"), wxLIST_FORMAT_LEFT, FromDIP(160));
    m_tags->AppendColumn(_("Posts"), wxLIST_FORMAT_RIGHT, FromDIP(70));
    m_tags->AppendColumn(_("Published"), wxLIST_FORMAT_RIGHT, FromDIP(80));
    m_tags->AppendColumn(_("Engagement"), wxLIST_FORMAT_RIGHT, FromDIP(90));
    m_tags->AppendColumn(_("Metrics"), wxLIST_FORMAT_LEFT, FromDIP(420));
    inner->Add(new wxStaticText(scroll, wxID_ANY, _("By tag (a post counts under each of its tags)")), 0,
               wxLEFT | wxTOP, FromDIP(6));
    inner->Add(m_tags, 0, wxEXPAND | wxALL, FromDIP(4));
    scroll->SetSizer(inner);

    auto* sizer = new wxBoxSizer(wxVERTICAL);
    sizer->Add(bar, 0, wxEXPAND | wxALL, FromDIP(8));
    sizer->Add(m_summary, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, FromDIP(8));
    sizer->Add(scroll, 1, wxEXPAND);
    SetSizer(sizer);

    m_period->Bind(wxEVT_CHOICE, [this](wxCommandEvent&) {
        const bool custom = m_period->GetSelection() == 3;
        m_from->Enable(custom);
        m_to->Enable(custom);
        reload();
    });
    m_from->Bind(wxEVT_DATE_CHANGED, [this](wxDateEvent&) { reload(); });
    m_to->Bind(wxEVT_DATE_CHANGED, [this](wxDateEvent&) { reload(); });
    m_pdf->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { save_report(); });
    m_top->Bind(wxEVT_LIST_COL_CLICK, [this](wxListEvent& e) { sort_top(e.GetColumn()); });
    m_top->Bind(wxEVT_LIST_ITEM_SELECTED, [this](wxListEvent&) { m_history_button->Enable(); });
    m_top->Bind(wxEVT_LIST_ITEM_DESELECTED, [this](wxListEvent&) { m_history_button->Disable(); });
    m_history_button->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        const long row = m_top->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
        if (row >= 0) show_history(static_cast<std::size_t>(row));
    });
    m_top->Bind(wxEVT_LIST_ITEM_RIGHT_CLICK, [this](wxListEvent& e) {
        if (!m_dashboard || e.GetIndex() < 0) return;
        const auto row = static_cast<std::size_t>(e.GetIndex());
        wxMenu m;
        m.Append(1, _("&Open the live post"));
        m.Append(2, _("Snapshot &history..."));
        m.Enable(1, !m_dashboard->top.at(row).row.target.remote_url.empty());
        const int chosen = GetPopupMenuSelectionFromUser(m);
        if (chosen == 1) wxLaunchDefaultBrowser(to_wx(m_dashboard->top.at(row).row.target.remote_url));
        if (chosen == 2) show_history(row);
    });
    m_top->Bind(wxEVT_LIST_ITEM_ACTIVATED, [this](wxListEvent& e) {
        if (!m_dashboard || e.GetIndex() < 0) return;
        const auto& url = m_dashboard->top.at(static_cast<std::size_t>(e.GetIndex())).row.target.remote_url;
        if (!url.empty()) wxLaunchDefaultBrowser(to_wx(url));
    });
}

void DashboardPanel::reload() {
    const int choice = m_period->GetSelection();
    const int days = choice == 0 ? 7 : choice == 2 ? 90 : 30;
    std::optional<std::pair<schedule::LocalDate, schedule::LocalDate>> custom;
    if (choice == 3) {
        // The picker's "to" is the last day shown; the period ends the day after.
        const auto to = to_local_date(m_to->GetValue().Add(wxDateSpan::Day()));
        custom = std::pair{to_local_date(m_from->GetValue()), to};
    }
    m_loading = true;
    m_summary->SetLabel(_("Loading..."));
    m_backend.run<Loaded>(
        [days, custom](Services& s) -> Result<Loaded> {
            CLEARPOST_ASSIGN(auto org, s.store.organisation());
            schedule::TzDatabase zones;
            CLEARPOST_ASSIGN(auto zone, zones.find(org.default_zone.empty() ? "UTC" : org.default_zone));
            CLEARPOST_ASSIGN(auto period, custom ? analytics::local_days(zone, custom->first, custom->second)
                                                 : analytics::last_days(zone, days, system_now()));
            CLEARPOST_ASSIGN(auto dashboard, analytics::build_dashboard(s.store, period, zone));
            return Loaded{std::move(dashboard), org.name};
        },
        on_window<Loaded>(this, [](DashboardPanel& self, Result<Loaded> loaded) {
            self.m_loading = false;
            if (!loaded) {
                self.m_dashboard.reset();
                self.m_summary->SetLabel(to_wx(loaded.error().message));
                self.Layout();
            } else {
                self.m_dashboard = std::move(loaded->dashboard);
                self.m_organisation = std::move(loaded->organisation);
            }
            self.show();
            if (self.on_loaded) self.on_loaded();
        }));
}

void DashboardPanel::show() {
    for (auto* chart : m_charts) chart->Refresh();
    m_top->DeleteAllItems();
    m_tags->DeleteAllItems();
    m_audience->DeleteAllItems();
    m_history_button->Disable();  // nothing is selected in the new table
    m_pdf->Enable(m_dashboard.has_value());
    if (!m_dashboard) return;
    const auto& d = *m_dashboard;
    const auto posts = static_cast<unsigned long long>(d.current.posts);
    m_summary->SetLabel(wxString::Format(wxPLURAL("%llu post published", "%llu posts published", posts), posts) +
                        wxString::Format(
        _(" (%s); engagement %lld (%s); %.1f per post (%s); compared with the %s before; %s"),
        change(static_cast<double>(d.current.posts), static_cast<double>(d.before.posts)),
        static_cast<long long>(d.current.engagement),
        change(static_cast<double>(d.current.engagement), static_cast<double>(d.before.engagement)),
        per_post(d.current), change(per_post(d.current), per_post(d.before)),
        wxString::Format(_("%lld days"), static_cast<long long>((d.period.to - d.period.from + 43200) / 86400)),
        to_wx(d.zone.name())));
    Layout();  // the summary's new length
    sort_top(-1);
    for (std::size_t i = 0; i < d.tags.size(); ++i) {
        const auto& t = d.tags[i];
        std::string metrics;
        for (const auto& [name, value] : t.metrics)
            metrics += (metrics.empty() ? "" : " · ") + name + " " + std::to_string(value);
        const long row = m_tags->InsertItem(static_cast<long>(i), to_wx(t.tag));
        m_tags->SetItem(row, 1, wxString::Format("%llu", static_cast<unsigned long long>(t.posts)));
        m_tags->SetItem(row, 2, wxString::Format("%llu", static_cast<unsigned long long>(t.targets)));
        m_tags->SetItem(row, 3, t.engagement.measured
                                    ? wxString::Format("%lld", static_cast<long long>(t.engagement.engagement))
                                    : wxString::FromUTF8("–"));
        m_tags->SetItem(row, 4, to_wx(metrics));
    }
    for (std::size_t i = 0; i < d.audience.size(); ++i) {
        const auto& a = d.audience[i];
        const long row = m_audience->InsertItem(static_cast<long>(i), to_wx(a.network + " · " + a.handle));
        m_audience->SetItem(row, 1, wxString::Format("%lld", static_cast<long long>(a.end)));
        m_audience->SetItem(row, 2, wxString::Format("%lld", static_cast<long long>(a.start)));
        m_audience->SetItem(row, 3, wxString::Format("%+lld", static_cast<long long>(a.change())));
    }
}

void DashboardPanel::show_history(std::size_t top_index) {
    if (!m_dashboard || top_index >= m_dashboard->top.size()) return;
    const store::PublishedTarget target = m_dashboard->top[top_index].row.target;
    m_history_loading = true;
    m_backend.run<analytics::History>(
        [target](Services& s) { return analytics::history_of(s.store, target); },
        on_window<analytics::History>(this, [target](DashboardPanel& self, Result<analytics::History> history) {
            self.m_history_loading = false;
            if (!history) {
                wxMessageBox(to_wx(history.error().message), _("Clearpost"), wxOK | wxICON_ERROR, &self);
                return;
            }
            if (!self.m_history) self.m_history = new SnapshotDialog(&self);
            self.m_history->show(*history, target, self.m_dashboard ? self.m_dashboard->zone : schedule::TimeZone::utc());
        }));
}

wxListCtrl* DashboardPanel::history_list() const { return m_history && m_history->IsShown() ? m_history->list() : nullptr; }

wxWindow* DashboardPanel::history_window() const { return m_history; }

void DashboardPanel::show_audience() {
    int unit_x = 0;
    int unit_y = 0;
    m_scroll->GetScrollPixelsPerUnit(&unit_x, &unit_y);
    int x = 0;
    int y = 0;
    // The follower chart sits on the audience list's row, at the same height.
    m_scroll->CalcUnscrolledPosition(0, m_audience->GetPosition().y, &x, &y);
    m_scroll->Scroll(-1, std::max(0, y - FromDIP(8)) / std::max(unit_y, 1));
}

void DashboardPanel::sort_top(int column) {
    if (!m_dashboard) return;
    if (column >= 0) {
        m_sort_ascending = column == m_sort_column ? !m_sort_ascending : column != TopEngagement;
        m_sort_column = column;
    }
    auto& top = m_dashboard->top;
    const auto key = [this](const analytics::TopPost& a, const analytics::TopPost& b) {
        const auto& x = a.row.target;
        const auto& y = b.row.target;
        switch (m_sort_column) {
        case TopPublished: return x.published_at < y.published_at;
        case TopNetwork: return x.network < y.network;
        case TopAccount: return x.handle < y.handle;
        case TopText: return x.text < y.text;
        default: return a.engagement < b.engagement;
        }
    };
    std::stable_sort(top.begin(), top.end(), [&](const auto& a, const auto& b) {
        return m_sort_ascending ? key(a, b) : key(b, a);
    });
    m_top->DeleteAllItems();
    for (std::size_t i = 0; i < top.size(); ++i) {
        const auto& t = top[i].row.target;
        const long row = m_top->InsertItem(static_cast<long>(i), to_wx(local_minute(t.published_at, m_dashboard->zone)));
        m_top->SetItem(row, TopNetwork, to_wx(t.network));
        m_top->SetItem(row, TopAccount, to_wx(t.handle));
        m_top->SetItem(row, TopEngagement, wxString::Format("%lld", static_cast<long long>(top[i].engagement)));
        m_top->SetItem(row, TopText, to_wx(t.text));
    }
}

void DashboardPanel::save_report() {
    if (!m_dashboard) return;
    wxFileDialog dialog(this, _("Save PDF report"), {}, "clearpost-report.pdf", _("PDF files (*.pdf)|*.pdf"),
                        wxFD_SAVE | wxFD_OVERWRITE_PROMPT);
    if (dialog.ShowModal() != wxID_OK) return;
    auto saved = analytics::write_pdf_report(*m_dashboard, {m_organisation, system_now()}, from_wx(dialog.GetPath()),
                                             Overwrite::Replace);
    if (!saved) wxMessageBox(to_wx(saved.error().message), _("Clearpost"), wxOK | wxICON_ERROR, this);
}

}  // namespace clearpost::gui
