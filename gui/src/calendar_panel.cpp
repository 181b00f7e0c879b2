#include "calendar_panel.h"

#include <wx/button.h>
#include <wx/choice.h>
#include <wx/dcbuffer.h>
#include <wx/settings.h>
#include <wx/sizer.h>
#include <wx/msgdlg.h>
#include <wx/stattext.h>
#include <wx/textdlg.h>

#include <chrono>

#include "async.h"
#include "dialogs.h"
#include "virtual_list.h"

namespace clearpost::gui {
namespace {

// Okabe-Ito: told apart with every common colour-vision deficiency.
wxColour group_colour(CalendarGroup g) {
    switch (g) {
    case CalendarGroup::Planned: return {0xCC, 0x79, 0xA7};
    case CalendarGroup::Upcoming: return {0x00, 0x72, 0xB2};
    case CalendarGroup::Published: return {0x00, 0x9E, 0x73};
    case CalendarGroup::Problem: return {0xD5, 0x5E, 0x00};
    case CalendarGroup::Stopped: return {0x99, 0x99, 0x99};
    }
    return *wxBLACK;
}

wxString group_name(CalendarGroup g) {
    switch (g) {
    case CalendarGroup::Planned: return _("awaiting approval");
    case CalendarGroup::Upcoming: return _("upcoming");
    case CalendarGroup::Published: return _("published");
    case CalendarGroup::Problem: return _("needs attention");
    case CalendarGroup::Stopped: return _("paused or cancelled");
    }
    return {};
}

wxString month_name(int month) {
    static const char* const names[] = {wxTRANSLATE("January"), wxTRANSLATE("February"), wxTRANSLATE("March"),
                                        wxTRANSLATE("April"),   wxTRANSLATE("May"),      wxTRANSLATE("June"),
                                        wxTRANSLATE("July"),    wxTRANSLATE("August"),   wxTRANSLATE("September"),
                                        wxTRANSLATE("October"), wxTRANSLATE("November"), wxTRANSLATE("December")};
    return wxGetTranslation(names[(month - 1) % 12]);
}

wxString long_date(const schedule::LocalDate& d) {
    static const char* const days[] = {wxTRANSLATE("Sunday"),   wxTRANSLATE("Monday"), wxTRANSLATE("Tuesday"),
                                       wxTRANSLATE("Wednesday"), wxTRANSLATE("Thursday"), wxTRANSLATE("Friday"),
                                       wxTRANSLATE("Saturday")};
    namespace chr = std::chrono;
    const chr::weekday wd{chr::sys_days(chr::year(d.year) / chr::month(static_cast<unsigned>(d.month)) /
                                        chr::day(static_cast<unsigned>(d.day)))};
    return wxString::Format("%s %d %s %d", wxGetTranslation(days[wd.c_encoding()]), d.day, month_name(d.month),
                            d.year);
}

constexpr CalendarGroup kGroups[] = {CalendarGroup::Planned, CalendarGroup::Upcoming, CalendarGroup::Published,
                                     CalendarGroup::Problem, CalendarGroup::Stopped};

}  // namespace

// Seven columns, six weeks (or, in the week view, the selected day's week
// as seven tall columns); each cell its day number, counts and as many
// of its first targets as fit. Painting touches only what a cell shows.
class MonthGrid : public wxWindow {
public:
    explicit MonthGrid(CalendarPanel* owner)
        : wxWindow(owner, wxID_ANY, wxDefaultPosition, wxDefaultSize, wxWANTS_CHARS | wxFULL_REPAINT_ON_RESIZE),
          m_owner(owner) {
        SetName(_("Month calendar"));
        SetBackgroundStyle(wxBG_STYLE_PAINT);
        SetMinSize(FromDIP(wxSize(560, 360)));
        Bind(wxEVT_PAINT, [this](wxPaintEvent&) { paint(); });
        // A post is dragged by its row to another day (same local time).
        Bind(wxEVT_LEFT_DOWN, [this](wxMouseEvent& e) {
            SetFocus();
            if (auto cell = cell_at(e.GetPosition())) m_owner->select_day(*cell);
            m_drag = entry_at(e.GetPosition());
            m_drop.reset();
            if (m_drag) CaptureMouse();
        });
        Bind(wxEVT_MOTION, [this](wxMouseEvent& e) {
            if (!m_drag || !e.Dragging()) return;
            const auto cell = cell_at(e.GetPosition());
            if (cell != m_drop) {
                m_drop = cell;
                SetCursor(wxCursor(wxCURSOR_HAND));
                Refresh();
            }
        });
        Bind(wxEVT_LEFT_UP, [this](wxMouseEvent& e) {
            if (!m_drag) return;
            if (HasCapture()) ReleaseMouse();
            SetCursor(wxNullCursor);
            const auto entry = *m_drag;
            const auto cell = cell_at(e.GetPosition());
            m_drag.reset();
            m_drop.reset();
            Refresh();
            if (cell && m_selected && *cell != *m_selected) m_owner->drop(entry, *cell);
        });
        Bind(wxEVT_MOUSE_CAPTURE_LOST, [this](wxMouseCaptureLostEvent&) {
            m_drag.reset();
            m_drop.reset();
            Refresh();
        });
        Bind(wxEVT_SET_FOCUS, [this](wxFocusEvent& e) { Refresh(); e.Skip(); });
        Bind(wxEVT_KILL_FOCUS, [this](wxFocusEvent& e) { Refresh(); e.Skip(); });
        Bind(wxEVT_KEY_DOWN, [this](wxKeyEvent& e) { key(e); });
    }
    void show(const CalendarMonth* month, std::optional<std::size_t> selected) {
        m_month = month;
        m_selected = selected;
        Refresh();
    }
    void set_week(bool week) {
        m_week = week;
        SetName(week ? _("Week calendar") : _("Month calendar"));
        Refresh();
    }

private:
    static constexpr int kHeader = 22;

    // The cells painted: all 42, or the selected day's week.
    std::size_t first_cell() const { return m_week && m_selected ? *m_selected / 7 * 7 : 0; }
    std::size_t cell_count() const { return m_week ? 7 : 42; }
    wxRect cell_rect(std::size_t i) const {
        const wxSize size = GetClientSize();
        const int header = FromDIP(kHeader);
        const int rows = m_week ? 1 : 6;
        // One pixel spare, so the last row and column keep their border.
        const int w = (size.x - 1) / 7, h = (size.y - header - 1) / rows;
        const auto row = static_cast<int>((i - first_cell()) / 7);
        return {static_cast<int>(i % 7) * w, header + row * h, w, h};
    }
    std::optional<std::size_t> entry_at(wxPoint p) const {
        for (const auto& [rect, entry] : m_entry_rects)
            if (rect.Contains(p)) return entry;
        return std::nullopt;
    }
    std::optional<std::size_t> cell_at(wxPoint p) const {
        for (std::size_t i = first_cell(); i < first_cell() + cell_count(); ++i)
            if (cell_rect(i).Contains(p)) return i;
        return std::nullopt;
    }
    void key(wxKeyEvent& e) {
        if (!m_month) return e.Skip();
        const int cell = m_selected ? static_cast<int>(*m_selected) : 0;
        int to = cell;
        switch (e.GetKeyCode()) {
        case WXK_LEFT: to = cell - 1; break;
        case WXK_RIGHT: to = cell + 1; break;
        case WXK_UP: to = cell - 7; break;
        case WXK_DOWN: to = cell + 7; break;
        case WXK_PAGEUP: m_owner->step(-1); return;
        case WXK_PAGEDOWN: m_owner->step(1); return;
        case WXK_RETURN:
        case WXK_NUMPAD_ENTER:
            if (auto* list = m_owner->day_list(); list && list->GetItemCount() > 0) list->SetFocus();
            return;
        default: e.Skip(); return;
        }
        if (to >= 0 && to < 42) {
            m_owner->select_day(static_cast<std::size_t>(to));
        } else {  // beyond the six weeks: the neighbouring month
            m_owner->show_date(add_days(m_month->days[static_cast<std::size_t>(cell)].date, to - cell));
        }
    }
    void paint() {
        wxAutoBufferedPaintDC dc(this);
        const wxColour window = wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOW);
        const wxColour text = wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOWTEXT);
        const wxColour grey = wxSystemSettings::GetColour(wxSYS_COLOUR_GRAYTEXT);
        const wxColour highlight = wxSystemSettings::GetColour(wxSYS_COLOUR_HIGHLIGHT);
        dc.SetBackground(wxBrush(window));
        dc.Clear();
        dc.SetFont(GetFont());
        const int line = dc.GetCharHeight() + FromDIP(2);
        static const char* const weekdays[] = {wxTRANSLATE("Mon"), wxTRANSLATE("Tue"), wxTRANSLATE("Wed"),
                                               wxTRANSLATE("Thu"), wxTRANSLATE("Fri"), wxTRANSLATE("Sat"),
                                               wxTRANSLATE("Sun")};
        for (int d = 0; d < 7; ++d) {
            const wxRect r = cell_rect(static_cast<std::size_t>(d));
            dc.SetTextForeground(grey);
            dc.DrawText(wxGetTranslation(weekdays[d]), r.x + FromDIP(6), FromDIP(3));
        }
        m_entry_rects.clear();
        if (!m_month) return;
        const wxFont normal = GetFont();
        const wxFont bold = normal.Bold();
        for (std::size_t i = first_cell(); i < first_cell() + cell_count(); ++i) {
            const wxRect r = cell_rect(i);
            const auto& day = m_month->days[i];
            dc.SetPen(wxPen(grey.ChangeLightness(window.GetLuminance() > 0.5 ? 160 : 60)));
            dc.SetBrush(*wxTRANSPARENT_BRUSH);
            dc.DrawRectangle(r.x, r.y, r.width + 1, r.height + 1);
            const bool today = day.date == m_month->today;
            dc.SetFont(today ? bold : normal);
            dc.SetTextForeground(day.in_month ? text : grey);
            dc.DrawText(today ? wxString::Format(_("%d today"), day.date.day) : wxString::Format("%d", day.date.day),
                        r.x + FromDIP(6), r.y + FromDIP(3));
            dc.SetFont(normal);
            int y = r.y + FromDIP(3) + line;
            const int room = (r.GetBottom() - y) / line;  // lines that fit below the day number
            const int shown = static_cast<int>(day.count) > room ? std::max(room - 1, 0) : static_cast<int>(day.count);
            for (int k = 0; k < shown; ++k) {
                const auto& e = m_month->entries[day.first + static_cast<std::size_t>(k)];
                const wxColour c = group_colour(calendar_group(e.state));
                dc.SetPen(wxPen(c));
                dc.SetBrush(wxBrush(c));
                const int dot = FromDIP(7);
                dc.DrawRectangle(r.x + FromDIP(6), y + (line - dot) / 2, dot, dot);
                dc.SetTextForeground(day.in_month ? text : grey);
                dc.DrawText(wxString::Format("%s %s #%lld", to_wx(e.time), to_wx(e.network),
                                             static_cast<long long>(e.post_id)),
                            r.x + FromDIP(6) + dot + FromDIP(4), y);
                m_entry_rects.emplace_back(wxRect(r.x + 1, y, r.width - 2, line), day.first + static_cast<std::size_t>(k));
                y += line;
            }
            if (static_cast<int>(day.count) > shown) {
                dc.SetTextForeground(grey);
                dc.DrawText(wxString::Format(_("+%zu more"), day.count - static_cast<std::size_t>(shown)),
                            r.x + FromDIP(6), y);
            }
            if (m_drop && *m_drop == i) {
                dc.SetPen(wxPen(highlight, FromDIP(2), wxPENSTYLE_SHORT_DASH));
                dc.SetBrush(*wxTRANSPARENT_BRUSH);
                dc.DrawRectangle(r.x + 1, r.y + 1, r.width - 1, r.height - 1);
            }
            if (m_selected && *m_selected == i) {
                dc.SetPen(wxPen(highlight, FromDIP(HasFocus() ? 3 : 2)));
                dc.SetBrush(*wxTRANSPARENT_BRUSH);
                dc.DrawRectangle(r.x + 1, r.y + 1, r.width - 1, r.height - 1);
            }
        }
    }

    CalendarPanel* m_owner;
    const CalendarMonth* m_month = nullptr;
    std::optional<std::size_t> m_selected;
    std::vector<std::pair<wxRect, std::size_t>> m_entry_rects;  // painted rows and their entries
    std::optional<std::size_t> m_drag;  // the entry being dragged
    std::optional<std::size_t> m_drop;  // the cell under it
    bool m_week = false;
};

CalendarPanel::CalendarPanel(wxWindow* parent, Backend& backend) : wxPanel(parent, wxID_ANY), m_backend(backend) {
    SetName(_("Calendar"));
    build();
}

wxListCtrl* CalendarPanel::day_list() const { return m_days; }

void CalendarPanel::build() {
    const int gap = FromDIP(8);
    auto* top = new wxBoxSizer(wxVERTICAL);
    auto* nav = new wxBoxSizer(wxHORIZONTAL);
    auto* previous = new wxButton(this, wxID_ANY, _("< Pre&vious"));
    auto* today = new wxButton(this, wxID_ANY, _("&Today"));
    auto* next = new wxButton(this, wxID_ANY, _("Ne&xt >"));
    m_title = new wxStaticText(this, wxID_ANY, _("Loading..."));
    m_title->SetFont(m_title->GetFont().Bold().Larger());
    nav->Add(previous, 0, wxRIGHT, gap);
    nav->Add(today, 0, wxRIGHT, gap);
    nav->Add(next, 0, wxRIGHT, 2 * gap);
    nav->Add(m_title, 1, wxALIGN_CENTER_VERTICAL);
    m_view = new wxChoice(this, wxID_ANY);
    m_view->Append(_("Month"));
    m_view->Append(_("Week"));
    m_view->SetSelection(0);
    m_view->SetName(_("Calendar view"));
    m_view->SetToolTip(_("A month of six weeks, or the selected day's week with room for every post"));
    nav->Add(m_view, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, gap);
    nav->Add(make_export_button(this, [this] {
                 if (on_export) on_export();
             }),
             0, wxALIGN_CENTER_VERTICAL);
    top->Add(nav, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, gap);
    auto* info = new wxBoxSizer(wxHORIZONTAL);
    m_summary = new wxStaticText(this, wxID_ANY, wxString());
    info->Add(m_summary, 1, wxALIGN_CENTER_VERTICAL);
    // The legend, in the colours the cells use.
    for (auto g : kGroups) {
        auto* swatch = new wxStaticText(this, wxID_ANY, wxString::FromUTF8("\u25A0"));
        swatch->SetForegroundColour(group_colour(g));
        info->Add(swatch, 0, wxALIGN_CENTER_VERTICAL | wxLEFT, gap);
        info->Add(new wxStaticText(this, wxID_ANY, group_name(g)), 0, wxALIGN_CENTER_VERTICAL | wxLEFT, FromDIP(3));
    }
    top->Add(info, 0, wxEXPAND | wxALL, gap);

    m_grid = new MonthGrid(this);
    top->Add(m_grid, 3, wxEXPAND | wxLEFT | wxRIGHT, gap);
    m_day_title = new wxStaticText(this, wxID_ANY, _("Click a day to list its posts."));
    auto* day_bar = new wxBoxSizer(wxHORIZONTAL);
    day_bar->Add(m_day_title, 1, wxALIGN_CENTER_VERTICAL);
    auto* move = new wxButton(this, wxID_ANY, _("&Move to..."));
    move->SetToolTip(_("Move the selected post to another day and time (or drag it in the calendar)"));
    day_bar->Add(move, 0);
    move->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { ask_move(); });
    top->Add(day_bar, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, gap);
    // Virtual: a busy day holds hundreds.
    m_days = new VirtualList(this, _("Posts of the selected day"),
                             {{_("Time"), 70}, {_("Post"), 60, wxLIST_FORMAT_RIGHT}, {_("Network"), 110}, {_("State"), 130}});
    top->Add(m_days, 1, wxEXPAND | wxALL, gap);
    SetSizer(top);

    previous->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { step(-1); });
    next->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { step(1); });
    m_view->Bind(wxEVT_CHOICE, [this](wxCommandEvent&) { show_week(m_view->GetSelection() == 1); });
    today->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { show_month(0, 0); });
    m_days->Bind(wxEVT_LIST_ITEM_ACTIVATED, [this](wxListEvent& e) {
        if (!m_data || !m_selected || !on_open_post) return;
        const auto& day = m_data->days[*m_selected];
        if (e.GetIndex() >= 0 && static_cast<std::size_t>(e.GetIndex()) < day.count)
            on_open_post(m_data->entries[day.first + static_cast<std::size_t>(e.GetIndex())].post_id);
    });
}

void CalendarPanel::drop(std::size_t entry, std::size_t cell) {
    if (!m_data || entry >= m_data->entries.size() || cell >= m_data->days.size()) return;
    const auto& e = m_data->entries[entry];
    const auto& day = m_data->days[cell].date;
    schedule::LocalDateTime local{day.year, day.month, day.day, std::stoi(e.time.substr(0, 2)),
                                  std::stoi(e.time.substr(3, 2)), 0};
    move(e.post_id, local);
}

void CalendarPanel::ask_move() {
    if (!m_data || !m_selected) return;
    const auto& day = m_data->days[*m_selected];
    const long row = m_days->selected();
    if (row < 0 || static_cast<std::size_t>(row) >= day.count) {
        wxMessageBox(_("Select a post in the day's list first."), _("Move post"), wxOK | wxICON_INFORMATION, this);
        return;
    }
    const auto& e = m_data->entries[day.first + static_cast<std::size_t>(row)];
    const wxString now = wxString::Format("%04d-%02d-%02d %s", day.date.year, day.date.month, day.date.day,
                                          to_wx(e.time));
    wxTextEntryDialog ask(this,
                          wxString::Format(_("New date and time for post %lld (YYYY-MM-DD HH:MM, %s):"),
                                           static_cast<long long>(e.post_id), to_wx(m_data->zone)),
                          _("Move post"), now);
    if (ask.ShowModal() != wxID_OK) return;
    auto local = schedule::parse_local_datetime(from_wx(ask.GetValue().Trim().Trim(false)));
    if (!local) {
        wxMessageBox(to_wx(local.error().message), _("Move post"), wxOK | wxICON_ERROR, this);
        return;
    }
    move(e.post_id, *local, false);
}

void CalendarPanel::move(model::Id post_id, const schedule::LocalDateTime& local, bool confirm) {
    if (!m_data) return;
    if (confirm) {
        const wxString policy = m_data->moves_keep_approval
                                    ? _("A queued post keeps its approval when it moves (your organisation's policy).")
                                    : _("Moving it makes a new version that needs approval again (your "
                                        "organisation's policy).");
        const wxString question =
            wxString::Format(_("Move post %lld to %04d-%02d-%02d %02d:%02d (%s)?"), static_cast<long long>(post_id),
                             local.year, local.month, local.day, local.hour, local.minute, to_wx(m_data->zone)) +
            "\n\n" + policy;
        if (wxMessageBox(question, _("Move post"), wxYES_NO | wxNO_DEFAULT | wxICON_QUESTION, this) != wxYES) return;
    }
    m_backend.run<MoveOutcome>(
        [user = m_user, post_id, local](Services& s) { return move_post(s, user, post_id, local); },
        on_window<MoveOutcome>(this, [post_id](CalendarPanel& self, Result<MoveOutcome> moved) {
            if (!moved) {
                wxMessageBox(to_wx(moved.error().message), _("Move post"), wxOK | wxICON_ERROR, &self);
                return;
            }
            const auto id = static_cast<long long>(post_id);
            const wxString message =
                moved->kept_approval ? wxString::Format(_("Post %lld moved to %s; its approval stands."), id,
                                                        to_wx(moved->when))
                : moved->resubmitted ? wxString::Format(_("Post %lld moved to %s as version %d, sent for review."), id,
                                                        to_wx(moved->when), moved->version)
                                     : wxString::Format(_("Post %lld moved to %s (version %d)."), id,
                                                        to_wx(moved->when), moved->version);
            if (self.on_changed) self.on_changed(message);
            self.reload();
        }));
}

void CalendarPanel::show_week(bool week) {
    m_week = week;
    m_view->SetSelection(week ? 1 : 0);
    m_grid->set_week(week);
    if (m_data) show();
}

void CalendarPanel::step(int direction) {
    if (!m_data) return;
    if (m_week && m_selected) {
        const auto to = static_cast<int>(*m_selected) + 7 * direction;
        if (to >= 0 && to < 42) {
            select_day(static_cast<std::size_t>(to));
        } else {
            show_date(add_days(m_data->days[*m_selected].date, 7 * direction));
        }
        return;
    }
    auto [y, m] = add_months(m_data->year, m_data->month, direction);
    show_month(y, m);
}

void CalendarPanel::show_date(const schedule::LocalDate& date) {
    m_pending = date;
    show_month(date.year, date.month);
}

void CalendarPanel::show_month(int year, int month) {
    m_year = year;
    m_month = month;
    m_selected.reset();
    reload();
}

void CalendarPanel::reload() {
    m_loading = true;
    m_backend.run<CalendarMonth>(
        [year = m_year, month = m_month](Services& s) { return load_month(s.store, year, month); },
        on_window<CalendarMonth>(this, [](CalendarPanel& self, Result<CalendarMonth> month) {
            self.m_loading = false;
            if (!month) {
                self.m_summary->SetLabel(_("Could not read the calendar: ") + to_wx(month.error().message));
                return;
            }
            self.m_year = month->year;
            self.m_month = month->month;
            self.m_data = std::move(*month);
            self.show();
        }));
}

void CalendarPanel::show() {
    const auto& m = *m_data;
    std::size_t total = 0;
    for (const auto& d : m.days)
        if (d.in_month) total += d.count;
    // Counted as the cells show them: a queued post once per target, a post in review once.
    m_summary->SetLabel(wxString::Format(_("%zu planned or published this month; times in %s"), total, to_wx(m.zone)));
    // Keep the selected day, or the day asked for, or today, or the month's first day.
    if (m_pending) {
        for (std::size_t i = 0; i < m.days.size(); ++i)
            if (m.days[i].date == *m_pending && m.days[i].in_month) m_selected = i;
        m_pending.reset();
    }
    if (!m_selected) {
        for (std::size_t i = 0; i < m.days.size() && !m_selected; ++i)
            if (m.days[i].date == m.today) m_selected = i;
        for (std::size_t i = 0; i < m.days.size() && !m_selected; ++i)
            if (m.days[i].in_month) m_selected = i;
    }
    select_day(*m_selected);
    Layout();
}

void CalendarPanel::show_title() {
    if (!m_data || !m_selected) return;
    const auto& m = *m_data;
    if (!m_week) {
        m_title->SetLabel(wxString::Format("%s %d", month_name(m.month), m.year));
        return;
    }
    const std::size_t first = *m_selected / 7 * 7;
    std::size_t total = 0;
    for (std::size_t i = first; i < first + 7; ++i) total += m.days[i].count;
    m_title->SetLabel(wxString::Format(_("Week of %s"), long_date(m.days[first].date)));
    m_summary->SetLabel(wxString::Format(_("%zu planned or published this week; times in %s"), total, to_wx(m.zone)));
}

void CalendarPanel::select_day(std::size_t cell) {
    if (!m_data || cell >= m_data->days.size()) return;
    m_selected = cell;
    const auto& day = m_data->days[cell];
    wxString title = long_date(day.date) + ": ";
    if (day.count == 0) {
        title += _("nothing scheduled");
    } else {
        title += wxString::Format(wxPLURAL("%zu target", "%zu targets", day.count), day.count);
        for (auto g : kGroups) {
            const int n = day.groups[static_cast<std::size_t>(g)];
            if (n > 0) title += wxString::Format(", %d %s", n, group_name(g));
        }
    }
    m_day_title->SetLabel(title);
    m_days->show(day.count, [this, first = day.first](std::size_t row, long column) -> wxString {
        const auto& e = m_data->entries[first + row];
        switch (column) {
        case 0: return to_wx(e.time);
        case 1: return wxString::Format("%lld", static_cast<long long>(e.post_id));
        case 2: return to_wx(e.network);
        default: return to_wx(std::string(model::to_string(e.state)));
        }
    });
    m_grid->show(&*m_data, m_selected);
    show_title();
}

}  // namespace clearpost::gui
