#pragma once
// The studio's main window: for now the list of posts with their state and
// time in the organisation's zone (the composer, inbox and calendar follow).

#include <wx/frame.h>
#include <wx/listctrl.h>

#include <filesystem>
#include <string>

#include "clearpost/model/model.h"
#include "post_loader.h"

namespace clearpost::gui {

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
    // `self_test`: once the first load lands, write the visible rows there
    // (used by the GUI test under Xvfb).
    MainFrame(std::filesystem::path db, model::User user, std::filesystem::path self_test);

    void refresh();

private:
    void on_loaded(Result<PostList> result);
    void write_self_test() const;

    std::filesystem::path m_db;
    model::User m_user;
    std::filesystem::path m_self_test;
    PostListCtrl* m_list;
    PostLoader m_loader;
};

}  // namespace clearpost::gui
