#pragma once
// The audit log viewer for admins and privacy officers: the newest entries
// first and the result of verifying the whole chain. Core decides who may
// read it; others see its refusal.

#include <wx/panel.h>

#include <optional>

#include "clearpost/workflow/admin.h"
#include "presenters/backend.h"

class wxStaticText;

namespace clearpost::gui {

class VirtualList;

class AuditPanel : public wxPanel {
public:
    AuditPanel(wxWindow* parent, Backend& backend);

    void set_user(const model::User& user);
    void reload();

    // State the GUI test reads.
    bool loading() const { return m_loading; }
    const std::optional<workflow::AuditTrail>& trail() const { return m_trail; }
    wxStaticText* verdict() const { return m_verdict; }

private:
    Backend& m_backend;
    model::User m_user;
    std::optional<workflow::AuditTrail> m_trail;
    bool m_loading = false;
    wxStaticText* m_verdict = nullptr;
    VirtualList* m_list = nullptr;
};

}  // namespace clearpost::gui
