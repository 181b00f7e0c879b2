#pragma once
// The organisation's social accounts: network, handle, whether they are
// connected (a secret sealed in the vault) or must be reconnected, and, for
// admins, adding an account and connecting it. Everything runs on the worker;
// core decides who may.

#include <wx/panel.h>

#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "clearpost/publish/accounts.h"
#include "clearpost/publish/oauth_connect.h"
#include "presenters/backend.h"

class wxButton;
class wxListCtrl;
class wxStaticText;

namespace clearpost::gui {

class AccountsPanel : public wxPanel {
public:
    AccountsPanel(wxWindow* parent, Backend& backend);
    ~AccountsPanel() override;

    void set_user(const model::User& user);
    void reload();
    // Adds `handle` on `network` (the Add account dialogs' answers).
    void add(const std::string& network, const std::string& handle);
    // Connects `handle` on `network` with `secret` (the dialog's answer).
    void connect(const std::string& network, const std::string& handle, const publish::AccountSecret& secret);
    // Connects a Mastodon account through the browser: the person signs in
    // there (on a thread of its own: it may take minutes, and closing the
    // window cancels it), then the grant is sealed on the worker. `opener`
    // empty: the system browser.
    void connect_in_browser(const std::string& handle, const std::string& instance, oauth::BrowserOpener opener = {});
    // Connects a Bluesky account with atproto OAuth (PAR, DPoP) in the
    // browser instead of an app password; `service` resolves the handle.
    void connect_bluesky_in_browser(const std::string& handle, const std::string& service, const std::string& appview,
                                    oauth::BrowserOpener opener = {});
    // Connects an account of a network that signs in with OAuth (X,
    // LinkedIn, Facebook, Instagram, Threads) through the browser, asking
    // first for the organisation's app registration when none is stored.
    void connect_with_oauth(const std::string& network, const std::string& handle, oauth::BrowserOpener opener = {});
    // Stores the organisation's app for `network`, then connects `handle` with it.
    void register_app(const std::string& network, const std::string& handle, const publish::AppRegistration& app,
                      oauth::BrowserOpener opener = {});
    // Revokes (where the network can) and forgets the account's credentials
    // on the worker, after asking when `confirm`.
    void disconnect(const std::string& network, const std::string& handle, bool confirm = true);

    std::function<void(const wxString&)> on_changed;

    // State the GUI test reads.
    bool loading() const { return m_loading; }
    const std::vector<publish::AccountView>& accounts() const { return m_accounts; }
    wxListCtrl* list() const { return m_list; }
    wxButton* disconnect_button() const { return m_disconnect; }
    bool signing_in() const { return m_signing_in; }

private:
    void show();
    void add_account();
    void ask_connect();
    // Seals what a browser sign-in brought back (on the worker) and says so.
    using SaveGrant = std::function<Result<void>(Services&, security::Vault&)>;
    void sign_in(const std::string& label, std::function<Result<SaveGrant>(std::stop_token)> sign_in);
    void finish_sign_in(const std::string& label, Result<SaveGrant> save);

    Backend& m_backend;
    model::User m_user;
    std::vector<publish::AccountView> m_accounts;
    bool m_loading = false;
    bool m_signing_in = false;
    std::jthread m_sign_in;  // the browser sign-in under way, if any
    wxStaticText* m_heading = nullptr;
    wxListCtrl* m_list = nullptr;
    wxButton* m_add = nullptr;
    wxButton* m_connect = nullptr;
    wxButton* m_disconnect = nullptr;
};

}  // namespace clearpost::gui
