#pragma once
// The approval inbox: posts waiting for the signed-in person's role, oldest
// first, each with the text and findings exactly as they would sign them,
// and only the decisions core would accept from them.

#include <wx/panel.h>

#include <functional>
#include <optional>

#include "presenters/backend.h"
#include "presenters/composer.h"

class wxStyledTextCtrl;
class wxListCtrl;
class wxStaticText;
class wxTextCtrl;
class wxButton;

namespace clearpost::gui {

class InboxPanel : public wxPanel {
public:
    InboxPanel(wxWindow* parent, Backend& backend);

    void set_user(const model::User& user);
    void reload();
    void approve();
    void request_changes();
    void select(std::size_t row);

    // Called when a decision lands, for the frame's status bar and lists.
    std::function<void(const wxString&)> on_decided;

    // State the GUI test reads.
    const Inbox& inbox() const { return m_inbox; }
    bool loading() const { return m_loading; }
    wxListCtrl* posts_list() const { return m_posts; }
    wxListCtrl* findings_list() const { return m_findings; }
    wxButton* approve_button() const { return m_approve; }
    wxButton* changes_button() const { return m_changes; }
    wxTextCtrl* comment_field() const { return m_comment; }
    wxTextCtrl* justification_field() const { return m_justification; }
    wxStyledTextCtrl* text_view() const { return m_text; }
    wxStyledTextCtrl* diff_view() const { return m_diff; }
    std::optional<std::size_t> selected() const { return m_selected; }

private:
    void build();
    void show_selected();
    void show_explanation(long row);
    void show_diff(const workflow::PostDetail& detail);
    void decide(bool approve);
    void set_loading(bool loading);

    Backend& m_backend;
    model::User m_user;
    Inbox m_inbox;
    std::optional<std::size_t> m_selected;
    bool m_loading = false;

    wxStaticText* m_count = nullptr;
    wxListCtrl* m_posts = nullptr;
    wxStaticText* m_heading = nullptr;
    wxStyledTextCtrl* m_text = nullptr;
    wxStaticText* m_diff_label = nullptr;
    wxStyledTextCtrl* m_diff = nullptr;
    wxListCtrl* m_findings = nullptr;
    wxStaticText* m_note = nullptr;
    wxStaticText* m_explanation = nullptr;
    std::vector<FindingRow> m_rows;
    wxStaticText* m_justification_label = nullptr;
    wxTextCtrl* m_comment = nullptr;
    wxTextCtrl* m_justification = nullptr;
    wxButton* m_approve = nullptr;
    wxButton* m_changes = nullptr;
};

}  // namespace clearpost::gui
