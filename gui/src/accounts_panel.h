#pragma once
// The organisation's social accounts: network, handle, whether they are
// connected (a secret sealed in the vault) or must be reconnected, and, for
// admins, adding an account and connecting it. Everything runs on the worker;
// core decides who may.

#include <wx/panel.h>

#include <functional>
#include <vector>

#include "clearpost/publish/accounts.h"
#include "presenters/backend.h"

class wxButton;
class wxListCtrl;
class wxStaticText;

namespace clearpost::gui {

class AccountsPanel : public wxPanel {
public:
    AccountsPanel(wxWindow* parent, Backend& backend);

    void set_user(const model::User& user);
    void reload();
    // Connects `handle` on `network` with `secret` (the dialog's answer).
    void connect(const std::string& network, const std::string& handle, const publish::AccountSecret& secret);

    std::function<void(const wxString&)> on_changed;

    // State the GUI test reads.
    bool loading() const { return m_loading; }
    const std::vector<publish::AccountView>& accounts() const { return m_accounts; }
    wxListCtrl* list() const { return m_list; }

private:
    void show();
    void add_account();
    void ask_connect();

    Backend& m_backend;
    model::User m_user;
    std::vector<publish::AccountView> m_accounts;
    bool m_loading = false;
    wxStaticText* m_heading = nullptr;
    wxListCtrl* m_list = nullptr;
    wxButton* m_add = nullptr;
    wxButton* m_connect = nullptr;
};

}  // namespace clearpost::gui
