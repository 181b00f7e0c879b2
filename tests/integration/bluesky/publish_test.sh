#!/usr/bin/env bash
# clearpostctl publishes to the reference Bluesky PDS through the real bluesky.so:
# links, hashtags and mentions as facets at UTF-8 byte offsets, non-ASCII text, a
# long text as a thread with reply refs, read back from the PDS; a second run
# publishes nothing.
#
#   publish_test.sh CLEARPOSTCTL PUBLISHERS_DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

step "PDS with two accounts; Clearpost with an admin and an approver"
start_pds
pds_account alice.test
pds_account bob.test
init_clearpost
connect alice.test
check "account list: alice.test connected" \
  "$(as_ada --json account list | pyj '[a["status"] for a in d if a["handle"] == "alice.test"]')" '["connected"]'
done_step

step "three posts due now (UTC): facets, non-ASCII, a thread"
AT=$(due_now)
# Link (trailing period not part of it), hashtag, a mention that resolves, one that does not.
printf '%s' 'Flu shots Saturday 9-12 at https://example.org/flu?site=harbor&x=1. #FluSeason with @bob.test and @nobody.test' >"$T/p1.txt"
# Multi-byte everywhere before and between the facets (2-, 3-, 4-byte and ZWJ sequences).
printf '%s' 'Café naïve — 👩🏽‍⚕️ vaccins gratuits 🎉 #Santé puis https://example.org/ünï?q=é et @bob.test ✅' >"$T/p2.txt"
python3 - "$T/p3.txt" <<'PYEOF'
import sys
words = []
for i in range(1, 91):
    words.append(f"mot{i:03d}" if i % 10 else f"équipe{i:03d}")
text = "Thread: " + " ".join(words) + " #VaccinesWork https://example.org/end"
assert len(text) > 600
open(sys.argv[1], "w", encoding="utf-8").write(text)
PYEOF
P1=$(scheduled_post "$T/p1.txt" "$AT" alice.test)
P2=$(scheduled_post "$T/p2.txt" "$AT" alice.test)
P3=$(scheduled_post "$T/p3.txt" "$AT" alice.test)
check "post 1 is Scheduled" "$(as_ada --json post show "$P1" | pyj 'd["state"]')" Scheduled
done_step

step "clearpostctl run --once"
STATS=$(run_once) || fatal "run --once"
check "run: 3 claimed, 3 published" "$(pyj '[d["claimed"], d["published"], d["retrying"], d["failed"], d["needs_attention"]]' <<<"$STATS")" '[3, 3, 0, 0, 0]'
done_step

step "post show --json: Published with the at:// URI"
for p in "$P1" "$P2" "$P3"; do
  as_ada --json post show "$p" >"$T/show$p.json"
  check "post $p target Published" "$(pyj '[t["state"] for t in d["targets"]]' <"$T/show$p.json")" '["Published"]'
  check_match "post $p remote_id is an at:// URI of alice" "$(pyj 'd["targets"][0]["remote_id"]' <"$T/show$p.json")" \
    "^at://${DID[alice.test]}/app\.bsky\.feed\.post/[2-7a-z]{13}$"
done
done_step

step "read back from the PDS (listRecords, getRecord) and compare"
python3 "$PDSQ" list "$PDS_URL" "${DID[alice.test]}" >"$T/records.json" || fatal "listRecords"
for p in "$P1" "$P2" "$P3"; do
  python3 "$PDSQ" get "$PDS_URL" "$(pyj 'd["targets"][0]["remote_id"]' <"$T/show$p.json")" >"$T/root$p.json" \
    || fatal "getRecord for post $p"
done
# Every expectation is computed here from the texts, with UTF-8 byte offsets.
pycheck "$T" "$P1" "$P2" "$P3" "${DID[bob.test]}" <<'PYEOF'
import json, sys
from checklib import check, done
T, P1, P2, P3, BOB = sys.argv[1:]
records = json.load(open(f"{T}/records.json", encoding="utf-8"))
by_uri = {r["uri"]: r for r in records}

def span(text, piece, start_at=0):
    b, p = text.encode("utf-8"), piece.encode("utf-8")
    i = b.index(p, start_at)
    return {"byteStart": i, "byteEnd": i + len(p)}

def facets(rec):
    out = []
    for f in rec.get("facets", []):
        assert len(f["features"]) == 1
        feat = dict(f["features"][0])
        out.append((f["index"]["byteStart"], f["index"]["byteEnd"], feat))
    return sorted(out, key=lambda x: x[0])

def expect(pairs):
    return sorted(((s["byteStart"], s["byteEnd"], feat) for s, feat in pairs), key=lambda x: x[0])

def link(u): return {"$type": "app.bsky.richtext.facet#link", "uri": u}
def tag(t): return {"$type": "app.bsky.richtext.facet#tag", "tag": t}
def mention(did): return {"$type": "app.bsky.richtext.facet#mention", "did": did}

check("3 posts make 1 + 1 + thread records on the PDS", len(records) >= 4, True)

# Post 1
show = json.load(open(f"{T}/show{P1}.json"))
root = json.load(open(f"{T}/root{P1}.json"))
rec = root["value"]
text = open(f"{T}/p1.txt", encoding="utf-8").read()
check("post 1: getRecord uri = remote_id", root["uri"], show["targets"][0]["remote_id"])
check("post 1: listRecords has the same record", by_uri.get(root["uri"], {}).get("cid"), root["cid"])
check("post 1: text", rec["text"], text)
check("post 1: $type", rec["$type"], "app.bsky.feed.post")
check("post 1: no reply", "reply" in rec, False)
check("post 1: facets (link without the period, tag, mention of bob's DID; @nobody.test stays text)", facets(rec), expect([
    (span(text, "https://example.org/flu?site=harbor&x=1"), link("https://example.org/flu?site=harbor&x=1")),
    (span(text, "#FluSeason"), tag("FluSeason")),
    (span(text, "@bob.test"), mention(BOB)),
]))

# Post 2: byte offsets differ from code point and UTF-16 offsets
show = json.load(open(f"{T}/show{P2}.json"))
root = json.load(open(f"{T}/root{P2}.json"))
rec = root["value"]
text = open(f"{T}/p2.txt", encoding="utf-8").read()
check("post 2: text, byte for byte", rec["text"].encode("utf-8"), text.encode("utf-8"))
exp = expect([
    (span(text, "#Santé"), tag("Santé")),
    (span(text, "https://example.org/ünï?q=é"), link("https://example.org/ünï?q=é")),
    (span(text, "@bob.test"), mention(BOB)),
])
check("post 2: facets at UTF-8 byte offsets", facets(rec), exp)
b = text.encode("utf-8")
for s, e, feat in facets(rec):
    piece = b[s:e].decode("utf-8")
    want = {"app.bsky.richtext.facet#tag": "#" + feat.get("tag", ""), "app.bsky.richtext.facet#link": feat.get("uri"),
            "app.bsky.richtext.facet#mention": "@bob.test"}[feat["$type"]]
    check(f"post 2: bytes {s}..{e} of the text are {want!r}", piece, want)

# Post 3: a thread
show = json.load(open(f"{T}/show{P3}.json"))
root = json.load(open(f"{T}/root{P3}.json"))
text = open(f"{T}/p3.txt", encoding="utf-8").read()
parts = [root]
while True:
    nxt = [r for r in records if r["value"].get("reply", {}).get("parent", {}).get("uri") == parts[-1]["uri"]]
    if not nxt:
        break
    check(f"thread part {len(parts) + 1}: exactly one reply to part {len(parts)}", len(nxt), 1)
    parts.append(nxt[0])
n = len(parts)
check(f"thread: the {len(text)}-character text became 3 parts", n, 3)
check("thread: parts joined by a space give the text back", " ".join(p["value"]["text"] for p in parts), text)
for i, p in enumerate(parts):
    v = p["value"]
    g = len(v["text"])  # ASCII + precomposed letters: code points = graphemes here
    check(f"thread part {i + 1}: at most 300 graphemes", g <= 300, True)
    if i == 0:
        check("thread part 1: no reply ref", "reply" in v, False)
    else:
        check(f"thread part {i + 1}: reply.root = part 1 (uri, cid)", v["reply"]["root"], {"uri": parts[0]["uri"], "cid": parts[0]["cid"]})
        check(f"thread part {i + 1}: reply.parent = part {i} (uri, cid)", v["reply"]["parent"], {"uri": parts[i - 1]["uri"], "cid": parts[i - 1]["cid"]})
last = parts[-1]["value"]
check("thread last part: facets relative to the part", facets(last), expect([
    (span(last["text"], "#VaccinesWork"), tag("VaccinesWork")),
    (span(last["text"], "https://example.org/end"), link("https://example.org/end")),
]))
check("every record on the PDS belongs to one of the 3 posts", len(records), 2 + n)
done()
PYEOF
done_step

step "a second run publishes nothing new"
STATS=$(run_once) || fatal "second run --once"
check "second run: nothing claimed" "$(pyj '[d["claimed"], d["published"]]' <<<"$STATS")" '[0, 0]'
check "record count on the PDS unchanged" \
  "$(python3 "$PDSQ" list "$PDS_URL" "${DID[alice.test]}" | pyj 'len(d)')" "$(pyj 'len(d)' <"$T/records.json")"
check "still Published" "$(as_ada --json post show "$P1" | pyj 'd["targets"][0]["state"]')" Published
check "no notices" "$(as_ada --json notices | pyj 'len(d)')" 0
ctl audit verify >/dev/null && pass "audit verify" || fail "audit verify"
done_step

step "post takedown: an admin deletes post 1 from the PDS, with the reason audited"
URI1=$(pyj 'd["targets"][0]["remote_id"]' <"$T/show$P1.json")
rc=0; as_ada post takedown "$P1" --reason "test" >/dev/null 2>"$T/td.err" || rc=$?
check "ada is an admin: allowed" "$rc" 0
check "Removed" "$(as_ada --json post show "$P1" | pyj 'd["targets"][0]["state"]')" Removed
if python3 "$PDSQ" get "$PDS_URL" "$URI1" >/dev/null 2>&1; then fail "the record is still on the PDS"; else pass "the record is gone from the PDS"; fi
check "the other posts stay" "$(python3 "$PDSQ" list "$PDS_URL" "${DID[alice.test]}" | pyj 'len(d)')" \
  "$(( $(pyj 'len(d)' <"$T/records.json") - 1 ))"
rc=0; as_ada post takedown "$P1" --reason "again" >/dev/null 2>"$T/td2.err" || rc=$?
check "a second takedown: nothing published to take down (exit 1)" "$rc" 1
ctl audit verify >/dev/null && pass "audit verify after the takedown" || fail "audit verify after the takedown"
done_step
