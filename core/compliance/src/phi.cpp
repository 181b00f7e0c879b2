// PHI detectors: hand-written scanners over bytes and tokens (no regular
// expressions), so a 500-character post is checked in microseconds.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <initializer_list>
#include <cstdint>
#include <iterator>
#include <unordered_map>
#include <unordered_set>

#include "clearpost/text/count.h"
#include "engine_impl.h"

namespace clearpost::compliance::detail {

namespace {

using Words = std::initializer_list<std::string_view>;

bool in(Words words, std::string_view w) {
    return std::find(words.begin(), words.end(), w) != words.end();
}

// Membership in one of the word arrays below, through a hash set built on
// first use (a function-local static: thread-safe, no global constructor).
template <const auto& Words>
bool in_set(std::string_view w) {
    static const std::unordered_set<std::string_view> set(std::begin(Words), std::end(Words));
    return set.count(w) != 0;
}

// Equality with a short literal, compared inline: the length is known at
// compile time, so there is no call to memcmp on the hot paths (and none
// to is_word itself: GCC kept some of its instances out of line).
template <std::size_t N>
[[gnu::always_inline]] inline bool is_word(std::string_view w, const char (&literal)[N]) {
    return w.size() == N - 1 && __builtin_memcmp(w.data(), literal, N - 1) == 0;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }

int to_int(std::string_view digits) {
    int v = 0;
    for (char c : digits) {
        if (!is_digit(c)) break;
        v = v * 10 + (c - '0');
        if (v > 100000) break;
    }
    return v;
}

// Digit-group lengths equal to `want` ("3-3-4"), without building a vector.
bool groups_are(const std::vector<std::size_t>& groups, std::initializer_list<std::size_t> want) {
    return std::equal(groups.begin(), groups.end(), want.begin(), want.end());
}

std::string digits_of(std::string_view s) {
    std::string out;
    for (char c : s)
        if (is_digit(c)) out.push_back(c);
    return out;
}

// Words and phrase lists of the detectors. They are about language, not
// about any organisation; organisation data comes from the profile.
constexpr std::string_view kHonorifics[] = {"mr", "mrs", "ms", "miss", "mx"};
constexpr std::string_view kDoctor[] = {"dr", "doctor", "dra", "drs"};
constexpr std::string_view kKinship[] = {
    "mom", "mother", "dad", "father", "son", "daughter", "wife", "husband", "brother", "brothers", "sister", "sisters",
    "niece", "nephew", "aunt", "uncle", "cousin", "grandpa", "grandma", "granddad", "grandmother", "grandfather",
    "granddaughter", "grandson", "grandchild", "parents", "mama", "papa", "mum", "hijo", "hija", "abuela", "abuelo",
    "esposo", "esposa", "tia", "tio", "hermano", "hermana", "nieto", "nieta", "baby", "twins", "partner", "fiance",
    "fiancee", "stepson", "stepdaughter", "caregiver"};
constexpr std::string_view kDescriptors[] = {
    "baby", "little", "big", "grandpa", "grandma", "mom", "dad", "mama", "papa", "dona", "don", "captain", "capt",
    "chief", "deputy", "fire", "police", "officer", "coach", "pastor", "mayor", "olympian", "patient", "paciente",
    "sister", "brother", "uncle", "aunt", "nurse", "sergeant", "sgt", "lieutenant", "judge", "father", "mother",
    "abuela", "abuelo", "tia", "tio", "senor", "senora", "sr", "sra", "srta", "grandmother", "grandfather"};
constexpr std::string_view kGreetings[] = {"hi", "hello", "hey", "dear", "hola", "querida", "querido", "estimada", "estimado",
                              "congrats", "congratulations", "felicidades", "felicitaciones", "bienvenida",
                              "bienvenido", "welcome", "thanks", "thank"};
constexpr std::string_view kFillers[] = {"our", "the", "your", "my", "his", "her", "their", "to", "of", "and", "y", "a",
                            "la", "el", "su", "tu", "mi", "nuestra", "nuestro", "dear", "beloved", "proud", "new",
                            "youngest", "oldest", "favorite", "favourite", "sweet", "you", "for", "de", "del"};
constexpr std::string_view kNotNameWords[] = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "christmas",
    "thanksgiving", "easter", "halloween", "clinic", "clinics", "center", "centre", "hospital", "school", "district",
    "foundation", "fund", "council", "guild", "bank", "gazette", "team", "department", "program", "office",
    "association", "academy", "university", "college", "church", "society", "committee", "club", "week", "month",
    "day", "awareness", "house", "lifeline", "health", "care", "community", "medical", "services", "pharmacy",
    "street", "road", "avenue", "lane", "drive", "county", "city", "state", "island", "point", "cove", "harbor",
    "bay", "ridge", "flats", "lobby", "wing", "suite", "unit", "room", "bed", "floor", "nursery", "ward", "inc",
    "llc", "corp", "company", "group", "network", "institute", "news", "radio", "tv", "summit", "conference",
    "award", "year", "leader", "leaders", "hall", "park", "library", "museum", "market", "cafe", "orchards",
    "marina", "ferry", "dock", "airport", "station", "system", "plan", "report", "press", "release", "live",
    "chair", "yoga", "nurses", "nursing", "physician", "pediatrics", "medicine", "feliz", "cumpleanos", "dia",
    "mes", "clinica", "centro", "partos", "god", "lord", "jesus", "amen", "ok", "okay", "covid", "rsv", "hipaa"};
constexpr std::string_view kStreetSuffixes[] = {"street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "drive", "boulevard",
                                   "blvd", "way", "court", "ct", "place", "pl", "terrace", "circle", "cir",
                                   "highway", "hwy", "parkway", "pkwy", "trail", "loop", "square", "calle",
                                   "avenida", "row", "alley", "path"};
constexpr std::string_view kPlaceSuffixes[] = {"point", "island", "isle", "cove", "harbor", "harbour", "ridge", "flats", "bay",
                                  "creek", "falls", "springs", "heights", "valley", "hills", "lake", "beach",
                                  "landing", "junction", "village", "hollow", "bluff", "bluffs", "prairie", "grove",
                                  "crossing", "mills", "meadows", "cape", "inlet", "reservation", "township",
                                  "borough", "canyon", "mesa", "pines", "woods", "gulch", "narrows", "rapids"};
constexpr std::string_view kFacilitySuffixes[] = {"living", "manor", "apartments", "apts", "residences", "homes", "home",
                                     "towers", "lodge", "commons", "estates", "gardens"};
constexpr std::string_view kActivityWords[] = {"class", "classes", "meeting", "session", "workshop", "seminar", "lecture",
                                  "training", "conference", "clase", "taller", "exam", "rooms", "event", "fair",
                                  "webinar", "orientation", "course", "group"};
constexpr std::string_view kMonths[] = {"january", "february", "march", "april", "may", "june", "july", "august", "september",
                           "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
                           "sep", "sept", "oct", "nov", "dec"};
constexpr std::string_view kSpanishMonths[] = {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                                  "septiembre", "setiembre", "octubre", "noviembre", "diciembre"};
constexpr std::string_view kDateTieWords[] = {
    "born", "birth", "birthday", "dob", "nacio", "nacida", "nacido", "cumpleanos", "admitted", "admission",
    "discharged", "discharge", "surgery", "procedure", "operation", "passed", "died", "death", "funeral",
    "appointment", "appointments", "cita", "consulta", "delivered", "diagnosed", "diagnosis", "confirmed", "infusion",
    "mri", "scan", "sober", "transplant", "home", "follow-up", "attack", "stroke", "treated", "visit", "test",
    "biopsy", "results", "chemo", "injury", "fell", "accident", "logins", "login", "records", "seen", "rehab"};
constexpr std::string_view kOverrideWords[] = {"recovering", "diagnosed", "admitted", "discharged", "hospitalized"};
constexpr std::string_view kRoles[] = {"harbor", "harbormaster", "mayor", "sheriff", "fire", "police", "postmaster",
                          "postmistress", "principal", "pastor", "priest", "rabbi", "imam", "judge", "librarian",
                          "lighthouse", "ferry", "coroner", "town", "fire-chief", "superintendent"};
constexpr std::string_view kRoleEnds[] = {"master", "harbormaster", "mayor", "sheriff", "chief", "postmaster", "postmistress",
                             "principal", "pastor", "priest", "rabbi", "imam", "judge", "librarian", "keeper",
                             "captain", "coroner", "clerk", "superintendent"};
constexpr std::string_view kTollFree[] = {"800", "888", "877", "866", "855", "844", "833"};

constexpr std::string_view kRoomWords[] = {"room", "bed", "bay", "habitacion", "cama", "cuarto"};
constexpr std::string_view kHolidays[] = {"thanksgiving", "easter", "halloween", "nochebuena", "christmas"};
constexpr std::string_view kStreetPreps[] = {"on", "off", "near", "along", "en", "calle"};
constexpr std::string_view kAptWords[] = {"apt", "apartment", "unit", "apto", "departamento"};
constexpr std::string_view kPlaceLead[] = {"from", "in", "on", "at", "near", "of", "the", "only"};
constexpr std::string_view kCueWords[] = {"patient", "paciente", "familia", "memory", "birthday", "bday",
                                          "fisherman", "teacher", "owner", "resident", "veteran", "neighbor",
                                          "widow", "widower", "grader"};
constexpr std::string_view kNameParticles[] = {"de", "del", "van", "von", "da", "di", "le", "la"};

constexpr std::string_view kLocatives[] = {"from", "in", "on", "at", "near", "of", "to", "outside", "around",
                                           "en", "de", "desde", "cerca", "toward", "towards", "into"};
constexpr std::string_view kRarity[] = {"only", "first", "rare", "village", "hamlet", "tiny", "remote", "unica", "unico",
                                        "primer", "primera"};
constexpr std::string_view kStates[] = {
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware", "florida",
    "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas", "kentucky", "louisiana", "maine",
    "maryland", "massachusetts", "michigan", "minnesota", "mississippi", "missouri", "montana", "nebraska", "nevada",
    "hampshire", "jersey", "mexico", "york", "carolina", "dakota", "ohio", "oklahoma", "oregon", "pennsylvania",
    "rhode", "tennessee", "texas", "utah", "vermont", "virginia", "washington", "wisconsin", "wyoming", "america",
    "usa", "canada", "us", "u", "s", "puerto", "rico", "guam", "county", "state", "region", "nation", "country",
    "europe", "asia", "africa", "oaxaca", "guatemala", "honduras", "salvador", "philippines", "vietnam", "china",
    "india", "korea", "japan", "samoa", "tonga", "ukraine", "russia", "somalia", "ethiopia", "kenya", "nigeria",
    "jalisco", "michoacan", "chiapas", "puebla", "sonora", "chihuahua", "sinaloa", "yucatan", "veracruz", "zacatecas"};

constexpr std::string_view kPersonalEvents[] = {
    "born", "birth", "birthday", "dob", "nacio", "nacida", "nacido", "cumpleanos", "admitted", "discharged",
    "passed", "died", "death", "funeral", "delivered", "diagnosed", "sober", "fell", "accident"};
constexpr std::string_view kPersonalWords[] = {"your", "his", "her", "my", "their", "she", "he", "him", "patient",
                                               "su", "tu", "mi", "ella", "el", "paciente", "mom", "dad", "son",
                                               "daughter", "wife", "husband"};

// Every word array above gets one bit; the engine's lexicon gives each token
// its classes once (add_phi_words).
struct WordClass {
    const std::string_view* begin;
    std::size_t size;
};
constexpr WordClass kClasses[] = {
    {kHonorifics, std::size(kHonorifics)},         {kDoctor, std::size(kDoctor)},
    {kKinship, std::size(kKinship)},               {kDescriptors, std::size(kDescriptors)},
    {kGreetings, std::size(kGreetings)},           {kFillers, std::size(kFillers)},
    {kNotNameWords, std::size(kNotNameWords)},     {kStreetSuffixes, std::size(kStreetSuffixes)},
    {kPlaceSuffixes, std::size(kPlaceSuffixes)},   {kFacilitySuffixes, std::size(kFacilitySuffixes)},
    {kActivityWords, std::size(kActivityWords)},   {kMonths, std::size(kMonths)},
    {kSpanishMonths, std::size(kSpanishMonths)},   {kDateTieWords, std::size(kDateTieWords)},
    {kOverrideWords, std::size(kOverrideWords)},   {kRoles, std::size(kRoles)},
    {kRoleEnds, std::size(kRoleEnds)},             {kRoomWords, std::size(kRoomWords)},
    {kHolidays, std::size(kHolidays)},             {kStreetPreps, std::size(kStreetPreps)},
    {kAptWords, std::size(kAptWords)},             {kPlaceLead, std::size(kPlaceLead)},
    {kCueWords, std::size(kCueWords)},             {kNameParticles, std::size(kNameParticles)},
    {kLocatives, std::size(kLocatives)},           {kRarity, std::size(kRarity)},
    {kStates, std::size(kStates)},                 {kPersonalEvents, std::size(kPersonalEvents)},
    {kPersonalWords, std::size(kPersonalWords)},
};

static_assert(std::size(kClasses) <= 32, "one bit per word class");

// The bit of a word array, known at compile time.
template <const auto& Words>
constexpr std::uint32_t bit_of() {
    for (std::size_t c = 0; c < std::size(kClasses); ++c)
        if (kClasses[c].begin == std::begin(Words)) return 1U << c;
    return 0U;
}

struct IdKeyword {
    std::array<std::string_view, 4> words;
    std::size_t size;
    PhiKind kind;
};

constexpr std::array<IdKeyword, 60> kIdKeywords{{
    {{"medicaid"}, 1, PhiKind::HealthPlan},
    {{"medicare"}, 1, PhiKind::HealthPlan},
    {{"box"}, 1, PhiKind::Address},
    {{"mrn"}, 1, PhiKind::Mrn},
    {{"medical", "record", "number"}, 3, PhiKind::Mrn},
    {{"medical", "record", "no"}, 3, PhiKind::Mrn},
    {{"medical", "record"}, 2, PhiKind::Mrn},
    {{"record", "number"}, 2, PhiKind::Mrn},
    {{"chart", "number"}, 2, PhiKind::Mrn},
    {{"patient", "id"}, 2, PhiKind::Mrn},
    {{"patient", "number"}, 2, PhiKind::Mrn},
    {{"expediente"}, 1, PhiKind::Mrn},
    {{"member", "id"}, 2, PhiKind::HealthPlan},
    {{"member", "number"}, 2, PhiKind::HealthPlan},
    {{"medicaid", "id"}, 2, PhiKind::HealthPlan},
    {{"medicaid", "number"}, 2, PhiKind::HealthPlan},
    {{"medicare", "id"}, 2, PhiKind::HealthPlan},
    {{"medicare", "number"}, 2, PhiKind::HealthPlan},
    {{"mbi"}, 1, PhiKind::HealthPlan},
    {{"subscriber", "id"}, 2, PhiKind::HealthPlan},
    {{"policy", "number"}, 2, PhiKind::HealthPlan},
    {{"insurance", "id"}, 2, PhiKind::HealthPlan},
    {{"plan", "id"}, 2, PhiKind::HealthPlan},
    {{"beneficiary", "id"}, 2, PhiKind::HealthPlan},
    {{"account"}, 1, PhiKind::Account},
    {{"acct"}, 1, PhiKind::Account},
    {{"account", "number"}, 2, PhiKind::Account},
    {{"claim"}, 1, PhiKind::Account},
    {{"claim", "number"}, 2, PhiKind::Account},
    {{"invoice"}, 1, PhiKind::Account},
    {{"cuenta"}, 1, PhiKind::Account},
    {{"license"}, 1, PhiKind::License},
    {{"licence"}, 1, PhiKind::License},
    {{"driver", "license"}, 2, PhiKind::License},
    {{"drivers", "license"}, 2, PhiKind::License},
    {{"license", "number"}, 2, PhiKind::License},
    {{"licencia"}, 1, PhiKind::License},
    {{"certificate"}, 1, PhiKind::License},
    {{"dl"}, 1, PhiKind::License},
    {{"plate"}, 1, PhiKind::Vehicle},
    {{"license", "plate"}, 2, PhiKind::Vehicle},
    {{"licence", "plate"}, 2, PhiKind::Vehicle},
    {{"plates"}, 1, PhiKind::Vehicle},
    {{"vin"}, 1, PhiKind::Vehicle},
    {{"placa"}, 1, PhiKind::Vehicle},
    {{"serial"}, 1, PhiKind::Device},
    {{"serial", "number"}, 2, PhiKind::Device},
    {{"sn"}, 1, PhiKind::Device},
    {{"s", "n"}, 2, PhiKind::Device},
    {{"device", "id"}, 2, PhiKind::Device},
    {{"imei"}, 1, PhiKind::Device},
    {{"udi"}, 1, PhiKind::Device},
    {{"ssn"}, 1, PhiKind::Ssn},
    {{"social", "security", "number"}, 3, PhiKind::Ssn},
    {{"social", "security"}, 2, PhiKind::Ssn},
    {{"seguro", "social"}, 2, PhiKind::Ssn},
    {{"rx"}, 1, PhiKind::OtherId},
    {{"prescription"}, 1, PhiKind::OtherId},
    {{"prescription", "number"}, 2, PhiKind::OtherId},
    {{"case", "number"}, 2, PhiKind::OtherId},
}};

// "This looks like <what the kind is>.", spelled out per kind so that a
// candidate points at static text instead of owning a string.
std::string_view kind_message(PhiKind kind) {
    switch (kind) {
    case PhiKind::Name: return "This looks like a person's name.";
    case PhiKind::Date: return "This looks like a date tied to a person.";
    case PhiKind::Age: return "This looks like an age over 89.";
    case PhiKind::Phone: return "This looks like a phone number that is not one of the organisation's.";
    case PhiKind::Email: return "This looks like an e-mail address that is not one of the organisation's.";
    case PhiKind::Address: return "This looks like a street address.";
    case PhiKind::Geo: return "This looks like a place smaller than a state.";
    case PhiKind::Mrn: return "This looks like a medical record number.";
    case PhiKind::Ssn: return "This looks like a Social Security number.";
    case PhiKind::HealthPlan: return "This looks like a health-plan member number.";
    case PhiKind::Account: return "This looks like an account or claim number.";
    case PhiKind::License: return "This looks like a licence or certificate number.";
    case PhiKind::Vehicle: return "This looks like a vehicle identifier or licence plate.";
    case PhiKind::Device: return "This looks like a device serial number.";
    case PhiKind::Url: return "This looks like a link that carries a person's name or ID.";
    case PhiKind::Ip: return "This looks like an IP address.";
    case PhiKind::OtherId: return "This looks like a unique identifier (room, bed, prescription, handle or one-of-a-kind role).";
    }
    return "This looks like an identifier.";
}

std::string_view kind_fix(PhiKind kind) {
    switch (kind) {
    case PhiKind::Name: return "Remove the name, or record the person's signed authorisation and link it to the post.";
    case PhiKind::Date: return "Remove the day and month (the year alone is allowed) or say \"recently\".";
    case PhiKind::Age: return "Say \"90 or older\" instead of the exact age.";
    case PhiKind::Geo: return "Name the state or region instead; a ZIP may keep only its first three digits when that area has over 20,000 people.";
    case PhiKind::Address: return "Remove the address; give the organisation's own address if readers need one.";
    case PhiKind::Phone:
    case PhiKind::Email: return "Remove it and give the organisation's public contact instead.";
    case PhiKind::Url: return "Link to a page without names or IDs in its address.";
    default: return "Remove the identifier; never post record, plan, account, licence, device or vehicle numbers.";
    }
}

// Working memory of the detectors, kept per thread (see detect_phi): the
// vectors keep their capacity from one post to the next, so a check of a
// short post allocates almost nothing. Every Scanner clears what it uses.
struct PhiScratch {
    std::vector<Candidate> out;
    std::vector<Candidate> kept;
    std::vector<std::pair<std::size_t, std::size_t>> suppressed;
    std::vector<std::pair<std::size_t, std::size_t>> emails;
    std::vector<std::pair<std::size_t, std::size_t>> handles;
    std::vector<std::pair<std::size_t, std::size_t>> names;
    std::vector<std::string> name_words;
    std::vector<std::size_t> digit_marks;
    std::vector<std::size_t> sign_marks;
    std::vector<std::size_t> merged_marks;
    std::vector<std::size_t> sent_first;
    std::vector<std::size_t> sent_end;
    std::vector<char> name_sentence;
    std::vector<std::size_t> name_end;
    std::vector<char> used;
    std::vector<std::size_t> groups;
    std::vector<std::string> name_buf;
};

class Scanner {
public:
    Scanner(const Engine::Impl& impl, std::string_view text, const std::vector<Token>& tokens,
            const std::vector<text::Span>& urls, UnixSeconds now, PhiScratch& scratch)
        : m_impl(impl), m_text(text), m_t(tokens), m_urls(urls), m_now_year(year_of(now)), m_out(scratch.out),
          m_kept(scratch.kept), m_suppressed(scratch.suppressed), m_emails(scratch.emails),
          m_handles(scratch.handles), m_names(scratch.names), m_name_words(scratch.name_words),
          m_digit_marks(scratch.digit_marks), m_sign_marks(scratch.sign_marks), m_merged_marks(scratch.merged_marks),
          m_sent_first(scratch.sent_first), m_sent_end(scratch.sent_end),
          m_name_sentence(scratch.name_sentence), m_name_end(scratch.name_end), m_used(scratch.used),
          m_groups(scratch.groups), m_name_buf(scratch.name_buf) {
        m_out.clear();
        m_kept.clear();
        m_suppressed.clear();
        m_emails.clear();
        m_handles.clear();
        m_names.clear();
        m_name_words.clear();
        m_digit_marks.clear();
        m_sent_first.clear();
        m_sent_end.clear();
        // Sentence numbers only grow, one table entry per sentence.
        // Digits, '(' and '+': where phone numbers, dates, IDs and IPs start.
        // The scans over these marks find nothing without a digit, and every
        // ASCII digit is inside a token that has_digit: only those tokens are
        // searched for digits, in the same pass over the tokens. '(' and '+'
        // are rare and found with memchr; the two sorted lists are then
        // merged in text order.
        bool any_digit = false;
        for (std::size_t k = 0; k < tokens.size(); ++k) {
            const Token& t = tokens[k];
            if (t.has_digit) {
                any_digit = true;
                for (std::size_t b = t.start; b < t.end; ++b)
                    if (is_digit(text[b])) m_digit_marks.push_back(b);
            }
            const auto sid = static_cast<std::size_t>(t.sentence);
            if (sid >= m_sent_first.size()) {
                m_sent_first.resize(sid + 1, k);
                m_sent_end.resize(sid + 1, k);
            }
            m_sent_end[sid] = k + 1;
        }
        m_name_sentence.assign(m_sent_first.size(), 0);
        m_name_end.assign(tokens.size(), 0);
        if (any_digit) {
            m_sign_marks.clear();
            for (const char sign : {'(', '+'})
                for (std::size_t at = text.find(sign); at != std::string_view::npos; at = text.find(sign, at + 1))
                    m_sign_marks.push_back(at);
            if (!m_sign_marks.empty()) {
                std::sort(m_sign_marks.begin(), m_sign_marks.end());
                m_merged_marks.clear();
                std::merge(m_digit_marks.begin(), m_digit_marks.end(), m_sign_marks.begin(), m_sign_marks.end(),
                           std::back_inserter(m_merged_marks));
                m_digit_marks.swap(m_merged_marks);
            }
        }
    }

    void run(PhiContext& context, std::vector<Candidate>& out) {
        scan_health_context();
        scan_digit_groups();
        scan_emails();
        scan_ips();
        scan_handles();
        for (std::size_t i = 0; i < m_t.size(); ++i) {
            if (!may_anchor(i)) continue;
            // Each detector's own first test is repeated here, so that it
            // is called only for a token it may start from (they return at
            // once on the others, but the calls added up).
            const Token& t = m_t[i];
            if ((t.flags & kIdKeywordWord) != 0) scan_id_keyword(i);
            if (is<kRoomWords>(i)) scan_room(i);
            if (t.has_digit) scan_age(i);
            scan_month_date(i);
            if (t.digits) scan_birth_year(i);
            if (is<kAptWords>(i)) scan_apartment(i);
        }
        scan_addresses();
        for (std::size_t i = 0; i < m_t.size(); ++i)
            if (m_t[i].digits) scan_zip(i);
        scan_places();
        scan_names();
        scan_urls();
        tie_dates();
        context = m_context;
        resolve(out);
    }

private:
    // Whether token i may anchor one of the per-token detectors of run():
    // each of them returns at once unless its token is one of these (an ID
    // keyword, a room or apartment word, a token with a digit, a month, a
    // holiday, or "the" / "new" of "on the 14th" and "New Year's Day"). Most
    // tokens are none, and are skipped on a few bit tests.
    bool may_anchor(std::size_t i) const {
        constexpr std::uint32_t kAnchorClasses =
            bit_of<kRoomWords>() | bit_of<kAptWords>() | bit_of<kMonths>() | bit_of<kHolidays>();
        const Token& t = m_t[i];
        // "the", "new" and "christmas" carry kAnchorWord (add_phi_words): a
        // bit test instead of three string compares per token.
        return t.has_digit || (t.classes & kAnchorClasses) != 0 || (t.flags & (kIdKeywordWord | kAnchorWord)) != 0;
    }

    static int year_of(UnixSeconds now) {
        using namespace std::chrono;
        const sys_days day = floor<days>(sys_seconds{seconds{now}});
        return static_cast<int>(year_month_day{day}.year());
    }

    std::string_view f(std::size_t i) const { return m_t[i].fold; }

    // Token range of token i's sentence (loops stay linear on huge posts).
    std::pair<std::size_t, std::size_t> sentence_of(std::size_t i) const {
        const auto sid = static_cast<std::size_t>(m_t[i].sentence);
        return {m_sent_first[sid], m_sent_end[sid]};
    }
    // The first token that starts at or after byte `pos`.
    std::size_t token_at(std::size_t pos) const {
        const auto it = std::lower_bound(m_t.begin(), m_t.end(), pos,
                                         [](const Token& t, std::size_t p) { return t.start < p; });
        return static_cast<std::size_t>(it - m_t.begin());
    }
    template <const auto& Words>
    bool is(std::size_t i) const {
        constexpr std::uint32_t bit = bit_of<Words>();
        static_assert(bit != 0, "a word array without a class bit");
        return (m_t[i].classes & bit) != 0;
    }
    std::string_view gap(std::size_t i) const { return gap_before(m_text, m_t, i); }
    std::string_view gap_after(std::size_t i) const {
        const std::size_t to = i + 1 < m_t.size() ? m_t[i + 1].start : m_text.size();
        return m_text.substr(m_t[i].end, to - m_t[i].end);
    }
    bool common(const std::string& w) const { return m_impl.common_words.count(w) != 0; }
    bool first_name(const std::string& w) const { return m_impl.first_names.count(w) != 0; }
    // The same questions about token k, answered by the lexicon.
    bool common(std::size_t k) const { return (m_t[k].flags & kCommonWord) != 0; }
    bool first_name(std::size_t k) const { return (m_t[k].flags & kFirstNameWord) != 0; }
    bool surname(std::size_t k) const { return (m_t[k].flags & kSurnameWord) != 0; }
    bool org_word(std::size_t k) const { return (m_t[k].flags & kOrgWord) != 0; }

    void add(PhiKind kind, std::size_t start, std::size_t end, bool always_block = false) {
        Candidate c;
        c.kind = kind;
        c.start = start;
        c.end = end;
        c.always_block = always_block;
        c.message = kind_message(kind);
        c.suggestion = kind_fix(kind);
        m_out.push_back(std::move(c));
    }

    bool inside_suppressed(std::size_t start, std::size_t end) const {
        for (const auto& [s, e] : m_suppressed)
            if (start >= s && end <= e) return true;
        return false;
    }

    // ---- health context -------------------------------------------------
    void scan_health_context() {
        for (std::size_t i = 0; i < m_t.size();) {
            if (const std::size_t n = m_impl.not_health_terms.match_at(m_t, i, kNotHealthLead); n > 0) {
                i += n;
                continue;
            }
            if (m_impl.health_terms.match_at(m_t, i, kHealthLead) > 0) {
                m_context.health = true;
                return;
            }
            ++i;
        }
    }

    // ---- phones, SSNs and numeric dates --------------------------------
    void scan_digit_groups() {
        const std::string_view s = m_text;
        std::vector<std::size_t>& groups = m_groups;
        // Over the digit, '(' and '+' positions only; `from` is where the
        // byte-by-byte scan this replaces would be next.
        for (std::size_t m = 0, from = 0; m < m_digit_marks.size(); ++m) {
            std::size_t i = m_digit_marks[m];
            if (i < from) continue;
            from = i + 1;
            if (i > 0 && (is_alnum(s[i - 1]) || s[i - 1] == '-' || s[i - 1] == '/' || s[i - 1] == '.' ||
                          s[i - 1] == '#' || s[i - 1] == '_' || s[i - 1] == '='))
                continue;
            groups.clear();
            std::size_t j = i;
            if (s[j] == '+') ++j;
            std::size_t run = 0;
            std::size_t last_digit = j;
            while (j < s.size()) {
                if (is_digit(s[j])) {
                    ++run;
                    last_digit = j;
                    ++j;
                    continue;
                }
                const bool sep = s[j] == ' ' || s[j] == '-' || s[j] == '.' || s[j] == '(' || s[j] == ')' || s[j] == '/';
                if (!sep) break;
                // At most two separator characters, then a digit or '('.
                std::size_t k = j;
                while (k < s.size() && k - j < 2 &&
                       (s[k] == ' ' || s[k] == '-' || s[k] == '.' || s[k] == '(' || s[k] == ')' || s[k] == '/'))
                    ++k;
                if (k >= s.size() || !(is_digit(s[k]) || s[k] == '(')) break;
                if (run > 0) groups.push_back(run);
                run = 0;
                j = k;
            }
            if (run > 0) groups.push_back(run);
            if (groups.empty()) continue;
            const std::size_t end = last_digit + 1;
            if (end < s.size() && (is_alnum(s[end]) || (s[end] == '-' && end + 1 < s.size() && is_digit(s[end + 1]))))
                continue;
            const std::string_view span = s.substr(i, end - i);
            const std::string digits = digits_of(span);
            const bool slash = span.find('/') != std::string_view::npos;
            const bool phone_shape = !slash && ((groups_are(groups, {3, 3, 4})) ||
                                                (groups_are(groups, {1, 3, 3, 4}) && digits[0] == '1'));
            if (phone_shape) {
                const std::string ten = digits.substr(digits.size() - 10);
                const bool org = std::find(m_impl.org_phone_digits.begin(), m_impl.org_phone_digits.end(), ten) !=
                                 m_impl.org_phone_digits.end();
                if (!org && !in_set<kTollFree>(std::string_view(ten).substr(0, 3)))
                    add(PhiKind::Phone, i, end);
                from = end + 1;
                continue;
            }
            // "call 555-0133": a seven-digit number after a phone word.
            if (!slash && groups_are(groups, {3, 4}) && s[i] != '(' && phone_word_before(i)) {
                add(PhiKind::Phone, i, end);
                from = end + 1;
                continue;
            }
            if (!slash && groups_are(groups, {3, 2, 4})) {
                std::size_t first = i;
                while (first < end && !is_digit(s[first])) ++first;
                add(PhiKind::Ssn, first, end, true);
                from = end + 1;
                continue;
            }
            if (slash && (groups.size() == 2 || groups.size() == 3) && groups[0] <= 2 && groups[1] <= 2 &&
                (groups.size() == 2 || groups[2] == 2 || groups[2] == 4) &&
                span.find_first_of(" ().-") == std::string_view::npos) {
                const std::size_t slash1 = span.find('/');
                const int month = to_int(span);
                const int day = to_int(span.substr(slash1 + 1));
                if (month >= 1 && month <= 12 && day >= 1 && day <= 31) {
                    add_date(i, extend_time(end));
                    from = end + 1;
                    continue;
                }
            }
            // "10.17 at 2:30 p.m.": a dotted month.day followed by a time.
            if (groups.size() == 2 && groups[0] <= 2 && groups[1] == 2 && span.find('.') != std::string_view::npos &&
                span.find_first_of(" ()-/") == std::string_view::npos) {
                const int month = to_int(span);
                const int day = to_int(span.substr(span.find('.') + 1));
                const std::size_t ext = extend_time(end);
                if (month >= 1 && month <= 12 && day >= 1 && day <= 31 && ext > end) add_date(i, ext);
            }
            // ISO dates: 2024-03-05.
            if (groups_are(groups, {4, 2, 2}) && span.find_first_of(" ()./") == std::string_view::npos) {
                const int month = to_int(span.substr(5));
                if (month >= 1 && month <= 12) add_date(i, extend_time(end));
            }
            from = end + 1;
        }
    }

    bool phone_word_before(std::size_t pos) const {
        const std::size_t from = pos > 24 ? pos - 24 : 0;
        const std::string before = fold(m_text.substr(from, pos - from));
        for (std::string_view w : {"call", "phone", "cell", "text", "tel", "fax", "reach", "number", "llame", "telefono"})
            if (before.find(w) != std::string::npos) return true;
        return false;
    }

    void add_date(std::size_t start, std::size_t end) {
        add(PhiKind::Date, start, end);
        m_out.back().tied = false;  // settled in tie_dates()
        // A date of birth is PHI on its own: "DOB 03/14/1958", "born 5/9/1950".
        const std::size_t at = token_at(start);
        for (std::size_t k = at >= 4 ? at - 4 : 0; k < at; ++k) {
            if (m_t[k].end + 12 < start) continue;
            if (in({"dob", "born", "birthdate", "nacio", "nacido", "nacida"}, f(k)) ||
                (is_word(f(k), "birth") && k > 0 && is_word(f(k - 1), "of"))) {
                m_out.back().tied = true;
                m_out.back().always_block = true;
            }
        }
    }

    // Extends a date over " at 7 a.m.", " at 6:42 a.m.", " a las 11:58 p. m.".
    std::size_t extend_time(std::size_t end) const {
        const std::string_view s = m_text;
        std::size_t k = end;
        auto skip = [&](std::string_view word) {
            if (s.substr(k, word.size()) == word) {
                k += word.size();
                return true;
            }
            return false;
        };
        if (!(skip(" at ") || skip(" a las ") || skip(", at ") || skip(" a la "))) return end;
        if (k >= s.size() || !is_digit(s[k])) return end;
        while (k < s.size() && is_digit(s[k])) ++k;
        if (k + 2 < s.size() && s[k] == ':' && is_digit(s[k + 1]) && is_digit(s[k + 2])) k += 3;
        std::size_t t = k;
        if (t < s.size() && s[t] == ' ') ++t;
        for (std::string_view suffix : {"a.m.", "p.m.", "a. m.", "p. m.", "am", "pm", "AM", "PM", "a.m", "p.m"}) {
            if (s.substr(t, suffix.size()) == suffix &&
                (t + suffix.size() >= s.size() || !is_alpha(s[t + suffix.size()])))
                return t + suffix.size();
        }
        return k;
    }

    // ---- e-mail, IP, URLs, handles -------------------------------------
    void scan_emails() {
        const std::string_view s = m_text;
        for (std::size_t at = s.find('@'); at != std::string_view::npos; at = s.find('@', at + 1)) {
            std::size_t l = at;
            while (l > 0 && (is_alnum(s[l - 1]) || s[l - 1] == '.' || s[l - 1] == '_' || s[l - 1] == '%' ||
                             s[l - 1] == '+' || s[l - 1] == '-'))
                --l;
            if (l == at) continue;
            std::size_t r = at + 1;
            while (r < s.size() && (is_alnum(s[r]) || s[r] == '-' || s[r] == '.')) ++r;
            while (r > at + 1 && (s[r - 1] == '.' || s[r - 1] == '-')) --r;
            const std::string_view domain = s.substr(at + 1, r - at - 1);
            const auto dot = domain.rfind('.');
            if (dot == std::string_view::npos || domain.size() - dot < 3) continue;
            const std::string address = fold(s.substr(l, r - l));
            const std::string dom = fold(domain);
            if (std::find(m_impl.org_emails.begin(), m_impl.org_emails.end(), address) != m_impl.org_emails.end() ||
                org_domain(dom))
                continue;
            add(PhiKind::Email, l, r);
            m_emails.emplace_back(l, r);
        }
    }

    bool org_domain(const std::string& host) const {
        for (const std::string& d : m_impl.org_domains) {
            if (host == d) return true;
            if (host.size() > d.size() && host.compare(host.size() - d.size(), d.size(), d) == 0 &&
                host[host.size() - d.size() - 1] == '.')
                return true;
        }
        return false;
    }

    void scan_ips() {
        const std::string_view s = m_text;
        for (std::size_t m = 0, from = 0; m < m_digit_marks.size(); ++m) {
            std::size_t i = m_digit_marks[m];
            if (i < from) continue;
            from = i + 1;
            if (!is_digit(s[i]) || (i > 0 && (is_alnum(s[i - 1]) || s[i - 1] == '.'))) continue;
            std::size_t j = i;
            int parts = 0;
            bool ok = true;
            while (parts < 4) {
                const std::size_t start = j;
                while (j < s.size() && is_digit(s[j]) && j - start < 4) ++j;
                if (j == start || j - start > 3 || to_int(s.substr(start, j - start)) > 255) {
                    ok = false;
                    break;
                }
                ++parts;
                if (parts < 4) {
                    if (j >= s.size() || s[j] != '.') {
                        ok = false;
                        break;
                    }
                    ++j;
                }
            }
            if (!ok || (j < s.size() && (is_alnum(s[j]) || (s[j] == '.' && j + 1 < s.size() && is_digit(s[j + 1])))))
                continue;
            add(PhiKind::Ip, i, j);
            from = j + 1;
        }
    }

    void scan_urls() {
        for (const text::Span& url : m_urls) {
            std::string_view u = m_text.substr(url.start, url.end - url.start);
            std::string_view rest = u;
            if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) rest = rest.substr(scheme + 3);
            const auto host_end = rest.find_first_of("/?#:");
            const std::string_view tail = host_end == std::string_view::npos ? std::string_view() : rest.substr(host_end);
            if (tail.empty()) continue;
            bool personal = false;
            const std::string t = fold(tail);  // folded once for every check below
            // A query parameter that names a patient or a record.
            // Every key below holds '=': a tail without one is not searched for them.
            if (t.find('=') != std::string::npos) {
                for (std::string_view key : {"pid=", "patient=", "patientid=", "patient_id=", "mrn=", "member=", "dob=",
                                             "name=", "ssn=", "chart=", "account="}) {
                    const auto at = t.find(key);
                    if (at != std::string::npos && (at == 0 || t[at - 1] == '?' || t[at - 1] == '&')) personal = true;
                }
            }
            // A path word that is a person's given name (not a staff member's).
            std::string word;
            auto check_word = [&]() {
                const bool named_in_post = std::find(m_name_words.begin(), m_name_words.end(), word) != m_name_words.end();
                if (word.size() >= 3 && !known_single(word) && ((first_name(word) && !common(word)) || named_in_post))
                    personal = true;
                word.clear();
            };
            for (char c : t) {
                if (is_alpha(c)) word.push_back(c);
                else check_word();
            }
            check_word();
            if (personal) add(PhiKind::Url, url.start, url.end);
        }
    }

    bool known_single(const std::string& w) const {
        for (const KnownPerson& p : m_impl.known_people)
            for (const std::string& t : p.tokens)
                if (t == w) return true;
        return false;
    }

    void scan_handles() {
        for (const text::Span& m : text::find_mentions(m_text)) {
            const std::string_view h = m_text.substr(m.start + 1, m.end - m.start - 1);
            const std::string folded = fold(h);
            bool org = false;
            for (const std::string& d : m_impl.org_domains) {
                const std::string label = d.substr(0, d.find('.'));
                if (!label.empty() && folded.find(label) != std::string::npos) org = true;
            }
            // CamelCase handles without digits or separators are organisations
            // and partners (@PortAlderFire); people's handles rarely look so.
            int uppers = 0;
            bool plain = true;
            for (char c : h) {
                if (c >= 'A' && c <= 'Z') ++uppers;
                if (!is_alpha(c)) plain = false;
            }
            if (uppers >= 2 && plain) org = true;
            if (org) continue;
            add(PhiKind::OtherId, m.start, m.end);
            m_out.back().person = true;
            m_out.back().message = "This @handle points to a person; in a post about care it identifies them.";
            m_out.back().suggestion = "Reply privately instead, or remove the handle.";
            m_handles.emplace_back(m.start, m.end);
        }
    }

    // ---- keyword-anchored identifiers ----------------------------------
    bool id_like(const Token& t, PhiKind kind) const {
        if (!t.has_digit) return false;
        int digits = 0;
        int letters = 0;
        for (char c : t.fold) {
            if (is_digit(c)) ++digits;
            else if (is_alpha(c)) ++letters;
        }
        if (kind == PhiKind::Ssn) return digits == 9 && letters == 0;
        // A bare year ("Medicaid 2024 report") is not an identifier.
        if (t.digits && t.fold.size() == 4 && (t.fold.rfind("19", 0) == 0 || t.fold.rfind("20", 0) == 0)) return false;
        if (kind == PhiKind::Vehicle) return digits >= 1 && t.fold.size() >= 4 && t.fold.size() <= 10;
        return digits >= 3 && t.fold.size() >= 4;
    }

    void scan_id_keyword(std::size_t i) {
        if ((m_t[i].flags & kIdKeywordWord) == 0) return;
        std::size_t best_len = 0;
        PhiKind kind = PhiKind::OtherId;
        const std::string_view first = f(i);
        for (const IdKeyword& k : kIdKeywords) {
            // Length and first byte turn away nearly all of the keywords
            // before any string compare (every keyword word is non-empty).
            if (k.words[0].size() != first.size() || k.words[0][0] != first[0]) continue;
            if (k.size <= best_len || i + k.size > m_t.size()) continue;
            bool match = true;
            for (std::size_t w = 0; w < k.size && match; ++w) match = f(i + w) == k.words[w];
            if (match) {
                best_len = k.size;
                kind = k.kind;
            }
        }
        if (best_len == 0) return;
        if (kind == PhiKind::Address) {  // "PO Box 4410", "P.O. Box 4410"
            if (i == 0 || !(is_word(f(i - 1), "po") || is_word(f(i - 1), "o")) || i + 1 >= m_t.size() || !m_t[i + 1].digits) return;
            add(PhiKind::Address, m_t[i - 1].start - (is_word(f(i - 1), "o") && m_t[i - 1].start >= 2 ? 2 : 0), m_t[i + 1].end);
            return;
        }
        const std::size_t window = kind == PhiKind::License ? 5 : 3;
        for (std::size_t j = i + best_len; j < m_t.size() && j < i + best_len + window; ++j) {
            if (m_t[j].sentence != m_t[i].sentence) return;
            if (id_like(m_t[j], kind)) {
                add(kind, m_t[j].start, m_t[j].end, kind == PhiKind::Ssn || kind == PhiKind::Mrn);
                return;
            }
            if (m_t[j].has_digit) return;
        }
    }

    void scan_room(std::size_t i) {
        const std::string_view w = f(i);
        if (!is<kRoomWords>(i) || i + 1 >= m_t.size()) return;
        const Token& id = m_t[i + 1];
        if (!id.has_digit || id.fold.size() > 5 || !gap_is_space(gap(i + 1))) return;
        std::size_t start = m_t[i].start;
        if (is_word(w, "bay")) {
            if (i == 0 || !m_t[i - 1].cap || !gap_is_space(gap(i))) return;
            start = m_t[i - 1].start;
        }
        for (auto [k, e] = sentence_of(i); k < e; ++k)
            if (is<kActivityWords>(k)) return;
        add(PhiKind::OtherId, start, id.end);
    }

    // ---- ages over 89 ---------------------------------------------------
    void scan_age(std::size_t i) {
        const Token& t = m_t[i];
        if (!t.has_digit) return;
        const std::string& w = t.fold;
        std::size_t nd = 0;
        while (nd < w.size() && is_digit(w[nd])) ++nd;
        if (nd == 0 || nd > 3) return;
        const int n = to_int(w);
        if (n < 90 || n > 125) return;
        const std::string_view rest = std::string_view(w).substr(nd);
        const std::string_view after = gap_after(i);
        const std::string_view next = i + 1 < m_t.size() ? f(i + 1) : std::string_view();
        const std::string_view next2 = i + 2 < m_t.size() ? f(i + 2) : std::string_view();
        const std::string_view prev = i > 0 ? f(i - 1) : std::string_view();
        // Population groups are not ages of a person.
        if ((is_word(next, "and") || is_word(next, "or")) && in({"older", "over", "above", "up", "mas"}, next2)) return;
        if (after.rfind("+", 0) == 0 || after.rfind("%", 0) == 0) return;
        bool age = false;
        if (is_word(rest, "-year-old") || is_word(rest, "-years-old") || is_word(rest, "-year")) age = true;
        if (rest.empty() && (is_word(next, "years") || is_word(next, "year") || is_word(next, "yrs") || is_word(next, "anos")) &&
            (is_word(next2, "old") || is_word(next2, "young") || is_word(next, "anos") || is_word(next2, "of")))
            age = true;
        if (rest.empty() && i > 0 && m_t[i - 1].possessive && (is_word(prev, "she") || is_word(prev, "he")) &&
            (after.empty() || after[0] != '%'))
            age = true;  // "She's 91"
        if (rest.empty() && in({"turns", "turned", "turning", "aged", "age", "edad", "cumple", "cumplio", "cumplira",
                                "reached", "sus", "was", "is", "at"},
                               prev)) {
            // "at 99," opens a sentence about someone; "at 100 Main St" does not.
            if (!is_word(prev, "at") || after.rfind(",", 0) == 0) age = true;
            if ((is_word(prev, "was") || is_word(prev, "is")) && !(after.empty() || after[0] == '.' || after[0] == ',' ||
                                                     after[0] == ' ' || after[0] == '!'))
                age = false;
            if ((is_word(prev, "was") || is_word(prev, "is")) && (is_word(next, "percent") || is_word(next, "miles") || is_word(next, "minutes")))
                age = false;
        }
        if ((is_word(rest, "th") || is_word(rest, "st") || is_word(rest, "nd") || is_word(rest, "rd")) &&
            (is_word(next, "birthday") || is_word(next, "cumpleanos") || is_word(next2, "birthday")))
            age = true;
        if (rest.empty() && i > 0 && m_t[i - 1].cap) {
            const std::string_view before = gap(i);
            if (is_word(before, " (") && after.rfind(")", 0) == 0) age = true;
            if (is_word(before, ", ") && after.rfind(",", 0) == 0) age = true;
        }
        if (rest.empty() && (is_word(next, "anos")) && (is_word(prev, "sus") || is_word(prev, "cumple") || is_word(prev, "tiene"))) age = true;
        if (!age) return;
        add(PhiKind::Age, t.start, t.end);
    }

    // ---- dates ----------------------------------------------------------
    bool is_month(std::size_t i) const {
        if (!is<kMonths>(i)) return false;
        if (is_word(f(i), "may") || is_word(f(i), "march")) return m_t[i].cap;  // the verbs
        return true;
    }

    static bool day_token(const Token& t) {
        std::size_t nd = 0;
        while (nd < t.fold.size() && is_digit(t.fold[nd])) ++nd;
        if (nd == 0 || nd > 2) return false;
        const std::string_view rest = std::string_view(t.fold).substr(nd);
        if (!(rest.empty() || is_word(rest, "st") || is_word(rest, "nd") || is_word(rest, "rd") || is_word(rest, "th"))) return false;
        const int d = to_int(t.fold);
        return d >= 1 && d <= 31;
    }

    bool range_follows(std::size_t i) const {
        const std::string_view after = gap_after(i);
        return after.rfind("\xE2\x80\x93", 0) == 0 || after.rfind("-", 0) == 0 || after.rfind(" - ", 0) == 0 ||
               after.rfind(" \xE2\x80\x93 ", 0) == 0;
    }

    void scan_month_date(std::size_t i) {
        // "March 12", "Oct 3", "September 14, 2021"
        if (is_month(i) && i + 1 < m_t.size() && day_token(m_t[i + 1])) {
            const std::string_view g = gap(i + 1);
            if (!(is_word(g, " ") || is_word(g, ". "))) return;
            if (range_follows(i + 1)) return;
            std::size_t end = m_t[i + 1].end;
            if (i + 2 < m_t.size() && m_t[i + 2].digits && m_t[i + 2].fold.size() == 4 &&
                (is_word(gap(i + 2), ", ") || is_word(gap(i + 2), " ")))
                end = m_t[i + 2].end;
            add_date(m_t[i].start, extend_time(end));
            return;
        }
        // "5 March 2024", "2 de agosto", "21 de mayo a las 9:00 a. m."
        if (day_token(m_t[i]) && m_t[i].digits && i + 1 < m_t.size()) {
            std::size_t m = i + 1;
            if (is_word(f(m), "de") && m + 1 < m_t.size()) ++m;
            if (!(is<kSpanishMonths>(m) || (m == i + 1 && is_month(m) && !is_word(f(m), "may")))) return;
            if (i > 0 && (gap(i).find("\xE2\x80\x93") != std::string_view::npos || is_word(gap(i), "-"))) return;
            std::size_t end = m_t[m].end;
            if (m + 2 < m_t.size() && is_word(f(m + 1), "de") && m_t[m + 2].digits && m_t[m + 2].fold.size() == 4)
                end = m_t[m + 2].end;
            else if (m + 1 < m_t.size() && m_t[m + 1].digits && m_t[m + 1].fold.size() == 4 && gap_is_space(gap(m + 1)))
                end = m_t[m + 1].end;
            add_date(m_t[i].start, extend_time(end));
            return;
        }
        // "on the 14th": a day of the month on its own.
        if (is_word(f(i), "the") && i > 0 && is_word(f(i - 1), "on") && i + 1 < m_t.size() && day_token(m_t[i + 1]) &&
            !m_t[i + 1].digits) {
            const std::string_view after = gap_after(i + 1);
            const bool noun_follows = gap_is_space(after) && i + 2 < m_t.size() && !m_t[i + 2].cap && !is_word(f(i + 2), "at");
            if (!noun_follows) add_date(m_t[i + 1].start, extend_time(m_t[i + 1].end));
            return;
        }
        // "Christmas Eve 1924"
        std::size_t k = i;
        if (is_word(f(i), "christmas") && i + 1 < m_t.size() && (is_word(f(i + 1), "eve") || is_word(f(i + 1), "day"))) k = i + 1;
        else if (is_word(f(i), "new") && i + 1 < m_t.size() && is_word(f(i + 1), "year") && i + 2 < m_t.size() && is_word(f(i + 2), "day")) k = i + 2;
        else if (!is<kHolidays>(i)) return;
        if (k + 1 < m_t.size() && m_t[k + 1].digits && m_t[k + 1].fold.size() == 4 && gap_is_space(gap(k + 1)))
            add_date(m_t[i].start, m_t[k + 1].end);
    }

    // A birth year implying an age of 90 or more: "born in 1931", "(1931–2024)".
    void scan_birth_year(std::size_t i) {
        const Token& t = m_t[i];
        if (!t.digits || t.fold.size() != 4) return;
        const int y = to_int(t.fold);
        if (y < 1850 || m_now_year - y < 90) return;
        bool birth = false;
        for (std::size_t k = i >= 4 ? i - 4 : 0; k < i; ++k)
            if (in({"born", "nacio", "nacida", "nacido", "b", "dob"}, f(k)) && m_t[k].sentence == t.sentence) birth = true;
        const std::string_view before = gap(i);
        const std::string_view after = gap_after(i);
        if (!before.empty() && before.back() == '(' && i + 1 < m_t.size() && m_t[i + 1].digits &&
            m_t[i + 1].fold.size() == 4 && (after == "\xE2\x80\x93" || is_word(after, "-") || is_word(after, " - ")))
            birth = true;
        if (!birth) return;
        add(PhiKind::Date, t.start, t.end);
    }

    // ---- addresses, ZIPs and places --------------------------------------
    // Cap words joined by single spaces from token i; returns one past the last.
    std::size_t cap_run(std::size_t i, std::size_t max) const {
        std::size_t j = i;
        while (j < m_t.size() && j - i < max && m_t[j].cap && m_t[j].alpha && (j == i || gap_is_space(gap(j)))) ++j;
        return j;
    }

    std::string joined(std::size_t from, std::size_t to) const {
        std::string out;
        for (std::size_t k = from; k < to; ++k) {
            if (!out.empty()) out.push_back(' ');
            out += f(k);
        }
        return out;
    }

    bool starts_with_org_town(std::size_t from, std::size_t to) const {
        // Every town's first word is flagged: most runs are turned away here.
        if (from < to && (m_t[from].flags & kOrgTownLead) == 0) return false;
        const std::string words = joined(from, to);
        for (const std::string& town : m_impl.org_towns)
            if (words == town || (words.size() > town.size() && words.compare(0, town.size(), town) == 0 &&
                                  words[town.size()] == ' '))  // "port alder" begins "port alder harbor"
                return true;
        return false;
    }

    void scan_addresses() {
        for (std::size_t i = 0; i < m_t.size(); ++i) {
            // "1187 Larkspur Lane[, Town, ST 12345]"
            if (m_t[i].digits && m_t[i].fold.size() <= 6 && i + 1 < m_t.size() && gap_is_space(gap(i + 1))) {
                std::size_t j = cap_run(i + 1, 4);
                std::size_t last = j;
                while (last > i + 1 && !is<kStreetSuffixes>(last - 1)) --last;
                if (last > i + 2) {  // at least one name word before the suffix
                    std::size_t end_tok = last - 1;
                    std::size_t end = m_t[end_tok].end;
                    if (end < m_text.size() && m_text[end] == '.') ++end;
                    const std::string key = street_key(m_text.substr(m_t[i].start, m_t[end_tok].end - m_t[i].start));
                    // ", Town, ST 12345"
                    std::size_t k = end_tok + 1;
                    if (k < m_t.size() && (is_word(gap(k), ", ") || is_word(gap(k), "., "))) {
                        const std::size_t town_end = cap_run(k, 3);
                        if (town_end > k) {
                            std::size_t e = town_end - 1;
                            end = m_t[e].end;
                            k = town_end;
                            if (k < m_t.size() && is_word(gap(k), ", ") && m_t[k].upper && m_t[k].fold.size() == 2) {
                                end = m_t[k].end;
                                if (k + 1 < m_t.size() && gap_is_space(gap(k + 1)) && m_t[k + 1].digits &&
                                    m_t[k + 1].fold.size() == 5)
                                    end = m_t[k + 1].end;
                            }
                        }
                    }
                    const bool org = std::find(m_impl.org_street_keys.begin(), m_impl.org_street_keys.end(), key) !=
                                     m_impl.org_street_keys.end();
                    if (org) m_suppressed.emplace_back(m_t[i].start, end);
                    else add(PhiKind::Address, m_t[i].start, end);
                    i = end_tok;
                    continue;
                }
            }
            // "on Heron Street"
            if (is<kStreetPreps>(i) && i + 1 < m_t.size()) {
                const std::size_t j = cap_run(i + 1, 3);
                if (j >= i + 3 && is<kStreetSuffixes>(j - 1) && !is<kStreetSuffixes>(i + 1)) {
                    const std::string name = street_key(m_text.substr(m_t[i + 1].start, m_t[j - 1].end - m_t[i + 1].start));
                    const bool org = std::find(m_impl.org_street_names.begin(), m_impl.org_street_names.end(), name) !=
                                     m_impl.org_street_names.end();
                    if (!org) add(PhiKind::Address, m_t[i + 1].start, m_t[j - 1].end);
                }
            }
        }
    }

    void scan_apartment(std::size_t i) {
        if (!is<kAptWords>(i) || i + 1 >= m_t.size()) return;
        if (!m_t[i + 1].has_digit || m_t[i + 1].fold.size() > 5) return;
        const std::string_view g = gap(i + 1);
        if (!(gap_is_space(g) || is_word(g, " #") || is_word(g, "#") || is_word(g, ". "))) return;
        std::size_t end = m_t[i + 1].end;
        std::size_t k = i + 2;
        if (k + 1 < m_t.size() && is_word(f(k), "at")) {
            const std::size_t j = cap_run(k + 1, 4);
            if (j > k + 1 && is<kFacilitySuffixes>(j - 1)) end = m_t[j - 1].end;
        }
        add(PhiKind::Address, m_t[i].start, end);
    }

    void scan_zip(std::size_t i) {
        const Token& t = m_t[i];
        if (!t.digits || t.fold.size() != 5 || i == 0) return;
        const std::string_view prev = f(i - 1);
        const bool keyword = in({"zip", "zipcode", "postal"}, prev) || (is_word(prev, "code") && i >= 2 && is_word(f(i - 2), "zip"));
        const bool after_state = m_t[i - 1].upper && prev.size() == 2 && gap_is_space(gap(i));
        if (!keyword && !after_state) return;
        if (inside_suppressed(t.start, t.end)) return;
        add(PhiKind::Geo, t.start, t.end);
        m_out.back().message = "A five-digit ZIP code narrows a patient down to a small area.";
        m_out.back().suggestion = "Remove it; Safe Harbor allows only the first three digits, and only for areas of over 20,000 people.";
    }

    // A town named without a place word ("from Quillayute") counts when the
    // sentence says the person is rare there: "the only ...", "first case",
    // "a village of 200". States and countries are allowed by Safe Harbor.
    bool rare_place(std::size_t s, std::size_t j) const {
        for (std::size_t k = s; k < j; ++k) {
            if (common(k) || first_name(k) || is<kNotNameWords>(k) || is<kStates>(k) || org_word(k))
                return false;
        }
        for (auto [k, e] = sentence_of(s); k < e; ++k)
            if (is<kRarity>(k)) return true;
        return false;
    }

    void scan_places() {
        for (std::size_t i = 0; i < m_t.size(); ++i) {
            if (!m_t[i].cap || !m_t[i].alpha || m_t[i].upper) continue;
            if (i > 0 && m_t[i - 1].cap && m_t[i - 1].alpha && gap_is_space(gap(i))) continue;  // not a run start
            std::size_t j = cap_run(i, 5);
            std::size_t s = i;
            while (s < j && (is<kFillers>(s) || is<kPlaceLead>(s) ||
                             is<kGreetings>(s)))
                ++s;
            if (j - s == 1 && s > 0 && is<kLocatives>(s - 1) && !starts_with_org_town(s, j) && rare_place(s, j) &&
                !inside_suppressed(m_t[s].start, m_t[s].end)) {
                add(PhiKind::Geo, m_t[s].start, m_t[s].end);
                i = j > i ? j - 1 : i;
                continue;
            }
            if (j - s < 2) {
                i = j > i ? j - 1 : i;
                continue;
            }
            const bool place = is<kPlaceSuffixes>(j - 1);
            const bool org_town = starts_with_org_town(s, j);
            // A one-of-a-kind role in a small place: "the Cedar Bay harbor master".
            if ((place || starts_with_org_town(s, j)) && j + 1 <= m_t.size()) {
                std::size_t r = j;
                while (r < m_t.size() && r < j + 2 && !m_t[r].cap && is<kRoles>(r) && gap_is_space(gap(r))) ++r;
                if (r < m_t.size() && !m_t[r].cap && is<kRoleEnds>(r) && gap_is_space(gap(r)) &&
                    s > 0 && is_word(f(s - 1), "the")) {
                    add(PhiKind::OtherId, m_t[s].start, m_t[r].end);
                    m_out.back().message = "A one-of-a-kind role in a small place identifies the person without a name.";
                    m_out.back().suggestion = "Leave out the role and the place.";
                    i = r;
                    continue;
                }
            }
            if (!place && !org_town && s > 0 && is<kLocatives>(s - 1) && rare_place(s, j) &&
                !inside_suppressed(m_t[s].start, m_t[j - 1].end)) {
                add(PhiKind::Geo, m_t[s].start, m_t[j - 1].end);
                i = j > i ? j - 1 : i;
                continue;
            }
            if (place && !org_town && !inside_suppressed(m_t[s].start, m_t[j - 1].end)) {
                bool street = false;
                for (std::size_t k = s; k < j; ++k) street = street || is<kStreetSuffixes>(k);
                const bool numbered = s > 0 && m_t[s - 1].digits;
                // Places follow a preposition ("from Tillicum Point", "on Gannet
                // Island"); "the Safe Harbor method" is not a place.
                const bool locative = s > 0 && is<kLocatives>(s - 1);
                if (!street && !numbered && locative) add(PhiKind::Geo, m_t[s].start, m_t[j - 1].end);
            }
            i = j > i ? j - 1 : i;
        }
    }

    // ---- names ----------------------------------------------------------
    enum class Known { No, Person, Provider };

    Known known(const std::vector<std::string>& name) const {
        for (const KnownPerson& p : m_impl.known_people) {
            if (name == p.tokens) return Known::Person;
            if (name.size() == 1 && std::find(p.tokens.begin(), p.tokens.end(), name[0]) != p.tokens.end())
                return Known::Person;
            if (name.size() >= 2 && p.tokens.size() >= 2 && name.front() == p.tokens.front() &&
                name.back() == p.tokens.back())
                return Known::Person;
        }
        return Known::No;
    }

    // A capitalised word that may be part of a person's name. Asked only
    // about a few tokens per post (most fail on the first test), so it is
    // answered on demand rather than tabulated for every token. That first
    // test is inlined at every call; the rest is not.
    [[gnu::always_inline]] bool name_token(std::size_t k) const {
        const Token& t = m_t[k];
        return t.cap && t.alpha && !t.upper && name_token_rest(k);
    }
    bool name_token_rest(std::size_t k) const {
        const std::string_view g = gap(k);
        if (!g.empty() && (g.back() == '#' || g.back() == '@' || g.back() == '/')) return false;
        return !is<kNotNameWords>(k) && !org_word(k);
    }

    static bool nickname_gap(std::string_view g) {
        // ' “Bernie” ' or ' "Hal" ' between name parts
        if (gap_is_space(g)) return true;
        for (std::string_view q : {" \"", "\" ", " \xE2\x80\x9C", "\xE2\x80\x9D "})
            if (g == q) return true;
        return false;
    }

    // Is there a cue word before token i (skipping fillers and commas)?
    bool cue_before(std::size_t i) const {
        std::size_t k = i;
        for (int steps = 0; steps < 4 && k > 0; ++steps) {
            --k;
            if (m_t[k].sentence != m_t[i].sentence && !is<kGreetings>(k)) return false;
            const std::string_view w = f(k);
            if ((is_word(w, "world") || is_word(w, "mundo")) && k > 0 && (is_word(f(k - 1), "the") || is_word(f(k - 1), "al"))) return true;
            if (is<kHonorifics>(k) || is<kKinship>(k) || is<kDescriptors>(k) || is<kGreetings>(k) ||
                is<kCueWords>(k))
                return true;
            if (!is<kFillers>(k)) return false;
        }
        return false;
    }

    bool cue_after(std::size_t last) const {
        if (m_t[last].possessive) {
            if (last + 1 < m_t.size() && is<kKinship>(last + 1)) return true;
        }
        if (last + 1 < m_t.size()) {
            const std::string_view n = f(last + 1);
            const std::string_view g = gap_after(last);
            if ((is_word(n, "family") || is_word(n, "familia")) && !m_t[last + 1].cap) return true;
            if (is_word(g, " (") && m_t[last + 1].digits) return true;              // "Frances (91)"
            if (is_word(g, ", ") && m_t[last + 1].digits && m_t[last + 1].fold.size() <= 3) return true;  // "Caleb Strand, 16,"
            if (is_word(g, ", ") && in({"who", "we", "you", "your", "thank", "thanks", "age", "que"}, n)) return true;
        }
        return false;
    }

    bool sentence_has_override(std::size_t first, std::size_t last) const {
        if (m_t[last].possessive && last + 1 < m_t.size() && is<kKinship>(last + 1)) return true;
        for (auto [k, e] = sentence_of(first); k < e; ++k) {
            const std::string_view w = f(k);
            const std::string_view next = k + 1 < m_t.size() ? f(k + 1) : std::string_view();
            if (is<kOverrideWords>(k)) return true;
            if (is_word(w, "get") && is_word(next, "well")) return true;
            if (is_word(w, "speedy") && is_word(next, "recovery")) return true;
            if (is_word(w, "resting") && is_word(next, "comfortably")) return true;
            if (is_word(w, "passed") && is_word(next, "away")) return true;
            if (is_word(w, "after") && (is_word(next, "his") || is_word(next, "her")) && k + 2 < m_t.size() &&
                m_impl.health_terms.match_at(m_t, k + 2, kHealthLead) > 0)
                return true;
            if ((is_word(w, "our") || is_word(w, "a")) && is_word(next, "patient")) return true;
        }
        return false;
    }

    void add_name(std::size_t first, std::size_t last, std::size_t span_start, const std::vector<std::string>& name) {
        add(PhiKind::Name, span_start, m_t[last].end);
        Candidate& c = m_out.back();
        c.person = true;
        for (const auto& w : name) {
            c.subject += (c.subject.empty() ? "" : " ") + w;
            m_name_words.push_back(w);
        }
        (void)first;
        m_context.person = true;
        m_names.emplace_back(span_start, m_t[last].end);
        m_name_sentence[static_cast<std::size_t>(m_t[last].sentence)] = 1;
        if (const std::size_t k = token_at(span_start); k < m_t.size()) m_name_end[k] = m_t[last].end;
        // "Dale Hutchins of Cedar Bay": a person's home town, even the organisation's own.
        if (last + 2 < m_t.size() && in({"of", "from", "de"}, f(last + 1)) && gap_is_space(gap(last + 1)) &&
            gap_is_space(gap(last + 2))) {
            const std::size_t j = cap_run(last + 2, 3);
            bool institution = false;
            for (std::size_t k = last + 2; k < j; ++k)
                institution = institution || (is<kNotNameWords>(k) && !is<kPlaceSuffixes>(k));
            if (j > last + 2 && !institution && (is<kPlaceSuffixes>(j - 1) || starts_with_org_town(last + 2, j)))
                add(PhiKind::Geo, m_t[last + 2].start, m_t[j - 1].end);
        }
    }

    void scan_names() {
        std::vector<char>& used = m_used;
        used.assign(m_t.size(), 0);
        // "MARTINEZ, ELENA R" (records shown in images) and "(Ruiz, Daniel)".
        for (std::size_t i = 0; i + 1 < m_t.size(); ++i) {
            const Token& a = m_t[i];
            const Token& b = m_t[i + 1];
            if (!a.alpha || !b.alpha || !a.cap || !b.cap || !is_word(gap(i + 1), ", ")) continue;
            const bool caps = a.upper && b.upper;
            const bool paren = !a.upper && !b.upper && !gap(i).empty() && gap(i).back() == '(' &&
                               gap_after(i + 1).rfind(")", 0) == 0;
            if (!(caps || paren)) continue;
            if (!(first_name(i + 1) && (surname(i) || !common(i)))) continue;
            std::size_t last = i + 1;
            if (caps && i + 2 < m_t.size() && m_t[i + 2].fold.size() == 1 && gap_is_space(gap(i + 2))) last = i + 2;
            add_name(i, last, a.start, {b.fold, a.fold});
            for (std::size_t k = i; k <= last; ++k) used[k] = 1;
        }
        std::size_t prev_name_last = std::string::npos;
        for (std::size_t i = 0; i < m_t.size(); ++i) {
            if (used[i]) continue;
            // Courtesy titles are part of the name span; "Dr." names a provider.
            bool honorific = false;
            std::size_t start_tok = i;
            if (is<kHonorifics>(i) && m_t[i].cap && i + 1 < m_t.size()) {
                const std::string_view g = gap(i + 1);
                if ((is_word(g, ". ") || is_word(g, " ")) && name_token(i + 1)) {
                    honorific = true;
                    ++i;
                }
            }
            if (is<kDoctor>(i) && m_t[i].cap && i + 1 < m_t.size() && (is_word(gap(i + 1), ". ") || is_word(gap(i + 1), " "))) {
                // Skip the provider's name.
                std::size_t j = i + 1;
                while (j < m_t.size() && name_token(j) && (j == i + 1 || nickname_gap(gap(j)))) ++j;
                i = j > i + 1 ? j - 1 : i;
                continue;
            }
            if (!name_token(i)) {
                if (honorific) --i;
                continue;
            }
            // Strip leading descriptors that are capitalised ("Baby Theo", "Captain Nils Ekdahl").
            bool cue = honorific;
            while (!honorific && i + 1 < m_t.size() && gap_is_space(gap(i + 1)) && name_token(i + 1)) {
                if (is<kDescriptors>(i) || is<kGreetings>(i)) cue = true;
                // A sentence-initial ordinary word ("Meet", "Remember") is not part of the name.
                else if (!(common(i) && !first_name(i) && !surname(i))) break;
                ++i;
                start_tok = i;
            }
            if (!honorific) start_tok = i;
            std::size_t j = i + 1;
            while (j < m_t.size() && j - i < 4 && nickname_gap(gap(j)) && (name_token(j) || (is<kNameParticles>(j) && j + 1 < m_t.size() && name_token(j + 1) && gap_is_space(gap(j + 1)))))
                ++j;
            const std::size_t last = j - 1;
            // "Breastfeeding Week", "Hope Clinic": part of an event's or an institution's name.
            if (!honorific && last + 1 < m_t.size() && m_t[last + 1].cap && gap_is_space(gap(last + 1)) &&
                (is<kNotNameWords>(last + 1) || org_word(last + 1))) {
                i = last + 1;
                continue;
            }
            std::vector<std::string>& name = m_name_buf;  // reused: most runs are no name
            name.clear();
            for (std::size_t k = i; k <= last; ++k) name.emplace_back(f(k));
            const std::size_t span_start = honorific ? m_t[start_tok].start : m_t[i].start;
            cue = cue || cue_before(i) || cue_after(last);
            // "Mateo and Lucas", "Anya and Piotr": a second name joined to the first.
            const bool coordinated = prev_name_last != std::string::npos && i >= 2 && prev_name_last == i - 2 &&
                                     in({"and", "y", "&"}, f(i - 1));
            // Every match needs the first word in a known person's name.
            const Known k = (m_t[i].flags & kKnownPersonWord) != 0 ? known(name) : Known::No;
            if (k != Known::No) {
                if (!sentence_has_override(i, last)) {
                    i = last;
                    continue;
                }
                add_name(i, last, span_start, name);
                prev_name_last = last;
                i = last;
                continue;
            }
            bool accept = honorific;
            const std::size_t head = i;  // name.front()
            const std::size_t tail = last;  // name.back()
            const bool head_ok = first_name(head) || !common(head);
            if (!accept && (cue || coordinated)) accept = head_ok;
            if (!accept && name.size() >= 2 && first_name(head) && (!common(tail) || surname(tail))) accept = true;
            if (!accept && name.size() >= 2 && !common(head) && surname(tail)) accept = true;
            if (!accept && name.size() == 1 && first_name(head) && !common(head)) accept = true;
            if (!accept) {
                i = last;
                continue;
            }
            add_name(i, last, span_start, name);
            prev_name_last = last;
            i = last;
        }
    }

    // ---- dates tied to people -------------------------------------------
    void tie_dates() {
        for (Candidate& c : m_out) {
            if (c.kind != PhiKind::Date || c.tied) continue;
            const std::size_t first = token_at(c.start);
            if (first >= m_t.size()) continue;
            const auto [sb, se] = sentence_of(first);
            // A name other than the date itself ("Jan" is also a name).
            auto overlaps = [&](const std::pair<std::size_t, std::size_t>& n) {
                return n.first < c.end && c.start < n.second;
            };
            const bool named = m_names.size() >= 2 || (m_names.size() == 1 && !overlaps(m_names.front()));
            bool name_here = false;
            if (m_name_sentence[static_cast<std::size_t>(m_t[first].sentence)]) {
                for (std::size_t k = sb; k < se && !name_here; ++k)
                    if (m_name_end[k] != 0 && !overlaps({m_t[k].start, m_name_end[k]})) name_here = true;
            }
            // Personal events tie a date by themselves ("born", "passed away");
            // care words ("MRI", "visit") only when the sentence is about
            // someone: a possessive, a pronoun, or a person the post names.
            bool personal = named || !m_handles.empty();
            for (std::size_t k = sb; k < se && !personal; ++k)
                if (is<kPersonalWords>(k)) personal = true;
            bool tied = name_here;
            for (std::size_t k = sb; k < se && !tied; ++k) {
                if (m_t[k].start >= c.start && m_t[k].end <= c.end) continue;
                if (is<kPersonalEvents>(k)) tied = true;
                if (is<kDateTieWords>(k) && personal) tied = true;
                if ((is_word(f(k), "your") || is_word(f(k), "his") || is_word(f(k), "her") || is_word(f(k), "su") || is_word(f(k), "tu")) &&
                    k + 1 < m_t.size() && m_impl.health_terms.match_at(m_t, k + 1, kHealthLead) > 0)
                    tied = true;
                // "On September 14 she came in ...": a pronoun for the person the post names.
                if (named && in({"she", "he", "him", "her", "his", "ella", "el"}, f(k))) tied = true;
            }
            if (!m_handles.empty() && m_handles.front().first == 0) tied = true;  // a reply to a person
            c.tied = tied;
        }
    }

    // Drops untied dates and candidates inside a longer one.
    void resolve(std::vector<Candidate>& out) {
        std::vector<Candidate>& kept = m_kept;
        for (Candidate& c : m_out)
            if (c.tied && c.end > c.start) kept.push_back(std::move(c));
        std::stable_sort(kept.begin(), kept.end(), [](const Candidate& a, const Candidate& b) {
            if (a.start != b.start) return a.start < b.start;
            return a.end - a.start > b.end - b.start;
        });
        // Sorted by start, so a candidate lies inside an earlier one exactly
        // when it ends before the furthest end seen so far.
        out.clear();
        std::size_t max_end = 0;
        for (Candidate& c : kept) {
            if (!out.empty() && c.end <= max_end) continue;
            max_end = std::max(max_end, c.end);
            out.push_back(std::move(c));
        }
    }

    const Engine::Impl& m_impl;
    std::string_view m_text;
    // The tokens as a span: pointer and count are held here, so the
    // detectors' many m_t.size() and m_t[i] read them directly instead of
    // through the caller's vector.
    std::span<const Token> m_t;
    const std::vector<text::Span>& m_urls;
    int m_now_year;
    PhiContext m_context;
    // In the thread's PhiScratch.
    std::vector<Candidate>& m_out;
    std::vector<Candidate>& m_kept;  // resolve()
    std::vector<std::pair<std::size_t, std::size_t>>& m_suppressed;
    std::vector<std::pair<std::size_t, std::size_t>>& m_emails;
    std::vector<std::pair<std::size_t, std::size_t>>& m_handles;
    std::vector<std::pair<std::size_t, std::size_t>>& m_names;
    std::vector<std::string>& m_name_words;
    std::vector<std::size_t>& m_digit_marks;  // byte offsets of digits, '(' and '+'
    std::vector<std::size_t>& m_sign_marks;   // the constructor's: '(' and '+' alone
    std::vector<std::size_t>& m_merged_marks;
    std::vector<std::size_t>& m_sent_first;   // first token of each sentence
    std::vector<std::size_t>& m_sent_end;     // one past its last token
    std::vector<char>& m_name_sentence;       // sentences that name a person
    std::vector<std::size_t>& m_name_end;     // per token: end of the name starting there, or 0
    std::vector<char>& m_used;                // scan_names(): tokens already in a name
    std::vector<std::size_t>& m_groups;       // scan_digit_groups(): digit-run lengths
    std::vector<std::string>& m_name_buf;     // scan_names(): the words of a possible name
};

}  // namespace

std::string street_key(std::string_view address_part) {
    std::string out;
    std::string word;
    auto flush = [&]() {
        if (word.empty()) return;
        static const std::array<std::pair<std::string_view, std::string_view>, 14> kAbbrev{{
            {"st", "street"}, {"rd", "road"}, {"ave", "avenue"}, {"ln", "lane"}, {"dr", "drive"}, {"blvd", "boulevard"},
            {"ct", "court"}, {"pl", "place"}, {"hwy", "highway"}, {"pkwy", "parkway"}, {"cir", "circle"},
            {"n", "north"}, {"s", "south"}, {"e", "east"}}};
        for (const auto& [abbr, full] : kAbbrev)
            if (word == abbr) word = std::string(full);
        if (!out.empty()) out.push_back(' ');
        out += word;
        word.clear();
    };
    for (char c : fold(address_part)) {
        if (is_alnum(c)) word.push_back(c);
        else flush();
    }
    flush();
    return out;
}

void add_phi_words(Lexicon& lexicon) {
    for (std::size_t c = 0; c < std::size(kClasses); ++c)
        for (std::size_t k = 0; k < kClasses[c].size; ++k) lexicon.add(kClasses[c].begin[k], 1U << c, 0);
    for (const IdKeyword& k : kIdKeywords) lexicon.add(k.words[0], 0, kIdKeywordWord);
    for (const char* w : {"the", "new", "christmas"}) lexicon.add(w, 0, kAnchorWord);  // see may_anchor
}

void detect_phi(const Engine::Impl& impl, std::string_view text, const std::vector<Token>& tokens,
                const std::vector<text::Span>& urls, UnixSeconds now, PhiContext& context, std::vector<Candidate>& out) {
    // One scratch per thread: the engine is shared between threads, and a
    // check never runs inside another on the same thread.
    thread_local PhiScratch scratch;
    Scanner scanner(impl, text, tokens, urls, now, scratch);
    scanner.run(context, out);
    // Keep the memory of ordinary posts only (see Engine::check).
    if (tokens.size() > 16384) scratch = PhiScratch{};
}

}  // namespace clearpost::compliance::detail
