#include "composer_panel.h"

#include <wx/button.h>
#include <wx/checkbox.h>
#include <wx/choice.h>
#include <wx/combobox.h>
#include <wx/datectrl.h>
#include <wx/dateevt.h>
#include <wx/settings.h>
#include <wx/listctrl.h>
#include <wx/msgdlg.h>
#include <wx/sizer.h>
#include <wx/persist/splitter.h>
#include <wx/splitter.h>
#include <wx/statbox.h>
#include <wx/stattext.h>
#include <wx/stc/stc.h>
#include <wx/timectrl.h>
#include <wx/wrapsizer.h>

#include <algorithm>
#include <chrono>

#include "async.h"
#include "dialogs.h"
#include "findings_view.h"

namespace clearpost::gui {
namespace {

// Long enough that a fast typist's burst is one check, short enough to feel live.
constexpr int kCheckDelayMs = 120;

wxString counter_label(const Counter& c) {
    const wxString name = to_wx(std::string(display_name(c.network)));
    switch (c.unit) {
    case CountUnit::Weighted:
        return wxString::Format(_("%s: %zu / %zu weighted"), name, c.length, c.limit);
    case CountUnit::Graphemes:
        return wxString::Format(_("%s: %zu / %zu graphemes"), name, c.length, c.limit);
    case CountUnit::Characters: break;
    }
    return wxString::Format(_("%s: %zu / %zu characters"), name, c.length, c.limit);
}

wxString state_label(model::State state) { return to_wx(std::string(model::to_string(state))); }

}  // namespace

ComposerPanel::ComposerPanel(wxWindow* parent, Backend& backend)
    : wxPanel(parent, wxID_ANY), m_backend(backend), m_check_timer(this) {
    SetName(_("Composer"));
    build();
    Bind(wxEVT_TIMER, [this](wxTimerEvent&) { run_check(); }, m_check_timer.GetId());
}

void ComposerPanel::build() {
    auto* top = new wxBoxSizer(wxVERTICAL);
    const int gap = FromDIP(8);

    // Targets: one check box per account, worded "Bluesky · clinic.example".
    m_targets_sizer = new wxWrapSizer(wxHORIZONTAL);
    top->Add(m_targets_sizer, 0, wxEXPAND | wxALL, gap);

    auto* splitter = new wxSplitterWindow(this, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                                          wxSP_LIVE_UPDATE | wxSP_3DSASH);
    splitter->SetName("composer.splitter");
    splitter->SetMinimumPaneSize(FromDIP(200));
    // The editor takes what the window gains; the findings keep their width.
    splitter->SetSashGravity(1.0);

    m_editor = new wxStyledTextCtrl(splitter, wxID_ANY);
    m_editor->SetName(_("Post text"));
    m_editor->SetToolTip(_("Write the post here. Findings are marked as you type; hover over a mark for its message."));
    setup_editor(m_editor);

    auto* side = new wxPanel(splitter);
    auto* side_sizer = new wxBoxSizer(wxVERTICAL);
    m_summary = new wxStaticText(side, wxID_ANY, _("No findings"));
    m_summary->SetFont(m_summary->GetFont().Bold());
    side_sizer->Add(m_summary, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, gap);
    m_list = new wxListCtrl(side, wxID_ANY, wxDefaultPosition, FromDIP(wxSize(-1, 160)),
                            wxLC_REPORT | wxLC_SINGLE_SEL);
    m_list->SetName(_("Findings"));
    m_list->SetToolTip(_("Enter applies the selected finding's fix; F8 moves to the next finding."));
    setup_findings_list(m_list);
    side_sizer->Add(m_list, 0, wxEXPAND | wxLEFT | wxRIGHT, gap);
    m_message = new wxStaticText(side, wxID_ANY, wxString());
    m_message->SetName(_("Finding explanation"));
    side_sizer->Add(m_message, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, gap);
    m_suggestion = new wxStaticText(side, wxID_ANY, wxString());
    m_suggestion->SetName(_("Suggestion"));
    m_suggestion->SetForegroundColour(wxSystemSettings::GetColour(wxSYS_COLOUR_GRAYTEXT));
    side_sizer->Add(m_suggestion, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, gap);
    m_fix = new wxButton(side, wxID_ANY, _("&Fix"));
    m_fix->SetName(_("Fix the selected finding"));
    m_fix->Hide();
    side_sizer->Add(m_fix, 0, wxALL, gap);
    side_sizer->AddStretchSpacer();
    side->SetSizer(side_sizer);

    splitter->SplitVertically(m_editor, side, -FromDIP(400));
    // Where the person left the sash, next time too.
    wxPersistentRegisterAndRestore(splitter, "composer_splitter");
    side->Bind(wxEVT_SIZE, [this](wxSizeEvent& e) {
        e.Skip();
        CallAfter([this] { wrap_finding_text(); });
    });
    top->Add(splitter, 1, wxEXPAND | wxLEFT | wxRIGHT, gap);

    m_counters_sizer = new wxBoxSizer(wxHORIZONTAL);
    top->Add(m_counters_sizer, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, gap);

    // Schedule: date, time and zone; a DST gap or overlap asks for a choice.
    auto* when = new wxStaticBoxSizer(wxVERTICAL, this, _("Schedule"));
    auto* when_row = new wxBoxSizer(wxHORIZONTAL);
    auto* box = when->GetStaticBox();
    m_scheduled = new wxCheckBox(box, wxID_ANY, _("&Publish at"));
    m_scheduled->SetName(_("Publish at a set time"));
    when_row->Add(m_scheduled, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, gap);
    m_date = new wxDatePickerCtrl(box, wxID_ANY, wxDateTime::Today() + wxDateSpan::Day(),
                                  wxDefaultPosition, wxDefaultSize, wxDP_DROPDOWN | wxDP_SHOWCENTURY);
    m_date->SetName(_("Publishing date"));
    when_row->Add(m_date, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, gap);
    m_time = new wxTimePickerCtrl(box, wxID_ANY, wxDateTime(9, 0));
    m_time->SetName(_("Publishing time"));
    when_row->Add(m_time, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, 2 * gap);
    when_row->Add(new wxStaticText(box, wxID_ANY, _("&Zone:")), 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, gap / 2);
    m_zone = new wxComboBox(box, wxID_ANY, wxString(), wxDefaultPosition, FromDIP(wxSize(220, -1)));
    m_zone->SetName(_("Time zone"));
    when_row->Add(m_zone, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, gap);
    m_dst = new wxChoice(box, wxID_ANY);
    m_dst->Append(_("Choose how to resolve the clock change"));
    m_dst->Append(_("Earlier instant"));
    m_dst->Append(_("Later instant"));
    m_dst->SetSelection(0);
    m_dst->SetName(_("Daylight saving time choice"));
    when_row->Add(m_dst, 0, wxALIGN_CENTER_VERTICAL);
    when->Add(when_row, 0, wxEXPAND | wxALL, gap / 2);
    m_schedule_message = new wxStaticText(box, wxID_ANY, _("Not scheduled: the post is saved without a time."));
    when->Add(m_schedule_message, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, gap / 2);
    top->Add(when, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, gap);

    auto* actions = new wxBoxSizer(wxHORIZONTAL);
    m_state = new wxStaticText(this, wxID_ANY, _("New post"));
    actions->Add(m_state, 1, wxALIGN_CENTER_VERTICAL);
    m_save = new wxButton(this, wxID_SAVE, _("&Save draft"));
    m_save->SetName(_("Save draft"));
    actions->Add(m_save, 0, wxRIGHT, gap);
    m_submit = new wxButton(this, wxID_ANY, _("Su&bmit for approval"));
    m_submit->SetName(_("Submit for approval"));
    actions->Add(m_submit, 0);
    top->Add(actions, 0, wxEXPAND | wxALL, gap);
    SetSizer(top);

    m_editor->Bind(wxEVT_STC_CHANGE, [this](wxStyledTextEvent&) { on_text_changed(); });
    m_editor->Bind(wxEVT_STC_DWELLSTART, [this](wxStyledTextEvent& e) {
        if (e.GetPosition() < 0) return;
        // The marks may be a keystroke behind the text until the next check.
        if (from_wx(m_editor->GetText()) != m_checked_text) return;
        if (auto i = finding_at(m_findings, static_cast<std::size_t>(e.GetPosition()))) {
            const auto& f = m_findings[*i];
            m_editor->CallTipSetForegroundHighlight(severity_colour(f.severity));
            m_editor->CallTipShow(e.GetPosition(), severity_label(f.severity) + ": " + to_wx(f.message) + "\n" +
                                                       to_wx(f.suggestion));
        }
    });
    m_editor->Bind(wxEVT_STC_DWELLEND, [this](wxStyledTextEvent&) { m_editor->CallTipCancel(); });
    m_list->Bind(wxEVT_LIST_ITEM_SELECTED, [this](wxListEvent&) { show_selected_finding(); });
    m_list->Bind(wxEVT_LIST_ITEM_ACTIVATED, [this](wxListEvent&) { apply_fix(); });
    m_fix->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { apply_fix(); });
    m_save->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { save(AfterSave::KeepDraft); });
    m_submit->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { save(AfterSave::Submit); });
    m_scheduled->Bind(wxEVT_CHECKBOX, [this](wxCommandEvent&) { update_schedule(); });
    m_date->Bind(wxEVT_DATE_CHANGED, [this](wxDateEvent&) { update_schedule(); });
    m_time->Bind(wxEVT_TIME_CHANGED, [this](wxDateEvent&) { update_schedule(); });
    m_zone->Bind(wxEVT_TEXT, [this](wxCommandEvent&) { update_schedule(); });
    m_zone->Bind(wxEVT_COMBOBOX, [this](wxCommandEvent&) { update_schedule(); });
    m_dst->Bind(wxEVT_CHOICE, [this](wxCommandEvent&) { update_schedule(); });
    update_schedule();
    set_busy(true);  // until the setup arrives
}

void ComposerPanel::set_setup(const StudioSetup& setup) {
    m_setup = setup;
    m_target_boxes.clear();
    m_targets_sizer->Clear(true);
    m_targets_sizer->Add(new wxStaticText(this, wxID_ANY, _("Post to:")), 0, wxALIGN_CENTER_VERTICAL | wxRIGHT,
                         FromDIP(8));
    for (const auto& a : setup.accounts) {
        auto net = text::parse_network(a.network);
        const wxString name = net ? to_wx(std::string(display_name(*net))) : to_wx(a.network);
        auto* box = new wxCheckBox(this, wxID_ANY, name + to_wx(" \u00B7 ") + to_wx(a.handle));
        box->SetName(wxString::Format(_("Post to %s account %s"), name, to_wx(a.handle)));
        box->Bind(wxEVT_CHECKBOX, [this](wxCommandEvent&) {
            update_counters();
            m_check_timer.StartOnce(kCheckDelayMs);  // platform rules depend on the targets
        });
        m_targets_sizer->Add(box, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, FromDIP(12));
        m_target_boxes.push_back(box);
    }
    if (setup.accounts.empty()) {
        m_targets_sizer->Add(new wxStaticText(this, wxID_ANY, _("No accounts yet: an administrator adds them.")));
    }
    wxArrayString zones;
    for (const auto& z : setup.zones) zones.Add(to_wx(z));
    m_zone->Set(zones);
    m_zone->AutoComplete(zones);
    m_zone->SetValue(to_wx(setup.organisation.default_zone));
    set_busy(false);
    Layout();
    update_schedule();
    run_check();
}

void ComposerPanel::set_user(const model::User& user) {
    m_user = user;
    new_post();
}

void ComposerPanel::new_post() {
    m_post_id.reset();
    m_editor->ClearAll();
    m_editor->EmptyUndoBuffer();
    for (auto* b : m_target_boxes) b->SetValue(false);
    m_scheduled->SetValue(false);
    if (m_setup) m_zone->SetValue(to_wx(m_setup->organisation.default_zone));
    m_state->SetLabel(_("New post"));
    update_schedule();
    run_check();
    m_editor->SetFocus();
}

void ComposerPanel::edit_post(const workflow::PostDetail& post) {
    if (post.versions.empty()) return;
    const auto& v = post.versions.back();
    m_post_id = post.post.id;
    m_editor->SetText(to_wx(v.content.text));
    m_editor->EmptyUndoBuffer();
    for (std::size_t i = 0; i < m_target_boxes.size() && m_setup && i < m_setup->accounts.size(); ++i) {
        const auto id = m_setup->accounts[i].id;
        m_target_boxes[i]->SetValue(std::any_of(v.content.targets.begin(), v.content.targets.end(),
                                                [id](const model::TargetSpec& t) { return t.account_id == id; }));
    }
    m_zone->SetValue(to_wx(v.content.zone));
    m_dst->SetSelection(0);
    m_scheduled->SetValue(false);
    if (v.content.scheduled_at) {
        if (auto zone = m_zones.find(v.content.zone)) {
            if (auto local = schedule::utc_to_local(*v.content.scheduled_at, *zone)) {
                const auto& l = local->local;
                m_scheduled->SetValue(true);
                m_date->SetValue(wxDateTime(static_cast<wxDateTime::wxDateTime_t>(l.day),
                                            static_cast<wxDateTime::Month>(l.month - 1), l.year));
                m_time->SetValue(wxDateTime(static_cast<wxDateTime::wxDateTime_t>(l.hour),
                                            static_cast<wxDateTime::wxDateTime_t>(l.minute)));
                // The stored instant may sit in a DST overlap: keep the one it names.
                if (!schedule::local_to_utc(l, *zone).ok())
                    m_dst->SetSelection(local->is_dst ? 1 : 2);
            }
        }
    }
    m_state->SetLabel(wxString::Format(_("Post %lld, version %d: %s (compliance %s)"),
                                       static_cast<long long>(post.post.id), v.number,
                                       state_label(post.post.state), to_wx(v.compliance.verdict)));
    update_schedule();
    check_now();
    m_editor->SetFocus();
}

std::string ComposerPanel::status_text() const { return from_wx(m_state->GetLabel()); }

void ComposerPanel::on_text_changed() { m_check_timer.StartOnce(kCheckDelayMs); }

void ComposerPanel::check_now() {
    m_check_timer.Stop();
    run_check();
}

void ComposerPanel::run_check() {
    if (!m_setup) return;
    const auto started = std::chrono::steady_clock::now();
    std::string text = from_wx(m_editor->GetText());
    compliance::CheckInput input;
    input.text = text;
    input.networks = networks_of(m_setup->accounts, selected_accounts());
    input.now = system_now();
    // The engine is pure and fast, so it runs here on the GUI thread, after
    // a pause in typing; the times are kept for the status line and tests.
    const auto engine_started = std::chrono::steady_clock::now();
    auto report = m_setup->engine.check(input);
    m_last_check_us = static_cast<long>(std::chrono::duration_cast<std::chrono::microseconds>(
                                            std::chrono::steady_clock::now() - engine_started)
                                            .count());
    m_findings = std::move(report.findings);
    auto rows = finding_rows(m_findings, text, m_setup->engine.org());
    show_indicators(m_editor, indicator_spans(m_findings, text.size()));
    // Typing usually leaves the findings as they were (a length finding's
    // words change with every keystroke): then the list and its selection
    // stay, and only the explanation of the selected one is redone.
    const bool same_shape =
        rows.size() == m_rows.size() &&
        std::equal(rows.begin(), rows.end(), m_rows.begin(), [](const FindingRow& a, const FindingRow& b) {
            return a.rule == b.rule && a.severity == b.severity && a.excerpt == b.excerpt &&
                   a.fix.has_value() == b.fix.has_value();
        });
    const long item = m_list->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
    bool selected_changed = false;
    if (same_shape && item >= 0 && static_cast<std::size_t>(item) < rows.size()) {
        const auto& now = rows[static_cast<std::size_t>(item)];
        const auto& before = m_rows[static_cast<std::size_t>(item)];
        selected_changed = now.message != before.message || now.suggestion != before.suggestion ||
                           (now.fix && before.fix && now.fix->subject != before.fix->subject);
    }
    m_rows = std::move(rows);
    m_checked_text = std::move(text);
    if (!same_shape || m_list->GetItemCount() != static_cast<int>(m_rows.size())) {
        show_findings();
    } else if (selected_changed) {
        show_selected_finding();
    }
    const auto counters_started = std::chrono::steady_clock::now();
    update_counters();
    m_last_counters_us = static_cast<long>(std::chrono::duration_cast<std::chrono::microseconds>(
                                               std::chrono::steady_clock::now() - counters_started)
                                               .count());
    m_last_update_us = static_cast<long>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count());
}

void ComposerPanel::show_findings() {
    const auto t = tally(m_findings);
    wxString summary;
    if (m_findings.empty()) {
        summary = _("No findings");
    } else if (t.notes == 0) {
        summary = wxString::Format(_("%zu blocking, %zu warnings"), t.blocks, t.warnings);
    } else {
        summary = wxString::Format(_("%zu blocking, %zu warnings, %zu notes"), t.blocks, t.warnings, t.notes);
    }
    m_summary->SetLabel(summary);
    m_summary->SetForegroundColour(t.blocks ? severity_colour(compliance::Severity::Block)
                                            : wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOWTEXT));
    fill_findings_list(m_list, m_rows);
    if (!m_rows.empty()) {
        m_list->SetItemState(0, wxLIST_STATE_SELECTED | wxLIST_STATE_FOCUSED,
                             wxLIST_STATE_SELECTED | wxLIST_STATE_FOCUSED);
    }
    show_selected_finding();
}

void ComposerPanel::show_selected_finding() {
    const long item = m_list->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
    const bool had_fix = m_fix->IsShown();
    const wxString fix_was = m_fix->GetLabel();
    if (item < 0 || static_cast<std::size_t>(item) >= m_rows.size()) {
        m_message_text = m_rows.empty() ? wxString(_("Nothing to fix. Findings appear here as you type."))
                                        : wxString();
        m_suggestion_text.clear();
        m_fix->Hide();
    } else {
        const auto& row = m_rows[static_cast<std::size_t>(item)];
        m_message_text = to_wx(row.message);
        m_suggestion_text = _("Suggestion: ") + to_wx(row.suggestion);
        m_fix->Show(row.fix.has_value());
        if (row.fix) m_fix->SetLabel(fix_label(*row.fix));
    }
    // A button that came, went or changed its words needs a new layout.
    if (m_fix->IsShown() != had_fix || m_fix->GetLabel() != fix_was) m_wrapped_width = 0;
    wrap_finding_text();
}

void ComposerPanel::wrap_finding_text() {
    // Wrapped to the panel's width each time it changes, so no line is cut.
    auto* side = m_message->GetParent();
    const int width = std::max(side->GetClientSize().x - 2 * FromDIP(8), FromDIP(120));
    const wxSize before = m_message->GetBestSize() + m_suggestion->GetBestSize();
    m_message->SetLabel(m_message_text);
    m_message->Wrap(width);
    m_suggestion->SetLabel(m_suggestion_text);
    m_suggestion->Wrap(width);
    // A changed number in the same lines (a length finding while typing)
    // needs no new layout.
    if (m_message->GetBestSize() + m_suggestion->GetBestSize() != before || width != m_wrapped_width) side->Layout();
    m_wrapped_width = width;
}

void ComposerPanel::select_next_finding() {
    if (m_rows.empty()) return;
    const long item = m_list->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
    const long next = (item + 1) % static_cast<long>(m_rows.size());
    m_list->SetItemState(next, wxLIST_STATE_SELECTED | wxLIST_STATE_FOCUSED,
                         wxLIST_STATE_SELECTED | wxLIST_STATE_FOCUSED);
    m_list->EnsureVisible(next);
    m_list->SetFocus();
}

bool ComposerPanel::apply_fix(std::optional<std::size_t> row) {
    // A fix computed for older text would cut the wrong bytes.
    if (from_wx(m_editor->GetText()) != m_checked_text) check_now();
    if (!row) {
        const long item = m_list->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
        if (item < 0) return false;
        row = static_cast<std::size_t>(item);
    }
    if (*row >= m_rows.size() || !m_rows[*row].fix) return false;
    const auto edit = gui::apply_fix(m_checked_text, *m_rows[*row].fix);
    // One undoable step: Ctrl+Z brings the words back.
    m_editor->BeginUndoAction();
    m_editor->SetText(to_wx(edit.text));
    m_editor->EndUndoAction();
    m_editor->GotoPos(static_cast<int>(edit.caret));
    check_now();
    m_editor->SetFocus();
    return true;
}

void ComposerPanel::update_counters() {
    if (!m_setup) return;
    m_counters = counters(m_checked_text, networks_of(m_setup->accounts, selected_accounts()));
    std::vector<std::pair<wxString, wxColour>> wanted;
    for (const auto& c : m_counters) {
        wanted.emplace_back(counter_label(c), c.over() ? severity_colour(compliance::Severity::Block)
                                                       : wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOWTEXT));
    }
    if (wanted.empty()) {
        wanted.emplace_back(_("Choose where to post to see each network's count."),
                            wxSystemSettings::GetColour(wxSYS_COLOUR_GRAYTEXT));
    }
    bool changed = false;
    while (m_counter_labels.size() < wanted.size()) {
        auto* label = new wxStaticText(this, wxID_ANY, wxString());
        m_counters_sizer->Add(label, 0, wxRIGHT, FromDIP(24));
        m_counter_labels.push_back(label);
        changed = true;
    }
    for (std::size_t i = 0; i < m_counter_labels.size(); ++i) {
        auto* label = m_counter_labels[i];
        const bool shown = i < wanted.size();
        if (label->IsShown() != shown) {
            label->Show(shown);
            changed = true;
        }
        if (!shown || label->GetLabel() == wanted[i].first) continue;
        label->SetLabel(wanted[i].first);
        label->SetForegroundColour(wanted[i].second);
        changed = true;
    }
    if (changed) m_counters_sizer->Layout();
}

std::vector<model::Id> ComposerPanel::selected_accounts() const {
    std::vector<model::Id> ids;
    if (!m_setup) return ids;
    for (std::size_t i = 0; i < m_target_boxes.size() && i < m_setup->accounts.size(); ++i)
        if (m_target_boxes[i]->GetValue()) ids.push_back(m_setup->accounts[i].id);
    return ids;
}

ScheduleInput ComposerPanel::schedule_input() const {
    ScheduleInput in;
    in.scheduled = m_scheduled->GetValue();
    const wxDateTime date = m_date->GetValue();
    int hour = 0, minute = 0, second = 0;
    m_time->GetTime(&hour, &minute, &second);
    in.local = {date.GetYear(), static_cast<int>(date.GetMonth()) + 1, date.GetDay(), hour, minute, 0};
    in.zone = from_wx(m_zone->GetValue().Trim().Trim(false));
    const int dst = m_dst->GetSelection();
    in.dst = dst == 1 ? schedule::DstChoice::Earlier
           : dst == 2 ? schedule::DstChoice::Later
                      : schedule::DstChoice::Reject;
    return in;
}

void ComposerPanel::update_schedule() {
    const auto in = schedule_input();
    m_date->Enable(in.scheduled);
    m_time->Enable(in.scheduled);
    const auto r = resolve_schedule(in, m_zones, system_now());
    m_dst->Show(in.scheduled && (r.dst_choice_needed || in.dst != schedule::DstChoice::Reject));
    wxColour colour = wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOWTEXT);
    wxString message;
    if (!in.scheduled) {
        message = _("Not scheduled: the post is saved without a time.");
    } else if (!r.ok) {
        message = to_wx(r.message);
        colour = severity_colour(compliance::Severity::Block);
    } else {
        message = wxString::Format(_("Publishes at %s UTC"), to_wx(format_utc(*r.at)));
        if (r.in_past) {
            message += _(": this time has passed");
            colour = severity_colour(compliance::Severity::Warn);
        }
    }
    m_schedule_message->SetLabel(message);
    m_schedule_message->SetForegroundColour(colour);
    m_schedule_message->Wrap(std::max(GetClientSize().x - FromDIP(40), FromDIP(400)));
    Layout();
}

void ComposerPanel::set_busy(bool busy) {
    m_busy = busy;
    m_save->Enable(!busy);
    m_submit->Enable(!busy);
}

void ComposerPanel::save(AfterSave after) {
    if (m_busy || !m_setup) return;
    const auto in = schedule_input();
    const auto resolved = resolve_schedule(in, m_zones, system_now());
    if (!resolved.ok) {
        wxMessageBox(to_wx(resolved.message), _("Schedule"), wxOK | wxICON_INFORMATION, this);
        return;
    }
    auto content = compose_content(from_wx(m_editor->GetText()), selected_accounts(), in, resolved);
    set_busy(true);
    m_state->SetLabel(after == AfterSave::Submit ? _("Submitting...") : _("Saving..."));
    m_backend.run<SavedPost>(
        [user = m_user, id = m_post_id, content = std::move(content), after](Services& s) {
            return save_post(s, user, id, content, after);
        },
        on_window<SavedPost>(this, [](ComposerPanel& self, Result<SavedPost> saved) {
            self.set_busy(false);
            if (!saved) {
                self.m_state->SetLabel(_("Not saved"));
                wxMessageBox(to_wx(saved.error().message), _("Save post"), wxOK | wxICON_ERROR, &self);
                return;
            }
            self.m_post_id = saved->post_id;
            self.m_state->SetLabel(wxString::Format(_("Post %lld, version %d: %s (compliance %s)"),
                                                    static_cast<long long>(saved->post_id), saved->version,
                                                    state_label(saved->state), to_wx(saved->verdict)));
            if (self.on_saved) self.on_saved(*saved);
        }));
}

}  // namespace clearpost::gui
