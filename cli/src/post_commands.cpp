// post new|edit|show|list|tag|submit|approve|reject|schedule|pause|resume|cancel|consent

#include <CLI/CLI.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

#include "clearpost/app/compliance.h"
#include "clearpost/media/library.h"
#include "clearpost/schedule/time_zone.h"
#include "output.h"
#include "run.h"

namespace clearpost::cli {
namespace {

using store::MigrationPolicy;
using store::OpenMode;

// What `post new` and `post edit` accept. Unset fields keep the previous
// version's value on edit.
struct ContentOptions {
    std::string text;
    std::string text_file;
    std::vector<std::string> targets;  // NETWORK:HANDLE
    std::string at;                    // local "YYYY-MM-DD HH:MM" in --zone
    std::string zone;
    std::string dst = "reject";
    bool next_slot = false;            // the next free queue slot instead of --at
    std::vector<std::string> images;  // files to attach, in order
    std::vector<std::string> alts;     // alt text of the images, paired in order
    bool no_images = false;
    std::vector<std::string> tags;     // replace the post's tags (not content: no new version on their own)

    // Whether anything but --tag was given: what makes a new version.
    bool changes_content() const {
        return !text.empty() || !text_file.empty() || !targets.empty() || !at.empty() || !zone.empty() ||
               dst != "reject" || next_slot || !images.empty() || !alts.empty() || no_images;
    }
};

// A post carries at most this many images; a network may take fewer (its
// publisher says so when it validates the post).
constexpr std::size_t kMaxImages = 4;

void add_content_options(CLI::App* cmd, ContentOptions& o) {
    cmd->add_option("--text", o.text, "Post text (UTF-8)");
    cmd->add_option("--text-file", o.text_file, "Read the post text from a UTF-8 file");
    cmd->add_option("--target", o.targets, "Account to publish to, NETWORK:HANDLE (repeatable)");
    cmd->add_option("--at", o.at, "Local publishing time, 'YYYY-MM-DD HH:MM' in --zone");
    cmd->add_option("--zone", o.zone, "IANA time zone of --at (default: the organisation's)");
    cmd->add_option("--dst", o.dst,
                    "A time in a DST gap or overlap: reject (default), earlier or later");
    cmd->add_flag("--next-slot", o.next_slot,
                  "Publish at the organisation's next queue slot that no other post takes (see org queue-slots)");
    cmd->add_option("--image", o.images,
                    "Attach a JPEG, PNG or WebP image (repeatable, up to 4, in order); its metadata is stripped");
    cmd->add_option("--alt", o.alts, "Alt text of the images, paired with --image in order (repeatable)");
    cmd->add_flag("--no-images", o.no_images, "Remove the images of the previous version");
    cmd->add_option("--tag", o.tags,
                    "Tag (campaign, topic) for per-tag totals, repeatable; replaces the post's tags. Not approved "
                    "content: tags alone make no new version");
}

// Applies --image, --alt and --no-images to `content.media`. Images are
// stripped of metadata and stored by SHA-256 next to the database; the
// original files are only read.
Result<void> apply_media(Session& session, const ContentOptions& o, model::VersionContent& content) {
    if (o.no_images && (!o.images.empty() || !o.alts.empty())) {
        return make_error(ErrorCode::Invalid, "give --no-images or --image/--alt, not both");
    }
    if (o.no_images) {
        content.media.clear();
        return ok();
    }
    if (o.images.size() > kMaxImages) {
        return make_error(ErrorCode::Invalid, std::to_string(o.images.size()) + " images given; a post takes at most " +
                                                  std::to_string(kMaxImages));
    }
    if (o.images.empty()) {
        if (o.alts.empty()) return ok();
        // Only new alt texts: for the images already attached.
        if (o.alts.size() != content.media.size()) {
            return make_error(ErrorCode::Invalid,
                              std::to_string(o.alts.size()) + " --alt given but the post has " +
                                  std::to_string(content.media.size()) +
                                  " images; give one --alt per image, or --image with its --alt");
        }
        for (std::size_t i = 0; i < o.alts.size(); ++i) content.media[i].alt_text = o.alts[i];
        return ok();
    }
    if (o.alts.size() > o.images.size()) {
        return make_error(ErrorCode::Invalid, std::to_string(o.alts.size()) + " --alt given for " +
                                                  std::to_string(o.images.size()) +
                                                  " images; give one --alt after each --image");
    }
    const auto dir = app::media_dir(session.location());
    std::vector<model::MediaRef> refs;
    for (std::size_t i = 0; i < o.images.size(); ++i) {
        CLEARPOST_ASSIGN(auto stored, media::import_image(o.images[i], dir));
        refs.push_back({stored.sha256, stored.path.string(), i < o.alts.size() ? o.alts[i] : std::string()});
    }
    content.media = std::move(refs);
    return ok();
}

Result<std::string> read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorCode::NotFound, "cannot read " + path + "; check the path");
    return std::string(std::istreambuf_iterator<char>(in), {});
}

Result<schedule::DstChoice> parse_dst(const std::string& text) {
    if (text == "reject") return schedule::DstChoice::Reject;
    if (text == "earlier") return schedule::DstChoice::Earlier;
    if (text == "later") return schedule::DstChoice::Later;
    return make_error(ErrorCode::Invalid, "--dst takes reject, earlier or later, not '" + text + "'");
}

// Applies the options over `content` (the previous version's, or empty).
Result<void> apply(Session& session, const ContentOptions& o, model::VersionContent& content) {
    if (!o.text.empty() && !o.text_file.empty()) {
        return make_error(ErrorCode::Invalid, "give --text or --text-file, not both");
    }
    if (!o.text.empty()) content.text = o.text;
    if (!o.text_file.empty()) {
        CLEARPOST_ASSIGN(content.text, read_text_file(o.text_file));
    }
    if (!o.targets.empty()) {
        content.targets.clear();
        for (const auto& spec : o.targets) {
            const auto colon = spec.find(':');
            if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size()) {
                return make_error(ErrorCode::Invalid,
                                  "--target takes NETWORK:HANDLE, e.g. bluesky:clinic.example, not '" + spec + "'");
            }
            const std::string network = spec.substr(0, colon);
            const std::string handle = spec.substr(colon + 1);
            CLEARPOST_ASSIGN(auto account, session.store().find_account(network, handle));
            if (!account) {
                return make_error(ErrorCode::NotFound, "no account " + spec +
                                                           "; an admin adds it with: clearpostctl account add " +
                                                           network + " " + handle);
            }
            content.targets.push_back({account->id, ""});
        }
    }
    if (!o.zone.empty() || content.zone.empty()) {
        std::string zone = o.zone;
        if (zone.empty()) {
            CLEARPOST_ASSIGN(auto org, session.store().organisation());
            zone = org.default_zone;
        }
        content.zone = zone;
    }
    schedule::TzDatabase zones;
    CLEARPOST_ASSIGN(auto zone, zones.find(content.zone));
    if (!o.at.empty()) {
        CLEARPOST_ASSIGN(auto local, schedule::parse_local_datetime(o.at));
        CLEARPOST_ASSIGN(auto choice, parse_dst(o.dst));
        auto utc = schedule::local_to_utc(local, zone, choice);
        if (!utc.ok() && choice == schedule::DstChoice::Reject) {
            return make_error(utc.error().code, utc.error().message +
                                                    " (or pass --dst earlier or --dst later to choose)");
        }
        CLEARPOST_ASSIGN(content.scheduled_at, std::move(utc));
    }
    if (o.next_slot) {
        if (!o.at.empty()) return make_error(ErrorCode::Invalid, "give --at or --next-slot, not both");
        CLEARPOST_ASSIGN(auto org, session.store().organisation());
        CLEARPOST_ASSIGN(auto org_zone, zones.find(org.default_zone));
        CLEARPOST_ASSIGN(auto slot, workflow::next_free_slot(session.store(), org_zone, system_now()));
        if (!slot) {
            return make_error(ErrorCode::NotFound, "no free queue slot; an admin sets slots with clearpostctl org "
                                                   "queue-slots \"Mon 09:00\" ..., or give --at");
        }
        content.scheduled_at = *slot;
    }
    return apply_media(session, o, content);
}

std::string describe_time(const std::optional<UnixSeconds>& at, const std::string& zone_name) {
    if (!at) return "not scheduled";
    schedule::TzDatabase zones;
    auto zone = zones.find(zone_name);
    if (!zone) return format_utc(*at);
    auto local = schedule::utc_to_local(*at, *zone);
    return local ? schedule::format_iso8601(*local) + " " + zone_name : format_utc(*at);
}

Result<std::unique_ptr<Session>> open_acting(const Context& ctx) {
    return Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent, Session::Actor::Required);
}

std::string human_detail(Session& session, const workflow::PostDetail& d) {
    std::ostringstream out;
    const auto& v = d.versions.back();
    out << "Post " << d.post.id << "  " << model::to_string(d.post.state) << "  version " << v.number
        << " of " << d.versions.size() << "\n";
    out << "When:       " << describe_time(v.content.scheduled_at, v.content.zone) << "\n";
    out << "Compliance: " << v.compliance.verdict << "\n";
    out << "Hash:       " << v.content_hash << "\n";
    if (!d.tags.empty()) {
        out << "Tags:      ";
        for (const auto& t : d.tags) out << " " << t;
        out << "\n";
    }
    auto accounts = session.store().list_accounts();
    auto users = session.store().list_users();
    auto user_name = [&users](model::Id id) {
        if (users)
            for (const auto& u : *users)
                if (u.id == id) return u.name;
        return "user " + std::to_string(id);
    };
    for (const auto& t : v.content.targets) {
        std::string name = "account " + std::to_string(t.account_id);
        if (accounts)
            for (const auto& a : *accounts)
                if (a.id == t.account_id) name = a.network + ":" + a.handle;
        out << "Target:     " << name << "\n";
    }
    for (const auto& m : v.content.media)
        out << "Image:      " << m.path << (m.alt_text.empty() ? "  (no alt text)" : "  alt: " + m.alt_text) << "\n";
    out << "\n" << v.content.text << "\n";
    for (const auto& a : d.approvals) {
        if (a.version_id != v.id) continue;
        out << "\nStage " << a.stage << ": " << a.decision << " by " << user_name(a.approver_id);
        if (!a.comment.empty()) out << " — " << a.comment;
        if (!a.override_justification.empty()) out << " [override: " << a.override_justification << "]";
    }
    for (const auto& t : d.targets)
        out << "\nQueue: target " << t.id << " " << model::to_string(t.state) << " at "
            << format_utc(t.scheduled_at) << (t.last_error.empty() ? "" : " (" + t.last_error + ")");
    return out.str();
}

model::Id parse_id(const std::string& text, Result<void>& error) {
    try {
        std::size_t used = 0;
        const long long id = std::stoll(text, &used);
        if (used == text.size() && id > 0) return id;
    } catch (const std::exception&) {
    }
    error = make_error(ErrorCode::Invalid, "'" + text + "' is not a post id; see clearpostctl post list");
    return 0;
}

std::string describe_tag_change(model::Id post_id, const workflow::TagChange& change) {
    if (change.added.empty() && change.removed.empty()) {
        return "Post " + std::to_string(post_id) + "'s tags are unchanged";
    }
    const auto join = [](const std::vector<std::string>& list) {
        std::string text;
        for (const auto& t : list) text += (text.empty() ? "" : ", ") + t;
        return text;
    };
    std::string message = "Post " + std::to_string(post_id) + ":";
    if (!change.added.empty()) message += " tagged " + join(change.added);
    if (!change.removed.empty()) {
        message += std::string(change.added.empty() ? "" : ";") + " untagged " + join(change.removed);
    }
    return message + " (no new version; approvals stand)";
}

// Registers `post NAME ID` whose body acts on one post as the acting user.
CLI::App* add_post_action(CLI::App* post, Context& ctx, const std::string& name, const std::string& help,
                          std::shared_ptr<std::string> id,
                          std::function<Result<std::string>(Session&, model::Id)> act) {
    auto* cmd = post->add_subcommand(name, help);
    cmd->add_option("ID", *id, "Post id")->required();
    cmd->callback(command(ctx, [&ctx, id, act = std::move(act)]() -> Result<void> {
        Result<void> bad_id;
        const model::Id post_id = parse_id(*id, bad_id);
        CLEARPOST_CHECK(bad_id);
        CLEARPOST_ASSIGN(auto session, open_acting(ctx));
        CLEARPOST_ASSIGN(std::string message, act(*session, post_id));
        CLEARPOST_ASSIGN(auto detail, session->flow().detail(post_id));
        emit(ctx.json, to_json(detail), message);
        return ok();
    }));
    return cmd;
}

}  // namespace

void add_post_commands(CLI::App& app, Context& ctx) {
    auto* post = app.add_subcommand("post", "Draft, review and schedule posts");
    post->require_subcommand(1);

    {
        auto opts = std::make_shared<ContentOptions>();
        auto* cmd = post->add_subcommand("new", "Draft a new post");
        add_content_options(cmd, *opts);
        cmd->callback(command(ctx, [&ctx, opts]() -> Result<void> {
            if (opts->text.empty() && opts->text_file.empty()) {
                return make_error(ErrorCode::Invalid, "a new post needs --text or --text-file");
            }
            // Bad tags are refused before anything is written.
            CLEARPOST_CHECK(workflow::normalise_tags(opts->tags));
            CLEARPOST_ASSIGN(auto session, open_acting(ctx));
            model::VersionContent content;
            CLEARPOST_CHECK(apply(*session, *opts, content));
            CLEARPOST_ASSIGN(model::Id id, session->flow().create_post(session->user(), content));
            if (!opts->tags.empty()) CLEARPOST_CHECK(session->flow().set_tags(session->user(), id, opts->tags));
            CLEARPOST_ASSIGN(auto detail, session->flow().detail(id));
            emit(ctx.json, to_json(detail),
                 "Created post " + std::to_string(id) + " (Draft, compliance " +
                     detail.versions.back().compliance.verdict + ")");
            return ok();
        }));
    }
    {
        auto opts = std::make_shared<ContentOptions>();
        auto id = std::make_shared<std::string>();
        add_post_action(post, ctx, "edit", "Save a new version (returns the post to Draft)", id,
                        [opts](Session& s, model::Id post_id) -> Result<std::string> {
                            CLEARPOST_CHECK(workflow::normalise_tags(opts->tags));
                            // Only --tag: tags are not content, so the post
                            // keeps its version, state and approvals.
                            if (!opts->tags.empty() && !opts->changes_content()) {
                                CLEARPOST_ASSIGN(auto change, s.flow().set_tags(s.user(), post_id, opts->tags));
                                return describe_tag_change(post_id, change);
                            }
                            CLEARPOST_ASSIGN(auto detail, s.flow().detail(post_id));
                            auto content = detail.versions.back().content;
                            CLEARPOST_CHECK(apply(s, *opts, content));
                            CLEARPOST_ASSIGN(int number, s.flow().edit_post(s.user(), post_id, content));
                            if (!opts->tags.empty()) CLEARPOST_CHECK(s.flow().set_tags(s.user(), post_id, opts->tags));
                            return "Saved version " + std::to_string(number) + " of post " +
                                   std::to_string(post_id) + " (Draft)";
                        });
        add_content_options(post->get_subcommand("edit"), *opts);
    }
    add_post_action(post, ctx, "show", "Show a post, its versions, approvals and queue",
                    std::make_shared<std::string>(), [](Session& s, model::Id post_id) -> Result<std::string> {
                        CLEARPOST_ASSIGN(auto detail, s.flow().detail(post_id));
                        return human_detail(s, detail);
                    });
    {
        auto state = std::make_shared<std::string>();
        auto* cmd = post->add_subcommand("list", "List posts, newest first");
        cmd->add_option("--state", *state, "Only posts in this state (e.g. InReview)");
        cmd->callback(command(ctx, [&ctx, state]() -> Result<void> {
            store::PostFilter filter;
            if (!state->empty()) {
                CLEARPOST_ASSIGN(filter.state, model::parse_state(*state));
            }
            CLEARPOST_ASSIGN(auto session, open_acting(ctx));
            CLEARPOST_ASSIGN(auto posts, session->store().list_posts(filter));
            nlohmann::json doc = nlohmann::json::array();
            std::ostringstream human;
            for (const auto& p : posts) {
                doc.push_back({{"id", p.post.id},
                               {"state", model::to_string(p.post.state)},
                               {"version", p.version_number},
                               {"author", p.author},
                               {"text", p.text},
                               {"scheduled_at", p.scheduled_at ? nlohmann::json(format_utc(*p.scheduled_at))
                                                               : nlohmann::json()}});
                std::string first_line = p.text.substr(0, p.text.find('\n'));
                if (first_line.size() > 60) first_line = first_line.substr(0, 57) + "...";
                human << p.post.id << "\t" << model::to_string(p.post.state) << "\tv" << p.version_number
                      << "\t" << p.author << "\t" << first_line << "\n";
            }
            emit(ctx.json, doc, posts.empty() ? "No posts." : human.str());
            return ok();
        }));
    }
    {
        struct TagOptions {
            std::vector<std::string> add, remove;
        };
        auto o = std::make_shared<TagOptions>();
        auto* cmd = add_post_action(
            post, ctx, "tag", "Add or remove tags (campaigns, topics); no new version, approvals stand",
            std::make_shared<std::string>(), [o](Session& s, model::Id id) -> Result<std::string> {
                if (o->add.empty() && o->remove.empty()) {
                    return make_error(ErrorCode::Invalid, "give --add TAG or --remove TAG (each repeatable); "
                                                          "clearpostctl post show ID lists the post's tags");
                }
                CLEARPOST_ASSIGN(auto add, workflow::normalise_tags(o->add));
                CLEARPOST_ASSIGN(auto remove, workflow::normalise_tags(o->remove));
                CLEARPOST_ASSIGN(auto current, s.store().tags_of(id));
                std::vector<std::string> wanted;
                for (const auto& t : current)
                    if (std::find(remove.begin(), remove.end(), t) == remove.end()) wanted.push_back(t);
                for (const auto& t : add)
                    if (std::find(remove.begin(), remove.end(), t) == remove.end()) wanted.push_back(t);
                CLEARPOST_ASSIGN(auto change, s.flow().set_tags(s.user(), id, wanted));
                return describe_tag_change(id, change);
            });
        cmd->add_option("--add", o->add, "Tag to add (repeatable): letters, digits, '-' and '_', up to 40");
        cmd->add_option("--remove", o->remove, "Tag to remove (repeatable)");
    }
    add_post_action(post, ctx, "submit", "Send the current version for review", std::make_shared<std::string>(),
                    [](Session& s, model::Id id) -> Result<std::string> {
                        CLEARPOST_CHECK(s.flow().submit(s.user(), id));
                        return "Post " + std::to_string(id) + " is in review";
                    });
    {
        auto comment = std::make_shared<std::string>();
        auto justification = std::make_shared<std::string>();
        auto* cmd = add_post_action(
            post, ctx, "approve", "Sign the next approval stage", std::make_shared<std::string>(),
            [comment, justification](Session& s, model::Id id) -> Result<std::string> {
                CLEARPOST_ASSIGN(auto outcome, s.flow().approve(s.user(), id, *comment, *justification));
                return outcome.final ? "Post " + std::to_string(id) + " is approved"
                                     : "Stage " + std::to_string(outcome.stage) + " signed; post " +
                                           std::to_string(id) + " waits for the next stage";
            });
        cmd->add_option("--comment", *comment, "Comment for the author");
        cmd->add_option("--justification", *justification,
                        "Privacy officer only: why a compliance block may be overridden");
    }
    {
        auto comment = std::make_shared<std::string>();
        auto* cmd = add_post_action(post, ctx, "reject", "Request changes, with a comment",
                                    std::make_shared<std::string>(),
                                    [comment](Session& s, model::Id id) -> Result<std::string> {
                                        CLEARPOST_CHECK(s.flow().request_changes(s.user(), id, *comment));
                                        return "Changes requested on post " + std::to_string(id);
                                    });
        cmd->add_option("--comment", *comment, "What should change")->required();
    }
    add_post_action(post, ctx, "schedule", "Queue an approved post at its time", std::make_shared<std::string>(),
                    [](Session& s, model::Id id) -> Result<std::string> {
                        CLEARPOST_CHECK(s.flow().schedule(s.user(), id));
                        return "Post " + std::to_string(id) + " is scheduled";
                    });
    add_post_action(post, ctx, "pause", "Hold a scheduled post", std::make_shared<std::string>(),
                    [](Session& s, model::Id id) -> Result<std::string> {
                        CLEARPOST_CHECK(s.flow().pause(s.user(), id));
                        return "Post " + std::to_string(id) + " is paused";
                    });
    add_post_action(post, ctx, "resume", "Release a paused post", std::make_shared<std::string>(),
                    [](Session& s, model::Id id) -> Result<std::string> {
                        CLEARPOST_CHECK(s.flow().resume(s.user(), id));
                        return "Post " + std::to_string(id) + " is scheduled again";
                    });
    {
        struct ConsentOptions {
            std::string subject, scope, until, document;
        };
        auto o = std::make_shared<ConsentOptions>();
        auto* cmd = add_post_action(
            post, ctx, "consent", "Link a patient's signed authorisation to a post", std::make_shared<std::string>(),
            [o](Session& s, model::Id id) -> Result<std::string> {
                auto last = schedule::parse_local_datetime(o->until + " 00:00");
                if (!last) {
                    return make_error(ErrorCode::Invalid,
                                      "--until takes the last day the consent applies, YYYY-MM-DD, not '" + o->until +
                                          "'");
                }
                CLEARPOST_ASSIGN(auto org, s.store().organisation());
                schedule::TzDatabase zones;
                CLEARPOST_ASSIGN(auto zone, zones.find(org.default_zone));
                model::Consent consent;
                consent.subject = o->subject;
                consent.scope = o->scope.empty() ? "all networks" : o->scope;
                CLEARPOST_ASSIGN(consent.expires_at, schedule::end_of_day(last->date(), zone));
                consent.document_ref = o->document;
                CLEARPOST_ASSIGN(auto consent_id, s.flow().link_consent(s.user(), id, consent));
                return "Consent " + std::to_string(consent_id) + " linked to post " + std::to_string(id) +
                       "; it applies through " + o->until + " in " + org.default_zone;
            });
        cmd->add_option("--subject", o->subject, "The person, as the post names them")->required();
        cmd->add_option("--scope", o->scope, "Networks it covers, e.g. \"facebook instagram\" (default: all networks)");
        cmd->add_option("--until", o->until, "Last day it applies, YYYY-MM-DD in the organisation's time zone")
            ->required();
        cmd->add_option("--document", o->document, "Where the signed form is kept");
    }
    {
        auto reason = std::make_shared<std::string>();
        auto* cmd = add_post_action(post, ctx, "cancel", "Cancel a post and its queued targets",
                                    std::make_shared<std::string>(),
                                    [reason](Session& s, model::Id id) -> Result<std::string> {
                                        CLEARPOST_CHECK(s.flow().cancel(s.user(), id, *reason));
                                        return "Post " + std::to_string(id) + " is cancelled";
                                    });
        cmd->add_option("--reason", *reason, "Why; recorded in the audit log");
    }
}

}  // namespace clearpost::cli
