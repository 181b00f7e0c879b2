#include "findings_view.h"

#include <wx/listctrl.h>
#include <wx/settings.h>
#include <wx/stc/stc.h>

#include "dialogs.h"

namespace clearpost::gui {

using compliance::Severity;

namespace {
int severity_index(Severity s) {
    switch (s) {
    case Severity::Block: return 0;
    case Severity::Warn: return 1;
    case Severity::Info: return 2;
    }
    return 1;
}
}  // namespace

// Scintilla reserves the low indicator numbers for lexers; 8 and up are ours.
int tint_indicator(Severity s) { return 8 + severity_index(s); }
int underline_indicator(Severity s) { return 11 + severity_index(s); }

void setup_editor(wxStyledTextCtrl* editor) {
    editor->SetWrapMode(wxSTC_WRAP_WORD);
    editor->SetMarginWidth(0, 0);
    editor->SetMarginWidth(1, 0);
    editor->SetMarginLeft(editor->FromDIP(6));
    editor->SetMarginRight(editor->FromDIP(6));
    editor->SetCodePage(wxSTC_CP_UTF8);
    editor->SetEOLMode(wxSTC_EOL_LF);
    editor->SetUseHorizontalScrollBar(false);
    // Monospace: Scintilla measures characters one by one, so a proportional
    // font's ligatures ("fl", "fi") shift every mark after them on GTK.
    editor->StyleSetFont(wxSTC_STYLE_DEFAULT, wxFont(wxFontInfo(11).Family(wxFONTFAMILY_TELETYPE)));
    // Scintilla paints black on white whatever the desktop's theme: take the
    // theme's colours, so a dark desktop gets a dark editor.
    const wxColour window = wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOW);
    const wxColour text = wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOWTEXT);
    editor->StyleSetBackground(wxSTC_STYLE_DEFAULT, window);
    editor->StyleSetForeground(wxSTC_STYLE_DEFAULT, text);
    editor->StyleClearAll();
    editor->SetCaretForeground(text);
    editor->SetSelBackground(true, wxSystemSettings::GetColour(wxSYS_COLOUR_HIGHLIGHT));
    editor->SetSelForeground(true, wxSystemSettings::GetColour(wxSYS_COLOUR_HIGHLIGHTTEXT));
    for (Severity s : {Severity::Block, Severity::Warn, Severity::Info}) {
        editor->IndicatorSetStyle(tint_indicator(s), wxSTC_INDIC_STRAIGHTBOX);
        editor->IndicatorSetForeground(tint_indicator(s), severity_colour(s));
        editor->IndicatorSetAlpha(tint_indicator(s), 50);
        editor->IndicatorSetOutlineAlpha(tint_indicator(s), 0);
        editor->IndicatorSetUnder(tint_indicator(s), true);
        editor->IndicatorSetStyle(underline_indicator(s), wxSTC_INDIC_SQUIGGLEPIXMAP);
        editor->IndicatorSetForeground(underline_indicator(s), severity_colour(s));
    }
    editor->SetMouseDwellTime(400);
}

void show_indicators(wxStyledTextCtrl* editor, const std::vector<IndicatorSpan>& spans) {
    const int length = editor->GetLength();
    for (Severity s : {Severity::Block, Severity::Warn, Severity::Info}) {
        for (int indicator : {tint_indicator(s), underline_indicator(s)}) {
            editor->SetIndicatorCurrent(indicator);
            editor->IndicatorClearRange(0, length);
        }
    }
    for (const auto& span : spans) {
        for (int indicator : {tint_indicator(span.severity), underline_indicator(span.severity)}) {
            editor->SetIndicatorCurrent(indicator);
            editor->IndicatorFillRange(static_cast<int>(span.start), static_cast<int>(span.length));
        }
    }
}

wxString severity_label(Severity s) {
    switch (s) {
    case Severity::Block: return _("Block");
    case Severity::Warn: return _("Warning");
    case Severity::Info: return _("Note");
    }
    return {};
}

wxColour severity_colour(Severity s) {
    // Lighter on a dark theme, so the words keep their contrast.
    const bool dark = wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOW).GetLuminance() < 0.5;
    switch (s) {
    case Severity::Block: return dark ? wxColour(255, 105, 110) : wxColour(200, 35, 45);
    case Severity::Warn: return dark ? wxColour(255, 170, 60) : wxColour(215, 125, 0);
    case Severity::Info: return dark ? wxColour(110, 170, 255) : wxColour(35, 105, 200);
    }
    return *wxBLACK;
}

wxString finding_title(const std::string& rule, const std::string& kind) {
    if (rule.rfind("phi.", 0) == 0) {
        static const std::pair<const char*, const char*> kinds[] = {
            {"name", wxTRANSLATE("Person's name")},   {"date", wxTRANSLATE("Date about a person")},
            {"age", wxTRANSLATE("Age over 89")},      {"phone", wxTRANSLATE("Phone number")},
            {"email", wxTRANSLATE("E-mail address")}, {"address", wxTRANSLATE("Street address")},
            {"geo", wxTRANSLATE("Small place")},      {"mrn", wxTRANSLATE("Medical record number")},
            {"ssn", wxTRANSLATE("Social Security number")}, {"health_plan", wxTRANSLATE("Health plan number")},
            {"account", wxTRANSLATE("Account number")}, {"license", wxTRANSLATE("Licence number")},
            {"vehicle", wxTRANSLATE("Vehicle identifier")}, {"device", wxTRANSLATE("Device identifier")},
            {"url", wxTRANSLATE("Identifying link")}, {"ip", wxTRANSLATE("IP address")},
            {"other_id", wxTRANSLATE("Identifier")},
        };
        for (const auto& [k, title] : kinds)
            if (kind == k) return wxGetTranslation(title);
    }
    if (rule == "policy.prohibited-claim") return _("Prohibited claim");
    if (rule == "policy.medical-disclaimer") return _("Missing disclaimer");
    if (rule == "policy.sponsored-disclosure") return _("Missing sponsor disclosure");
    if (rule == "policy.alt-text") return _("Image without alt text");
    if (rule == "policy.external-link") return _("Outside link");
    if (rule == "policy.url-shortener") return _("Shortened link");
    return to_wx(rule);
}

wxString fix_label(const Fix& fix) {
    switch (fix.kind) {
    case FixKind::Remove: return wxString::Format(_("&Remove \"%s\""), to_wx(fix.subject));
    case FixKind::UsePublicContact:
        return wxString::Format(_("&Replace with %s"), to_wx(fix.replacement));
    case FixKind::AddDisclaimer: return _("&Add the disclaimer");
    case FixKind::AddDisclosure: return _("&Add #ad at the start");
    }
    return _("&Fix");
}

void setup_findings_list(wxListCtrl* list) {
    list->AppendColumn(_("Severity"), wxLIST_FORMAT_LEFT, list->FromDIP(80));
    list->AppendColumn(_("Finding"), wxLIST_FORMAT_LEFT, list->FromDIP(170));
    list->AppendColumn(_("Words"), wxLIST_FORMAT_LEFT, list->FromDIP(150));
}

void fill_findings_list(wxListCtrl* list, const std::vector<FindingRow>& rows) {
    list->Freeze();
    list->DeleteAllItems();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const long item = list->InsertItem(static_cast<long>(i), severity_label(r.severity));
        list->SetItem(item, 1, finding_title(r.rule, r.kind));
        list->SetItem(item, 2, r.excerpt.empty() ? wxString(_("(whole post)")) : to_wx(r.excerpt));
        list->SetItemTextColour(item, severity_colour(r.severity));
    }
    list->Thaw();
}

}  // namespace clearpost::gui
