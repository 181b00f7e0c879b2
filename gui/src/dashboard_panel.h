#pragma once
// The analytics dashboard: a period (last 7, 30 or 90 days, or a custom
// range) compared with the one before it, five charts drawn by
// core/analytics on the window's cairo context, the top posts (sortable,
// each with its link and its snapshot history), per-tag totals, the
// accounts' followers and the PDF report. Numbers come from the worker, so
// opening it never blocks typing elsewhere.

#include <wx/panel.h>

#include <functional>
#include <optional>

#include "clearpost/analytics/dashboard.h"
#include "presenters/backend.h"

class wxChoice;
class wxDatePickerCtrl;
class wxListCtrl;
class wxScrolledWindow;
class wxListEvent;
class wxStaticText;
class wxButton;

namespace clearpost::gui {

class ChartCanvas;
class SnapshotDialog;

class DashboardPanel : public wxPanel {
public:
    DashboardPanel(wxWindow* parent, Backend& backend);

    // Loads the chosen period (on the worker); the first call happens when
    // the page is first shown.
    void reload();

    // State the GUI test reads.
    bool loading() const { return m_loading; }
    const std::optional<analytics::Dashboard>& dashboard() const { return m_dashboard; }
    wxStaticText* summary() const { return m_summary; }
    wxListCtrl* audience() const { return m_audience; }
    // Scrolls the follower chart and the accounts beside it into view.
    void show_audience();
    // Opens the snapshot history of the top post at `top_index` (as sorted).
    void show_history(std::size_t top_index);
    bool history_loading() const { return m_history_loading; }
    // The history's table while its window is open, else null.
    wxListCtrl* history_list() const;
    wxWindow* history_window() const;
    std::function<void()> on_loaded;

private:
    void build();
    void show();
    void sort_top(int column);
    void save_report();

    Backend& m_backend;
    std::optional<analytics::Dashboard> m_dashboard;
    std::string m_organisation;
    bool m_loading = false;
    int m_sort_column = 3;  // engagement, most first
    bool m_sort_ascending = false;

    wxChoice* m_period = nullptr;
    wxDatePickerCtrl* m_from = nullptr;
    wxDatePickerCtrl* m_to = nullptr;
    wxStaticText* m_summary = nullptr;
    wxListCtrl* m_top = nullptr;
    wxListCtrl* m_tags = nullptr;  // per-tag totals
    wxListCtrl* m_audience = nullptr;  // followers per account
    wxScrolledWindow* m_scroll = nullptr;
    wxButton* m_pdf = nullptr;
    wxButton* m_history_button = nullptr;
    SnapshotDialog* m_history = nullptr;  // made on first use, a child of the panel
    bool m_history_loading = false;
    std::vector<ChartCanvas*> m_charts;
};

}  // namespace clearpost::gui
