/*
 * Clearpost publisher plugin ABI, version 1.
 *
 * A publisher is a shared library exporting one function,
 * clearpost_publisher_entry(), that returns a table of operations. Only C
 * types cross the boundary: UTF-8 JSON strings, int64 milliseconds and status
 * codes, so a plugin may be written in any language and built with any
 * compiler.
 *
 * Memory: each side frees what it allocated. Strings a plugin returns through
 * an out parameter are released with the plugin's free_string; strings the
 * host returns are released with the host's free_string.
 *
 * Compatibility: abi_major changes break the ABI and are refused by the
 * loader. abi_minor changes only append fields to the end of a table; check
 * struct_size before reading a field added after 1.0.
 *
 * Credentials: the JSON a plugin keeps per account (returned as
 * "credentials" by any operation, sealed by the host). Every string in it is
 * treated as a secret, except "service", "identifier", "handle", "did" and
 * "appview". A number "expires_at" (UTC seconds) says when the short-lived
 * token runs out: the host calls refresh_credentials ahead of it when the
 * account has posts due.
 *
 * Threads: the host may call operations from several threads at once, but
 * never two for the same account at once. Keep no mutable global state.
 *
 * Errors: an operation never throws or aborts. It returns a status and, for
 * every status but CLEARPOST_OK, a result JSON of the form
 *   {"error": {"message": "...", "retry_after_ms": 0}}
 * where message is for people (what happened, what to do) and carries no
 * token or secret.
 */
#ifndef CLEARPOST_PUBLISHER_H
#define CLEARPOST_PUBLISHER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CLEARPOST_PUBLISHER_ABI_MAJOR 1u
#define CLEARPOST_PUBLISHER_ABI_MINOR 3u

#if defined(_WIN32)
#define CLEARPOST_PUBLISHER_EXPORT __declspec(dllexport)
#else
#define CLEARPOST_PUBLISHER_EXPORT __attribute__((visibility("default")))
#endif

typedef enum ClearpostStatus {
    CLEARPOST_OK = 0,
    /* The request itself is wrong (missing field, text too long): do not retry. */
    CLEARPOST_ERR_INVALID = 1,
    /* Network down, timeout, 5xx: retry later with backoff. */
    CLEARPOST_ERR_TRANSIENT = 2,
    /* The network asked to slow down: retry after error.retry_after_ms. */
    CLEARPOST_ERR_RATE_LIMITED = 3,
    /* Credentials were refused: refresh once, then ask a person to reauthorise. */
    CLEARPOST_ERR_AUTH = 4,
    /* The network refused the content for good (policy, duplicate): do not retry. */
    CLEARPOST_ERR_PERMANENT = 5,
    /* The request may or may not have taken effect: reconcile, never resend blindly. */
    CLEARPOST_ERR_IN_DOUBT = 6,
    /* The plugin does not implement this operation. */
    CLEARPOST_ERR_UNSUPPORTED = 7,
    /* A bug in the plugin (it caught an exception, say). */
    CLEARPOST_ERR_INTERNAL = 8
} ClearpostStatus;

typedef enum ClearpostLogLevel {
    CLEARPOST_LOG_DEBUG = 0,
    CLEARPOST_LOG_INFO = 1,
    CLEARPOST_LOG_WARN = 2,
    CLEARPOST_LOG_ERROR = 3
} ClearpostLogLevel;

/*
 * Services the host offers a plugin. The plugin must not keep the pointer
 * beyond the call it was given in.
 */
typedef struct ClearpostHostV1 {
    uint32_t struct_size;
    uint32_t abi_major;
    void* context;

    /*
     * One HTTP request through the host's libcurl (TLS verification on,
     * proxy from the environment, bounded time). request_json:
     *   {"method": "POST", "url": "https://...",
     *    "headers": {"Content-Type": "application/json", ...},
     *    "body": "text" | "body_base64": "...",
     *    "timeout_ms": 15000,
     *    "secrets": ["token values the host must redact from its logs"],
     *    "aws_sigv4": "aws:amz:REGION:s3", "aws_credentials": "KEY:SECRET"}
     * (the last two, optional since ABI 1.2, sign the request with AWS
     * Signature Version 4 for S3-compatible storage), and, also since 1.2,
     *    "dpop": {"key": "PEM of the session's ES256 key",
     *             "access_token": "the DPoP-bound token, if any"}
     * for a DPoP-bound session (RFC 9449): the host adds the proof (and
     * "Authorization: DPoP <token>"), keeps the server's nonces and sends
     * once more when the server asks for a fresh one.
     * On CLEARPOST_OK (an HTTP response arrived, whatever its status),
     * *response_json is
     *   {"status": 200, "headers": {"lower-case-name": "value"},
     *    "body": "text" | "body_base64": "...", "elapsed_ms": 12}
     * Otherwise (CLEARPOST_ERR_TRANSIENT: no response; CLEARPOST_ERR_IN_DOUBT:
     * the request was sent but the answer was lost) it is an error JSON.
     */
    int (*http)(void* context, const char* request_json, char** response_json);
    /* Milliseconds since the Unix epoch (tests move this clock). */
    int64_t (*now_ms)(void* context);
    /* A log line; the host redacts known secrets again before writing it. */
    void (*log)(void* context, int level, const char* message);
    void (*free_string)(void* context, char* text);

    /* ---- ABI 1.2: use only when struct_size covers the field ---- */

    /*
     * Durable notes a plugin keeps between calls about one post, such as a
     * container made before the request that publishes it, so that a retry
     * after a crash checks that container instead of making another. The
     * host stores them in the database, committed before note_put
     * returns. All plugins share one namespace: a key starts with the
     * network's name and holds the post's idempotency key. The plugin
     * deletes a note (value NULL) when it is done with it.
     * note_get sets *value to NULL when there is no such note; a value is
     * freed with free_string. Both return a ClearpostStatus.
     */
    int (*note_put)(void* context, const char* key, const char* value);
    int (*note_get)(void* context, const char* key, char** value);
} ClearpostHostV1;

/* The size of a version 1.0 host table: hosts before notes end here. */
#define CLEARPOST_HOST_V1_0_SIZE (offsetof(ClearpostHostV1, free_string) + sizeof(void (*)(void*, char*)))

/*
 * Every operation has this shape: request and result are JSON. The request
 * carries "account" ({"handle", "service"}), "credentials" (whatever the
 * plugin stored last time) and operation-specific fields. A result may carry
 * "credentials" when the plugin refreshed them; the host stores them before
 * anything else happens.
 */
typedef int (*ClearpostOperation)(const ClearpostHostV1* host, const char* request_json,
                                  char** result_json);

typedef struct ClearpostPublisherV1 {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;

    /*
     * Static JSON owned by the plugin, valid while it is loaded:
     *   {"network": "bluesky", "display_name": "Bluesky",
     *    "text": {"limit": 300, "counting": "graphemes"},
     *    "media": {"max_images": 4, "max_bytes": 1000000, "alt_text": true,
     *              "types": ["image/jpeg", "image/png", "image/webp"]},
     *    "threads": true, "native_scheduling": false, "metrics": true,
     *    "account_metrics": true,
     *    "rate_limits": {"posts_per_hour": 1666, "posts_per_day": 11666},
     *    "idempotency": "client_record_key" | "idempotency_key" | "lookup" | "none"}
     */
    const char* (*capabilities)(void);

    ClearpostOperation authorize_begin;    /* -> {"url", "state", ...} */
    ClearpostOperation authorize_complete; /* -> {"credentials", "account"} */
    ClearpostOperation refresh_credentials;/* -> {"credentials"} */
    ClearpostOperation validate;           /* {"post"} -> {"problems": [...]} */
    /*
     * {"post": {"text", "media": [...]}, "idempotency_key": "hex"}
     *   -> {"remote_id", "remote_url"}
     * Each media item is {"path", "sha256", "mime", "width", "height",
     * "bytes", "alt"}: a local file the plugin reads itself, already stripped
     * of metadata and checked by the host to still have that SHA-256 (the
     * approved image); width and height are as displayed. The plugin enforces
     * its network's limits (INVALID with the limit in the message).
     * A plugin whose network honours idempotency uses the key so that a retry
     * after a crash finds the earlier post instead of making a second one.
     */
    ClearpostOperation publish;
    /*
     * {"post", "idempotency_key", "scheduled_at_ms"}
     *   -> {"found": true, "remote_id", "remote_url"} | {"found": false}
     * "found" means the whole post is there (every part of a thread): a post
     * found only in part is {"found": false}, and the host publishes it again
     * with the same key, which must complete it without duplicating a part.
     */
    ClearpostOperation lookup;
    ClearpostOperation remove;             /* {"remote_id"} -> {} */
    ClearpostOperation fetch_metrics;      /* {"remote_ids": [...]} -> {"metrics": {...}} */

    void (*free_string)(char* text);

    /* ---- ABI 1.1: read only when struct_size covers the field ---- */

    /*
     * Optional (NULL: the host publishes one post at a time). Several posts
     * of one account in one call, for networks that write many records at
     * once (Bluesky's applyWrites):
     *   {"account", "credentials",
     *    "posts": [{"post", "idempotency_key", "scheduled_at_ms"}, ...]}
     *   -> {"results": [{"remote_id", "remote_url"}
     *                   | {"error": {"status": 6, "message", "retry_after_ms"}}, ...],
     *       "credentials"?}
     * One result per post, in order; "status" is a ClearpostStatus with the
     * meaning it has for publish, for that post alone. A status other than
     * CLEARPOST_OK for the whole call applies to every post. The same keys
     * make a retry safe as for publish. The capabilities say how many posts
     * one call takes: "publish_batch_max".
     */
    ClearpostOperation publish_batch;

    /* ---- ABI 1.3 ---- */

    /*
     * Optional (NULL, or capabilities without "account_metrics": true: the
     * host does not ask). The account's own numbers as the network reports
     * them now, read once a day for the follower chart:
     *   {"account", "credentials"}
     *   -> {"metrics": {"followers": 1520, "following": 80, "posts": 312},
     *       "credentials"?}
     * Only what the network gives: a count it does not report is absent,
     * not zero. "followers" is the audience (a Page's or an organisation's
     * followers); "following" and "posts" where the profile says them.
     */
    ClearpostOperation fetch_account_metrics;
} ClearpostPublisherV1;

/* The size of a version 1.0 table: older plugins end here. */
#define CLEARPOST_PUBLISHER_V1_0_SIZE (offsetof(ClearpostPublisherV1, free_string) + sizeof(void (*)(char*)))

/*
 * The one exported symbol. host_abi_major is the host's
 * CLEARPOST_PUBLISHER_ABI_MAJOR; return NULL when it cannot be served.
 */
typedef const ClearpostPublisherV1* (*ClearpostPublisherEntry)(uint32_t host_abi_major);
#define CLEARPOST_PUBLISHER_ENTRY_SYMBOL "clearpost_publisher_entry"

#ifdef __cplusplus
}
#endif

#endif /* CLEARPOST_PUBLISHER_H */
