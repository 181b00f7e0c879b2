#pragma once
// A report-mode list that asks for its cells only when it paints them, for
// tables of thousands of rows (the queue, a busy calendar day, the audit log).

#include <wx/listctrl.h>

#include <functional>
#include <initializer_list>

namespace clearpost::gui {

struct ListColumn {
    wxString title;
    int width = 100;  // device-independent pixels
    wxListColumnFormat align = wxLIST_FORMAT_LEFT;
};

class VirtualList : public wxListCtrl {
public:
    using Cell = std::function<wxString(std::size_t row, long column)>;

    VirtualList(wxWindow* parent, const wxString& name, std::initializer_list<ListColumn> columns)
        : wxListCtrl(parent, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                     wxLC_REPORT | wxLC_VIRTUAL | wxLC_SINGLE_SEL | wxLC_HRULES) {
        SetName(name);
        for (const auto& c : columns) AppendColumn(c.title, c.align, FromDIP(c.width));
    }

    // `rows` rows whose text `cell` gives; it must stay valid until the next show.
    void show(std::size_t rows, Cell cell) {
        m_rows = rows;
        m_cell = std::move(cell);
        SetItemCount(static_cast<long>(rows));
        Refresh();
    }

    // The selected row, or -1.
    long selected() const { return GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED); }

private:
    wxString OnGetItemText(long item, long column) const override {
        if (!m_cell || item < 0 || static_cast<std::size_t>(item) >= m_rows) return {};
        return m_cell(static_cast<std::size_t>(item), column);
    }

    std::size_t m_rows = 0;
    Cell m_cell;
};

}  // namespace clearpost::gui
