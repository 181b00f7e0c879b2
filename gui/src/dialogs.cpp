#include "dialogs.h"

#include <wx/button.h>
#include <wx/datectrl.h>
#include <wx/msgdlg.h>
#include <wx/settings.h>
#include <wx/sizer.h>
#include <wx/stattext.h>

namespace clearpost::gui {
namespace {

wxTextCtrl* add_field(wxWindow* parent, wxFlexGridSizer* grid, const wxString& label,
                      const wxString& value = {}, long style = 0) {
    grid->Add(new wxStaticText(parent, wxID_ANY, label), 0, wxALIGN_CENTER_VERTICAL);
    auto* field = new wxTextCtrl(parent, wxID_ANY, value, wxDefaultPosition, wxSize(280, -1), style);
    grid->Add(field, 1, wxEXPAND);
    return field;
}

}  // namespace

SetupDialog::SetupDialog(wxWindow* parent, const std::string& default_zone)
    : wxDialog(parent, wxID_ANY, _("Set up Clearpost")) {
    auto* top = new wxBoxSizer(wxVERTICAL);
    top->Add(new wxStaticText(this, wxID_ANY,
                              _("This database is new. Name your organisation and create the first "
                                "administrator; they add everyone else.")),
             0, wxALL, 12);
    auto* grid = new wxFlexGridSizer(2, wxSize(8, 8));
    grid->AddGrowableCol(1);
    m_org = add_field(this, grid, _("Organisation:"));
    m_zone = add_field(this, grid, _("Time zone:"), to_wx(default_zone));
    m_admin = add_field(this, grid, _("Administrator name:"));
    m_password = add_field(this, grid, _("Password:"), {}, wxTE_PASSWORD);
    m_confirm = add_field(this, grid, _("Password again:"), {}, wxTE_PASSWORD);
    top->Add(grid, 1, wxEXPAND | wxLEFT | wxRIGHT, 12);
    top->Add(CreateSeparatedButtonSizer(wxOK | wxCANCEL), 0, wxEXPAND | wxALL, 12);
    SetSizerAndFit(top);
    m_org->SetFocus();
}

bool SetupDialog::TransferDataFromWindow() {
    if (m_org->GetValue().Trim().empty() || m_admin->GetValue().Trim().empty()) {
        wxMessageBox(_("Enter the organisation and the administrator's name."), _("Set up Clearpost"),
                     wxOK | wxICON_INFORMATION, this);
        return false;
    }
    if (m_password->GetValue() != m_confirm->GetValue()) {
        wxMessageBox(_("The two passwords differ. Type them again."), _("Set up Clearpost"),
                     wxOK | wxICON_INFORMATION, this);
        return false;
    }
    return true;
}

std::string SetupDialog::organisation() const { return from_wx(m_org->GetValue().Trim()); }
std::string SetupDialog::zone() const { return from_wx(m_zone->GetValue().Trim()); }
std::string SetupDialog::admin_name() const { return from_wx(m_admin->GetValue().Trim()); }
std::string SetupDialog::password() const { return from_wx(m_password->GetValue()); }

SignInDialog::SignInDialog(wxWindow* parent, const std::string& database, const std::string& user)
    : wxDialog(parent, wxID_ANY, _("Sign in to Clearpost")) {
    auto* top = new wxBoxSizer(wxVERTICAL);
    top->Add(new wxStaticText(this, wxID_ANY, _("Database: ") + to_wx(database)), 0, wxALL, 12);
    auto* grid = new wxFlexGridSizer(2, wxSize(8, 8));
    grid->AddGrowableCol(1);
    m_user = add_field(this, grid, _("User:"), to_wx(user));
    m_password = add_field(this, grid, _("Password:"), {}, wxTE_PASSWORD);
    top->Add(grid, 1, wxEXPAND | wxLEFT | wxRIGHT, 12);
    m_error = new wxStaticText(this, wxID_ANY, wxString());
    m_error->SetForegroundColour(wxColour(178, 34, 34));
    top->Add(m_error, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, 12);
    top->Add(CreateSeparatedButtonSizer(wxOK | wxCANCEL), 0, wxEXPAND | wxALL, 12);
    SetSizerAndFit(top);
    (user.empty() ? m_user : m_password)->SetFocus();
}

std::string SignInDialog::user() const { return from_wx(m_user->GetValue().Trim()); }
std::string SignInDialog::password() const { return from_wx(m_password->GetValue()); }

void SignInDialog::show_error(const std::string& message) {
    m_error->SetLabel(to_wx(message));
    m_error->Wrap(360);
    m_password->Clear();
    m_password->SetFocus();
    GetSizer()->Fit(this);
}

ConnectAccountDialog::ConnectAccountDialog(wxWindow* parent, const std::string& network, const std::string& handle)
    : wxDialog(parent, wxID_ANY, _("Connect an account")), m_mastodon(network == "mastodon") {
    const bool mastodon = m_mastodon;
    auto* top = new wxBoxSizer(wxVERTICAL);
    auto* intro = new wxStaticText(
        this, wxID_ANY,
        wxString::Format(mastodon ? _("Connect %s. Sign in on the instance in your browser and allow Clearpost to "
                                      "post; or paste an access token made in the instance's settings "
                                      "(Development) with the write:statuses, write:media and read:statuses scopes.")
                                  : _("Connect %s. Sign in on Bluesky in your browser and allow Clearpost to "
                                      "post; or create an app password in Bluesky's settings (Privacy and "
                                      "security, App passwords) and paste it here, never the account's own "
                                      "password."),
                         to_wx(network + ":" + handle)));
    intro->Wrap(FromDIP(420));
    top->Add(intro, 0, wxALL, 12);
    auto* grid = new wxFlexGridSizer(2, wxSize(8, 8));
    grid->AddGrowableCol(1);
    m_service = add_field(this, grid, mastodon ? _("Instance:") : _("PDS (optional):"), {});
    m_service->SetHint(mastodon ? _("https://mastodon.example") : _("https://bsky.social"));
    // Both networks sign in through the browser, or take a pasted secret.
    grid->AddSpacer(0);
    m_browser = new wxRadioButton(this, wxID_ANY, _("Sign in through the &browser (recommended)"), wxDefaultPosition,
                                  wxDefaultSize, wxRB_GROUP);
    grid->Add(m_browser);
    grid->AddSpacer(0);
    auto* paste = new wxRadioButton(this, wxID_ANY, mastodon ? _("&Paste an access token") : _("Use an &app password"));
    grid->Add(paste);
    m_browser->SetValue(true);
    auto update = [this](wxCommandEvent&) { m_secret->Enable(!m_browser->GetValue()); };
    m_browser->Bind(wxEVT_RADIOBUTTON, update);
    paste->Bind(wxEVT_RADIOBUTTON, update);
    m_secret = add_field(this, grid, mastodon ? _("Access token:") : _("App password:"), {}, wxTE_PASSWORD);
    m_secret->Disable();
    if (!mastodon) {
        m_appview = add_field(this, grid, _("AppView (optional):"), {});
        m_appview->SetHint(_("https://public.api.bsky.app"));
    }
    top->Add(grid, 1, wxEXPAND | wxLEFT | wxRIGHT, 12);
    top->Add(CreateSeparatedButtonSizer(wxOK | wxCANCEL), 0, wxEXPAND | wxALL, 12);
    SetSizerAndFit(top);
    (mastodon ? m_service : static_cast<wxWindow*>(m_browser))->SetFocus();
}

bool ConnectAccountDialog::TransferDataFromWindow() {
    if (m_mastodon && m_browser->GetValue() && m_service->GetValue().Trim().empty()) {
        wxMessageBox(_("Enter the instance's address, e.g. https://mastodon.social."), _("Connect an account"),
                     wxOK | wxICON_INFORMATION, this);
        return false;
    }
    return true;
}

std::string ConnectAccountDialog::secret() const { return from_wx(m_secret->GetValue()); }
std::string ConnectAccountDialog::service() const { return from_wx(m_service->GetValue().Trim().Trim(false)); }
std::string ConnectAccountDialog::appview() const {
    return m_appview ? from_wx(m_appview->GetValue().Trim().Trim(false)) : std::string();
}
bool ConnectAccountDialog::browser() const { return m_browser->GetValue(); }

AppRegistrationDialog::AppRegistrationDialog(wxWindow* parent, const std::string& network)
    : wxDialog(parent, wxID_ANY, _("Register Clearpost with the network")) {
    auto* top = new wxBoxSizer(wxVERTICAL);
    auto* intro = new wxStaticText(
        this, wxID_ANY,
        wxString::Format(_("Clearpost signs in to %s as your organisation's own app. Register it in the network's "
                           "developer portal (docs/app-registration.md says how and which redirect address to "
                           "enter), then copy its client id and secret here. They are sealed in the vault. X "
                           "needs no secret."),
                         to_wx(network)));
    intro->Wrap(FromDIP(420));
    top->Add(intro, 0, wxALL, 12);
    auto* grid = new wxFlexGridSizer(2, wxSize(8, 8));
    grid->AddGrowableCol(1);
    m_client_id = add_field(this, grid, _("Client id:"), {});
    m_client_secret = add_field(this, grid, _("Client secret:"), {}, wxTE_PASSWORD);
    top->Add(grid, 1, wxEXPAND | wxLEFT | wxRIGHT, 12);
    top->Add(CreateSeparatedButtonSizer(wxOK | wxCANCEL), 0, wxEXPAND | wxALL, 12);
    SetSizerAndFit(top);
    m_client_id->SetFocus();
}

bool AppRegistrationDialog::TransferDataFromWindow() {
    if (m_client_id->GetValue().Trim().empty()) {
        wxMessageBox(_("Enter the app's client id from the network's developer portal."),
                     _("Register Clearpost with the network"), wxOK | wxICON_INFORMATION, this);
        return false;
    }
    return true;
}

std::string AppRegistrationDialog::client_id() const { return from_wx(m_client_id->GetValue().Trim().Trim(false)); }
std::string AppRegistrationDialog::client_secret() const { return from_wx(m_client_secret->GetValue()); }

DatabaseDialog::DatabaseDialog(wxWindow* parent, const std::string& embedded, const std::string& team_address)
    : wxDialog(parent, wxID_ANY, _("Database")) {
    auto* top = new wxBoxSizer(wxVERTICAL);
    m_local = new wxRadioButton(this, wxID_ANY, _("This computer's database"), wxDefaultPosition, wxDefaultSize,
                                wxRB_GROUP);
    top->Add(m_local, 0, wxLEFT | wxRIGHT | wxTOP, 12);
    auto* file = new wxStaticText(this, wxID_ANY, to_wx(embedded));
    file->SetForegroundColour(wxSystemSettings::GetColour(wxSYS_COLOUR_GRAYTEXT));
    top->Add(file, 0, wxLEFT | wxRIGHT, 32);
    m_team = new wxRadioButton(this, wxID_ANY, _("A team database on a PostgreSQL server"));
    top->Add(m_team, 0, wxLEFT | wxRIGHT | wxTOP, 12);
    auto* grid = new wxFlexGridSizer(2, wxSize(8, 8));
    grid->AddGrowableCol(1);
    m_address = add_field(this, grid, _("Address:"), to_wx(team_address));
    m_address->SetHint("postgresql://anna@db.example.org/clearpost");
    m_password = add_field(this, grid, _("Password:"), {}, wxTE_PASSWORD);
    m_password->SetHint(_("leave empty to use the one kept in the keyring"));
    top->Add(grid, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, 12);
    m_remember = new wxCheckBox(this, wxID_ANY, _("Keep the password in the desktop keyring"));
    m_remember->SetValue(true);
    top->Add(m_remember, 0, wxLEFT | wxRIGHT | wxTOP, 12);
    top->Add(new wxStaticText(this, wxID_ANY,
                              _("The connection is encrypted and the server's certificate checked, unless the "
                                "address says otherwise (sslmode).")),
             0, wxLEFT | wxRIGHT | wxTOP, 12);
    m_error = new wxStaticText(this, wxID_ANY, wxString());
    m_error->SetForegroundColour(wxColour(178, 34, 34));
    top->Add(m_error, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, 12);
    top->Add(CreateSeparatedButtonSizer(wxOK | wxCANCEL), 0, wxEXPAND | wxALL, 12);
    if (auto* connect = FindWindow(wxID_OK)) connect->SetLabel(_("&Open"));
    SetSizerAndFit(top);
    (team_address.empty() ? m_local : m_team)->SetValue(true);
    m_local->Bind(wxEVT_RADIOBUTTON, [this](wxCommandEvent&) { update_fields(); });
    m_team->Bind(wxEVT_RADIOBUTTON, [this](wxCommandEvent&) { update_fields(); });
    update_fields();
}

void DatabaseDialog::update_fields() {
    const bool team = m_team->GetValue();
    m_address->Enable(team);
    m_password->Enable(team);
    m_remember->Enable(team);
    if (team) m_address->SetFocus();
}

bool DatabaseDialog::team() const { return m_team->GetValue(); }
std::string DatabaseDialog::address() const { return from_wx(m_address->GetValue().Trim().Trim(false)); }
std::string DatabaseDialog::password() const { return from_wx(m_password->GetValue()); }
bool DatabaseDialog::remember() const { return m_remember->GetValue(); }

void DatabaseDialog::show_error(const std::string& message) {
    m_error->SetLabel(to_wx(message));
    m_error->Wrap(420);
    GetSizer()->Fit(this);
}

wxButton* make_export_button(wxWindow* parent, std::function<void()> click) {
    auto* button = new wxButton(parent, wxID_ANY, _("&Export..."));
    button->SetToolTip(_("Write the calendar (posts, versions, approvals, targets, states, live links) as CSV for "
                         "an audit, or as a JSON backup"));
    button->Bind(wxEVT_BUTTON, [click = std::move(click)](wxCommandEvent&) { click(); });
    return button;
}

ConsentDialog::ConsentDialog(wxWindow* parent, const std::string& subject)
    : wxDialog(parent, wxID_ANY, _("Link a consent")) {
    auto* top = new wxBoxSizer(wxVERTICAL);
    auto* intro = new wxStaticText(this, wxID_ANY,
                                   _("Record the patient's signed authorisation. Findings about the person it names "
                                     "become notes while it applies; once it expires they block again."));
    intro->Wrap(FromDIP(420));
    top->Add(intro, 0, wxALL, 12);
    auto* grid = new wxFlexGridSizer(2, wxSize(8, 8));
    grid->AddGrowableCol(1);
    m_subject = add_field(this, grid, _("Person, as named in the post:"), to_wx(subject));
    m_scope = add_field(this, grid, _("Networks it covers:"));
    m_scope->SetHint(_("all networks, or e.g. facebook instagram"));
    grid->Add(new wxStaticText(this, wxID_ANY, _("Applies through:")), 0, wxALIGN_CENTER_VERTICAL);
    m_until = new wxDatePickerCtrl(this, wxID_ANY, wxDateTime::Today() + wxDateSpan::Year(), wxDefaultPosition,
                                   wxDefaultSize, wxDP_DROPDOWN | wxDP_SHOWCENTURY);
    m_until->SetName(_("Last day the consent applies"));
    grid->Add(m_until, 0);
    m_document = add_field(this, grid, _("Signed form kept as:"));
    m_document->SetHint(_("e.g. the form's number in the records system"));
    top->Add(grid, 1, wxEXPAND | wxLEFT | wxRIGHT, 12);
    top->Add(CreateSeparatedButtonSizer(wxOK | wxCANCEL), 0, wxEXPAND | wxALL, 12);
    SetSizerAndFit(top);
    (subject.empty() ? m_subject : m_scope)->SetFocus();
}

bool ConsentDialog::TransferDataFromWindow() {
    if (m_subject->GetValue().Trim().empty()) {
        wxMessageBox(_("Enter the person's name as the post writes it."), _("Link a consent"),
                     wxOK | wxICON_INFORMATION, this);
        return false;
    }
    if (m_until->GetValue() < wxDateTime::Today()) {
        wxMessageBox(_("That day has passed: a consent that no longer applies covers nothing."),
                     _("Link a consent"), wxOK | wxICON_INFORMATION, this);
        return false;
    }
    return true;
}

std::string ConsentDialog::subject() const { return from_wx(m_subject->GetValue().Trim().Trim(false)); }
std::string ConsentDialog::scope() const {
    const std::string s = from_wx(m_scope->GetValue().Trim().Trim(false));
    return s.empty() ? "all networks" : s;
}
int ConsentDialog::last_year() const { return m_until->GetValue().GetYear(); }
int ConsentDialog::last_month() const { return static_cast<int>(m_until->GetValue().GetMonth()) + 1; }
int ConsentDialog::last_day() const { return m_until->GetValue().GetDay(); }
std::string ConsentDialog::document() const { return from_wx(m_document->GetValue().Trim().Trim(false)); }

}  // namespace clearpost::gui
