#pragma once
// The month calendar: scheduled and published posts on their local days in
// the organisation's time zone, coloured by what they need from people; a
// day's list on click (or Enter). Arrow keys move between days, Page Up and
// Page Down between months. The month is read on the worker.

#include <wx/panel.h>

#include <functional>
#include <optional>

#include "presenters/backend.h"
#include "presenters/calendar.h"

class wxListCtrl;
class wxStaticText;
class wxChoice;

namespace clearpost::gui {

class MonthGrid;
class VirtualList;

class CalendarPanel : public wxPanel {
public:
    CalendarPanel(wxWindow* parent, Backend& backend);

    // Reads the shown month again (year 0: the current month).
    void reload();
    void show_month(int year, int month);
    // Shows the month of `date` with that day selected.
    void show_date(const schedule::LocalDate& date);
    // The month view, or the week of the selected day.
    void show_week(bool week);
    bool week_view() const { return m_week; }
    // Previous (-1) or next (+1) month, or week in the week view.
    void step(int direction);
    void select_day(std::size_t cell);
    // Asks, then moves the post of `entry` (an index into the month's
    // entries) to the same local time on the day of `cell`.
    void drop(std::size_t entry, std::size_t cell);
    // Moves the post to `local` (on the worker), after asking when `confirm`.
    void move(model::Id post_id, const schedule::LocalDateTime& local, bool confirm = true);

    std::function<void(model::Id)> on_open_post;
    std::function<void(const wxString&)> on_changed;
    // The Export... button: the frame asks where and writes the calendar.
    std::function<void()> on_export;

    void set_user(const model::User& user) { m_user = user; }

    // State the GUI test reads.
    bool loading() const { return m_loading; }
    const std::optional<CalendarMonth>& month() const { return m_data; }
    std::optional<std::size_t> selected_day() const { return m_selected; }
    wxListCtrl* day_list() const;
    wxStaticText* title() const { return m_title; }

private:
    void build();
    void show();
    void ask_move();
    void show_title();

    Backend& m_backend;
    model::User m_user;
    int m_year = 0;  // 0 until the first month is read: the current one
    int m_month = 0;
    std::optional<CalendarMonth> m_data;
    std::optional<std::size_t> m_selected;
    bool m_loading = false;
    bool m_week = false;
    std::optional<schedule::LocalDate> m_pending;  // the day to select once its month is read

    wxStaticText* m_title = nullptr;
    wxChoice* m_view = nullptr;
    wxStaticText* m_summary = nullptr;
    MonthGrid* m_grid = nullptr;
    wxStaticText* m_day_title = nullptr;
    VirtualList* m_days = nullptr;
};

}  // namespace clearpost::gui
