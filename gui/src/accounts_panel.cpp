#include "accounts_panel.h"

#include <wx/button.h>
#include <wx/choicdlg.h>
#include <wx/listctrl.h>
#include <wx/msgdlg.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textdlg.h>

#include "async.h"
#include "clearpost/publish/plugins.h"
#include "clearpost/workflow/admin.h"
#include "dialogs.h"

namespace clearpost::gui {
namespace {

wxString status_words(const publish::AccountView& v) {
    if (v.account.status == "needs_reauthorization") return _("Must be reconnected: its credentials were refused");
    if (!v.has_credentials && !publish::connects_with_secret(v.account.network))
        return _("Not connected: its posts stop when due; connect it by signing in through the browser");
    if (!v.has_credentials) return _("Not connected: its posts stop when due; connect it");
    if (v.token_expires_at) {
        const wxString when = to_wx(format_utc(*v.token_expires_at).substr(0, 16).replace(10, 1, " ")) + " UTC";
        return v.renews ? wxString::Format(_("Connected; the token runs to %s and renews itself"), when)
                        : wxString::Format(_("Connected; the token ends %s, then it must be reconnected"), when);
    }
    return _("Connected (secret sealed in the vault)");
}

}  // namespace

AccountsPanel::AccountsPanel(wxWindow* parent, Backend& backend) : wxPanel(parent, wxID_ANY), m_backend(backend) {
    SetName(_("Accounts"));
    const int gap = FromDIP(8);
    auto* top = new wxBoxSizer(wxVERTICAL);
    m_heading = new wxStaticText(this, wxID_ANY, _("Loading..."));
    m_heading->SetFont(m_heading->GetFont().Bold());
    top->Add(m_heading, 0, wxEXPAND | wxALL, gap);
    m_list = new wxListCtrl(this, wxID_ANY, wxDefaultPosition, wxDefaultSize, wxLC_REPORT | wxLC_SINGLE_SEL);
    m_list->SetName(_("Social accounts"));
    m_list->AppendColumn(_("Network"), wxLIST_FORMAT_LEFT, FromDIP(110));
    m_list->AppendColumn(_("Account"), wxLIST_FORMAT_LEFT, FromDIP(220));
    m_list->AppendColumn(_("Status"), wxLIST_FORMAT_LEFT, FromDIP(420));
    top->Add(m_list, 1, wxEXPAND | wxLEFT | wxRIGHT, gap);
    auto* buttons = new wxBoxSizer(wxHORIZONTAL);
    m_add = new wxButton(this, wxID_ANY, _("&Add account..."));
    m_connect = new wxButton(this, wxID_ANY, _("&Connect or reconnect..."));
    buttons->Add(m_add, 0, wxRIGHT, gap);
    buttons->AddStretchSpacer();
    m_disconnect = new wxButton(this, wxID_ANY, _("&Disconnect..."));
    m_disconnect->SetToolTip(_("Revoke Clearpost's access where the network allows it and forget the account's "
                               "credentials; its queued posts then stop when due, until it is connected again"));
    buttons->Add(m_disconnect, 0, wxRIGHT, gap);
    buttons->Add(m_connect, 0);
    top->Add(buttons, 0, wxEXPAND | wxALL, gap);
    SetSizer(top);

    m_add->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { add_account(); });
    m_connect->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { ask_connect(); });
    m_disconnect->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        const long selected = m_list->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
        if (selected < 0) return;
        const auto& account = m_accounts[static_cast<std::size_t>(selected)].account;
        disconnect(account.network, account.handle);
    });
    m_list->Bind(wxEVT_LIST_ITEM_ACTIVATED, [this](wxListEvent&) { ask_connect(); });
    m_list->Bind(wxEVT_LIST_ITEM_SELECTED, [this](wxListEvent&) { show(); });
}

void AccountsPanel::set_user(const model::User& user) {
    // Read when the page is shown (the frame calls reload).
    m_user = user;
}

void AccountsPanel::reload() {
    m_loading = true;
    m_backend.run<std::vector<publish::AccountView>>(
        [](Services& s) -> Result<std::vector<publish::AccountView>> {
            CLEARPOST_ASSIGN(auto views, publish::account_views(s.store));
            // Token expiry needs the vault; one that needs a passphrase is left shut.
            if (publish::any_connected(views)) {
                if (auto vault = security::Vault::open(s.store, s.key_dir)) publish::read_token_expiry(views, *vault);
            }
            return views;
        },
        on_window<std::vector<publish::AccountView>>(
            this, [](AccountsPanel& self, Result<std::vector<publish::AccountView>> accounts) {
                self.m_loading = false;
                if (!accounts) {
                    self.m_heading->SetLabel(_("Could not read the accounts: ") + to_wx(accounts.error().message));
                    return;
                }
                self.m_accounts = std::move(*accounts);
                self.m_list->DeleteAllItems();
                for (std::size_t i = 0; i < self.m_accounts.size(); ++i) {
                    const auto& v = self.m_accounts[i];
                    const long item = self.m_list->InsertItem(static_cast<long>(i), to_wx(v.account.network));
                    self.m_list->SetItem(item, 1, to_wx(v.account.handle));
                    self.m_list->SetItem(item, 2, status_words(v));
                }
                // The status says what to do: never cut it short.
                if (!self.m_accounts.empty()) {
                    self.m_list->SetColumnWidth(2, wxLIST_AUTOSIZE);
                    if (self.m_list->GetColumnWidth(2) < self.FromDIP(420)) self.m_list->SetColumnWidth(2, self.FromDIP(420));
                }
                self.show();
            }));
}

void AccountsPanel::show() {
    const bool admin = m_user.role == model::Role::Admin;
    const auto waiting = std::count_if(m_accounts.begin(), m_accounts.end(), [](const publish::AccountView& v) {
        return !v.has_credentials || v.account.status == "needs_reauthorization";
    });
    wxString heading = wxString::Format(wxPLURAL("%zu account", "%zu accounts", m_accounts.size()), m_accounts.size());
    if (waiting > 0)
        heading += wxString::Format(wxPLURAL(", %ld needs connecting", ", %ld need connecting", waiting),
                                    static_cast<long>(waiting));
    if (!admin) heading += _(" (an admin adds and connects accounts)");
    m_heading->SetLabel(heading);
    const long selected = m_list->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
    m_add->Enable(admin);
    m_disconnect->Enable(admin && !m_signing_in && selected >= 0 &&
                         m_accounts[static_cast<std::size_t>(selected)].has_credentials);
    m_connect->Enable(admin && !m_signing_in && selected >= 0);
    Layout();
}

void AccountsPanel::add_account() {
    static const char* const networks[] = {"bluesky", "mastodon", "x", "linkedin", "facebook", "instagram", "threads"};
    wxArrayString choices;
    for (const char* n : networks) choices.Add(n);
    wxSingleChoiceDialog pick(this, _("Which network?"), _("Add account"), choices);
    if (pick.ShowModal() != wxID_OK) return;
    const std::string network = from_wx(pick.GetStringSelection());
    wxTextEntryDialog ask(this, _("The account's handle (e.g. clinic.bsky.social or clinic@mastodon.example):"),
                          _("Add account"));
    if (ask.ShowModal() != wxID_OK) return;
    add(network, from_wx(ask.GetValue().Trim().Trim(false)));
}

void AccountsPanel::add(const std::string& network, const std::string& handle) {
    m_backend.run<model::Account>(
        [user = m_user, network, handle](Services& s) {
            workflow::Admin admin(s.store, s.audit, system_now);
            return admin.add_account(user, network, handle);
        },
        on_window<model::Account>(this, [](AccountsPanel& self, Result<model::Account> added) {
            if (!added) {
                wxMessageBox(to_wx(added.error().message), _("Add account"), wxOK | wxICON_ERROR, &self);
                return;
            }
            if (self.on_changed)
                self.on_changed(wxString::Format(_("Added %s:%s; connect it before posts can go out."),
                                                 to_wx(added->network), to_wx(added->handle)));
            self.reload();
        }));
}

void AccountsPanel::ask_connect() {
    const long selected = m_list->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
    if (selected < 0 || !m_connect->IsEnabled()) return;
    const auto& account = m_accounts[static_cast<std::size_t>(selected)].account;
    if (!publish::connects_with_secret(account.network)) {
        connect_with_oauth(account.network, account.handle);
        return;
    }
    ConnectAccountDialog dialog(this, account.network, account.handle);
    if (dialog.ShowModal() != wxID_OK) return;
    if (dialog.browser() && account.network == "bluesky") {
        connect_bluesky_in_browser(account.handle, dialog.service(), dialog.appview());
    } else if (dialog.browser()) {
        connect_in_browser(account.handle, dialog.service());
    } else {
        connect(account.network, account.handle, {dialog.secret(), dialog.service(), dialog.appview()});
    }
}

void AccountsPanel::disconnect(const std::string& network, const std::string& handle, bool confirm) {
    const wxString label = to_wx(network + ":" + handle);
    if (confirm &&
        wxMessageBox(wxString::Format(_("Disconnect %s? Clearpost revokes its access where the network allows it and "
                                        "forgets the account's credentials. Its queued posts stop when they are "
                                        "due and need a retry once it is connected again."),
                                      label),
                     _("Disconnect account"), wxYES_NO | wxNO_DEFAULT | wxICON_QUESTION, this) != wxYES)
        return;
    m_backend.run<publish::Disconnected>(
        [user = m_user, network, handle](Services& s) -> Result<publish::Disconnected> {
            CLEARPOST_ASSIGN(auto vault, security::Vault::open(s.store, s.key_dir));
            net::HttpClient http;
            return publish::disconnect_account(s.store, vault, s.audit, http, user, network, handle, system_now());
        },
        on_window<publish::Disconnected>(this, [label](AccountsPanel& self, Result<publish::Disconnected> done) {
            if (!done) {
                wxMessageBox(to_wx(done.error().message), _("Disconnect account"), wxOK | wxICON_ERROR, &self);
            } else {
                wxString message = done->revoked ? wxString::Format(_("Disconnected %s; the network revoked Clearpost's access."), label)
                                                 : wxString::Format(_("Disconnected %s."), label);
                if (!done->note.empty()) message += _(" Still to do: ") + to_wx(done->note) + ".";
                if (self.on_changed) self.on_changed(message);
            }
            self.reload();
        }));
}

AccountsPanel::~AccountsPanel() {
    // A sign-in still waiting for the browser stops within a second.
    m_sign_in.request_stop();
    if (m_sign_in.joinable()) m_sign_in.join();
}

void AccountsPanel::connect_in_browser(const std::string& handle, const std::string& instance,
                                       oauth::BrowserOpener opener) {
    if (m_signing_in) return;
    // Refused before the person is sent to the browser.
    if (auto allowed = publish::check_connect(m_user, "mastodon", instance); !allowed) {
        wxMessageBox(to_wx(allowed.error().message), _("Connect account"), wxOK | wxICON_ERROR, this);
        return;
    }
    if (on_changed)
        on_changed(wxString::Format(_("Waiting for you to sign in at %s in your browser..."), to_wx(instance)));
    sign_in("mastodon:" + handle, [user = m_user, handle, instance, opener = std::move(opener)](
                                      std::stop_token stop) -> Result<SaveGrant> {
        net::HttpClient http;
        publish::BrowserSignIn browser;
        browser.instance = instance;
        browser.authorize.open_browser = opener;
        browser.authorize.stop = std::move(stop);
        CLEARPOST_ASSIGN(auto grant, publish::sign_in_to_mastodon(http, handle, browser));
        return SaveGrant([user, handle, grant](Services& s, security::Vault& vault) {
            return publish::save_mastodon_grant(s.store, vault, s.audit, user, handle, grant, system_now());
        });
    });
}

void AccountsPanel::connect_bluesky_in_browser(const std::string& handle, const std::string& service,
                                               const std::string& appview, oauth::BrowserOpener opener) {
    if (m_signing_in) return;
    if (auto allowed = publish::check_connect(m_user, "bluesky", service); !allowed) {
        wxMessageBox(to_wx(allowed.error().message), _("Connect account"), wxOK | wxICON_ERROR, this);
        return;
    }
    if (on_changed) on_changed(_("Waiting for you to sign in to Bluesky in your browser..."));
    sign_in("bluesky:" + handle, [user = m_user, handle, service, appview, opener = std::move(opener)](
                                     std::stop_token stop) -> Result<SaveGrant> {
        net::HttpClient http;
        oauth::AuthorizeOptions options;
        options.open_browser = opener;
        options.stop = std::move(stop);
        CLEARPOST_ASSIGN(auto credentials, publish::sign_in_to_bluesky(http, handle, service, appview, options));
        return SaveGrant([user, handle, credentials](Services& s, security::Vault& vault) {
            return publish::save_oauth_grant(s.store, vault, s.audit, user, "bluesky", handle, credentials, system_now());
        });
    });
}

void AccountsPanel::connect_with_oauth(const std::string& network, const std::string& handle,
                                       oauth::BrowserOpener opener) {
    if (m_signing_in) return;
    using Stored = std::optional<publish::AppRegistration>;
    m_backend.run<Stored>(
        [user = m_user, network](Services& s) -> Result<Stored> {
            CLEARPOST_CHECK(workflow::require_admin(user, "connect accounts"));
            CLEARPOST_ASSIGN(auto vault, security::Vault::open(s.store, s.key_dir));
            return publish::app_registration(vault, network);
        },
        on_window<Stored>(this, [network, handle, opener](AccountsPanel& self, Result<Stored> app) {
            if (!app) {
                wxMessageBox(to_wx(app.error().message), _("Connect account"), wxOK | wxICON_ERROR, &self);
                return;
            }
            if (!*app) {  // the organisation's app first
                AppRegistrationDialog dialog(&self, network);
                if (dialog.ShowModal() != wxID_OK) return;
                publish::AppRegistration registration;
                registration.client_id = dialog.client_id();
                registration.client_secret = dialog.client_secret();
                self.register_app(network, handle, registration, opener);
                return;
            }
            if (self.on_changed)
                self.on_changed(wxString::Format(_("Waiting for you to sign in to %s in your browser..."), to_wx(network)));
            self.sign_in(network + ":" + handle, [user = self.m_user, network, handle, registration = **app,
                                                  opener](std::stop_token stop) -> Result<SaveGrant> {
                publish::PluginRegistry plugins;
                plugins.discover(publish::default_plugin_dirs());
                net::HttpClient http;
                publish::PluginHost host(http, publish::system_now_ms, {});
                oauth::AuthorizeOptions options;
                options.open_browser = opener;
                options.stop = std::move(stop);
                CLEARPOST_ASSIGN(auto credentials,
                                 publish::sign_in_with_oauth(plugins, host, http, registration, network, handle, options));
                return SaveGrant([user, network, handle, credentials](Services& s, security::Vault& vault) {
                    return publish::save_oauth_grant(s.store, vault, s.audit, user, network, handle, credentials,
                                                     system_now());
                });
            });
        }));
}

void AccountsPanel::register_app(const std::string& network, const std::string& handle,
                                 const publish::AppRegistration& app, oauth::BrowserOpener opener) {
    m_backend.run<bool>(
        [user = m_user, network, app](Services& s) -> Result<bool> {
            publish::PluginRegistry plugins;
            plugins.discover(publish::default_plugin_dirs());
            CLEARPOST_ASSIGN(auto vault, security::Vault::open(s.store, s.key_dir));
            CLEARPOST_CHECK(publish::set_app_registration(s.store, vault, s.audit, plugins, user, network, app, system_now()));
            return true;
        },
        on_window<bool>(this, [network, handle, opener](AccountsPanel& self, Result<bool> done) {
            if (!done) {
                wxMessageBox(to_wx(done.error().message), _("Register Clearpost with the network"), wxOK | wxICON_ERROR,
                             &self);
                return;
            }
            self.connect_with_oauth(network, handle, opener);
        }));
}

// The sign-in waits for the person on a thread of its own (it may take
// minutes; closing the window stops it within a second); the grant is then
// sealed on the worker.
void AccountsPanel::sign_in(const std::string& label, std::function<Result<SaveGrant>(std::stop_token)> work) {
    m_signing_in = true;
    m_connect->Disable();
    if (m_sign_in.joinable()) m_sign_in.join();  // the previous one has finished
    m_sign_in = std::jthread([this, label, work = std::move(work)](std::stop_token stop) {
        auto save = work(stop);
        if (stop.stop_requested()) return;  // the window is closing
        CallAfter([this, label, save = std::move(save)]() mutable { finish_sign_in(label, std::move(save)); });
    });
}

void AccountsPanel::finish_sign_in(const std::string& label, Result<SaveGrant> save) {
    m_signing_in = false;
    if (!save) {
        wxMessageBox(to_wx(save.error().message), _("Connect account"), wxOK | wxICON_ERROR, this);
        show();
        return;
    }
    m_backend.run<bool>(
        [save = *save](Services& s) -> Result<bool> {
            CLEARPOST_ASSIGN(auto vault, security::Vault::open(s.store, s.key_dir));
            CLEARPOST_CHECK(save(s, vault));
            return true;
        },
        on_window<bool>(this, [label](AccountsPanel& self, Result<bool> done) {
            if (!done) {
                wxMessageBox(to_wx(done.error().message), _("Connect account"), wxOK | wxICON_ERROR, &self);
            } else if (self.on_changed) {
                self.on_changed(wxString::Format(_("Connected %s through the browser."), to_wx(label)));
            }
            self.reload();
        }));
}

void AccountsPanel::connect(const std::string& network, const std::string& handle,
                            const publish::AccountSecret& secret) {
    m_backend.run<bool>(
        [user = m_user, network, handle, secret](Services& s) -> Result<bool> {
            // The vault opens without a passphrase here (a keyring or key
            // file); one that needs a passphrase is refused with its reason.
            CLEARPOST_ASSIGN(auto vault, security::Vault::open(s.store, s.key_dir));
            CLEARPOST_CHECK(publish::connect_account(s.store, vault, s.audit, user, network, handle, secret, system_now()));
            return true;
        },
        on_window<bool>(this, [label = network + ":" + handle](AccountsPanel& self, Result<bool> done) {
            if (!done) {
                wxMessageBox(to_wx(done.error().message), _("Connect account"), wxOK | wxICON_ERROR, &self);
            } else if (self.on_changed) {
                self.on_changed(wxString::Format(_("Connected %s."), to_wx(label)));
            }
            self.reload();
        }));
}

}  // namespace clearpost::gui
