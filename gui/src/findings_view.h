#pragma once
// How findings look, shared by the composer and the approval inbox: editor
// indicators, severity words and colours, list rows and fix buttons.

#include <wx/colour.h>
#include <wx/string.h>

#include <vector>

#include "presenters/composer.h"

class wxStyledTextCtrl;
class wxListCtrl;

namespace clearpost::gui {

// Editor indicator numbers: a tint and an underline per severity.
int tint_indicator(compliance::Severity severity);
int underline_indicator(compliance::Severity severity);

void setup_editor(wxStyledTextCtrl* editor);
void show_indicators(wxStyledTextCtrl* editor, const std::vector<IndicatorSpan>& spans);

wxString severity_label(compliance::Severity severity);
wxColour severity_colour(compliance::Severity severity);
// "Patient name", "Identifier", "Policy: prohibited claim", ...
wxString finding_title(const std::string& rule, const std::string& kind);
wxString fix_label(const Fix& fix);

// Three columns: severity, finding, the flagged words.
void setup_findings_list(wxListCtrl* list);
void fill_findings_list(wxListCtrl* list, const std::vector<FindingRow>& rows);

}  // namespace clearpost::gui
