#include "clearpost/analytics/charts.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <memory>

namespace clearpost::analytics {
namespace {

struct Rgb {
    double r, g, b;
};
constexpr Rgb rgb(unsigned hex) {
    return {((hex >> 16U) & 0xFFU) / 255.0, ((hex >> 8U) & 0xFFU) / 255.0, (hex & 0xFFU) / 255.0};
}
// Okabe & Ito's palette, which people with any common colour-vision
// deficiency tell apart; black is left out (it is the text colour).
constexpr std::array<Rgb, 7> kSeries{rgb(0x0072B2), rgb(0xE69F00), rgb(0x009E73), rgb(0xCC79A7),
                                     rgb(0x56B4E9), rgb(0xD55E00), rgb(0xF0E442)};
constexpr Rgb kText = rgb(0x222222);
constexpr Rgb kMuted = rgb(0x666666);
constexpr Rgb kGrid = rgb(0xDDDDDD);
constexpr Rgb kEmpty = rgb(0xF2F2F2);
constexpr Rgb kBlock = rgb(0xD55E00);
constexpr Rgb kWarn = rgb(0xE69F00);
// Sequential scale for the heat map (viridis' ends and middle): ordered by
// lightness, so it reads in grey and to colour-blind eyes.
constexpr std::array<Rgb, 5> kScale{rgb(0xFDE725), rgb(0x5EC962), rgb(0x21918C), rgb(0x3B528B), rgb(0x440154)};

constexpr const char* kFont = "DejaVu Sans, Sans";
constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<const char*, 7> kWeekdays{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

void set_colour(cairo_t* cr, Rgb c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

enum class Align { Left, Centre, Right };

// Text at (x, y) (its top edge), in `size` points, aligned on x; the width
// limits it (ellipsised) when > 0. Returns the size used.
struct TextSize {
    double width, height;
};
TextSize text_at(cairo_t* cr, const std::string& s, double x, double y, double size, Align align = Align::Left,
                 bool bold = false, Rgb colour = kText, double width = 0, int lines = 1) {
    PangoLayout* layout = pango_cairo_create_layout(cr);
    PangoFontDescription* font = pango_font_description_from_string(kFont);
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    if (bold) pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(layout, font);
    pango_font_description_free(font);
    pango_layout_set_text(layout, s.c_str(), static_cast<int>(s.size()));
    if (width > 0) {
        pango_layout_set_width(layout, static_cast<int>(width * PANGO_SCALE));
        pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
        pango_layout_set_height(layout, -lines);
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    }
    int w = 0;
    int h = 0;
    pango_layout_get_pixel_size(layout, &w, &h);
    double left = x;
    if (align == Align::Centre) left = x - w / 2.0;
    if (align == Align::Right) left = x - w;
    set_colour(cr, colour);
    cairo_move_to(cr, left, y);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
    return {static_cast<double>(w), static_cast<double>(h)};
}

// The same, returning only the height (what tables and titles stack by).
double text(cairo_t* cr, const std::string& s, double x, double y, double size, Align align = Align::Left,
            bool bold = false, Rgb colour = kText, double width = 0, int lines = 1) {
    return text_at(cr, s, x, y, size, align, bold, colour, width, lines).height;
}

std::string with_thousands(std::int64_t value) {
    std::string digits = std::to_string(value < 0 ? -value : value);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return value < 0 ? "-" + out : out;
}

std::string one_decimal(double value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", value);
    return buf;
}

// A step of 1, 2 or 5 times a power of ten giving about `ticks` intervals
// up to `max`.
double nice_step(double max, int ticks) {
    if (max <= 0) return 1;
    const double raw = max / ticks;
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (raw <= m * power) return std::max(1.0, m * power);
    return std::max(1.0, 10 * power);
}

std::string day_label(const schedule::LocalDate& d) {
    return std::string(kMonths[static_cast<std::size_t>(d.month - 1)]) + " " + std::to_string(d.day);
}

std::string month_label(const GovernanceMonth& m) {
    return std::string(kMonths[static_cast<std::size_t>(m.month - 1)]) + " " + std::to_string(m.year);
}

void title(cairo_t* cr, const std::string& s, double width) { text(cr, s, 0, 0, 13, Align::Left, true, kText, width); }

void no_data(cairo_t* cr, const std::string& s, double width, double height) {
    text(cr, s, width / 2, height / 2 - 8, 11, Align::Centre, false, kMuted);
}

struct Plot {
    double left, top, right, bottom;
    double width() const { return right - left; }
    double height() const { return bottom - top; }
};

// Horizontal grid lines with labels on the left from `low` (rounded down
// to a step) to `high` (rounded up); returns the axis ends.
struct Range {
    double low, high;
    double y(const Plot& p, double v) const { return p.bottom - (v - low) / (high - low) * p.height(); }
};
Range y_range(cairo_t* cr, const Plot& p, double low, double high, bool decimals = false) {
    const double step = nice_step(high - low, 4);
    const Range r{std::floor(low / step) * step, std::max(std::floor(low / step) * step + step, std::ceil(high / step) * step)};
    cairo_set_line_width(cr, 1);
    for (double v = r.low; v <= r.high + step / 2; v += step) {
        const double y = r.y(p, v);
        set_colour(cr, kGrid);
        cairo_move_to(cr, p.left, std::round(y) + 0.5);
        cairo_line_to(cr, p.right, std::round(y) + 0.5);
        cairo_stroke(cr);
        const std::string label =
            decimals && step < 1 ? one_decimal(v) : with_thousands(static_cast<std::int64_t>(std::llround(v)));
        text(cr, label, p.left - 6, y - 7, 10, Align::Right, false, kMuted);
    }
    return r;
}

// The same from 0 to `max`; returns the axis maximum.
double y_axis(cairo_t* cr, const Plot& p, double max, bool decimals = false) {
    return y_range(cr, p, 0, max, decimals).high;
}

void legend(cairo_t* cr, const std::vector<std::pair<std::string, Rgb>>& items, double x, double y) {
    for (const auto& [name, colour] : items) {
        set_colour(cr, colour);
        cairo_rectangle(cr, x, y + 3, 12, 10);
        cairo_fill(cr);
        x += 16 + text_at(cr, name, x + 16, y, 10).width + 14;
    }
}

void draw_engagement(cairo_t* cr, const Dashboard& d, double width, double height) {
    title(cr, "Engagement per day, by network", width);
    const std::size_t days = d.days.size();
    std::int64_t max = 0;
    for (const auto& series : d.engagement_by_day)
        for (auto v : series) max = std::max(max, v);
    if (days == 0 || d.current.measured == 0) {
        no_data(cr, "No engagement was reported for posts of this period", width, height);
        return;
    }
    std::vector<std::pair<std::string, Rgb>> items;
    for (std::size_t n = 0; n < d.networks.size(); ++n)
        items.emplace_back(d.networks[n].network, kSeries[n % kSeries.size()]);
    legend(cr, items, 0, 22);
    const Plot p{56, 48, width - 12, height - 26};
    const double top = y_axis(cr, p, static_cast<double>(max));
    const auto x_of = [&](std::size_t i) {
        return days == 1 ? p.left + p.width() / 2 : p.left + p.width() * static_cast<double>(i) / (days - 1);
    };
    // About one label per 70 units, always the first day.
    const std::size_t every = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(days * 70.0 / p.width())));
    for (std::size_t i = 0; i < days; i += every)
        text(cr, day_label(d.days[i]), x_of(i), p.bottom + 6, 10, Align::Centre, false, kMuted);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (std::size_t n = 0; n < d.engagement_by_day.size(); ++n) {
        const auto& series = d.engagement_by_day[n];
        set_colour(cr, kSeries[n % kSeries.size()]);
        cairo_set_line_width(cr, 2);
        for (std::size_t i = 0; i < series.size(); ++i) {
            const double y = p.bottom - static_cast<double>(series[i]) / top * p.height();
            if (i == 0) cairo_move_to(cr, x_of(i), y);
            else cairo_line_to(cr, x_of(i), y);
        }
        cairo_stroke(cr);
        if (days <= 45) {  // points where they can still be told apart
            for (std::size_t i = 0; i < series.size(); ++i) {
                cairo_arc(cr, x_of(i), p.bottom - static_cast<double>(series[i]) / top * p.height(), 2.5, 0,
                          2 * M_PI);
                cairo_fill(cr);
            }
        }
    }
}

// Growth rather than counts: a network with 40,000 followers and one with
// 300 share an axis, and what the period changed is what the report is about.
void draw_followers(cairo_t* cr, const Dashboard& d, double width, double height) {
    const std::size_t days = d.days.size();
    title(cr, days ? "Followers gained since " + day_label(d.days.front()) + ", by network" : "Followers gained", width);
    if (days == 0 || d.audience.empty()) {
        no_data(cr, "No account was sampled in this period (clearpostctl run samples them daily)", width, height);
        return;
    }
    std::vector<std::string> networks;
    std::vector<std::vector<std::int64_t>> growth;
    for (const auto& a : d.audience) {
        if (networks.empty() || networks.back() != a.network) {
            networks.push_back(a.network);
            growth.emplace_back(days, 0);
        }
        for (std::size_t i = 0; i < days; ++i) growth.back()[i] += a.followers_by_day[i] - a.start;
    }
    std::int64_t low = 0;
    std::int64_t high = 0;
    for (const auto& series : growth)
        for (auto v : series) {
            low = std::min(low, v);
            high = std::max(high, v);
        }
    std::vector<std::pair<std::string, Rgb>> items;
    for (std::size_t n = 0; n < networks.size(); ++n) items.emplace_back(networks[n], kSeries[n % kSeries.size()]);
    legend(cr, items, 0, 22);
    const Plot p{56, 48, width - 12, height - 26};
    const Range range = y_range(cr, p, static_cast<double>(low), static_cast<double>(std::max<std::int64_t>(high, 1)));
    const auto x_of = [&](std::size_t i) {
        return days == 1 ? p.left + p.width() / 2 : p.left + p.width() * static_cast<double>(i) / (days - 1);
    };
    const std::size_t every = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(days * 70.0 / p.width())));
    for (std::size_t i = 0; i < days; i += every)
        text(cr, day_label(d.days[i]), x_of(i), p.bottom + 6, 10, Align::Centre, false, kMuted);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_width(cr, 2);
    for (std::size_t n = 0; n < growth.size(); ++n) {
        set_colour(cr, kSeries[n % kSeries.size()]);
        for (std::size_t i = 0; i < days; ++i) {
            const double y = range.y(p, static_cast<double>(growth[n][i]));
            if (i == 0) cairo_move_to(cr, x_of(i), y);
            else cairo_line_to(cr, x_of(i), y);
        }
        cairo_stroke(cr);
    }
}

Rgb scale_colour(double fraction) {
    fraction = std::clamp(fraction, 0.0, 1.0) * (kScale.size() - 1);
    const auto i = std::min(static_cast<std::size_t>(fraction), kScale.size() - 2);
    const double t = fraction - static_cast<double>(i);
    const Rgb a = kScale[i];
    const Rgb b = kScale[i + 1];
    return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

void draw_heatmap(cairo_t* cr, const Dashboard& d, double width, double height) {
    title(cr, "Engagement per post by publishing time (" + d.zone.name() + ")", width);
    double max = 0;
    for (const auto& row : d.heat)
        for (const auto& cell : row) max = std::max(max, cell.per_post().value_or(0));
    if (d.current.measured == 0) {
        no_data(cr, "No engagement was reported for posts of this period", width, height);
        return;
    }
    const Plot p{40, 26, width - 12, height - 56};
    const double cw = p.width() / 24;
    const double ch = p.height() / 7;
    for (std::size_t day = 0; day < 7; ++day) {
        text(cr, kWeekdays[day], p.left - 6, p.top + ch * day + ch / 2 - 7, 10, Align::Right, false, kMuted);
        for (std::size_t hour = 0; hour < 24; ++hour) {
            const auto per_post = d.heat[day][hour].per_post();
            set_colour(cr, per_post ? scale_colour(max > 0 ? *per_post / max : 0) : kEmpty);
            cairo_rectangle(cr, p.left + cw * hour + 1, p.top + ch * day + 1, cw - 2, ch - 2);
            cairo_fill(cr);
        }
    }
    for (std::size_t hour = 0; hour < 24; hour += 3) {
        char label[8];
        std::snprintf(label, sizeof label, "%02zu:00", hour);
        text(cr, label, p.left + cw * hour + cw / 2, p.bottom + 4, 9, Align::Centre, false, kMuted);
    }
    // The scale: light is little engagement, dark is much; grey is no post.
    const double ly = p.bottom + 24;
    text(cr, "0", p.left, ly, 9, Align::Right, false, kMuted);
    for (int i = 0; i < 100; ++i) {
        set_colour(cr, scale_colour(i / 99.0));
        cairo_rectangle(cr, p.left + 4 + i * 1.5, ly + 2, 1.6, 10);
        cairo_fill(cr);
    }
    text(cr, one_decimal(max) + " per post", p.left + 160, ly, 9, Align::Left, false, kMuted);
    set_colour(cr, kEmpty);
    cairo_rectangle(cr, p.left + 280, ly + 2, 12, 10);
    cairo_fill(cr);
    text(cr, "no measured post", p.left + 296, ly, 9, Align::Left, false, kMuted);
}

// Bars per governance month; each bar stacks `parts` (value, colour) and
// carries `label` above it when that is not empty.
template <typename Parts, typename Label>
void month_bars(cairo_t* cr, const Dashboard& d, double width, double height, Parts parts, Label label, double max,
                bool decimals) {
    const Plot p{56, 48, width - 12, height - 26};
    const double top = y_axis(cr, p, max, decimals);
    const std::size_t months = d.governance.size();
    const double slot = p.width() / static_cast<double>(months);
    const double bar = std::min(48.0, slot * 0.6);
    const std::size_t every = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(months * 64.0 / p.width())));
    for (std::size_t m = 0; m < months; ++m) {
        const double x = p.left + slot * m + (slot - bar) / 2;
        double base = p.bottom;
        for (const auto& [value, colour] : parts(d.governance[m])) {
            const double h = value / top * p.height();
            set_colour(cr, colour);
            cairo_rectangle(cr, x, base - h, bar, h);
            cairo_fill(cr);
            base -= h;
        }
        if (const std::string above = label(d.governance[m]); !above.empty())
            text(cr, above, x + bar / 2, base - 15, 9, Align::Centre, false, kText);
        if (m % every == 0)
            text(cr, month_label(d.governance[m]), x + bar / 2, p.bottom + 6, 10, Align::Centre, false, kMuted);
    }
}

void draw_findings(cairo_t* cr, const Dashboard& d, double width, double height) {
    title(cr, "Compliance findings per month", width);
    double max = 0;
    for (const auto& m : d.governance) max = std::max(max, static_cast<double>(m.block_findings + m.warn_findings));
    legend(cr, {{"block", kBlock}, {"warn", kWarn}}, 0, 22);
    month_bars(
        cr, d, width, height,
        [](const GovernanceMonth& m) {
            return std::array<std::pair<double, Rgb>, 2>{{{static_cast<double>(m.block_findings), kBlock},
                                                          {static_cast<double>(m.warn_findings), kWarn}}};
        },
        [](const GovernanceMonth& m) {
            const std::size_t n = m.block_findings + m.warn_findings;
            return n == 0 ? std::string() : std::to_string(n);
        },
        max, false);
}

void draw_turnaround(cairo_t* cr, const Dashboard& d, double width, double height) {
    title(cr, "Approval turnaround: median hours from submission", width);
    double max = 0;
    for (const auto& m : d.governance) max = std::max(max, m.median_turnaround_hours.value_or(0));
    if (std::none_of(d.governance.begin(), d.governance.end(),
                     [](const GovernanceMonth& m) { return m.approvals > 0; })) {
        no_data(cr, "No post was approved in this period", width, height);
        return;
    }
    month_bars(
        cr, d, width, height,
        [](const GovernanceMonth& m) {
            return std::array<std::pair<double, Rgb>, 1>{{{m.median_turnaround_hours.value_or(0), kSeries[0]}}};
        },
        [](const GovernanceMonth& m) {
            return m.median_turnaround_hours ? one_decimal(*m.median_turnaround_hours) + " h" : std::string();
        },
        max, true);
}

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

using Surface = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
using Context = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;

Result<void> check(cairo_status_t status, const std::string& what) {
    if (status == CAIRO_STATUS_SUCCESS) return ok();
    return make_error(ErrorCode::Io, what + ": " + cairo_status_to_string(status));
}

void white(cairo_t* cr, double width, double height) {
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, 0, 0, width, height);
    cairo_fill(cr);
}

std::string local_day(UnixSeconds t, const schedule::TimeZone& zone) {
    auto local = schedule::utc_to_local(t, zone);
    if (!local) return format_utc(t);
    const auto& l = local->local;
    return std::to_string(l.day) + " " + kMonths[static_cast<std::size_t>(l.month - 1)] + " " + std::to_string(l.year);
}

std::string local_minute(UnixSeconds t, const schedule::TimeZone& zone) {
    auto local = schedule::utc_to_local(t, zone);
    if (!local) return format_utc(t);
    std::string minute = schedule::format_local_datetime(local->local).substr(0, 16);
    minute[10] = ' ';  // "2026-03-07 23:30"
    return minute;
}

// "+12%" against the previous period; "new" when there was nothing before.
std::string change(double now, double before) {
    if (before == 0) return now == 0 ? "no change" : "new";
    const double pct = (now - before) / before * 100;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%+.0f%%", pct);
    return buf;
}

double per_post(const Totals& t) {
    return t.measured == 0 ? 0 : static_cast<double>(t.engagement) / static_cast<double>(t.measured);
}

constexpr double kPageWidth = 595.276;  // A4 in points
constexpr double kPageHeight = 841.89;
constexpr double kMargin = 48;

void footer(cairo_t* cr, const PdfReportInfo& info, int page) {
    text(cr, info.organisation + " · generated " + format_utc(info.generated_at) + " · page " + std::to_string(page),
         kPageWidth / 2, kPageHeight - 30, 8, Align::Centre, false, kMuted);
}

void chart_at(cairo_t* cr, const Dashboard& d, Chart chart, double y, double height) {
    cairo_save(cr);
    cairo_translate(cr, kMargin, y);
    draw_chart(cr, d, chart, kPageWidth - 2 * kMargin, height);
    cairo_restore(cr);
}

// A table row of cells at the given x positions; the height of the tallest.
double row(cairo_t* cr, double y, const std::vector<std::pair<double, std::string>>& cells, bool bold,
           double last_width = 0, int lines = 1) {
    double h = 0;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const bool last = i + 1 == cells.size();
        const double width = last ? last_width : (cells[i + 1].first - cells[i].first - 6);
        h = std::max(h, text(cr, cells[i].second, cells[i].first, y, 9.5, Align::Left, bold, kText, width,
                             last ? lines : 1));
    }
    return h;
}

}  // namespace

Result<Chart> parse_chart(std::string_view name) {
    for (Chart c : {Chart::Engagement, Chart::Heatmap, Chart::Findings, Chart::Turnaround, Chart::Followers})
        if (to_string(c) == name) return c;
    return make_error(ErrorCode::Invalid, "unknown chart '" + std::string(name) +
                                              "'; use engagement, heatmap, findings, turnaround or followers");
}

std::string_view to_string(Chart chart) {
    switch (chart) {
        case Chart::Engagement: return "engagement";
        case Chart::Heatmap: return "heatmap";
        case Chart::Findings: return "findings";
        case Chart::Turnaround: return "turnaround";
        case Chart::Followers: return "followers";
    }
    return "engagement";
}

void draw_chart(cairo_t* cr, const Dashboard& dashboard, Chart chart, double width, double height) {
    cairo_save(cr);
    switch (chart) {
        case Chart::Engagement: draw_engagement(cr, dashboard, width, height); break;
        case Chart::Heatmap: draw_heatmap(cr, dashboard, width, height); break;
        case Chart::Findings: draw_findings(cr, dashboard, width, height); break;
        case Chart::Turnaround: draw_turnaround(cr, dashboard, width, height); break;
        case Chart::Followers: draw_followers(cr, dashboard, width, height); break;
    }
    cairo_restore(cr);
}

Result<void> write_chart(const Dashboard& dashboard, Chart chart, ImageFormat format,
                         const std::filesystem::path& path, Overwrite overwrite) {
    constexpr double kWidth = 720;
    constexpr double kHeight = 320;
    std::string bytes;
    if (format == ImageFormat::Svg) {
        Surface surface(cairo_svg_surface_create_for_stream(append_bytes, &bytes, kWidth, kHeight),
                        cairo_surface_destroy);
        {
            Context cr(cairo_create(surface.get()), cairo_destroy);
            white(cr.get(), kWidth, kHeight);
            cairo_translate(cr.get(), 12, 12);
            draw_chart(cr.get(), dashboard, chart, kWidth - 24, kHeight - 24);
            CLEARPOST_CHECK(check(cairo_status(cr.get()), "drawing the chart failed"));
        }
        cairo_surface_finish(surface.get());
        CLEARPOST_CHECK(check(cairo_surface_status(surface.get()), "writing the SVG failed"));
    } else {
        constexpr int kScale = 2;
        Surface surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(kWidth) * kScale,
                                                   static_cast<int>(kHeight) * kScale),
                        cairo_surface_destroy);
        {
            Context cr(cairo_create(surface.get()), cairo_destroy);
            cairo_scale(cr.get(), kScale, kScale);
            white(cr.get(), kWidth, kHeight);
            cairo_translate(cr.get(), 12, 12);
            draw_chart(cr.get(), dashboard, chart, kWidth - 24, kHeight - 24);
            CLEARPOST_CHECK(check(cairo_status(cr.get()), "drawing the chart failed"));
        }
        CLEARPOST_CHECK(
            check(cairo_surface_write_to_png_stream(surface.get(), append_bytes, &bytes), "writing the PNG failed"));
    }
    return write_file_atomically(path, bytes, overwrite);
}

Result<std::string> pdf_report(const Dashboard& d, const PdfReportInfo& info) {
    const schedule::TimeZone& tz = d.zone;
    std::string bytes;
    Surface surface(cairo_pdf_surface_create_for_stream(append_bytes, &bytes, kPageWidth, kPageHeight),
                    cairo_surface_destroy);
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                   ("Social media report — " + info.organisation).c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "Clearpost");
    {
        Context owner(cairo_create(surface.get()), cairo_destroy);
        cairo_t* cr = owner.get();
        const double content = kPageWidth - 2 * kMargin;
        const std::string period =
            local_day(d.period.from, tz) + " – " + local_day(d.period.to - 1, tz) + " (" + d.zone.name() + ")";
        const std::string previous = local_day(d.previous.from, tz) + " – " + local_day(d.previous.to - 1, tz);

        // 1. Cover and summary.
        double y = 120;
        y += text(cr, info.organisation, kMargin, y, 26, Align::Left, true, kText, content, 2) + 8;
        y += text(cr, "Social media report", kMargin, y, 18, Align::Left, false, kMuted) + 4;
        y += text(cr, period, kMargin, y, 12, Align::Left, false, kMuted) + 40;
        y += text(cr, "Summary", kMargin, y, 15, Align::Left, true) + 10;
        const double c1 = kMargin;
        const double c2 = kMargin + 190;
        const double c3 = kMargin + 300;
        const double c4 = kMargin + 410;
        y += row(cr, y, {{c1, ""}, {c2, "This period"}, {c3, "Previous"}, {c4, "Change"}}, true) + 6;
        const auto summary = [&](const std::string& label, const std::string& now, const std::string& before,
                                 const std::string& delta) {
            y += row(cr, y, {{c1, label}, {c2, now}, {c3, before}, {c4, delta}}, false) + 5;
        };
        summary("Posts published", with_thousands(static_cast<std::int64_t>(d.current.posts)),
                with_thousands(static_cast<std::int64_t>(d.before.posts)),
                change(static_cast<double>(d.current.posts), static_cast<double>(d.before.posts)));
        summary("Engagement", with_thousands(d.current.engagement), with_thousands(d.before.engagement),
                change(static_cast<double>(d.current.engagement), static_cast<double>(d.before.engagement)));
        summary("Engagement per post", one_decimal(per_post(d.current)), one_decimal(per_post(d.before)),
                change(per_post(d.current), per_post(d.before)));
        y += text(cr, "Previous period: " + previous + ". Engagement counts likes, reposts, replies, quotes, "
                      "shares, comments, reactions, saves, bookmarks and clicks where a network reports them; "
                      "views are not engagement. Posts whose network reported no metric are counted as posts "
                      "but not in engagement.",
                  kMargin, y + 6, 9, Align::Left, false, kMuted, content, 4) + 30;
        y += text(cr, "By network", kMargin, y, 15, Align::Left, true) + 10;
        y += row(cr, y, {{c1, "Network"}, {c2, "Posts"}, {c3, "Engagement"}, {c4, "Previous"}}, true) + 6;
        for (const auto& n : d.networks) {
            y += row(cr, y,
                     {{c1, n.network},
                      {c2, with_thousands(static_cast<std::int64_t>(n.current.posts))},
                      {c3, with_thousands(n.current.engagement)},
                      {c4, with_thousands(n.previous.engagement)}},
                     false) + 5;
            if (y > kPageHeight - 80) break;
        }
        footer(cr, info, 1);
        cairo_show_page(cr);

        // 2. Charts.
        chart_at(cr, d, Chart::Engagement, kMargin, 330);
        chart_at(cr, d, Chart::Heatmap, kMargin + 370, 300);
        footer(cr, info, 2);
        cairo_show_page(cr);

        // 3. Top posts.
        y = kMargin;
        y += text(cr, "Top posts", kMargin, y, 15, Align::Left, true) + 12;
        const double t1 = kMargin;
        const double t2 = kMargin + 22;
        const double t3 = kMargin + 120;
        const double t4 = kMargin + 186;
        const double t5 = kMargin + 226;
        y += row(cr, y, {{t1, "#"}, {t2, "Published"}, {t3, "Network"}, {t4, "Eng."}, {t5, "Post"}}, true,
                 content - (t5 - kMargin)) + 6;
        if (d.top.empty()) text(cr, "No post of this period has reported engagement yet.", kMargin, y, 10);
        for (std::size_t i = 0; i < d.top.size() && y < kPageHeight - 110; ++i) {
            const auto& t = d.top[i].row.target;
            std::string post = t.text;
            if (!t.remote_url.empty()) post += "\n" + t.remote_url;
            y += row(cr, y,
                     {{t1, std::to_string(i + 1)},
                      {t2, local_minute(t.published_at, tz)},
                      {t3, t.network},
                      {t4, with_thousands(d.top[i].engagement)},
                      {t5, post}},
                     false, content - (t5 - kMargin), 4) + 10;
        }
        footer(cr, info, 3);
        cairo_show_page(cr);

        // 4. By tag, only when posts of the period carry tags (campaigns,
        // topics): a report of an organisation that does not tag is
        // unchanged.
        int page = 4;
        if (!d.tags.empty()) {
            y = kMargin;
            y += text(cr, "By tag", kMargin, y, 15, Align::Left, true) + 12;
            const double b2 = kMargin + 120;
            const double b3 = kMargin + 165;
            const double b4 = kMargin + 225;
            const double b5 = kMargin + 310;
            y += row(cr, y, {{t1, "Tag"}, {b2, "Posts"}, {b3, "Published"}, {b4, "Engagement"}, {b5, "Metrics"}},
                     true, content - (b5 - kMargin)) + 6;
            std::size_t shown = 0;
            for (const auto& t : d.tags) {
                if (y > kPageHeight - 110) break;
                std::string metrics;
                for (const auto& [name, value] : t.metrics)
                    metrics += (metrics.empty() ? "" : " · ") + name + " " + with_thousands(value);
                y += row(cr, y,
                         {{t1, t.tag},
                          {b2, with_thousands(static_cast<std::int64_t>(t.posts))},
                          {b3, with_thousands(static_cast<std::int64_t>(t.targets))},
                          {b4, t.engagement.measured ? with_thousands(t.engagement.engagement) : "–"},
                          {b5, metrics.empty() ? "–" : metrics}},
                         false, content - (b5 - kMargin), 3) + 5;
                ++shown;
            }
            if (shown < d.tags.size()) {
                y += text(cr, "… and " + std::to_string(d.tags.size() - shown) +
                                  " more tags; the studio's Dashboard page lists them all.",
                          kMargin, y + 6, 9, Align::Left, false, kMuted, content) + 6;
            }
            y += 10;
            text(cr, "A post with several tags counts under each; a published target counts once per tag. "
                     "Metrics are each network's newest numbers.",
                 kMargin, std::max(y, kPageHeight - 100), 9, Align::Left, false, kMuted, content, 3);
            footer(cr, info, page++);
            cairo_show_page(cr);
        }

        // Audience, only when accounts were sampled in the period.
        if (!d.audience.empty()) {
            y = kMargin;
            y += text(cr, "Audience", kMargin, y, 15, Align::Left, true) + 12;
            chart_at(cr, d, Chart::Followers, y, 280);
            y += 300;
            const double a2 = kMargin + 200;
            const double a3 = kMargin + 290;
            const double a4 = kMargin + 380;
            y += row(cr, y, {{t1, "Account"}, {a2, "Followers"}, {a3, "At the start"}, {a4, "Change"}}, true, 100) + 6;
            std::size_t shown = 0;
            for (const auto& a : d.audience) {
                if (y > kPageHeight - 110) break;
                const std::int64_t delta = a.change();
                y += row(cr, y,
                         {{t1, a.network + " · " + a.handle},
                          {a2, with_thousands(a.end)},
                          {a3, with_thousands(a.start)},
                          {a4, delta == 0 ? std::string("no change")
                                          : (delta > 0 ? "+" : "") + with_thousands(delta) + " (" +
                                                change(static_cast<double>(a.end), static_cast<double>(a.start)) +
                                                ")"}},
                         false, 100) + 5;
                ++shown;
            }
            if (shown < d.audience.size()) {
                y += text(cr, "… and " + std::to_string(d.audience.size() - shown) +
                                  " more accounts; the studio's Dashboard page lists them all.",
                          kMargin, y + 6, 9, Align::Left, false, kMuted, content) + 6;
            }
            text(cr, "Followers as each network reported them, sampled once a day; the start is the newest sample "
                     "before the period began, else its first.",
                 kMargin, std::max(y + 10, kPageHeight - 100), 9, Align::Left, false, kMuted, content, 3);
            footer(cr, info, page++);
            cairo_show_page(cr);
        }

        // Governance.
        y = kMargin;
        y += text(cr, "Governance", kMargin, y, 15, Align::Left, true) + 12;
        chart_at(cr, d, Chart::Findings, y, 230);
        chart_at(cr, d, Chart::Turnaround, y + 250, 230);
        y += 500;
        const double g2 = kMargin + 70;
        const double g3 = kMargin + 125;
        const double g4 = kMargin + 180;
        const double g5 = kMargin + 300;
        const double g6 = kMargin + 360;
        y += row(cr, y,
                 {{t1, "Month"}, {g2, "Versions"}, {g3, "Blocked"}, {g4, "Findings"}, {g5, "Approved"},
                  {g6, "Median / p90 hours"}},
                 true, 130) + 6;
        for (const auto& m : d.governance) {
            if (y > kPageHeight - 80) break;
            const std::string hours = m.median_turnaround_hours ? one_decimal(*m.median_turnaround_hours) + " / " +
                                                                      one_decimal(m.p90_turnaround_hours.value_or(0))
                                                                : "–";
            y += row(cr, y,
                     {{t1, month_label(m)},
                      {g2, std::to_string(m.versions)},
                      {g3, std::to_string(m.verdict_block)},
                      {g4, std::to_string(m.block_findings) + " block, " + std::to_string(m.warn_findings) + " warn"},
                      {g5, std::to_string(m.approvals)},
                      {g6, hours}},
                     false, 130) + 4;
        }
        footer(cr, info, page);
        cairo_show_page(cr);
        CLEARPOST_CHECK(check(cairo_status(cr), "drawing the report failed"));
    }
    cairo_surface_finish(surface.get());
    CLEARPOST_CHECK(check(cairo_surface_status(surface.get()), "writing the PDF failed"));
    return bytes;
}

Result<void> write_pdf_report(const Dashboard& d, const PdfReportInfo& info, const std::filesystem::path& path,
                              Overwrite overwrite) {
    CLEARPOST_ASSIGN(auto bytes, pdf_report(d, info));
    return write_file_atomically(path, bytes, overwrite);
}

}  // namespace clearpost::analytics
