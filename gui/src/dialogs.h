#pragma once
// First-run setup and sign-in. They only collect input; core checks it.

#include <wx/dialog.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

#include <string>

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

// std::string (UTF-8) <-> wxString at the GUI edge.
inline wxString to_wx(const std::string& s) { return wxString::FromUTF8(s.data(), s.size()); }
inline std::string from_wx(const wxString& s) { return std::string(s.utf8_str()); }

}  // namespace clearpost::gui
