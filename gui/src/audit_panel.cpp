#include "audit_panel.h"

#include <wx/sizer.h>
#include <wx/stattext.h>

#include "async.h"
#include "dialogs.h"
#include "virtual_list.h"

namespace clearpost::gui {
namespace {

constexpr std::size_t kAuditRows = 5000;

}  // namespace

AuditPanel::AuditPanel(wxWindow* parent, Backend& backend) : wxPanel(parent, wxID_ANY), m_backend(backend) {
    SetName(_("Audit log"));
    const int gap = FromDIP(8);
    auto* top = new wxBoxSizer(wxVERTICAL);
    m_verdict = new wxStaticText(this, wxID_ANY, wxString());
    m_verdict->SetName(_("Audit chain verification"));
    m_verdict->SetFont(m_verdict->GetFont().Bold());
    top->Add(m_verdict, 0, wxEXPAND | wxALL, gap);
    m_list = new VirtualList(this, _("Audit log entries"),
                             {{_("Entry"), 60, wxLIST_FORMAT_RIGHT},
                              {_("When (UTC)"), 160},
                              {_("Who"), 90},
                              {_("Action"), 150},
                              {_("Subject"), 140},
                              {_("Detail"), 700}});
    top->Add(m_list, 1, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, gap);
    SetSizer(top);
}

void AuditPanel::set_user(const model::User& user) {
    m_user = user;
    m_trail.reset();
    m_list->show(0, {});
    m_verdict->SetLabel(wxString());
}

void AuditPanel::reload() {
    m_loading = true;
    m_verdict->SetLabel(_("Verifying the chain..."));
    m_backend.run<workflow::AuditTrail>(
        [user = m_user](Services& s) { return workflow::audit_trail(user, s.store, s.audit, kAuditRows); },
        on_window<workflow::AuditTrail>(this, [](AuditPanel& self, Result<workflow::AuditTrail> trail) {
            self.m_loading = false;
            self.m_verdict->SetForegroundColour(wxNullColour);
            if (!trail) {
                self.m_trail.reset();
                self.m_list->show(0, {});
                self.m_verdict->SetLabel(to_wx(trail.error().message));
                return;
            }
            self.m_trail = std::move(*trail);
            const auto& v = self.m_trail->verification;
            const auto total = static_cast<long long>(self.m_trail->total);
            wxString label =
                v.intact ? wxString::Format(_("The chain is intact: all %lld entries verify, newest first."), total)
                         : wxString::Format(_("The chain is BROKEN at entry %lld: %s"),
                                            static_cast<long long>(v.first_bad_seq), to_wx(v.problem));
            if (static_cast<std::int64_t>(self.m_trail->entries.size()) < self.m_trail->total)
                label += wxString::Format(_(" Showing the newest %zu."), self.m_trail->entries.size());
            // Vermillion from the palette the findings use for blocks.
            if (!v.intact) self.m_verdict->SetForegroundColour(wxColour(0xD5, 0x5E, 0x00));
            self.m_verdict->SetLabel(label);
            self.m_list->show(self.m_trail->entries.size(), [&self](std::size_t row, long column) -> wxString {
                const auto& e = self.m_trail->entries[row];
                switch (column) {
                case 0: return wxString::Format("%lld", static_cast<long long>(e.seq));
                case 1: return to_wx(format_utc(e.at));
                case 2: return to_wx(e.actor);
                case 3: return to_wx(e.action);
                case 4: return to_wx(e.subject);
                default: return to_wx(e.detail);
                }
            });
        }));
}

}  // namespace clearpost::gui
