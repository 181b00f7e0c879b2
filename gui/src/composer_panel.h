#pragma once
// The composer: the post's text with compliance findings marked as you type,
// the findings with their one-click fixes, per-network counters, target
// accounts and the schedule. Saving and submitting go through the workflow
// on the backend's worker.

#include <wx/panel.h>
#include <wx/bitmap.h>
#include <wx/timer.h>

#include <filesystem>
#include <map>
#include <set>
#include <functional>
#include <optional>
#include <vector>

#include "presenters/backend.h"
#include "presenters/composer.h"
#include "presenters/preview.h"

class wxStyledTextCtrl;
class wxStyledTextEvent;
class wxListCtrl;
class wxListEvent;
class wxStaticText;
class wxButton;
class wxCheckBox;
class wxDatePickerCtrl;
class wxTimePickerCtrl;
class wxComboBox;
class wxChoice;
class wxSplitterWindow;
class wxBoxSizer;
class wxFlexGridSizer;
class wxTextCtrl;
class wxStaticBitmap;
class wxImage;
class wxNotebook;

namespace clearpost::gui {

class ComposerPanel : public wxPanel {
public:
    ComposerPanel(wxWindow* parent, Backend& backend);

    void set_setup(const StudioSetup& setup);
    void set_user(const model::User& user);
    // Clears the editor for a new post.
    void new_post();
    // Loads a post's current version to edit it (saving makes a new version).
    void edit_post(const workflow::PostDetail& post);
    void save(AfterSave after);
    // Applies the fix of the finding selected in the list (or `row`).
    bool apply_fix(std::optional<std::size_t> row = std::nullopt);
    // Runs the check now instead of after the typing pause.
    void check_now();
    void select_next_finding();
    // Strips and stores each file (on the worker), then shows it with a
    // field for its alt text. The Attach button's file dialog calls this.
    void attach_images(const std::vector<std::filesystem::path>& files);
    void remove_image(std::size_t index);
    void set_alt_text(std::size_t index, const std::string& alt);
    // Sets the picker to the organisation's next free queue slot (asked on the worker).
    void use_next_slot();
    // Asks for a consent record and links it (saving a new post first).
    void link_consent();

    // Called after a save lands (post id, state), for the frame's status bar.
    std::function<void(const SavedPost&)> on_saved;

    // State the GUI test reads.
    wxStyledTextCtrl* editor() const { return m_editor; }
    wxListCtrl* findings_list() const { return m_list; }
    wxButton* fix_button() const { return m_fix; }
    wxButton* submit_button() const { return m_submit; }
    const std::vector<compliance::Finding>& findings() const { return m_findings; }
    const std::vector<FindingRow>& rows() const { return m_rows; }
    const std::vector<Counter>& current_counters() const { return m_counters; }
    std::optional<model::Id> post_id() const { return m_post_id; }
    bool busy() const { return m_busy; }
    const std::string& checked_text() const { return m_checked_text; }
    // The engine's time for the last check, and the whole update with the
    // editor marks, list and counters.
    long last_check_microseconds() const { return m_last_check_us; }
    long last_update_microseconds() const { return m_last_update_us; }
    long last_counters_microseconds() const { return m_last_counters_us; }
    wxStaticText* schedule_message() const { return m_schedule_message; }
    wxCheckBox* scheduled_box() const { return m_scheduled; }
    wxDatePickerCtrl* date_picker() const { return m_date; }
    wxTimePickerCtrl* time_picker() const { return m_time; }
    wxComboBox* zone_box() const { return m_zone; }
    wxChoice* dst_choice() const { return m_dst; }
    const std::vector<wxStaticText*>& counter_labels() const { return m_counter_labels; }
    void refresh_schedule() { update_schedule(); }
    std::vector<wxCheckBox*> target_boxes() const { return m_target_boxes; }
    wxTextCtrl* tags_field() const { return m_tags; }
    std::string status_text() const;
    const std::vector<AttachedImage>& images() const { return m_images; }
    // How many thumbnails have been decoded and shown (they load on the worker).
    std::size_t thumbnails_shown() const { return m_thumbnails_shown; }
    const std::vector<model::Consent>& consents() const { return m_consents; }
    wxStaticText* consent_text() const { return m_consent_text; }
    wxButton* attach_button() const { return m_attach; }
    wxButton* next_slot_button() const { return m_next_slot; }
    wxNotebook* tabs() const { return m_tabs; }
    wxStyledTextCtrl* preview_view() const { return m_preview; }
    wxChoice* preview_network() const { return m_preview_network; }
    wxStaticText* preview_note() const { return m_preview_note; }
    // The preview last painted (while its tab is in view).
    const std::optional<NetworkPreview>& preview_shown() const { return m_preview_shown; }
    void refresh_preview() { update_preview(); }
    // Links `consent` as the Link consent dialog would, without the dialog.
    void link_consent(model::Consent consent);

private:
    void build();
    void on_text_changed();
    void run_check();
    void show_findings();
    void show_selected_finding();
    void wrap_finding_text();
    void update_counters();
    void update_schedule();
    std::vector<model::Id> selected_accounts() const;
    ScheduleInput schedule_input() const;
    void set_busy(bool busy);
    void update_preview();
    void show_images();
    void load_thumbnail(std::size_t index);
    void show_consents();
    void show_saved(const SavedPost& saved);
    // Puts `at` in the picker as the organisation's local time.
    void show_time(UnixSeconds at);
    model::VersionContent current_content(const ScheduleResolution& resolved) const;

    Backend& m_backend;
    model::User m_user;
    std::optional<StudioSetup> m_setup;
    std::optional<model::Id> m_post_id;
    schedule::TzDatabase m_zones;

    std::vector<compliance::Finding> m_findings;
    std::vector<FindingRow> m_rows;
    std::vector<Counter> m_counters;
    std::string m_checked_text;
    wxString m_message_text;
    wxString m_suggestion_text;
    int m_wrapped_width = 0;
    long m_last_check_us = 0;
    long m_last_update_us = 0;
    long m_last_counters_us = 0;
    bool m_busy = false;
    std::vector<AttachedImage> m_images;
    std::size_t m_thumbnails_shown = 0;
    std::map<std::string, wxBitmap> m_thumbnails;  // decoded thumbnails by the image's SHA-256
    std::set<std::string> m_thumbnails_loading;    // being decoded on the worker
    std::vector<model::Consent> m_consents;

    wxTimer m_check_timer;
    wxStyledTextCtrl* m_editor = nullptr;
    wxBoxSizer* m_targets_sizer = nullptr;
    std::vector<wxCheckBox*> m_target_boxes;
    wxStaticText* m_summary = nullptr;
    wxNotebook* m_tabs = nullptr;
    wxChoice* m_preview_network = nullptr;
    wxStyledTextCtrl* m_preview = nullptr;
    wxStaticText* m_preview_note = nullptr;
    std::optional<NetworkPreview> m_preview_shown;
    wxListCtrl* m_list = nullptr;
    wxStaticText* m_message = nullptr;
    wxStaticText* m_suggestion = nullptr;
    wxButton* m_fix = nullptr;
    wxBoxSizer* m_counters_sizer = nullptr;
    std::vector<wxStaticText*> m_counter_labels;
    wxCheckBox* m_scheduled = nullptr;
    wxDatePickerCtrl* m_date = nullptr;
    wxTimePickerCtrl* m_time = nullptr;
    wxComboBox* m_zone = nullptr;
    wxTextCtrl* m_tags = nullptr;  // comma-separated; saved with the draft, not part of its content
    wxChoice* m_dst = nullptr;
    wxStaticText* m_schedule_message = nullptr;
    wxButton* m_next_slot = nullptr;
    wxFlexGridSizer* m_images_sizer = nullptr;
    struct ImageCard {
        wxStaticBitmap* thumbnail = nullptr;
        wxTextCtrl* alt = nullptr;
    };
    std::vector<ImageCard> m_cards;
    wxButton* m_attach = nullptr;
    wxStaticText* m_consent_text = nullptr;
    wxButton* m_link_consent = nullptr;
    wxStaticText* m_state = nullptr;
    wxButton* m_save = nullptr;
    wxButton* m_submit = nullptr;
};

}  // namespace clearpost::gui
