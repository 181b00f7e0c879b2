#pragma once
// First-run setup, sign-in and the database choice. They only collect
// input; core checks it.

#include <wx/checkbox.h>
#include <wx/dialog.h>
#include <wx/radiobut.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

#include <functional>
#include <string>

class wxButton;
class wxDatePickerCtrl;

namespace clearpost::gui {

// Creates the organisation and its first admin on a brand-new database.
class SetupDialog : public wxDialog {
public:
    SetupDialog(wxWindow* parent, const std::string& default_zone);

    std::string organisation() const;
    std::string zone() const;
    std::string admin_name() const;
    std::string password() const;

private:
    bool TransferDataFromWindow() override;

    wxTextCtrl* m_org;
    wxTextCtrl* m_zone;
    wxTextCtrl* m_admin;
    wxTextCtrl* m_password;
    wxTextCtrl* m_confirm;
};

class SignInDialog : public wxDialog {
public:
    SignInDialog(wxWindow* parent, const std::string& database, const std::string& user);

    std::string user() const;
    std::string password() const;
    void show_error(const std::string& message);

private:
    wxTextCtrl* m_user;
    wxTextCtrl* m_password;
    wxStaticText* m_error;
};

// File > Database...: this computer's database file, or a team database on
// a PostgreSQL server (address, password, whether to keep the password in
// the desktop keyring).
class DatabaseDialog : public wxDialog {
public:
    // `team_address`: the team database in use or last chosen ("" if none).
    DatabaseDialog(wxWindow* parent, const std::string& embedded, const std::string& team_address);

    bool team() const;
    std::string address() const;
    std::string password() const;
    bool remember() const;
    void show_error(const std::string& message);

private:
    void update_fields();

    wxRadioButton* m_local;
    wxRadioButton* m_team;
    wxTextCtrl* m_address;
    wxTextCtrl* m_password;
    wxCheckBox* m_remember;
    wxStaticText* m_error;
};

// Connects a Bluesky account (app password, optional PDS and AppView) or a
// Mastodon account (access token, its instance). The secret is never shown.
class ConnectAccountDialog : public wxDialog {
public:
    ConnectAccountDialog(wxWindow* parent, const std::string& network, const std::string& handle);

    std::string secret() const;
    std::string service() const;
    std::string appview() const;
    // Sign in through the browser rather than paste a token (Mastodon) or
    // an app password (Bluesky).
    bool browser() const;

private:
    bool TransferDataFromWindow() override;

    bool m_mastodon;
    wxRadioButton* m_browser = nullptr;
    wxTextCtrl* m_secret;
    wxTextCtrl* m_service;
    wxTextCtrl* m_appview = nullptr;
};

// The organisation's own app registered with a network (client id and,
// where the network needs it, the secret), asked for before the first
// browser sign-in to that network.
class AppRegistrationDialog : public wxDialog {
public:
    AppRegistrationDialog(wxWindow* parent, const std::string& network);
    std::string client_id() const;
    std::string client_secret() const;

private:
    bool TransferDataFromWindow() override;
    wxTextCtrl* m_client_id;
    wxTextCtrl* m_client_secret;
};

// Links a patient's signed authorisation to the post: who, which networks,
// through which day, and where the signed form is kept.
class ConsentDialog : public wxDialog {
public:
    // `subject`: a name the findings flagged, offered as the person.
    ConsentDialog(wxWindow* parent, const std::string& subject);

    std::string subject() const;
    std::string scope() const;  // "all networks" when left empty
    int last_year() const;
    int last_month() const;     // 1..12
    int last_day() const;
    std::string document() const;

private:
    bool TransferDataFromWindow() override;

    wxTextCtrl* m_subject;
    wxTextCtrl* m_scope;
    wxDatePickerCtrl* m_until;
    wxTextCtrl* m_document;
};

// The Export... button of the pages that show the calendar (Calendar,
// Queue): `click` asks where and writes it (MainFrame::ask_export).
wxButton* make_export_button(wxWindow* parent, std::function<void()> click);

// std::string (UTF-8) <-> wxString at the GUI edge.
inline wxString to_wx(const std::string& s) { return wxString::FromUTF8(s.data(), s.size()); }
inline std::string from_wx(const wxString& s) { return std::string(s.utf8_str()); }

}  // namespace clearpost::gui
