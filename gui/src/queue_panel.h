#pragma once
// The queue and its history: every target with its state and the reason in
// plain words; retry, cancel and open the post; and the emergency pause,
// always in view, that stops all publishing with one click and a reason.

#include <wx/panel.h>

#include <functional>
#include <optional>

#include "presenters/backend.h"
#include "presenters/queue.h"

class wxButton;
class wxChoice;
class wxStaticText;

namespace clearpost::gui {

class VirtualList;

class QueuePanel : public wxPanel {
public:
    QueuePanel(wxWindow* parent, Backend& backend);

    void set_user(const model::User& user);
    void reload();
    // Asks for a reason, then stops all publishing.
    void pause_publishing();
    void pause_publishing(const wxString& reason);
    void resume_publishing();

    // Opens a post in the composer (the frame does it).
    std::function<void(model::Id)> on_open_post;
    // A change was made here (the frame refreshes its lists and status).
    std::function<void(const wxString&)> on_changed;
    // The Export... button: the frame asks where and writes the calendar.
    std::function<void()> on_export;

    // State the GUI test reads.
    bool loading() const { return m_loading; }
    const QueuePage& page() const { return m_page; }
    wxStaticText* pause_banner() const { return m_banner; }
    wxButton* pause_button() const { return m_pause; }

private:
    void build();
    void show();
    void update_buttons();
    std::optional<QueueRow> selected_row() const;
    void retry();
    void cancel_post();
    // Runs `work` on the worker, then reloads and reports `done_message`.
    void act(std::function<Result<void>(Services&)> work, const wxString& title, const wxString& done_message);

    Backend& m_backend;
    model::User m_user;
    QueuePage m_page;
    bool m_loading = false;

    wxPanel* m_bar = nullptr;
    wxStaticText* m_banner = nullptr;
    wxButton* m_pause = nullptr;
    wxChoice* m_view = nullptr;
    wxStaticText* m_count = nullptr;
    VirtualList* m_list = nullptr;
    wxButton* m_retry = nullptr;
    wxButton* m_cancel = nullptr;
    wxButton* m_open = nullptr;
    wxButton* m_live = nullptr;
};

}  // namespace clearpost::gui
