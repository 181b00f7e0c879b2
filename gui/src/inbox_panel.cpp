#include "inbox_panel.h"

#include <algorithm>

#include <wx/button.h>
#include <wx/listctrl.h>
#include <wx/msgdlg.h>
#include <wx/settings.h>
#include <wx/sizer.h>
#include <wx/persist/splitter.h>
#include <wx/splitter.h>
#include <wx/stattext.h>
#include <wx/stc/stc.h>
#include <wx/textctrl.h>

#include "async.h"
#include "dialogs.h"
#include "findings_view.h"
#include "presenters/diff.h"
#include "presenters/queue.h"

namespace clearpost::gui {
namespace {

constexpr int kRemovedIndicator = 16;
constexpr int kAddedIndicator = 17;

wxString note_text(const ReviewOffer& offer) {
    const wxString role = to_wx(std::string(model::to_string(offer.stage_role)));
    switch (offer.note) {
    case ReviewNote::None:
        return offer.justification_required
                   ? _("This version has compliance blocks. As privacy officer you may approve it only with a "
                       "written justification, which is kept in the audit log.")
                   : wxString::Format(_("Your decision signs stage %d (%s)."), offer.stage, role);
    case ReviewNote::OwnVersion: return _("You wrote this version, so someone else must review it.");
    case ReviewNote::AlreadySigned: return _("You signed an earlier stage of this version; another person signs next.");
    case ReviewNote::NotYourStage: return wxString::Format(_("Stage %d waits for a %s."), offer.stage, role);
    case ReviewNote::BlockNeedsPrivacyOfficer:
        return _("This version has compliance blocks: only a privacy officer can approve it. You can request changes.");
    case ReviewNote::NotInReview: return _("This post is no longer waiting for review.");
    case ReviewNote::AuthorsDoNotReview: return _("Authors do not review posts.");
    }
    return {};
}

// What a decision did: the approval, and whether a final one queued the post.
struct Decision {
    workflow::ApprovalOutcome outcome{0, false};
    std::optional<std::string> queued_for;  // local time in the post's zone
    std::string not_queued;  // why a post with a time was not queued
};

wxString verdict_label(const std::string& verdict) {
    if (verdict == "block") return _("Blocks");
    if (verdict == "warn") return _("Warnings");
    return _("Passes");
}

}  // namespace

InboxPanel::InboxPanel(wxWindow* parent, Backend& backend) : wxPanel(parent, wxID_ANY), m_backend(backend) {
    SetName(_("Approval inbox"));
    build();
}

void InboxPanel::build() {
    const int gap = FromDIP(8);
    auto* top = new wxBoxSizer(wxVERTICAL);
    m_count = new wxStaticText(this, wxID_ANY, _("Loading..."));
    m_count->SetFont(m_count->GetFont().Bold());
    top->Add(m_count, 0, wxEXPAND | wxALL, gap);

    auto* splitter = new wxSplitterWindow(this, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                                          wxSP_LIVE_UPDATE | wxSP_3DSASH);
    splitter->SetMinimumPaneSize(FromDIP(220));
    // The list keeps its width; the post under review gets the rest.
    splitter->SetSashGravity(0.0);
    m_posts = new wxListCtrl(splitter, wxID_ANY, wxDefaultPosition, wxDefaultSize, wxLC_REPORT | wxLC_SINGLE_SEL);
    m_posts->SetName(_("Posts waiting for review"));
    m_posts->AppendColumn(_("Post"), wxLIST_FORMAT_RIGHT, FromDIP(50));
    m_posts->AppendColumn(_("Waiting since (UTC)"), wxLIST_FORMAT_LEFT, FromDIP(140));
    m_posts->AppendColumn(_("Author"), wxLIST_FORMAT_LEFT, FromDIP(70));
    m_posts->AppendColumn(_("Compliance"), wxLIST_FORMAT_LEFT, FromDIP(90));
    m_posts->AppendColumn(_("Text"), wxLIST_FORMAT_LEFT, FromDIP(300));

    auto* detail = new wxPanel(splitter);
    auto* d = new wxBoxSizer(wxVERTICAL);
    m_heading = new wxStaticText(detail, wxID_ANY, _("Select a post to review it."));
    m_heading->SetFont(m_heading->GetFont().Bold());
    d->Add(m_heading, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, gap);
    m_text = new wxStyledTextCtrl(detail, wxID_ANY, wxDefaultPosition, FromDIP(wxSize(-1, 120)));
    m_text->SetName(_("Text to approve"));
    setup_editor(m_text);
    // Laid out afresh on every paint: the text arrives while the page may be
    // hidden, and a cached layout from then misplaced the marks.
    m_text->SetLayoutCache(wxSTC_CACHE_NONE);
    m_text->SetReadOnly(true);
    m_text->SetCaretLineVisible(false);
    d->Add(m_text, 1, wxEXPAND | wxLEFT | wxRIGHT, gap);
    m_diff_label = new wxStaticText(detail, wxID_ANY, wxString());
    d->Add(m_diff_label, 0, wxLEFT | wxRIGHT | wxTOP, gap);
    m_diff = new wxStyledTextCtrl(detail, wxID_ANY, wxDefaultPosition, FromDIP(wxSize(-1, 64)));
    m_diff->SetName(_("Changes since the previous version"));
    setup_editor(m_diff);
    m_diff->SetLayoutCache(wxSTC_CACHE_NONE);
    m_diff->SetCaretLineVisible(false);
    // Removed words struck through, added words boxed: readable without colour.
    m_diff->IndicatorSetStyle(kRemovedIndicator, wxSTC_INDIC_STRIKE);
    m_diff->IndicatorSetForeground(kRemovedIndicator, wxColour(0xD5, 0x5E, 0x00));
    m_diff->IndicatorSetStyle(kAddedIndicator, wxSTC_INDIC_STRAIGHTBOX);
    m_diff->IndicatorSetForeground(kAddedIndicator, wxColour(0x00, 0x9E, 0x73));
    m_diff->IndicatorSetAlpha(kAddedIndicator, 70);
    m_diff->IndicatorSetUnder(kAddedIndicator, true);
    m_diff->SetReadOnly(true);
    d->Add(m_diff, 0, wxEXPAND | wxLEFT | wxRIGHT, gap);
    d->Add(new wxStaticText(detail, wxID_ANY, _("Findings as you will sign them:")), 0,
           wxLEFT | wxRIGHT | wxTOP, gap);
    m_findings = new wxListCtrl(detail, wxID_ANY, wxDefaultPosition, FromDIP(wxSize(-1, 100)),
                                wxLC_REPORT | wxLC_SINGLE_SEL);
    m_findings->SetName(_("Findings of this version"));
    setup_findings_list(m_findings);
    d->Add(m_findings, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, gap);
    m_explanation = new wxStaticText(detail, wxID_ANY, wxString());
    m_explanation->SetName(_("Finding explanation"));
    d->Add(m_explanation, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, gap);
    m_note = new wxStaticText(detail, wxID_ANY, wxString());
    d->Add(m_note, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, gap);

    auto* form = new wxFlexGridSizer(2, wxSize(gap, gap));
    form->AddGrowableCol(1);
    form->Add(new wxStaticText(detail, wxID_ANY, _("C&omment:")), 0, wxALIGN_TOP | wxTOP, FromDIP(4));
    m_comment = new wxTextCtrl(detail, wxID_ANY, wxString(), wxDefaultPosition, FromDIP(wxSize(-1, 48)),
                               wxTE_MULTILINE);
    m_comment->SetName(_("Comment for the author"));
    m_comment->SetHint(_("For the author; required when you request changes"));
    form->Add(m_comment, 1, wxEXPAND);
    m_justification_label = new wxStaticText(detail, wxID_ANY, _("&Justification:"));
    form->Add(m_justification_label, 0, wxALIGN_TOP | wxTOP, FromDIP(4));
    m_justification = new wxTextCtrl(detail, wxID_ANY, wxString(), wxDefaultPosition, FromDIP(wxSize(-1, 48)),
                                     wxTE_MULTILINE);
    m_justification->SetName(_("Why the compliance block may be overridden"));
    m_justification->SetHint(_("Why publishing is allowed despite the block (recorded in the audit log)"));
    form->Add(m_justification, 1, wxEXPAND);
    d->Add(form, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, gap);

    auto* buttons = new wxBoxSizer(wxHORIZONTAL);
    buttons->AddStretchSpacer();
    m_changes = new wxButton(detail, wxID_ANY, _("Request &changes"));
    m_changes->SetName(_("Request changes"));
    buttons->Add(m_changes, 0, wxRIGHT, gap);
    m_approve = new wxButton(detail, wxID_ANY, _("&Approve"));
    m_approve->SetName(_("Approve"));
    buttons->Add(m_approve, 0);
    d->Add(buttons, 0, wxEXPAND | wxALL, gap);
    detail->SetSizer(d);

    splitter->SplitVertically(m_posts, detail, FromDIP(500));
    // Where the person left the sash, next time too.
    wxPersistentRegisterAndRestore(splitter, "inbox_splitter");
    top->Add(splitter, 1, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, gap);
    SetSizer(top);

    m_posts->Bind(wxEVT_LIST_ITEM_SELECTED, [this](wxListEvent& e) { select(static_cast<std::size_t>(e.GetIndex())); });
    m_findings->Bind(wxEVT_LIST_ITEM_SELECTED, [this](wxListEvent& e) { show_explanation(e.GetIndex()); });
    m_approve->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { approve(); });
    m_changes->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { request_changes(); });
    show_selected();
}

void InboxPanel::set_user(const model::User& user) {
    m_user = user;
    reload();
}

// While the inbox reloads or a decision is on its way, Approve and Request
// changes are greyed out: a click then would be about a list being replaced.
void InboxPanel::set_loading(bool loading) {
    m_loading = loading;
    m_approve->Enable(!loading);
    m_changes->Enable(!loading);
}

void InboxPanel::reload() {
    set_loading(true);
    m_count->SetLabel(_("Loading..."));
    m_backend.run<Inbox>([user = m_user](Services& s) { return load_inbox(s, user); },
                         on_window<Inbox>(this, [](InboxPanel& self, Result<Inbox> inbox) {
                             self.set_loading(false);
                             if (!inbox) {
                                 self.m_count->SetLabel(_("Could not load the inbox: ") +
                                                        to_wx(inbox.error().message));
                                 return;
                             }
                             self.m_inbox = std::move(*inbox);
                             const auto n = self.m_inbox.entries.size();
                             const wxString role = to_wx(std::string(model::to_string(self.m_user.role)));
                             // Posts the person may decide on; the others (e.g. their
                             // own) are listed so they can follow them.
                             const auto decide = static_cast<std::size_t>(std::count_if(
                                 self.m_inbox.entries.begin(), self.m_inbox.entries.end(),
                                 [](const InboxEntry& e) { return e.offer.approve || e.offer.request_changes; }));
                             wxString count =
                                 n == 0 ? wxString::Format(_("Nothing waits for you (%s)."), role)
                                        : wxString::Format(wxPLURAL("%zu post in review for your role (%s), oldest first",
                                                                    "%zu posts in review for your role (%s), oldest first",
                                                                    n),
                                                           n, role);
                             if (decide != n)
                                 count += wxString::Format(wxPLURAL("; %zu waits for your decision",
                                                                    "; %zu wait for your decision", decide),
                                                           decide);
                             self.m_count->SetLabel(count);
                             self.m_posts->DeleteAllItems();
                             for (std::size_t i = 0; i < n; ++i) {
                                 const auto& e = self.m_inbox.entries[i];
                                 const long item = self.m_posts->InsertItem(
                                     static_cast<long>(i), wxString::Format("%lld", static_cast<long long>(e.post_id)));
                                 std::string since = format_utc(e.waiting_since);
                                 since = since.substr(0, 10) + " " + since.substr(11, 5);
                                 self.m_posts->SetItem(item, 1, to_wx(since));
                                 self.m_posts->SetItem(item, 2, to_wx(e.author));
                                 self.m_posts->SetItem(item, 3, verdict_label(e.verdict));
                                 self.m_posts->SetItem(item, 4, to_wx(e.first_line));
                             }
                             self.m_selected.reset();
                             if (n > 0) {
                                 self.m_posts->SetItemState(0, wxLIST_STATE_SELECTED | wxLIST_STATE_FOCUSED,
                                                            wxLIST_STATE_SELECTED | wxLIST_STATE_FOCUSED);
                                 self.select(0);
                             } else {
                                 self.show_selected();
                             }
                         }));
}

void InboxPanel::select(std::size_t row) {
    if (row >= m_inbox.entries.size()) return;
    m_selected = row;
    show_selected();
}

void InboxPanel::show_selected() {
    const bool any = m_selected && *m_selected < m_inbox.entries.size();
    m_text->SetReadOnly(false);
    m_text->ClearAll();
    if (!any) {
        m_text->SetReadOnly(true);
        m_diff_label->SetLabel(wxString());
        m_diff->Hide();
        m_heading->SetLabel(_("Select a post to review it."));
        m_findings->DeleteAllItems();
        m_rows.clear();
        show_explanation(-1);
        m_note->SetLabel(wxString());
        m_approve->Hide();
        m_changes->Hide();
        m_justification->Hide();
        m_justification_label->Hide();
        Layout();
        return;
    }
    const auto& entry = m_inbox.entries[*m_selected];
    const auto& detail = m_inbox.details[*m_selected];
    const auto& version = detail.versions.back();
    m_heading->SetLabel(wxString::Format(_("Post %lld, version %d by %s"), static_cast<long long>(entry.post_id),
                                         entry.version, to_wx(entry.author)));
    m_text->SetText(to_wx(version.content.text));
    show_diff(detail);
    const auto findings = parse_findings(version.compliance.findings_json);
    show_indicators(m_text, indicator_spans(findings, version.content.text.size()));
    m_text->SetReadOnly(true);
    // The stored findings, as signed: no fixes offered here.
    auto rows = finding_rows(findings, version.content.text, {});
    fill_findings_list(m_findings, rows);
    m_rows = rows;
    show_explanation(rows.empty() ? -1 : 0);
    if (rows.empty()) {
        m_findings->InsertItem(0, _("None"));
        m_findings->SetItem(0, 1, _("No findings"));
    }
    const auto& offer = entry.offer;
    m_note->SetLabel(note_text(offer));
    m_note->SetForegroundColour(offer.justification_required || offer.note == ReviewNote::BlockNeedsPrivacyOfficer
                                    ? severity_colour(compliance::Severity::Block)
                                    : wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOWTEXT));
    m_note->Wrap(std::max(m_note->GetParent()->GetClientSize().x - FromDIP(20), FromDIP(300)));
    // An author never sees an approve button on their own version.
    m_approve->Show(offer.approve);
    m_approve->SetLabel(offer.justification_required ? _("Override and &approve") : _("&Approve"));
    m_changes->Show(offer.request_changes);
    m_justification->Show(offer.justification_required);
    m_justification_label->Show(offer.justification_required);
    m_comment->Enable(offer.approve || offer.request_changes);
    m_approve->GetParent()->Layout();
    Layout();
}

void InboxPanel::show_diff(const workflow::PostDetail& detail) {
    m_diff->SetReadOnly(false);
    m_diff->ClearAll();
    const auto& versions = detail.versions;
    const bool earlier = versions.size() > 1;
    m_diff->Show(earlier);
    if (!earlier) {
        m_diff_label->SetLabel(_("First version: nothing to compare."));
        m_diff->SetReadOnly(true);
        return;
    }
    const auto& before = versions[versions.size() - 2];
    const auto segments = word_diff(before.content.text, versions.back().content.text);
    const bool same = segments.size() <= 1 && (segments.empty() || segments[0].kind == DiffSegment::Kind::Same);
    m_diff_label->SetLabel(same ? wxString::Format(_("Same text as version %d (targets, media or time changed):"),
                                                   before.number)
                                : wxString::Format(_("Changes since version %d (removed struck through, added boxed):"),
                                                   before.number));
    // Offsets are UTF-8 bytes, as Scintilla counts them.
    int at = 0;
    for (const auto& seg : segments) {
        m_diff->AppendText(to_wx(seg.text));
        const int length = static_cast<int>(seg.text.size());
        if (seg.kind != DiffSegment::Kind::Same) {
            m_diff->SetIndicatorCurrent(seg.kind == DiffSegment::Kind::Added ? kAddedIndicator : kRemovedIndicator);
            m_diff->IndicatorFillRange(at, length);
        }
        at += length;
    }
    m_diff->SetReadOnly(true);
}

void InboxPanel::show_explanation(long row) {
    wxString text;
    if (row >= 0 && static_cast<std::size_t>(row) < m_rows.size()) {
        const auto& r = m_rows[static_cast<std::size_t>(row)];
        text = to_wx(r.message) + "\n" + _("Suggestion: ") + to_wx(r.suggestion);
    }
    m_explanation->SetLabel(text);
    m_explanation->Wrap(std::max(m_explanation->GetParent()->GetClientSize().x - 2 * FromDIP(8), FromDIP(200)));
    m_explanation->GetParent()->Layout();
}

void InboxPanel::approve() { decide(true); }
void InboxPanel::request_changes() { decide(false); }

void InboxPanel::decide(bool approve) {
    if (!m_selected || *m_selected >= m_inbox.entries.size() || m_loading) return;
    const auto& entry = m_inbox.entries[*m_selected];
    if (approve ? !entry.offer.approve : !entry.offer.request_changes) return;
    const std::string comment = from_wx(m_comment->GetValue());
    const std::string justification = entry.offer.justification_required ? from_wx(m_justification->GetValue())
                                                                          : std::string();
    if (!approve && comment.empty()) {
        wxMessageBox(_("Say what should change: the author sees your comment."), _("Request changes"),
                     wxOK | wxICON_INFORMATION, this);
        m_comment->SetFocus();
        return;
    }
    if (approve && entry.offer.justification_required && justification.size() < 10) {
        wxMessageBox(_("Write why publishing is allowed despite the compliance block (at least 10 characters)."),
                     _("Override a compliance block"), wxOK | wxICON_INFORMATION, this);
        m_justification->SetFocus();
        return;
    }
    set_loading(true);
    const model::Id post_id = entry.post_id;
    // Only core data crosses the thread; the words are made on the GUI thread.
    m_backend.run<Decision>(
        [user = m_user, post_id, comment, justification, approve](Services& s) -> Result<Decision> {
            Decision d;
            if (!approve) {
                CLEARPOST_CHECK(s.flow.request_changes(user, post_id, comment));
                return d;
            }
            CLEARPOST_ASSIGN(d.outcome, s.flow.approve(user, post_id, comment, justification));
            if (!d.outcome.final) return d;
            // The chain is complete: a post with a time goes into the queue
            // at once; one without stays Approved until someone sets one.
            CLEARPOST_ASSIGN(auto detail, s.flow.detail(post_id));
            const auto& when = detail.versions.back().content.scheduled_at;
            if (!when) return d;
            if (auto queued = s.flow.schedule(user, post_id); !queued) {
                d.not_queued = queued.error().message;
            } else {
                schedule::TzDatabase zones;
                auto zone = zones.find(detail.versions.back().content.zone);
                d.queued_for = local_minutes(*when, zone ? &*zone : nullptr);
            }
            return d;
        },
        on_window<Decision>(this, [post_id](InboxPanel& self, Result<Decision> done) {
            self.set_loading(false);
            if (!done) {
                wxMessageBox(to_wx(done.error().message), _("Review"), wxOK | wxICON_ERROR, &self);
                return;
            }
            const auto id = static_cast<long long>(post_id);
            const auto& outcome = done->outcome;
            wxString message;
            if (outcome.stage == 0) {
                message = wxString::Format(_("Changes requested on post %lld."), id);
            } else if (!outcome.final) {
                message = wxString::Format(_("Stage %d signed; post %lld waits for the next stage."), outcome.stage, id);
            } else if (done->queued_for) {
                message = wxString::Format(_("Post %lld is approved and queued for %s."), id, to_wx(*done->queued_for));
            } else if (!done->not_queued.empty()) {
                message = wxString::Format(_("Post %lld is approved but not queued: %s"), id, to_wx(done->not_queued));
            } else {
                message = wxString::Format(_("Post %lld is approved; it has no time yet, so it is not queued."), id);
            }
            self.m_comment->Clear();
            self.m_justification->Clear();
            if (self.on_decided) self.on_decided(message);
            self.reload();
        }));
}

}  // namespace clearpost::gui
