#pragma once
// Charts of a Dashboard and the PDF report, drawn with cairo (text laid out
// by Pango): anti-aliased, labelled axes and legends, the Okabe-Ito
// colour-blind-safe palette. The same drawing serves the studio (on the
// cairo context behind its window), PNG and SVG files, and the PDF.

#include <filesystem>
#include <string>
#include <string_view>

#include "clearpost/analytics/dashboard.h"
#include "clearpost/base/file.h"

typedef struct _cairo cairo_t;  // NOLINT: cairo's own declaration

namespace clearpost::analytics {

enum class Chart {
    Engagement,  // engagement per day, one line per network
    Heatmap,     // engagement per post by weekday and hour of publishing
    Findings,    // compliance findings per month (block and warn, stacked)
    Turnaround,  // median hours from submission to final approval, per month
    Followers,   // followers gained (or lost) since the period began, one line per network
};
enum class ImageFormat { Png, Svg };

// "engagement", "heatmap", "findings", "turnaround", "followers"; Invalid otherwise.
Result<Chart> parse_chart(std::string_view name);
std::string_view to_string(Chart chart);

// Draws `chart` into the rectangle (0, 0, width, height) of `cr`, in user
// units (pixels for the screen, points for PDF).
void draw_chart(cairo_t* cr, const Dashboard& dashboard, Chart chart, double width, double height);

// One chart as a PNG (2x for sharp text on any screen) or SVG file.
Result<void> write_chart(const Dashboard& dashboard, Chart chart, ImageFormat format,
                         const std::filesystem::path& path, Overwrite overwrite);

// The report for handing on, A4: a cover with the summary numbers and the
// previous period beside them, the charts, the top posts and a governance
// page; an audience page when accounts were sampled in the period. Written
// without a browser, through cairo's PDF surface.
struct PdfReportInfo {
    std::string organisation;
    UnixSeconds generated_at = 0;
};
// The PDF's bytes (to mail it), and the PDF written to `path`.
Result<std::string> pdf_report(const Dashboard& dashboard, const PdfReportInfo& info);
Result<void> write_pdf_report(const Dashboard& dashboard, const PdfReportInfo& info,
                              const std::filesystem::path& path, Overwrite overwrite);

}  // namespace clearpost::analytics
