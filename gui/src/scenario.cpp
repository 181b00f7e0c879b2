#include "scenario.h"

#include <wx/button.h>
#include <wx/checkbox.h>
#include <wx/checklst.h>
#include <wx/gauge.h>
#include <wx/choice.h>
#include <wx/combobox.h>
#include <wx/datectrl.h>
#include <wx/dateevt.h>
#include <wx/listctrl.h>
#include <wx/stattext.h>
#include <wx/statusbr.h>
#include <wx/notebook.h>
#include <wx/stc/stc.h>
#include <wx/image.h>
#include <wx/mstream.h>
#include <wx/textctrl.h>
#include <wx/timectrl.h>
#include <wx/utils.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>

#include "accounts_panel.h"
#include "audit_panel.h"
#include "calendar_panel.h"
#include "composer_panel.h"
#include "dashboard_panel.h"
#include "dialogs.h"
#include "findings_view.h"
#include "import_dialog.h"
#include "inbox_panel.h"
#include "main_frame.h"
#include "queue_panel.h"
#include "virtual_list.h"

namespace clearpost::gui {
namespace {

// A patient's name and room number next to a health term: two blocks.
const wxString kPost = wxString::FromUTF8(
    "Get well soon to our patient Maria Lopez in Room 418 after her knee surgery! Visiting hours are 9 to 5.");
const std::string kFixed = "Get well soon to our patient after her knee surgery! Visiting hours are 9 to 5.";
constexpr long kStepTimeoutMs = 20000;

// Events as the widgets themselves would send them on a click.
void click(wxButton* button) {
    wxCommandEvent event(wxEVT_BUTTON, button->GetId());
    event.SetEventObject(button);
    button->GetEventHandler()->ProcessEvent(event);
}

void tick(wxCheckBox* box, bool value) {
    box->SetValue(value);
    wxCommandEvent event(wxEVT_CHECKBOX, box->GetId());
    event.SetInt(value ? 1 : 0);
    event.SetEventObject(box);
    box->GetEventHandler()->ProcessEvent(event);
}

void select_row(wxListCtrl* list, long row) {
    list->SetItemState(row, wxLIST_STATE_SELECTED | wxLIST_STATE_FOCUSED,
                       wxLIST_STATE_SELECTED | wxLIST_STATE_FOCUSED);
    wxListEvent event(wxEVT_LIST_ITEM_SELECTED, list->GetId());
    event.m_itemIndex = row;
    event.SetEventObject(list);
    list->GetEventHandler()->ProcessEvent(event);
}

template <typename Window>
void send_date(Window* picker, const wxDateTime& when, wxEventType type) {
    picker->SetValue(when);
    wxDateEvent event(picker, when, type);
    picker->GetEventHandler()->ProcessEvent(event);
}

std::optional<std::size_t> row_of(const std::vector<FindingRow>& rows, const std::string& rule) {
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i].rule == rule) return i;
    return std::nullopt;
}

bool has_finding(const std::vector<compliance::Finding>& findings, const std::string& rule, const std::string& text,
                 std::string_view words, compliance::Severity severity) {
    return std::any_of(findings.begin(), findings.end(), [&](const compliance::Finding& f) {
        return f.rule == rule && f.severity == severity && f.end <= text.size() &&
               std::string_view(text).substr(f.start, f.end - f.start) == words;
    });
}

// A photo as a phone leaves it: a JPEG whose comment names where it was taken.
std::filesystem::path write_test_photo(const std::filesystem::path& dir) {
    wxImage image(480, 320);
    for (int y = 0; y < image.GetHeight(); ++y)
        for (int x = 0; x < image.GetWidth(); ++x)
            image.SetRGB(x, y, static_cast<unsigned char>(40 + x / 3), static_cast<unsigned char>(110 + y / 4), 170);
    wxMemoryOutputStream out;
    image.SaveFile(out, wxBITMAP_TYPE_JPEG);
    std::string bytes(out.GetSize(), '\0');
    out.CopyTo(bytes.data(), bytes.size());
    const std::string comment = "Taken in Room 418";
    const auto length = comment.size() + 2;
    std::string segment = "\xFF\xFE";
    segment += static_cast<char>(length >> 8);
    segment += static_cast<char>(length & 0xFF);
    bytes.insert(2, segment + comment);  // right after the start-of-image marker
    const auto path = dir / "ward-photo.jpg";
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

long median(std::vector<long> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

Scenario::Scenario(MainFrame* frame, ScenarioOptions options)
    : m_frame(frame), m_options(std::move(options)), m_out(m_options.report), m_timer(this) {
    Bind(wxEVT_TIMER, [this](wxTimerEvent&) { on_tick(); });
    build();
}

void Scenario::start() {
    m_step_started_ms = static_cast<long>(wxGetLocalTimeMillis().GetValue());
    m_timer.Start(40);
}

void Scenario::note(const std::string& line) {
    m_out << line << "\n";
    m_out.flush();
}

bool Scenario::expect(bool condition, const std::string& what) {
    note((condition ? "ok " : "FAIL ") + what);
    if (!condition) ++m_failures;
    return condition;
}

oauth::BrowserOpener Scenario::approving_browser() {
    return [this](const std::string& url) -> Result<void> {
        m_browser = std::jthread([url] {
            net::HttpClient http;
            net::HttpRequest page;
            page.url = url;
            auto answer = http.send(page);
            if (auto* r = std::get_if<net::HttpResponse>(&answer); r && r->status == 302) {
                net::HttpRequest back;
                back.url = r->headers["location"];
                http.send(back);
            }
        });
        return ok();
    };
}

bool Scenario::screenshot(const std::string& file, wxWindow* on_top) {
    // The test script takes the picture (a toolkit-independent grab of the
    // X screen): paint, ask with a "shot FILE" line, wait for the file.
    const long now = static_cast<long>(wxGetLocalTimeMillis().GetValue());
    const auto path = m_options.screenshots / file;
    if (m_wait_until_ms == 0) {
        m_frame->Raise();
        m_frame->Refresh();
        m_frame->Update();
        if (on_top) {  // a dialog over the window
            on_top->Raise();
            on_top->Refresh();
            on_top->Update();
        }
        m_wait_until_ms = now + 500;
        m_shot_requested = false;
        return false;
    }
    if (now < m_wait_until_ms) return false;
    if (!m_shot_requested) {
        std::error_code ec;
        std::filesystem::remove(path, ec);
        note("shot " + file);
        m_shot_requested = true;
        return false;
    }
    std::error_code ec;
    if (!std::filesystem::exists(path, ec) || std::filesystem::file_size(path, ec) == 0) return false;
    m_wait_until_ms = 0;
    expect(true, "screenshot " + file);
    return true;
}

void Scenario::build() {
    auto* frame = m_frame;
    m_steps.push_back({"the studio is ready", [frame, this] {
        if (!frame->ready() || frame->inbox()->loading()) return false;
        expect(frame->user().role == model::Role::Author, "signed in as an author: " + frame->user().name);
        frame->SetSize(frame->FromDIP(wxSize(1200, 760)));
        frame->show_page(MainFrame::Page::Composer);
        return true;
    }});
    m_steps.push_back({"choose the target accounts", [frame, this] {
        auto boxes = frame->composer()->target_boxes();
        expect(boxes.size() == 3, "the three accounts offered as targets");
        // The clinic's own two; the news account (post 3's) is left out.
        for (auto* box : boxes) tick(box, from_wx(box->GetLabel()).find("@news@") == std::string::npos);
        frame->composer()->editor()->SetFocus();
        return true;
    }});
    m_steps.push_back({"type the post", [frame, this] {
        // A few characters per tick, like a quick typist: each one is an
        // edit the editor reports, and the check waits for a pause.
        auto* editor = frame->composer()->editor();
        for (int i = 0; i < 3 && m_typed < kPost.length(); ++i, ++m_typed) editor->AddText(wxString(kPost[m_typed]));
        return m_typed == kPost.length();
    }});
    m_steps.push_back({"findings appear", [frame, this] {
        auto* c = frame->composer();
        const std::string text = from_wx(c->editor()->GetText());
        if (c->checked_text() != text) return false;
        expect(text == from_wx(kPost), "the editor holds the typed text");
        const auto& f = c->findings();
        expect(has_finding(f, "phi.name", text, "Maria Lopez", compliance::Severity::Block),
               "model: the patient's name blocks");
        expect(has_finding(f, "phi.other_id", text, "Room 418", compliance::Severity::Block),
               "model: the room number blocks");
        expect(c->findings_list()->GetItemCount() == static_cast<int>(c->rows().size()) && !c->rows().empty(),
               "widget: the findings list has one row per finding (" +
                   std::to_string(c->findings_list()->GetItemCount()) + ")");
        expect(from_wx(c->findings_list()->GetItemText(0, 0)) == "Block", "widget: the first row says Block");
        const int name_at = static_cast<int>(text.find("Maria"));
        expect(c->editor()->IndicatorValueAt(underline_indicator(compliance::Severity::Block), name_at) == 1,
               "widget: the name is underlined as a block");
        expect(c->editor()->IndicatorValueAt(underline_indicator(compliance::Severity::Block), 0) == 0,
               "widget: text without findings is not marked");
        expect(c->fix_button()->IsShown() &&
                   from_wx(c->fix_button()->GetLabel()).find("Maria Lopez") != std::string::npos,
               "widget: the fix button offers to remove the name: " + from_wx(c->fix_button()->GetLabel()));
        const auto& counters = c->current_counters();
        expect(counters.size() == 2, "a counter per target network");
        std::string labels;
        for (auto* label : c->counter_labels())
            if (label->IsShown()) labels += from_wx(label->GetLabel()) + "; ";
        expect(labels.find("Bluesky: 103 / 300 graphemes") != std::string::npos &&
                   labels.find("X: 103 / 280 weighted") != std::string::npos,
               "widget: counters read " + labels);
        note("measure check of " + std::to_string(text.size()) + " bytes: engine " +
             std::to_string(c->last_check_microseconds()) + " us, with widgets " +
             std::to_string(c->last_update_microseconds()) + " us");
        return true;
    }});
    m_steps.push_back({"attach a photo", [frame, this] {
        frame->composer()->attach_images({write_test_photo(m_options.screenshots)});
        return true;
    }});
    m_steps.push_back({"the photo is stored without its metadata and asks for alt text", [frame, this] {
        auto* c = frame->composer();
        if (c->images().size() != 1 || c->images()[0].ref.sha256.empty() || c->thumbnails_shown() != 1) return false;
        const auto& image = c->images()[0];
        expect(image.note.find("comment (COM)") != std::string::npos, "the comment was stripped: " + image.note);
        expect(image.caption.find("JPEG, 480") == 0, "caption: " + image.caption);
        std::ifstream stored(image.ref.path, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(stored)), {});
        expect(!bytes.empty() && bytes.find("Room 418") == std::string::npos, "the stored file has no comment");
        expect(row_of(c->rows(), "policy.alt-text").has_value(), "an image without alt text is a finding");
        return true;
    }});
    m_steps.push_back({"composer screenshot", [this] { return screenshot("composer.png"); }});
    m_steps.push_back({"write the alt text", [frame, this] {
        auto* c = frame->composer();
        // SetValue sends the text event, as typing would.
        auto* alt = dynamic_cast<wxTextCtrl*>(wxWindow::FindWindowByName(_("Alt text of image 1"), c));
        if (!expect(alt != nullptr, "the image has an alt text field")) return true;
        alt->SetValue("Nurses of the cardiac ward holding a thank-you card");
        c->check_now();
        expect(c->images()[0].ref.alt_text == "Nurses of the cardiac ward holding a thank-you card",
               "model: the alt text is kept with the image");
        expect(!row_of(c->rows(), "policy.alt-text"), "the alt text finding is gone");
        return true;
    }});
    m_steps.push_back({"fix the name", [frame, this] {
        auto* c = frame->composer();
        auto row = row_of(c->rows(), "phi.name");
        if (!expect(row.has_value(), "the name is listed")) return true;
        select_row(c->findings_list(), static_cast<long>(*row));
        click(c->fix_button());
        const std::string text = from_wx(c->editor()->GetText());
        expect(text.find("Maria Lopez") == std::string::npos, "the fix removed the name");
        expect(!row_of(c->rows(), "phi.name"), "the name's finding is gone");
        return true;
    }});
    m_steps.push_back({"fix the room", [frame, this] {
        auto* c = frame->composer();
        auto row = row_of(c->rows(), "phi.other_id");
        if (!expect(row.has_value(), "the room number is listed")) return true;
        select_row(c->findings_list(), static_cast<long>(*row));
        click(c->fix_button());
        const std::string text = from_wx(c->editor()->GetText());
        expect(text == kFixed, "the post reads: " + text);
        expect(tally(c->findings()).blocks == 0, "no blocks remain");
        return true;
    }});
    m_steps.push_back({"link a consent", [frame, this] {
        auto* c = frame->composer();
        if (!m_sent) {
            m_sent = true;
            model::Consent consent;
            consent.subject = "Maria Lopez";
            consent.scope = "all networks";
            consent.expires_at = system_now() + 365 * 86400;
            consent.document_ref = "form CF-22";
            c->link_consent(consent);
            return false;
        }
        if (c->busy()) return false;
        m_sent = false;
        expect(c->post_id().has_value(), "linking saved the new post as a draft first");
        expect(c->consents().size() == 1 && c->consents()[0].subject == "Maria Lopez", "model: one consent linked");
        const std::string listed = from_wx(c->consent_text()->GetLabel());
        expect(listed.find("Maria Lopez") != std::string::npos && listed.find("form CF-22") != std::string::npos,
               "widget: the consent is listed: " + listed);
        return true;
    }});
    m_steps.push_back({"the next free queue slot", [frame, this] {
        auto* c = frame->composer();
        if (!m_sent) {
            m_sent = true;
            click(c->next_slot_button());
            return false;
        }
        if (!c->next_slot_button()->IsEnabled()) return false;
        m_sent = false;
        const std::string message = from_wx(c->schedule_message()->GetLabel());
        // Tuesday 10:00 or Thursday 15:30 in New York, in UTC with or without DST.
        static constexpr const char* kSlots[] = {"T15:00:00Z", "T14:00:00Z", "T20:30:00Z", "T19:30:00Z"};
        const bool slot = std::any_of(std::begin(kSlots), std::end(kSlots),
                                      [&](const char* t) { return message.find(t) != std::string::npos; });
        expect(c->scheduled_box()->GetValue() && slot, "the picker holds a queue slot: " + message);
        return true;
    }});
    m_steps.push_back({"schedule in a DST gap", [frame, this] {
        auto* c = frame->composer();
        tick(c->scheduled_box(), true);
        c->zone_box()->SetValue("America/New_York");
        send_date(c->date_picker(), wxDateTime(10, wxDateTime::Mar, 2030), wxEVT_DATE_CHANGED);
        send_date(c->time_picker(), wxDateTime(2, 30), wxEVT_TIME_CHANGED);
        const std::string gap = from_wx(c->schedule_message()->GetLabel());
        expect(c->dst_choice()->IsShown(), "a DST choice is offered for 02:30 on 10 March 2030");
        expect(!gap.empty() && gap.find("Publishes") == std::string::npos, "core explains the gap: " + gap);
        c->dst_choice()->SetSelection(2);
        wxCommandEvent event(wxEVT_CHOICE, c->dst_choice()->GetId());
        event.SetInt(2);
        c->dst_choice()->GetEventHandler()->ProcessEvent(event);
        const std::string resolved = from_wx(c->schedule_message()->GetLabel());
        expect(resolved.find("2030-03-10T07:00:00Z") != std::string::npos,
               "'later' publishes at the jump, 03:00 EDT: " + resolved);
        return true;
    }});
    m_steps.push_back({"submit", [frame, this] {
        auto* c = frame->composer();
        if (!m_sent) {
            m_sent = true;
            // A campaign tag, typed as people do; saved with the draft.
            c->tags_field()->ChangeValue("Get-Well, wards");
            click(c->submit_button());
            return false;
        }
        if (c->busy() || !c->post_id()) return false;
        m_post_id = *c->post_id();
        expect(c->status_text().find("InReview") != std::string::npos, "submitted: " + c->status_text());
        m_sent = false;
        return true;
    }});
    m_steps.push_back({"the author's inbox", [frame, this] {
        if (frame->inbox()->loading()) return false;
        const auto& entries = frame->inbox()->inbox().entries;
        expect(std::none_of(entries.begin(), entries.end(),
                            [this](const InboxEntry& e) { return e.post_id == m_post_id; }),
               "the author's own post does not wait for them");
        expect(!frame->inbox()->approve_button()->IsShown(), "the author sees no approve button");
        return true;
    }});
    m_steps.push_back({"switch to the approver", [frame, this] {
        if (!m_sent) {
            m_sent = true;
            const char* password = std::getenv("CLEARPOST_APPROVER_PASSWORD");
            frame->switch_user(m_options.approver, password ? password : "", [this](const std::string& error) {
                m_switch_error = error;
                m_switched = true;
            });
            return false;
        }
        if (!m_switched || frame->inbox()->loading()) return false;
        m_sent = false;
        expect(m_switch_error.empty() && frame->user().name == m_options.approver,
               "signed in as " + frame->user().name + m_switch_error);
        frame->show_page(MainFrame::Page::Inbox);
        return true;
    }});
    m_steps.push_back({"the approver is told what waits", [frame, this] {
        // One summary at sign-in, without any post's text.
        const auto& shown = frame->notified();
        if (shown.empty() || shown.back().key != "summary") return false;
        expect(shown.back().body == "2 posts wait for your review.",
               "one notification sums up what waits: " + shown.back().body);
        expect(from_wx(frame->page_title(MainFrame::Page::Inbox)) == "Inbox (2)",
               "widget: the inbox tab counts them: " + from_wx(frame->page_title(MainFrame::Page::Inbox)));
        return true;
    }});
    m_steps.push_back({"the approver's inbox", [frame, this] {
        auto* inbox = frame->inbox();
        const auto& entries = inbox->inbox().entries;
        expect(entries.size() == 3, "three posts wait for the approver (" + std::to_string(entries.size()) + ")");
        expect(std::is_sorted(entries.begin(), entries.end(),
                              [](const InboxEntry& a, const InboxEntry& b) { return a.waiting_since < b.waiting_since; }),
               "oldest first");
        expect(inbox->posts_list()->GetItemCount() == static_cast<int>(entries.size()), "widget: one row per post");
        for (std::size_t i = 0; i < entries.size(); ++i) {
            select_row(inbox->posts_list(), static_cast<long>(i));
            const auto& e = entries[i];
            if (e.author == m_options.approver) {
                expect(!inbox->approve_button()->IsShown() && !inbox->changes_button()->IsShown(),
                       "no approve button on the approver's own post " + std::to_string(e.post_id));
            } else {
                expect(inbox->approve_button()->IsShown() && inbox->changes_button()->IsShown(),
                       "approve and request changes offered on post " + std::to_string(e.post_id));
            }
            if (e.verdict == "warn") {
                // Version 2: the changes against version 1, struck and boxed.
                auto* diff = inbox->diff_view();
                const std::string merged = from_wx(diff->GetText());
                const auto removed = merged.find("great");
                const auto added = merged.find("a miracle");
                expect(diff->IsShown() && removed != std::string::npos && added != std::string::npos &&
                           diff->IndicatorValueAt(16, static_cast<int>(removed)) == 1 &&
                           diff->IndicatorValueAt(17, static_cast<int>(added)) == 1 &&
                           diff->IndicatorValueAt(16, 0) == 0 && diff->IndicatorValueAt(17, 0) == 0,
                       "widget: version 2 shows what changed since version 1: " + merged);
                const std::string shown = from_wx(inbox->text_view()->GetText());
                const int at = static_cast<int>(shown.find("miracle"));
                const int mark = underline_indicator(compliance::Severity::Warn);
                expect(at > 0 && inbox->text_view()->IndicatorValueAt(mark, at) == 1 &&
                           inbox->text_view()->IndicatorValueAt(mark, at - 1) == 0 &&
                           inbox->text_view()->IndicatorValueAt(mark, at + 6) == 1 &&
                           inbox->text_view()->IndicatorValueAt(mark, at + 7) == 0,
                       "widget: the stored warning marks exactly \"miracle\" in the text to approve");
                expect(inbox->findings_list()->GetItemCount() > 0 &&
                           from_wx(inbox->findings_list()->GetItemText(0, 0)) == "Warning",
                       "widget: the stored warning is listed for post " + std::to_string(e.post_id));
            }
        }
        // The screenshot shows a post with a finding, as the approver signs it.
        for (std::size_t i = 0; i < entries.size(); ++i)
            if (entries[i].verdict == "warn") select_row(inbox->posts_list(), static_cast<long>(i));
        return true;
    }});
    m_steps.push_back({"inbox screenshot", [this] { return screenshot("inbox.png"); }});
    m_steps.push_back({"approve", [frame, this] {
        auto* inbox = frame->inbox();
        if (!m_sent) {
            // A decision waits for a reload in flight (in team mode another
            // desk's change reloads the inbox at any moment).
            if (inbox->loading()) return false;
            const auto& entries = inbox->inbox().entries;
            auto it = std::find_if(entries.begin(), entries.end(),
                                   [this](const InboxEntry& e) { return e.post_id == m_post_id; });
            if (!expect(it != entries.end(), "the submitted post waits for the approver")) return true;
            const auto row = static_cast<long>(it - entries.begin());
            select_row(inbox->posts_list(), row);
            expect(from_wx(inbox->text_view()->GetText()) == kFixed, "widget: the approver sees the fixed text");
            expect(from_wx(inbox->findings_list()->GetItemText(0, 1)) == "No findings",
                   "widget: the version has no findings left");
            inbox->comment_field()->SetValue("Thanks, reads well.");
            // When the approval left, for the team-mode test that watches a
            // second studio show it (milliseconds since the epoch).
            note("approve sent " + std::to_string(m_post_id) + " at " +
                 std::to_string(wxGetUTCTimeMillis().GetValue()));
            click(inbox->approve_button());
            m_sent = true;
            return false;
        }
        if (inbox->loading()) return false;
        const auto& entries = inbox->inbox().entries;
        expect(std::none_of(entries.begin(), entries.end(),
                            [this](const InboxEntry& e) { return e.post_id == m_post_id; }),
               "the approved post left the inbox");
        note("post " + std::to_string(m_post_id) + " approved");
        m_sent = false;
        return true;
    }});
    m_steps.push_back({"open the approved post in the composer", [frame, this] {
        auto* c = frame->composer();
        if (!m_sent) {
            m_sent = true;
            c->new_post();
            frame->open_post(m_post_id);
            return false;
        }
        if (c->post_id() != m_post_id) return false;
        m_sent = false;
        expect(from_wx(c->editor()->GetText()) == kFixed, "the composer shows the approved text");
        const std::string tags = from_wx(c->tags_field()->GetValue());
        expect(tags == "get-well, wards", "widget: the tags read back normalised: \"" + tags + "\"");
        auto boxes = c->target_boxes();
        expect(std::all_of(boxes.begin(), boxes.end(),
                           [](wxCheckBox* b) {
                               return b->GetValue() == (from_wx(b->GetLabel()).find("@news@") == std::string::npos);
                           }),
               "both targets are ticked, and only they");
        expect(c->scheduled_box()->GetValue() &&
                   from_wx(c->schedule_message()->GetLabel()).find("2030-03-10T07:00:00Z") != std::string::npos,
               "the schedule reads back: " + from_wx(c->schedule_message()->GetLabel()));
        // The approval completed the chain and the post has a time: it is queued.
        expect(c->status_text().find("Scheduled") != std::string::npos, "the state is shown: " + c->status_text());
        expect(c->images().size() == 1 &&
                   c->images()[0].ref.alt_text == "Nurses of the cardiac ward holding a thank-you card",
               "the image and its alt text read back");
        expect(c->consents().size() == 1, "the linked consent reads back");
        return true;
    }});
    m_steps.push_back({"the dashboard", [frame, this] {
        auto* d = frame->dashboard();
        if (!m_sent) {
            m_sent = true;
            frame->show_page(MainFrame::Page::Dashboard);
            return false;
        }
        if (d->loading() || !d->dashboard()) return false;
        m_sent = false;
        const auto& dash = *d->dashboard();
        expect(dash.current.posts == 1 && dash.top.size() == 1 && dash.top[0].engagement == 17,
               "model: the post published on Mastodon counts, with its newest snapshot's 12 + 3 + 2 engagement");
        const std::string summary = from_wx(d->summary()->GetLabel());
        expect(summary.find("1 post published (new); engagement 17") == 0 &&
                   summary.find("America/New_York") != std::string::npos,
               "widget: the summary reads \"" + summary + "\"");
        std::size_t versions = 0, approvals = 0, warnings = 0;
        for (const auto& m : dash.governance) {
            versions += m.versions;
            approvals += m.approvals;
            warnings += m.warn_findings;
        }
        // ada's post with "miracle", bob's, and alice's versions of hers.
        expect(versions >= 3, "governance counts the versions written today (" + std::to_string(versions) + ")");
        expect(approvals == 2, "governance counts the two approvals, the published post's and alice's (" +
                                   std::to_string(approvals) + ")");
        expect(warnings >= 1, "governance counts the warning on ada's post");
        return true;
    }});
    m_steps.push_back({"dashboard screenshot", [this] { return screenshot("dashboard.png"); }});
    m_steps.push_back({"the top post's snapshot history", [frame, this] {
        auto* d = frame->dashboard();
        if (!m_sent) {
            m_sent = true;
            d->show_history(0);
            return false;
        }
        if (d->history_loading() || !d->history_list()) return false;
        m_sent = false;
        auto* list = d->history_list();
        expect(list->GetItemCount() == 2, "widget: both snapshots are listed (" +
                                              std::to_string(list->GetItemCount()) + ")");
        std::map<std::string, int> column;
        for (int c = 0; c < list->GetColumnCount(); ++c) {
            wxListItem item;
            item.SetMask(wxLIST_MASK_TEXT);
            list->GetColumn(c, item);
            column[from_wx(item.GetText())] = c;
        }
        expect(column.count("likes") && column.count("reposts") && column.count("replies"),
               "widget: a column per metric the instance reports");
        if (column.count("likes") && list->GetItemCount() == 2) {
            const std::string before = from_wx(list->GetItemText(0, column["likes"]));
            const std::string after = from_wx(list->GetItemText(1, column["likes"]));
            expect(before == "0" && after == "12", "widget: likes went from " + before + " to " + after +
                                                       ", oldest first");
        }
        return true;
    }});
    m_steps.push_back({"snapshot history screenshot", [frame, this] {
        if (!screenshot("dashboard-history.png", frame->dashboard()->history_window())) return false;
        frame->dashboard()->history_window()->Hide();
        return true;
    }});
    m_steps.push_back({"the queue", [frame, this] {
        auto* q = frame->queue();
        if (!m_sent) {
            m_sent = true;
            frame->show_page(MainFrame::Page::Queue);
            return false;
        }
        const auto& rows = q->page().rows;
        const auto mine = std::count_if(rows.begin(), rows.end(), [this](const QueueRow& r) {
            return r.post_id == m_post_id && r.state == model::State::Scheduled;
        });
        if (q->loading() || mine < 2) return false;
        m_sent = false;
        for (const auto& r : rows) {
            if (r.post_id != m_post_id) continue;
            expect(r.reason == "Publishes at 2030-03-10 03:00 EDT", "the queue says when: " + r.reason);
            expect(r.can_retry == false && r.can_cancel, "the approver may cancel but there is nothing to retry");
        }
        expect(from_wx(q->pause_banner()->GetLabel()) == "Publishing is running.",
               "widget: the pause bar says publishing runs");
        // No clearpostctl run here: this studio (or, in team mode, another) publishes.
        const std::string publishing = from_wx(frame->GetStatusBar()->GetStatusText(1));
        expect(publishing.rfind("Publishing here", 0) == 0 || publishing.rfind("Publishing: another studio", 0) == 0,
               "widget: the status bar says who publishes: " + publishing);
        return true;
    }});
    m_steps.push_back({"queue screenshot", [this] { return screenshot("queue.png"); }});
    m_steps.push_back({"emergency pause", [frame, this] {
        auto* q = frame->queue();
        if (!m_sent) {
            m_sent = true;
            q->pause_publishing("checking a photo's consent form");
            return false;
        }
        if (q->loading() || !q->page().pause) return false;
        m_sent = false;
        const std::string banner = from_wx(q->pause_banner()->GetLabel());
        expect(banner.find("paused (by " + m_options.approver) != std::string::npos &&
                   banner.find("checking a photo's consent form") != std::string::npos,
               "widget: the banner says who paused and why: " + banner);
        expect(from_wx(q->pause_button()->GetLabel()) == "&Resume publishing", "widget: the button now resumes");
        const auto& rows = q->page().rows;
        expect(std::all_of(rows.begin(), rows.end(),
                           [](const QueueRow& r) { return r.reason == "Held: all publishing is paused"; }),
               "every queued target says the pause holds it");
        return true;
    }});
    m_steps.push_back({"paused queue screenshot", [this] { return screenshot("queue-paused.png"); }});
    m_steps.push_back({"resume publishing", [frame, this] {
        auto* q = frame->queue();
        if (!m_sent) {
            m_sent = true;
            q->resume_publishing();
            return false;
        }
        if (q->loading() || q->page().pause) return false;
        m_sent = false;
        expect(from_wx(q->pause_banner()->GetLabel()) == "Publishing is running.", "widget: publishing runs again");
        return true;
    }});
    m_steps.push_back({"the calendar", [frame, this] {
        auto* cal = frame->calendar();
        if (!m_sent) {
            m_sent = true;
            frame->show_page(MainFrame::Page::Calendar);
            cal->show_month(2030, 3);
            return false;
        }
        if (cal->loading() || !cal->month() || cal->month()->month != 3) return false;
        m_sent = false;
        const auto& m = *cal->month();
        std::optional<std::size_t> cell;
        for (std::size_t i = 0; i < m.days.size(); ++i) {
            for (std::size_t k = 0; k < m.days[i].count; ++k)
                if (m.entries[m.days[i].first + k].post_id == m_post_id) cell = i;
        }
        if (!expect(cell.has_value(), "the post is on the calendar")) return true;
        expect(m.days[*cell].date == schedule::LocalDate{2030, 3, 10}, "on its local day, 10 March");
        cal->select_day(*cell);
        expect(cal->day_list()->GetItemCount() == 2, "widget: the day lists both targets");
        expect(from_wx(cal->day_list()->GetItemText(0, 0)) == "03:00", "widget: at 03:00 local time");
        expect(from_wx(cal->title()->GetLabel()).find("March 2030") == 0,
               "widget: the title names the month: " + from_wx(cal->title()->GetLabel()));
        return true;
    }});
    m_steps.push_back({"calendar screenshot", [this] { return screenshot("calendar.png"); }});
    m_steps.push_back({"the week view", [frame, this] {
        auto* cal = frame->calendar();
        cal->show_week(true);
        expect(cal->week_view(), "the week view is on");
        expect(from_wx(cal->title()->GetLabel()) == "Week of Monday 4 March 2030",
               "widget: the title names the selected day's week: " + from_wx(cal->title()->GetLabel()));
        expect(cal->selected_day() && cal->month()->days[*cal->selected_day()].date == schedule::LocalDate{2030, 3, 10},
               "the selected day stays 10 March");
        return true;
    }});
    m_steps.push_back({"week screenshot", [this] { return screenshot("calendar-week.png"); }});
    m_steps.push_back({"the next week crosses into the next month when it must", [frame, this] {
        auto* cal = frame->calendar();
        if (!m_sent) {
            m_sent = true;
            // From 10 March, five weeks on is 14 April: past March's six weeks, so April is read.
            for (int i = 0; i < 5; ++i) cal->step(1);
            return false;
        }
        if (cal->loading()) return false;
        m_sent = false;
        const auto day = cal->month()->days[*cal->selected_day()].date;
        expect(day == schedule::LocalDate{2030, 4, 14} && cal->month()->month == 4,
               "five weeks on is 14 April, in April's grid: " + from_wx(cal->title()->GetLabel()));
        cal->show_week(false);
        cal->show_month(2030, 3);
        return true;
    }});
    m_steps.push_back({"an approver may not read the audit log", [frame, this] {
        auto* a = frame->audit();
        if (!m_sent) {
            m_sent = true;
            frame->show_page(MainFrame::Page::Audit);
            return false;
        }
        if (a->loading()) return false;
        m_sent = false;
        expect(!a->trail() && from_wx(a->verdict()->GetLabel()).find("only an admin or a privacy officer") == 0,
               "core refuses and the page says so: " + from_wx(a->verdict()->GetLabel()));
        return true;
    }});
    m_steps.push_back({"switch to the admin", [frame, this] {
        if (!m_sent) {
            m_sent = true;
            m_switched = false;
            const char* password = std::getenv("CLEARPOST_ADMIN_PASSWORD");
            frame->switch_user(m_options.admin, password ? password : "", [this](const std::string& error) {
                m_switch_error = error;
                m_switched = true;
            });
            return false;
        }
        if (!m_switched) return false;
        if (!m_switch_error.empty()) {
            m_sent = false;
            expect(false, "signed in as the admin: " + m_switch_error);
            return true;
        }
        if (frame->audit()->loading() || !frame->audit()->trail()) return false;
        m_sent = false;
        const auto& trail = *frame->audit()->trail();
        expect(trail.verification.intact, "the audit chain verifies");
        expect(!trail.entries.empty() && trail.entries.front().action == "publishing.resume",
               "the newest entry is the resume");
        const bool approved = std::any_of(trail.entries.begin(), trail.entries.end(), [this](const model::AuditEntry& e) {
            return e.action == "post.schedule" && e.subject == "post " + std::to_string(m_post_id);
        });
        expect(approved, "the log records that the approval queued the post");
        expect(from_wx(frame->audit()->verdict()->GetLabel()).find("The chain is intact") == 0,
               "widget: the verdict says the chain is intact");
        return true;
    }});
    m_steps.push_back({"audit log screenshot", [this] { return screenshot("audit.png"); }});
    m_steps.push_back({"the admin moves the post two days later", [frame, this] {
        auto* cal = frame->calendar();
        if (!m_sent) {
            m_sent = true;
            frame->show_page(MainFrame::Page::Calendar);
            cal->move(m_post_id, schedule::LocalDateTime{2030, 3, 12, 3, 0, 0}, false);
            return false;
        }
        if (cal->loading() || !cal->month()) return false;
        const auto& m = *cal->month();
        const auto moved = std::count_if(m.entries.begin(), m.entries.end(), [this](const CalendarEntry& e) {
            return e.post_id == m_post_id;
        });
        const auto twelfth_at = std::find_if(m.days.begin(), m.days.end(), [](const CalendarDay& d) {
            return d.date == schedule::LocalDate{2030, 3, 12};
        });
        if (twelfth_at == m.days.end() || twelfth_at->count < 2) return false;
        const auto& twelfth = *twelfth_at;
        m_sent = false;
        expect(moved == 2 &&
                   m.entries[twelfth.first].post_id == m_post_id && m.entries[twelfth.first].time == "03:00",
               "both targets are on 12 March at 03:00");
        const std::string status = from_wx(frame->GetStatusBar()->GetStatusText(0));
        expect(status.find("moved to 2030-03-12 03:00 EDT; its approval stands") != std::string::npos,
               "widget: the status bar says the approval stands (policy: keep): " + status);
        return true;
    }});
    m_steps.push_back({"the admin connects an account", [frame, this] {
        auto* a = frame->accounts();
        if (!m_sent) {
            m_sent = true;
            frame->show_page(MainFrame::Page::Accounts);
            a->connect("bluesky", "clinic.example", {"abcd-efgh-ijkl-mnop", "https://pds.example", ""});
            return false;
        }
        const auto& accounts = a->accounts();
        const auto bluesky = std::find_if(accounts.begin(), accounts.end(), [](const publish::AccountView& v) {
            return v.account.network == "bluesky";
        });
        if (a->loading() || bluesky == accounts.end() || !bluesky->has_credentials) return false;
        m_sent = false;
        expect(accounts.size() == 3, "the three accounts are listed");
        for (long i = 0; i < a->list()->GetItemCount(); ++i) {
            const std::string network = from_wx(a->list()->GetItemText(i, 0));
            const std::string handle = from_wx(a->list()->GetItemText(i, 1));
            const std::string status = from_wx(a->list()->GetItemText(i, 2));
            expect(network == "bluesky" || handle == "@news@mastodon.test" ? status.rfind("Connected", 0) == 0
                                        : status.rfind("Not connected: its posts stop when due; connect it by "
                                                       "signing in through the browser", 0) == 0,
                   "widget: " + network + " reads \"" + status + "\"");
        }
        return true;
    }});
    m_steps.push_back({"the admin adds a Mastodon account", [frame, this] {
        auto* a = frame->accounts();
        if (!m_sent) {
            m_sent = true;
            a->add("mastodon", "@clinic@mastodon.test");
            return false;
        }
        const auto& accounts = a->accounts();
        if (a->loading() || accounts.size() < 4) return false;
        m_sent = false;
        const bool listed = std::any_of(accounts.begin(), accounts.end(), [](const publish::AccountView& v) {
            return v.account.handle == "@clinic@mastodon.test" && !v.has_credentials;
        });
        expect(listed, "the Mastodon account is listed, not yet connected");
        return true;
    }});
    m_steps.push_back({"the admin connects it by signing in through the browser", [frame, this] {
        auto* a = frame->accounts();
        const char* instance = std::getenv("CLEARPOST_SCENARIO_MASTODON");
        if (!m_sent) {
            if (!expect(instance != nullptr, "the test runs a Mastodon stand-in (CLEARPOST_SCENARIO_MASTODON)"))
                return true;
            m_sent = true;
            // The person's browser: opens the authorisation page, which the
            // stand-in approves, and follows its redirect to the studio.
            a->connect_in_browser("@clinic@mastodon.test", instance, approving_browser());
            expect(a->signing_in(), "widget: the studio waits for the browser");
            return false;
        }
        const auto& accounts = a->accounts();
        const auto mastodon = std::find_if(accounts.begin(), accounts.end(), [](const publish::AccountView& v) {
            return v.account.handle == "@clinic@mastodon.test";
        });
        if (a->signing_in() || a->loading() || mastodon == accounts.end() || !mastodon->has_credentials) return false;
        m_sent = false;
        const std::string status = from_wx(frame->GetStatusBar()->GetStatusText(0));
        expect(status.find("Connected mastodon:@clinic@mastodon.test through the browser") != std::string::npos,
               "widget: the status bar says so: " + status);
        return true;
    }});
    m_steps.push_back({"accounts screenshot", [this] { return screenshot("accounts.png"); }});
    m_steps.push_back({"the admin disconnects it, and the instance revokes the token", [frame, this] {
        auto* a = frame->accounts();
        if (!m_sent) {
            m_sent = true;
            a->disconnect("mastodon", "@clinic@mastodon.test", false);
            return false;
        }
        const auto& accounts = a->accounts();
        const auto mastodon = std::find_if(accounts.begin(), accounts.end(), [](const publish::AccountView& v) {
            return v.account.handle == "@clinic@mastodon.test";
        });
        if (a->loading() || mastodon == accounts.end() || mastodon->has_credentials) return false;
        m_sent = false;
        const std::string status = from_wx(frame->GetStatusBar()->GetStatusText(0));
        expect(status.find("the network revoked Clearpost's access") != std::string::npos,
               "widget: the status bar says the access was revoked: " + status);
        expect(mastodon->account.status == "disconnected", "model: the account is disconnected");
        return true;
    }});
    m_steps.push_back({"the admin connects the X account in the browser with the organisation's registered app",
                       [frame, this] {
        auto* a = frame->accounts();
        if (!m_sent) {
            m_sent = true;
            a->connect_with_oauth("x", "harborclinics", approving_browser());
            return false;
        }
        const auto& accounts = a->accounts();
        const auto x = std::find_if(accounts.begin(), accounts.end(),
                                    [](const publish::AccountView& v) { return v.account.network == "x"; });
        if (a->signing_in() || a->loading() || x == accounts.end() || !x->has_credentials) return false;
        m_sent = false;
        const std::string status = from_wx(frame->GetStatusBar()->GetStatusText(0));
        expect(status.find("Connected x:harborclinics through the browser") != std::string::npos,
               "widget: the status bar says so: " + status);
        expect(x->renews && x->token_expires_at.has_value(), "model: the X token has an end and renews itself");
        for (long i = 0; i < a->list()->GetItemCount(); ++i) {
            if (from_wx(a->list()->GetItemText(i, 0)) != "x") continue;
            const std::string shown = from_wx(a->list()->GetItemText(i, 2));
            expect(shown.find("renews itself") != std::string::npos, "widget: x reads \"" + shown + "\"");
        }
        return true;
    }});
    m_steps.push_back({"accounts screenshot with X connected", [this] { return screenshot("accounts-x.png"); }});
    m_steps.push_back({"the studio's publisher samples the X account's followers for the dashboard", [frame, this] {
        auto* d = frame->dashboard();
        if (!m_sent) {
            m_sent = true;
            frame->show_page(MainFrame::Page::Dashboard);
            d->reload();
            return false;
        }
        if (d->loading() || !d->dashboard()) return false;
        const auto& audience = d->dashboard()->audience;
        const auto x = std::find_if(audience.begin(), audience.end(), [](const analytics::AccountAudience& a) {
            return a.network == "x" && a.handle == "harborclinics";
        });
        if (x == audience.end()) {  // the publisher's next round (every 10 s) takes the sample
            if (++m_waits % 25 == 0) d->reload();  // once a second
            return false;
        }
        m_sent = false;
        expect(x->end == 1520 && x->change() == 0,
               "model: the X account's followers as the network reports them (" + std::to_string(x->end) + ")");
        const long row = static_cast<long>(x - audience.begin());
        const std::string name = from_wx(d->audience()->GetItemText(row, 0));
        const std::string shown = from_wx(d->audience()->GetItemText(row, 1));
        expect(name == "x \u00b7 harborclinics" && shown == "1520",
               "widget: the X row reads \"" + name + "\", \"" + shown + "\"");
        return true;
    }});
    m_steps.push_back({"dashboard screenshot with followers", [frame, this] {
        if (m_wait_until_ms == 0) frame->dashboard()->show_audience();
        return screenshot("dashboard-followers.png");
    }});
    m_steps.push_back({"the admin exports the calendar as CSV and as a JSON backup", [frame, this] {
        const auto csv = m_options.screenshots / "calendar-export.csv";
        const auto json = m_options.screenshots / "calendar-export.json";
        if (!m_sent) {
            m_sent = true;
            std::error_code ec;
            std::filesystem::remove(csv, ec);
            std::filesystem::remove(json, ec);
            frame->export_calendar(csv, false, false);
            frame->export_calendar(json, true, false);
            return false;
        }
        const std::string status = from_wx(frame->GetStatusBar()->GetStatusText(0));
        if (status.find("Exported the calendar to " + json.string()) == std::string::npos) return false;
        m_sent = false;
        std::ifstream csv_in(csv, std::ios::binary);
        const std::string csv_text((std::istreambuf_iterator<char>(csv_in)), {});
        expect(csv_text.find(kFixed) != std::string::npos, "the CSV holds the approved post's text");
        std::ifstream json_in(json, std::ios::binary);
        const std::string json_text((std::istreambuf_iterator<char>(json_in)), {});
        expect(json_text.find("\"posts\"") != std::string::npos && json_text.find(kFixed) != std::string::npos,
               "the JSON backup holds the posts");
        std::error_code ec;
        const auto perms = std::filesystem::status(json, ec).permissions();
        expect((perms & std::filesystem::perms::others_read) == std::filesystem::perms::none,
               "the backup is readable by its owner only");
        return true;
    }});
    m_steps.push_back({"the admin checks a Hootsuite file before importing it", [frame, this] {
        if (!m_import) {
            const auto file = m_options.screenshots / "hootsuite-plan.csv";
            // Hootsuite's bulk composer layout: date, text, link; no header.
            std::ofstream(file) << "03/12/2030 10:00,Flu shots on Saturday at the Harbor campus,\n"
                                   "03/12/2030 14:30,Free blood pressure checks in the lobby all week,"
                                   "https://harbor.example/bp\n"
                                   "03/12/2030,Open house next week,\n";
            m_import = frame->start_import(file);
            return false;
        }
        if (!m_sent) {
            if (m_import->busy()) return false;  // reading the accounts
            m_sent = true;
            // Every post goes to the Bluesky account; dates are month first.
            auto* targets = dynamic_cast<wxCheckListBox*>(wxWindow::FindWindowByName(_("Accounts for layouts that name none"), m_import));
            auto* dates = dynamic_cast<wxChoice*>(wxWindow::FindWindowByName(_("Date order"), m_import));
            if (!expect(targets && dates, "the dialog asks for the accounts and the date order")) return true;
            for (unsigned i = 0; i < targets->GetCount(); ++i)
                targets->Check(i, from_wx(targets->GetString(i)).rfind("bluesky:", 0) == 0);
            dates->SetSelection(2);
            m_import->check();
            return false;
        }
        if (m_import->busy()) return false;
        m_sent = false;
        const auto& report = m_import->report();
        expect(report && report->dry_run && report->rows.size() == 3 && report->created() == 2 && report->rejected() == 1,
               "model: two rows will be created, the one without a time is rejected");
        expect(m_import->rows()->GetItemCount() == 3 &&
                   from_wx(m_import->rows()->GetItemText(0, 1)) == "2030-03-12 10:00 EDT",
               "widget: the rows are listed with their local times: " + from_wx(m_import->rows()->GetItemText(0, 1)));
        expect(from_wx(m_import->summary()->GetLabel()) == "2 of 3 rows will be created as drafts; 1 rejected.",
               "widget: " + from_wx(m_import->summary()->GetLabel()));
        // The rejected row's whole reason, for the screenshot too.
        m_import->rows()->SetItemState(2, wxLIST_STATE_SELECTED, wxLIST_STATE_SELECTED);
        wxListEvent selected(wxEVT_LIST_ITEM_SELECTED, m_import->rows()->GetId());
        selected.m_itemIndex = 2;
        m_import->rows()->GetEventHandler()->ProcessEvent(selected);
        return true;
    }});
    m_steps.push_back({"import screenshot", [this] { return screenshot("import.png", m_import); }});
    m_steps.push_back({"the admin imports the good rows as drafts", [frame, this] {
        if (!m_sent) {
            m_sent = true;
            m_import->import();
            return false;
        }
        if (m_import->busy() || !m_import->imported()) return false;
        m_sent = false;
        const std::string summary = from_wx(m_import->summary()->GetLabel());
        expect(summary.rfind("Created 2 drafts", 0) == 0, "widget: " + summary);
        expect(m_import->gauge()->GetValue() == 100, "widget: the progress bar is full");
        m_import->Destroy();
        m_import = nullptr;
        return true;
    }});
    m_steps.push_back({"measure a long post", [frame, this] {
        frame->show_page(MainFrame::Page::Composer);
        auto* c = frame->composer();
        std::string text;
        while (text.size() < 3000)
            text += "Our flu clinic is open on Saturday at the Harbor campus; bring your card and call us with "
                    "questions. ";
        text += "Get well soon to our patient Maria Lopez in Room 418!";
        c->editor()->SetText(to_wx(text));
        std::vector<long> engine, total, counting;
        for (int i = 0; i < 21; ++i) {
            c->editor()->AddText("x");  // one keystroke, then the check it triggers
            c->check_now();
            engine.push_back(c->last_check_microseconds());
            total.push_back(c->last_update_microseconds());
            counting.push_back(c->last_counters_microseconds());
        }
        note("measure check of " + std::to_string(from_wx(c->editor()->GetText()).size()) +
             " bytes, findings unchanged (median of 21 keystrokes): engine " + std::to_string(median(engine)) +
             " us, counters " + std::to_string(median(counting)) + " us, all with widgets " +
             std::to_string(median(total)) + " us; " + std::to_string(c->findings().size()) + " findings, " +
             std::to_string(c->current_counters().size()) + " networks");
        // Keystrokes that add or remove a finding also rebuild the list.
        engine.clear();
        total.clear();
        for (int i = 0; i < 20; ++i) {
            c->editor()->SetText(to_wx(i % 2 ? text : text + " Bed 6B"));
            c->check_now();
            engine.push_back(c->last_check_microseconds());
            total.push_back(c->last_update_microseconds());
        }
        note("measure check of ~" + std::to_string(text.size()) +
             " bytes, findings changed (median of 20): engine " + std::to_string(median(engine)) +
             " us, with widgets " + std::to_string(median(total)) + " us");
        // With the Preview tab in view, each check also repaints it.
        c->tabs()->SetSelection(1);
        c->preview_network()->SetStringSelection("X");
        total.clear();
        for (int i = 0; i < 21; ++i) {
            c->editor()->AddText("x");
            c->check_now();
            total.push_back(c->last_update_microseconds());
        }
        note("measure check of ~" + std::to_string(text.size()) +
             " bytes with the X preview in view (median of 21): with widgets " + std::to_string(median(total)) + " us");
        const auto& shown = c->preview_shown();
        expect(shown && shown->network == text::Network::X && shown->cut && *shown->cut < 300,
               "model: the X preview marks where 280 is passed");
        expect(from_wx(c->preview_view()->GetText()) == from_wx(c->editor()->GetText()),
               "widget: the preview holds the post's text");
        expect(c->preview_view()->IndicatorValueAt(16, static_cast<int>(shown->cut.value_or(0))) == 1 &&
                   c->preview_view()->IndicatorValueAt(16, 0) == 0,
               "widget: the text past the limit is marked, the rest is not");
        const std::string preview_note = from_wx(c->preview_note()->GetLabel());
        expect(preview_note.find("the network refuses") != std::string::npos, "widget: the note says: " + preview_note);
        return true;
    }});
    m_steps.push_back({"preview screenshot", [frame, this] {
        frame->composer()->editor()->ScrollToStart();
        return screenshot("composer-preview.png");
    }});
}

void Scenario::on_tick() {
    if (m_current >= m_steps.size()) return;
    const long now = static_cast<long>(wxGetLocalTimeMillis().GetValue());
    if (now - m_step_started_ms > kStepTimeoutMs) {
        expect(false, "step timed out: " + m_steps[m_current].name);
        finish();
        return;
    }
    if (!m_steps[m_current].run()) return;
    ++m_current;
    m_step_started_ms = now;
    if (m_current == m_steps.size()) finish();
}

void Scenario::finish() {
    m_timer.Stop();
    m_current = m_steps.size();
    note(m_failures == 0 ? "scenario passed" : "scenario failed");
    m_out.close();
    m_frame->Close();
}

}  // namespace clearpost::gui
