#pragma once
// The GUI test's scenario, built into the studio and started with
// --scenario: it drives the real window by injecting the events a person's
// clicks and keystrokes would (author writes a post with PHI, sees the
// findings, fixes them, schedules across a DST gap, submits; an approver
// signs in and approves, which queues the post; the queue, the emergency
// pause and the calendar show it; an admin reads the audit log), checks the model and the widgets at each step,
// saves screenshots, and writes one line per check to the report file.

#include <wx/event.h>
#include <wx/timer.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "clearpost/oauth/browser.h"

namespace clearpost::gui {

class MainFrame;
class ImportDialog;

struct ScenarioOptions {
    std::filesystem::path report;       // "ok ..." / "FAIL ..." lines, then "scenario passed"/"scenario failed"
    std::filesystem::path screenshots;  // composer.png and inbox.png, taken by the test script
    std::string approver;               // signs in second; password in CLEARPOST_APPROVER_PASSWORD
    std::string admin;                  // signs in last, to read the audit log; password in CLEARPOST_ADMIN_PASSWORD
};

class Scenario : public wxEvtHandler {
public:
    Scenario(MainFrame* frame, ScenarioOptions options);
    void start();

private:
    struct Step {
        std::string name;
        std::function<bool()> run;  // true: done, go on
    };
    void build();
    void on_tick();
    void finish();
    bool expect(bool condition, const std::string& what);
    void note(const std::string& line);
    bool screenshot(const std::string& file, wxWindow* on_top = nullptr);
    // The person at the browser: opens the sign-in page, which the stand-in
    // approves at once, and follows its redirect back to the studio.
    oauth::BrowserOpener approving_browser();

    MainFrame* m_frame;
    ScenarioOptions m_options;
    std::ofstream m_out;
    std::vector<Step> m_steps;
    std::size_t m_current = 0;
    long m_step_started_ms = 0;
    int m_failures = 0;
    wxTimer m_timer;

    // State shared between steps.
    std::size_t m_typed = 0;
    long long m_post_id = 0;
    long m_wait_until_ms = 0;
    bool m_sent = false;
    int m_waits = 0;  // ticks spent waiting for something outside the studio
    std::jthread m_browser;            // the "person" signing in to a stand-in
    ImportDialog* m_import = nullptr;  // the import dialog the scenario drives
    std::string m_switch_error;
    bool m_switched = false;
    bool m_shot_requested = false;
};

}  // namespace clearpost::gui
