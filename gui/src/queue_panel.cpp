#include "queue_panel.h"

#include <wx/button.h>
#include <wx/choice.h>
#include <wx/msgdlg.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textdlg.h>
#include <wx/utils.h>

#include "async.h"
#include "clearpost/workflow/admin.h"
#include "dialogs.h"
#include "virtual_list.h"

namespace clearpost::gui {

QueuePanel::QueuePanel(wxWindow* parent, Backend& backend) : wxPanel(parent, wxID_ANY), m_backend(backend) {
    SetName(_("Queue"));
    build();
}

void QueuePanel::build() {
    const int gap = FromDIP(8);
    auto* top = new wxBoxSizer(wxVERTICAL);

    // The pause is always in view: a bar that turns amber while it holds.
    m_bar = new wxPanel(this);
    auto* bar = new wxBoxSizer(wxHORIZONTAL);
    m_banner = new wxStaticText(m_bar, wxID_ANY, _("Loading..."));
    m_banner->SetName(_("Publishing state"));
    m_banner->SetFont(m_banner->GetFont().Bold());
    bar->Add(m_banner, 1, wxALIGN_CENTER_VERTICAL | wxALL, gap);
    m_pause = new wxButton(m_bar, wxID_ANY, _("&Pause all publishing..."));
    m_pause->SetName(_("Emergency pause"));
    bar->Add(m_pause, 0, wxALL, gap);
    m_bar->SetSizer(bar);
    top->Add(m_bar, 0, wxEXPAND);

    auto* filter = new wxBoxSizer(wxHORIZONTAL);
    m_view = new wxChoice(this, wxID_ANY);
    m_view->SetName(_("Which targets"));
    m_view->Append(_("Upcoming and needing attention"));
    m_view->Append(_("Published in the last 30 days"));
    m_view->SetSelection(0);
    filter->Add(m_view, 0, wxALIGN_CENTER_VERTICAL);
    m_count = new wxStaticText(this, wxID_ANY, wxString());
    filter->Add(m_count, 1, wxALIGN_CENTER_VERTICAL | wxLEFT, gap);
    filter->Add(make_export_button(this, [this] {
                    if (on_export) on_export();
                }),
                0, wxALIGN_CENTER_VERTICAL | wxLEFT, gap);
    top->Add(filter, 0, wxEXPAND | wxALL, gap);

    m_list = new VirtualList(this, _("Publishing queue"),
                             {{_("Post"), 50, wxLIST_FORMAT_RIGHT},
                              {_("Account"), 170},
                              {_("When"), 175},
                              {_("State"), 110},
                              {_("What is happening"), 360},
                              {_("Text"), 260}});
    top->Add(m_list, 1, wxEXPAND | wxLEFT | wxRIGHT, gap);

    auto* buttons = new wxBoxSizer(wxHORIZONTAL);
    m_open = new wxButton(this, wxID_ANY, _("&Open post"));
    m_live = new wxButton(this, wxID_ANY, _("Open &live post"));
    m_retry = new wxButton(this, wxID_ANY, _("&Retry"));
    m_retry->SetToolTip(_("Send a failed target again, now"));
    m_cancel = new wxButton(this, wxID_ANY, _("&Cancel post..."));
    m_cancel->SetToolTip(_("Take every target of this post that has not gone out off the queue"));
    buttons->Add(m_open, 0, wxRIGHT, gap);
    buttons->Add(m_live, 0, wxRIGHT, gap);
    buttons->AddStretchSpacer();
    buttons->Add(m_retry, 0, wxRIGHT, gap);
    buttons->Add(m_cancel, 0);
    top->Add(buttons, 0, wxEXPAND | wxALL, gap);
    SetSizer(top);

    m_pause->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        if (m_page.pause) resume_publishing();
        else pause_publishing();
    });
    m_view->Bind(wxEVT_CHOICE, [this](wxCommandEvent&) { reload(); });
    m_list->Bind(wxEVT_LIST_ITEM_SELECTED, [this](wxListEvent&) { update_buttons(); });
    m_list->Bind(wxEVT_LIST_ITEM_DESELECTED, [this](wxListEvent&) { update_buttons(); });
    m_list->Bind(wxEVT_LIST_ITEM_ACTIVATED, [this](wxListEvent&) {
        if (auto row = selected_row(); row && on_open_post) on_open_post(row->post_id);
    });
    m_open->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        if (auto row = selected_row(); row && on_open_post) on_open_post(row->post_id);
    });
    m_live->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        if (auto row = selected_row(); row && !row->remote_url.empty()) wxLaunchDefaultBrowser(to_wx(row->remote_url));
    });
    m_retry->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { retry(); });
    m_cancel->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { cancel_post(); });
    update_buttons();
}

void QueuePanel::set_user(const model::User& user) {
    // Read when the page is shown (the frame calls reload).
    m_user = user;
}

void QueuePanel::reload() {
    m_loading = true;
    const auto view = m_view->GetSelection() == 1 ? QueueView::Published : QueueView::Pending;
    m_backend.run<QueuePage>([user = m_user, view](Services& s) { return load_queue(s.store, user, view, system_now()); },
                             on_window<QueuePage>(this, [](QueuePanel& self, Result<QueuePage> page) {
                                 self.m_loading = false;
                                 if (!page) {
                                     self.m_count->SetLabel(_("Could not read the queue: ") +
                                                            to_wx(page.error().message));
                                     return;
                                 }
                                 self.m_page = std::move(*page);
                                 self.show();
                             }));
}

void QueuePanel::show() {
    if (m_page.pause) {
        m_banner->SetLabel(wxString::Format(_("Publishing is paused (by %s, %s): %s"), to_wx(m_page.pause->paused_by),
                                            to_wx(m_page.paused_since),
                                            to_wx(m_page.pause->reason)));
        m_bar->SetBackgroundColour(wxColour(0xF6, 0xD3, 0x65));
        m_banner->SetForegroundColour(*wxBLACK);
        m_pause->SetLabel(_("&Resume publishing"));
        m_pause->Enable(m_user.role != model::Role::Author);
        m_pause->SetToolTip(m_user.role == model::Role::Author ? _("An approver, privacy officer or admin resumes")
                                                               : wxString());
    } else {
        m_banner->SetLabel(_("Publishing is running."));
        m_bar->SetBackgroundColour(wxNullColour);
        m_banner->SetForegroundColour(wxNullColour);
        m_pause->SetLabel(_("&Pause all publishing..."));
        m_pause->Enable(true);
        m_pause->SetToolTip(_("Stops every network at once, for everyone, until someone resumes"));
    }
    m_bar->Refresh();
    const auto n = m_page.rows.size();
    wxString count = wxString::Format(wxPLURAL("%zu target; times in %s", "%zu targets; times in %s", n), n,
                                      to_wx(m_page.zone));
    if (m_page.truncated) count += _(" (the first ones only)");
    m_count->SetLabel(count);
    m_list->show(m_page.rows.size(), [this](std::size_t row, long column) -> wxString {
        const auto& r = m_page.rows[row];
        switch (column) {
        case 0: return wxString::Format("%lld", static_cast<long long>(r.post_id));
        case 1: return to_wx(r.account);
        case 2: return to_wx(r.when);
        case 3: return to_wx(std::string(model::to_string(r.state)));
        case 4: return to_wx(r.reason);
        default: return to_wx(r.text);
        }
    });
    Layout();
    update_buttons();
}

std::optional<QueueRow> QueuePanel::selected_row() const {
    const long item = m_list->selected();
    if (item < 0 || static_cast<std::size_t>(item) >= m_page.rows.size()) return std::nullopt;
    return m_page.rows[static_cast<std::size_t>(item)];
}

void QueuePanel::update_buttons() {
    const auto row = selected_row();
    m_open->Enable(row.has_value());
    m_live->Enable(row && !row->remote_url.empty());
    m_retry->Enable(row && row->can_retry);
    m_cancel->Enable(row && row->can_cancel);
}

void QueuePanel::act(std::function<Result<void>(Services&)> work, const wxString& title, const wxString& done_message) {
    m_backend.run<bool>(
        [work = std::move(work)](Services& s) -> Result<bool> {
            CLEARPOST_CHECK(work(s));
            return true;
        },
        on_window<bool>(this, [title, done_message](QueuePanel& self, Result<bool> done) {
            if (!done) {
                wxMessageBox(to_wx(done.error().message), title, wxOK | wxICON_ERROR, &self);
            } else if (self.on_changed) {
                self.on_changed(done_message);
            }
            self.reload();
        }));
}

void QueuePanel::retry() {
    const auto row = selected_row();
    if (!row || !row->can_retry) return;
    if (row->state == model::State::NeedsAttention &&
        wxMessageBox(wxString::Format(_("An earlier attempt may have reached %s. Check the account first: if the "
                                        "post is not there, send it again.\n\nSend post %lld to %s again now?"),
                                      to_wx(row->account), static_cast<long long>(row->post_id), to_wx(row->account)),
                     _("Retry"), wxYES_NO | wxNO_DEFAULT | wxICON_QUESTION, this) != wxYES) {
        return;
    }
    act([user = m_user, id = row->target_id](Services& s) { return s.flow.retry_target(user, id); }, _("Retry"),
        wxString::Format(_("Post %lld goes to %s again now."), static_cast<long long>(row->post_id),
                         to_wx(row->account)));
}

void QueuePanel::cancel_post() {
    const auto row = selected_row();
    if (!row || !row->can_cancel) return;
    wxTextEntryDialog ask(this,
                          wxString::Format(_("Nothing of post %lld that has not gone out will be published. Why?"),
                                           static_cast<long long>(row->post_id)),
                          _("Cancel post"));
    if (ask.ShowModal() != wxID_OK) return;
    act([user = m_user, id = row->post_id, reason = from_wx(ask.GetValue())](Services& s) {
        return s.flow.cancel(user, id, reason);
    },
        _("Cancel post"), wxString::Format(_("Post %lld is cancelled."), static_cast<long long>(row->post_id)));
}

void QueuePanel::pause_publishing() {
    wxString reason;
    while (reason.empty()) {
        wxTextEntryDialog ask(this, _("Every network stops at once, for everyone, until someone resumes.\n"
                                      "Why? (others read this in the queue and the audit log)"),
                              _("Pause all publishing"));
        if (ask.ShowModal() != wxID_OK) return;
        reason = ask.GetValue().Strip(wxString::both);
    }
    pause_publishing(reason);
}

void QueuePanel::pause_publishing(const wxString& reason) {
    act([user = m_user, reason = from_wx(reason)](Services& s) {
        workflow::Admin admin(s.store, s.audit, system_now);
        return admin.pause_publishing(user, reason);
    },
        _("Pause all publishing"), _("All publishing is paused."));
}

void QueuePanel::resume_publishing() {
    act([user = m_user](Services& s) {
        workflow::Admin admin(s.store, s.audit, system_now);
        return admin.resume_publishing(user);
    },
        _("Resume publishing"), _("Publishing resumed."));
}

}  // namespace clearpost::gui
