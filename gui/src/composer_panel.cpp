#include "composer_panel.h"

#include <wx/button.h>
#include <wx/checkbox.h>
#include <wx/choice.h>
#include <wx/combobox.h>
#include <wx/datectrl.h>
#include <wx/dateevt.h>
#include <wx/settings.h>
#include <wx/listctrl.h>
#include <wx/dcmemory.h>
#include <wx/filedlg.h>
#include <wx/image.h>
#include <wx/mstream.h>
#include <wx/msgdlg.h>
#include <wx/notebook.h>
#include <wx/statbmp.h>
#include <wx/textctrl.h>
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
#include <fstream>
#include <iterator>

#include "clearpost/app/compliance.h"

#include "async.h"
#include "dialogs.h"
#include "findings_view.h"

namespace clearpost::gui {
namespace {

// Long enough that a fast typist's burst is one check, short enough to feel live.
constexpr int kCheckDelayMs = 120;

// The preview's styles (links; hashtags and mentions) and the mark past the limit.
constexpr int kLinkStyle = 1;
constexpr int kTagStyle = 2;
constexpr int kOverIndicator = 16;

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

// A grey square where a thumbnail goes until it is decoded (or for a type
// wx cannot show, such as WebP).
wxBitmap placeholder(int size) {
    wxBitmap bitmap(size, size);
    wxMemoryDC dc(bitmap);
    dc.SetBackground(wxBrush(wxSystemSettings::GetColour(wxSYS_COLOUR_BTNFACE)));
    dc.Clear();
    dc.SetPen(wxPen(wxSystemSettings::GetColour(wxSYS_COLOUR_GRAYTEXT)));
    dc.SetBrush(*wxTRANSPARENT_BRUSH);
    dc.DrawRectangle(0, 0, size, size);
    return bitmap;
}

// The image as it is displayed: EXIF orientations 2-8 turned upright.
wxImage upright(const wxImage& image, int orientation) {
    switch (orientation) {
    case 2: return image.Mirror(true);
    case 3: return image.Rotate180();
    case 4: return image.Mirror(false);
    case 5: return image.Rotate90(true).Mirror(true);
    case 6: return image.Rotate90(true);
    case 7: return image.Rotate90(false).Mirror(true);
    case 8: return image.Rotate90(false);
    default: return image;
    }
}

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

    // Beside the editor: the findings, and how the post reads on each network.
    m_tabs = new wxNotebook(splitter, wxID_ANY);
    m_tabs->SetName(_("Findings and preview"));
    auto* side = new wxPanel(m_tabs);
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

    m_tabs->AddPage(side, _("Findings"));
    auto* preview = new wxPanel(m_tabs);
    auto* preview_sizer = new wxBoxSizer(wxVERTICAL);
    m_preview_network = new wxChoice(preview, wxID_ANY);
    m_preview_network->SetName(_("Preview network"));
    preview_sizer->Add(m_preview_network, 0, wxEXPAND | wxALL, gap);
    m_preview = new wxStyledTextCtrl(preview, wxID_ANY);
    m_preview->SetName(_("Preview"));
    setup_editor(m_preview);
    m_preview->SetReadOnly(true);
    m_preview->SetCaretWidth(0);
    m_preview->SetCaretLineVisible(false);
    const wxColour link = wxSystemSettings::GetColour(wxSYS_COLOUR_HOTLIGHT);
    for (int style : {kLinkStyle, kTagStyle}) {
        m_preview->StyleSetForeground(style, link);
        m_preview->StyleSetUnderline(style, style == kLinkStyle);
    }
    m_preview->IndicatorSetStyle(kOverIndicator, wxSTC_INDIC_STRAIGHTBOX);
    m_preview->IndicatorSetForeground(kOverIndicator, severity_colour(compliance::Severity::Block));
    m_preview->IndicatorSetAlpha(kOverIndicator, 70);
    m_preview->IndicatorSetUnder(kOverIndicator, true);
    preview_sizer->Add(m_preview, 1, wxEXPAND | wxLEFT | wxRIGHT, gap);
    m_preview_note = new wxStaticText(preview, wxID_ANY, wxString());
    m_preview_note->SetName(_("Preview note"));
    preview_sizer->Add(m_preview_note, 0, wxEXPAND | wxALL, gap);
    preview->SetSizer(preview_sizer);
    m_tabs->AddPage(preview, _("Preview"));
    m_preview_network->Bind(wxEVT_CHOICE, [this](wxCommandEvent&) { update_preview(); });
    m_tabs->Bind(wxEVT_NOTEBOOK_PAGE_CHANGED, [this](wxBookCtrlEvent& e) {
        e.Skip();
        update_preview();
    });
    preview->Bind(wxEVT_SIZE, [this](wxSizeEvent& e) {
        e.Skip();
        m_preview_note->Wrap(std::max(m_preview_note->GetParent()->GetClientSize().x - FromDIP(16), FromDIP(120)));
    });

    splitter->SplitVertically(m_editor, m_tabs, -FromDIP(400));
    // Where the person left the sash, next time too.
    wxPersistentRegisterAndRestore(splitter, "composer_splitter");
    side->Bind(wxEVT_SIZE, [this](wxSizeEvent& e) {
        e.Skip();
        CallAfter([this] { wrap_finding_text(); });
    });
    top->Add(splitter, 1, wxEXPAND | wxLEFT | wxRIGHT, gap);

    m_counters_sizer = new wxBoxSizer(wxHORIZONTAL);
    top->Add(m_counters_sizer, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, gap);

    // Images with their alt text, and the consents linked to the post.
    auto* extras = new wxBoxSizer(wxHORIZONTAL);
    auto* images = new wxStaticBoxSizer(wxVERTICAL, this, _("Images"));
    // Two cards a row: four images take two rows.
    m_images_sizer = new wxFlexGridSizer(2, wxSize(gap, 0));
    images->Add(m_images_sizer, 0, wxEXPAND);
    m_attach = new wxButton(images->GetStaticBox(), wxID_ANY, _("&Attach image..."));
    m_attach->SetName(_("Attach an image"));
    m_attach->SetToolTip(_("JPEG, PNG or WebP, up to four. Location, camera and other metadata are removed "
                           "before the image is stored; your file is not changed."));
    images->Add(m_attach, 0, wxALL, gap / 2);
    extras->Add(images, 3, wxEXPAND | wxRIGHT, gap);
    auto* consent = new wxStaticBoxSizer(wxVERTICAL, this, _("Consent"));
    m_consent_text = new wxStaticText(consent->GetStaticBox(), wxID_ANY, wxString());
    m_consent_text->SetName(_("Linked consents"));
    consent->Add(m_consent_text, 0, wxEXPAND | wxALL, gap / 2);
    m_link_consent = new wxButton(consent->GetStaticBox(), wxID_ANY, _("&Link consent..."));
    m_link_consent->SetName(_("Link a consent"));
    consent->Add(m_link_consent, 0, wxALL, gap / 2);
    extras->Add(consent, 2, wxEXPAND);
    top->Add(extras, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, gap);

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
    when_row->Add(m_dst, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, gap);
    when_row->AddStretchSpacer();
    m_next_slot = new wxButton(box, wxID_ANY, _("Ne&xt free slot"));
    m_next_slot->SetName(_("Use the next free queue slot"));
    m_next_slot->SetToolTip(_("The organisation's next posting slot that no other post takes."));
    when_row->Add(m_next_slot, 0, wxALIGN_CENTER_VERTICAL);
    when->Add(when_row, 0, wxEXPAND | wxALL, gap / 2);
    m_schedule_message = new wxStaticText(box, wxID_ANY, _("Not scheduled: the post is saved without a time."));
    when->Add(m_schedule_message, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, gap / 2);
    top->Add(when, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, gap);

    auto* actions = new wxBoxSizer(wxHORIZONTAL);
    actions->Add(new wxStaticText(this, wxID_ANY, _("T&ags:")), 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, gap / 2);
    m_tags = new wxTextCtrl(this, wxID_ANY, wxString(), wxDefaultPosition, FromDIP(wxSize(220, -1)));
    m_tags->SetName(_("Tags"));
    m_tags->SetHint(_("campaign, topic"));
    m_tags->SetToolTip(_("Comma-separated tags for per-tag totals on the dashboard. Tags are not part of the "
                         "approved content: changing them needs no new approval."));
    actions->Add(m_tags, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, 2 * gap);
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
    m_attach->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        wxFileDialog dialog(this, _("Attach images"), wxString(), wxString(),
                            _("Images (*.jpg;*.jpeg;*.png;*.webp)|*.jpg;*.jpeg;*.JPG;*.JPEG;*.png;*.PNG;*.webp;*.WEBP"),
                            wxFD_OPEN | wxFD_FILE_MUST_EXIST | wxFD_MULTIPLE);
        if (dialog.ShowModal() != wxID_OK) return;
        wxArrayString paths;
        dialog.GetPaths(paths);
        std::vector<std::filesystem::path> files;
        for (const auto& p : paths) files.emplace_back(from_wx(p));
        attach_images(files);
    });
    m_link_consent->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { link_consent(); });
    m_next_slot->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { use_next_slot(); });
    // The consents wrap to their box's width each time it changes.
    m_consent_text->GetParent()->Bind(wxEVT_SIZE, [this](wxSizeEvent& e) {
        e.Skip();
        CallAfter([this] { show_consents(); });
    });
    m_scheduled->Bind(wxEVT_CHECKBOX, [this](wxCommandEvent&) { update_schedule(); });
    m_date->Bind(wxEVT_DATE_CHANGED, [this](wxDateEvent&) { update_schedule(); });
    m_time->Bind(wxEVT_TIME_CHANGED, [this](wxDateEvent&) { update_schedule(); });
    m_zone->Bind(wxEVT_TEXT, [this](wxCommandEvent&) { update_schedule(); });
    m_zone->Bind(wxEVT_COMBOBOX, [this](wxCommandEvent&) { update_schedule(); });
    m_dst->Bind(wxEVT_CHOICE, [this](wxCommandEvent&) { update_schedule(); });
    update_schedule();
    show_images();
    show_consents();
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
    m_images.clear();
    m_consents.clear();
    m_tags->Clear();
    show_images();
    show_consents();
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
    if (v.content.scheduled_at) show_time(*v.content.scheduled_at);
    m_state->SetLabel(wxString::Format(_("Post %lld, version %d: %s (compliance %s)"),
                                       static_cast<long long>(post.post.id), v.number,
                                       state_label(post.post.state), to_wx(v.compliance.verdict)));
    m_consents = post.consents;
    show_consents();
    std::string tags;
    for (const auto& t : post.tags) tags += (tags.empty() ? "" : ", ") + t;
    m_tags->ChangeValue(to_wx(tags));
    // The captions need the stored files: read on the worker, shown as they come.
    m_images.clear();
    for (const auto& ref : v.content.media) m_images.push_back({ref, from_wx(_("Reading...")), {}, 1});
    show_images();
    for (const auto& ref : v.content.media) {
        m_backend.run<AttachedImage>([ref](Services&) { return reload_image(ref); },
                                     on_window<AttachedImage>(this, [ref](ComposerPanel& self, Result<AttachedImage> r) {
                                         for (std::size_t i = 0; i < self.m_images.size(); ++i) {
                                             if (self.m_images[i].ref.sha256 != ref.sha256) continue;
                                             const auto alt = self.m_images[i].ref.alt_text;
                                             if (r) {
                                                 self.m_images[i] = *r;
                                                 self.m_images[i].ref.alt_text = alt;
                                             } else {
                                                 self.m_images[i].caption = r.error().message;
                                             }
                                         }
                                         self.show_images();
                                     }));
    }
    update_schedule();
    check_now();
    m_editor->SetFocus();
}

void ComposerPanel::show_time(UnixSeconds at) {
    auto zone = m_zones.find(from_wx(m_zone->GetValue().Trim().Trim(false)));
    if (!zone) return;
    auto local = schedule::utc_to_local(at, *zone);
    if (!local) return;
    const auto& l = local->local;
    m_scheduled->SetValue(true);
    m_date->SetValue(wxDateTime(static_cast<wxDateTime::wxDateTime_t>(l.day), static_cast<wxDateTime::Month>(l.month - 1),
                                l.year));
    m_time->SetValue(wxDateTime(static_cast<wxDateTime::wxDateTime_t>(l.hour),
                                static_cast<wxDateTime::wxDateTime_t>(l.minute)));
    m_dst->SetSelection(0);
    // The instant may sit in a DST overlap: keep the one it names.
    if (!schedule::local_to_utc(l, *zone).ok()) m_dst->SetSelection(local->is_dst ? 1 : 2);
}

void ComposerPanel::use_next_slot() {
    if (!m_setup) return;
    m_next_slot->Disable();
    m_backend.run<UnixSeconds>([](Services& s) { return next_slot(s); },
                               on_window<UnixSeconds>(this, [](ComposerPanel& self, Result<UnixSeconds> at) {
                                   self.m_next_slot->Enable();
                                   if (!at) {
                                       self.m_schedule_message->SetLabel(to_wx(at.error().message));
                                       self.m_schedule_message->SetForegroundColour(
                                           severity_colour(compliance::Severity::Warn));
                                       self.Layout();
                                       return;
                                   }
                                   // Slots are the organisation's wall-clock times.
                                   self.m_zone->SetValue(to_wx(self.m_setup->organisation.default_zone));
                                   self.show_time(*at);
                                   self.update_schedule();
                               }));
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
    for (std::size_t i = 0; i < m_images.size(); ++i) input.media.push_back(app::media_item(m_images[i].ref, i));
    for (const auto& consent : m_consents) input.consents.push_back(app::consent_record(consent));
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
    update_preview();
    m_last_update_us = static_cast<long>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count());
}

void ComposerPanel::update_preview() {
    if (!m_setup || m_tabs->GetSelection() != 1) return;  // painted only while it is in view
    // The target networks, or every network before any is chosen.
    std::vector<text::Network> networks;
    for (auto n : networks_of(m_setup->accounts, selected_accounts()))
        if (std::find(networks.begin(), networks.end(), n) == networks.end()) networks.push_back(n);
    if (networks.empty()) networks = text::all_networks();
    wxArrayString names;
    for (auto n : networks) names.Add(to_wx(std::string(display_name(n))));
    const wxString chosen = m_preview_network->GetStringSelection();
    if (names != m_preview_network->GetStrings()) {
        m_preview_network->Set(names);
        if (!m_preview_network->SetStringSelection(chosen)) m_preview_network->SetSelection(0);
    }
    const int at = std::max(m_preview_network->GetSelection(), 0);
    const auto shown = preview(networks[static_cast<std::size_t>(at)], m_checked_text, m_images.size());
    m_preview_shown = shown;
    m_preview->SetReadOnly(false);
    m_preview->SetText(to_wx(m_checked_text));
    m_preview->StartStyling(0);
    m_preview->SetStyling(static_cast<int>(m_checked_text.size()), 0);
    for (const auto& span : shown.spans) {
        m_preview->StartStyling(static_cast<int>(span.start));
        m_preview->SetStyling(static_cast<int>(span.end - span.start),
                              span.kind == PreviewKind::Link ? kLinkStyle : kTagStyle);
    }
    m_preview->SetIndicatorCurrent(kOverIndicator);
    m_preview->IndicatorClearRange(0, m_preview->GetLength());
    if (shown.cut) {
        m_preview->IndicatorFillRange(static_cast<int>(*shown.cut), static_cast<int>(m_checked_text.size() - *shown.cut));
    }
    m_preview->SetReadOnly(true);
    wxString note = wxString::Format(_("%zu of %zu"), shown.length, shown.limit);
    if (!m_images.empty()) note += wxString::Format(wxPLURAL(", %zu image", ", %zu images", m_images.size()), m_images.size());
    if (!shown.note.empty()) note += ". " + to_wx(shown.note);
    m_preview_note->SetLabel(note);
    m_preview_note->SetForegroundColour(shown.note.empty() ? wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOWTEXT)
                                                          : severity_colour(compliance::Severity::Warn));
    m_preview_note->Wrap(std::max(m_preview_note->GetParent()->GetClientSize().x - FromDIP(16), FromDIP(120)));
    m_preview_note->GetParent()->Layout();
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
    auto content = current_content(resolved);
    set_busy(true);
    m_state->SetLabel(after == AfterSave::Submit ? _("Submitting...") : _("Saving..."));
    m_backend.run<SavedPost>(
        [user = m_user, id = m_post_id, content = std::move(content), after,
         tags = std::optional<std::string>(from_wx(m_tags->GetValue()))](Services& s) {
            return save_post(s, user, id, content, after, tags);
        },
        on_window<SavedPost>(this, [](ComposerPanel& self, Result<SavedPost> saved) {
            self.set_busy(false);
            if (!saved) {
                self.m_state->SetLabel(_("Not saved"));
                wxMessageBox(to_wx(saved.error().message), _("Save post"), wxOK | wxICON_ERROR, &self);
                return;
            }
            self.show_saved(*saved);
        }));
}

void ComposerPanel::show_saved(const SavedPost& saved) {
    m_post_id = saved.post_id;
    m_state->SetLabel(wxString::Format(_("Post %lld, version %d: %s (compliance %s)"),
                                       static_cast<long long>(saved.post_id), saved.version, state_label(saved.state),
                                       to_wx(saved.verdict)));
    if (on_saved) on_saved(saved);
}

model::VersionContent ComposerPanel::current_content(const ScheduleResolution& resolved) const {
    std::vector<model::MediaRef> media;
    for (const auto& image : m_images) media.push_back(image.ref);
    return compose_content(from_wx(m_editor->GetText()), selected_accounts(), schedule_input(), resolved,
                           std::move(media));
}

// ---- images ----------------------------------------------------------------

void ComposerPanel::attach_images(const std::vector<std::filesystem::path>& files) {
    for (const auto& file : files) {
        if (m_images.size() >= kMaxImages) {
            m_state->SetLabel(wxString::Format(_("A post takes at most %zu images; %s was not attached."), kMaxImages,
                                               to_wx(file.filename().string())));
            break;
        }
        // A placeholder keeps the order the person chose while the worker stores it.
        AttachedImage pending;
        pending.ref.path = file.string();
        pending.caption = from_wx(wxString::Format(_("Removing metadata from %s..."), to_wx(file.filename().string())));
        m_images.push_back(pending);
        m_backend.run<AttachedImage>(
            [file](Services& s) { return attach_image(s, file); },
            on_window<AttachedImage>(this, [file](ComposerPanel& self, Result<AttachedImage> r) {
                auto it = std::find_if(self.m_images.begin(), self.m_images.end(), [&](const AttachedImage& i) {
                    return i.ref.sha256.empty() && i.ref.path == file.string();
                });
                if (it == self.m_images.end()) return;  // removed while it was stored
                if (!r) {
                    self.m_images.erase(it);
                    self.show_images();
                    wxMessageBox(wxString::Format(_("%s was not attached: %s"), to_wx(file.filename().string()),
                                                  to_wx(r.error().message)),
                                 _("Attach image"), wxOK | wxICON_ERROR, &self);
                    return;
                }
                const bool duplicate = std::any_of(self.m_images.begin(), self.m_images.end(),
                                                   [&](const AttachedImage& i) { return i.ref.sha256 == r->ref.sha256; });
                if (duplicate) {
                    self.m_images.erase(it);
                    self.m_state->SetLabel(wxString::Format(_("%s is already attached."), to_wx(file.filename().string())));
                } else {
                    *it = std::move(*r);
                }
                self.show_images();
                self.check_now();
            }));
    }
    show_images();
}

void ComposerPanel::remove_image(std::size_t index) {
    if (index >= m_images.size()) return;
    m_images.erase(m_images.begin() + static_cast<std::ptrdiff_t>(index));
    show_images();
    check_now();
}

void ComposerPanel::set_alt_text(std::size_t index, const std::string& alt) {
    if (index >= m_images.size()) return;
    m_images[index].ref.alt_text = alt;
    if (index < m_cards.size() && from_wx(m_cards[index].alt->GetValue()) != alt) {
        m_cards[index].alt->ChangeValue(to_wx(alt));
    }
    m_check_timer.StartOnce(kCheckDelayMs);
}

void ComposerPanel::show_images() {
    auto* box = m_attach->GetParent();
    m_images_sizer->Clear(true);
    m_cards.clear();
    m_thumbnails_shown = 0;
    const int gap = FromDIP(8);
    const int thumb = FromDIP(72);
    const wxColour grey = wxSystemSettings::GetColour(wxSYS_COLOUR_GRAYTEXT);
    for (std::size_t i = 0; i < m_images.size(); ++i) {
        const auto& image = m_images[i];
        auto* card = new wxPanel(box);
        auto* row = new wxBoxSizer(wxHORIZONTAL);
        ImageCard c;
        c.thumbnail = new wxStaticBitmap(card, wxID_ANY, placeholder(thumb));
        c.thumbnail->SetName(wxString::Format(_("Image %zu"), i + 1));
        row->Add(c.thumbnail, 0, wxRIGHT, gap);
        auto* column = new wxBoxSizer(wxVERTICAL);
        c.alt = new wxTextCtrl(card, wxID_ANY, to_wx(image.ref.alt_text), wxDefaultPosition, FromDIP(wxSize(230, -1)));
        c.alt->SetHint(_("Alt text: what the image shows"));
        c.alt->SetName(wxString::Format(_("Alt text of image %zu"), i + 1));
        c.alt->Enable(!image.ref.sha256.empty());
        c.alt->Bind(wxEVT_TEXT, [this, i](wxCommandEvent& e) { set_alt_text(i, from_wx(e.GetString())); });
        column->Add(c.alt, 0, wxEXPAND | wxBOTTOM, gap / 2);
        auto* caption = new wxStaticText(card, wxID_ANY, to_wx(image.caption));
        caption->SetForegroundColour(grey);
        column->Add(caption, 0, wxBOTTOM, gap / 4);
        if (!image.note.empty()) {
            auto* note = new wxStaticText(card, wxID_ANY, to_wx(image.note));
            note->SetForegroundColour(grey);
            note->Wrap(FromDIP(230));
            column->Add(note, 0, wxBOTTOM, gap / 4);
        }
        auto* remove = new wxButton(card, wxID_ANY, _("Remove"), wxDefaultPosition, wxDefaultSize, wxBU_EXACTFIT);
        remove->SetName(wxString::Format(_("Remove image %zu"), i + 1));
        remove->Bind(wxEVT_BUTTON, [this, i](wxCommandEvent&) { CallAfter([this, i] { remove_image(i); }); });
        column->Add(remove, 0);
        row->Add(column, 1);
        card->SetSizerAndFit(row);
        m_images_sizer->Add(card, 0, wxALL, gap / 2);
        m_cards.push_back(c);
        // Cards are rebuilt whenever the images change; each is decoded once.
        if (auto cached = m_thumbnails.find(image.ref.sha256); cached != m_thumbnails.end()) {
            c.thumbnail->SetBitmap(cached->second);
            ++m_thumbnails_shown;
        } else if (!image.ref.sha256.empty()) {
            load_thumbnail(i);
        }
    }
    m_attach->Enable(m_images.size() < kMaxImages);
    Layout();
}

void ComposerPanel::load_thumbnail(std::size_t index) {
    const auto image = m_images[index];
    if (!m_thumbnails_loading.insert(image.ref.sha256).second) return;  // already on its way
    const int size = FromDIP(72);
    // Decoding a photo takes a while: the worker makes the small copy.
    m_backend.run<wxImage>(
        [image, size](Services&) -> Result<wxImage> {
            std::ifstream in(image.ref.path, std::ios::binary);
            const std::string bytes(std::istreambuf_iterator<char>(in), {});
            wxMemoryInputStream stream(bytes.data(), bytes.size());
            wxImage decoded;
            if (bytes.empty() || !decoded.LoadFile(stream))
                return make_error(ErrorCode::Invalid, "no preview for this image type");
            decoded = upright(decoded, image.orientation);
            const double scale = std::min(static_cast<double>(size) / decoded.GetWidth(),
                                          static_cast<double>(size) / decoded.GetHeight());
            if (scale < 1.0) {
                decoded.Rescale(std::max(1, static_cast<int>(decoded.GetWidth() * scale)),
                                std::max(1, static_cast<int>(decoded.GetHeight() * scale)), wxIMAGE_QUALITY_HIGH);
            }
            return decoded;
        },
        on_window<wxImage>(this, [sha = image.ref.sha256](ComposerPanel& self, Result<wxImage> r) {
            self.m_thumbnails_loading.erase(sha);
            if (!r) return;  // the grey square stays; the caption still names the type
            const wxBitmap& bitmap = self.m_thumbnails[sha] = wxBitmap(*r);
            for (std::size_t i = 0; i < self.m_images.size() && i < self.m_cards.size(); ++i) {
                if (self.m_images[i].ref.sha256 != sha) continue;
                self.m_cards[i].thumbnail->SetBitmap(bitmap);
                ++self.m_thumbnails_shown;
            }
        }));
}

// ---- consent ---------------------------------------------------------------

void ComposerPanel::show_consents() {
    wxString text;
    if (m_consents.empty()) {
        text = _("None linked. When a post names or shows a patient, link their signed authorisation.");
    } else {
        const schedule::TimeZone* zone = nullptr;
        std::optional<schedule::TimeZone> found;
        if (m_setup) {
            if (auto z = m_zones.find(m_setup->organisation.default_zone)) found = *z;
        }
        if (found) zone = &*found;
        for (const auto& c : m_consents) {
            if (!text.empty()) text += "\n";
            text += to_wx(consent_line(c, zone, system_now()));
        }
    }
    const int width = std::max(m_consent_text->GetParent()->GetClientSize().x - FromDIP(16), FromDIP(240));
    const wxSize before = m_consent_text->GetBestSize();
    m_consent_text->SetLabel(text);
    m_consent_text->Wrap(width);
    if (m_consent_text->GetBestSize() != before) Layout();
}

void ComposerPanel::link_consent() {
    if (m_busy || !m_setup) return;
    // The person the findings name is the likely subject.
    std::string subject;
    const long item = m_list->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
    auto name_at = [this](const compliance::Finding& f) {
        return f.kind == "name" && f.end <= m_checked_text.size() ? m_checked_text.substr(f.start, f.end - f.start)
                                                                  : std::string();
    };
    if (item >= 0 && static_cast<std::size_t>(item) < m_rows.size()) {
        for (const auto& f : m_findings)
            if (f.rule == m_rows[static_cast<std::size_t>(item)].rule && subject.empty()) subject = name_at(f);
    }
    for (const auto& f : m_findings)
        if (subject.empty()) subject = name_at(f);
    ConsentDialog dialog(this, subject);
    if (dialog.ShowModal() != wxID_OK) return;
    auto zone = m_zones.find(m_setup->organisation.default_zone);
    if (!zone) {
        wxMessageBox(to_wx(zone.error().message), _("Link a consent"), wxOK | wxICON_ERROR, this);
        return;
    }
    auto expires = schedule::end_of_day({dialog.last_year(), dialog.last_month(), dialog.last_day()}, *zone);
    if (!expires) {
        wxMessageBox(to_wx(expires.error().message), _("Link a consent"), wxOK | wxICON_ERROR, this);
        return;
    }
    model::Consent consent;
    consent.subject = dialog.subject();
    consent.scope = dialog.scope();
    consent.expires_at = *expires;
    consent.document_ref = dialog.document();
    link_consent(std::move(consent));
}

void ComposerPanel::link_consent(model::Consent consent) {
    if (m_busy || !m_setup) return;
    const auto resolved = resolve_schedule(schedule_input(), m_zones, system_now());
    if (!m_post_id && !resolved.ok) {  // a new post is saved first, with its time
        wxMessageBox(to_wx(resolved.message), _("Schedule"), wxOK | wxICON_INFORMATION, this);
        return;
    }
    auto content = current_content(resolved);
    set_busy(true);
    m_state->SetLabel(_("Linking the consent..."));
    m_backend.run<ConsentLinked>(
        [user = m_user, id = m_post_id, content = std::move(content), consent = std::move(consent)](Services& s) {
            return gui::link_consent(s, user, id, content, consent);
        },
        on_window<ConsentLinked>(this, [](ComposerPanel& self, Result<ConsentLinked> linked) {
            self.set_busy(false);
            if (!linked) {
                self.m_state->SetLabel(_("The consent was not linked"));
                wxMessageBox(to_wx(linked.error().message), _("Link a consent"), wxOK | wxICON_ERROR, &self);
                return;
            }
            self.m_consents = linked->consents;
            self.show_consents();
            self.show_saved(linked->saved);
            self.check_now();
        }));
}

}  // namespace clearpost::gui
