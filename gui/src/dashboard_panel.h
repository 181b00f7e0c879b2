#pragma once
// The analytics dashboard: a period (last 7, 30 or 90 days, or a custom
// range) compared with the one before it, four charts drawn by
// core/analytics on the window's cairo context, the top posts (sortable,
// each with its link), per-tag totals and the PDF report. Numbers come from the worker, so
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
    std::vector<ChartCanvas*> m_charts;
};

}  // namespace clearpost::gui
