#!/usr/bin/env bash
# Images and link cards through clearpostctl and the real bluesky.so against the
# reference Bluesky PDS:
# - a post with 2 images (a JPEG carrying EXIF GPS tags and a comment, a PNG with
#   text and eXIf chunks) and alt text: imported stripped next to the database,
#   published by `run --once`, read back: app.bsky.embed.images with the alt texts
#   and aspect ratios, blobs on the PDS (sync.getBlob) that are the stored files and
#   carry no metadata;
# - a link post against a local HTTP server with og: tags: app.bsky.embed.external
#   with title, description and a thumb blob; a link whose page is missing still
#   publishes, without a card;
# - an approved image changed on disk fails with a notice; an image over Bluesky's
#   1,000,000 bytes fails with the network's limit; clearpostctl refuses a 5th
#   image, a missing file and a file that is not an image.
#
#   media_test.sh CLEARPOSTCTL PUBLISHERS_DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SECRET=CLEARPOST-GPS-SECRET

# post_with FILE AT IMAGE-ARGS... -> a post for alice.test, approved and scheduled; prints its id.
post_with() { local file=$1 at=$2; shift 2; scheduled_post "$file" "$at" alice.test -- "$@"; }

step "PDS with one account; Clearpost with an admin, an approver and a privacy officer"
start_pds
pds_account alice.test
init_clearpost
connect alice.test
done_step

step "images with metadata, and a local web server with an og: page"
IMG=$T/images
mkdir -p "$IMG" "$T/site"
convert -size 120x80 gradient:navy-gold -set comment "patient photo $SECRET" "$IMG/base1.jpg"
convert -size 60x90 gradient:white-teal -define png:exclude-chunks=date,time "PNG24:$IMG/base2.png"
convert -size 40x20 xc:'#cc3366' "PNG24:$T/site/card.png"
# EXIF with a GPS position (and the secret in the camera make) goes into the JPEG;
# a tEXt comment and an eXIf chunk with the same into the PNG.
python3 - "$IMG" "$SECRET" <<'PYEOF'
import struct, sys, zlib
d, secret = sys.argv[1], sys.argv[2].encode()
make = b"Camera " + secret + b"\0"
def entry(tag, typ, count, value): return struct.pack(">HHI", tag, typ, count) + value
# IFD0 at 8: Make (data after the IFD), GPS IFD pointer; GPS IFD after the make.
ifd0_size = 2 + 2 * 12 + 4
make_at = 8 + ifd0_size
gps_at = make_at + len(make) + (len(make) % 2)
ifd0 = struct.pack(">H", 2) + entry(0x010F, 2, len(make), struct.pack(">I", make_at)) \
     + entry(0x8825, 4, 1, struct.pack(">I", gps_at)) + struct.pack(">I", 0)
lat_at = gps_at + 2 + 2 * 12 + 4
gps = struct.pack(">H", 2) + entry(0x0001, 2, 2, b"N\0\0\0") + entry(0x0002, 5, 3, struct.pack(">I", lat_at)) \
    + struct.pack(">I", 0) + b"".join(struct.pack(">II", v, 1) for v in (47, 36, 22))
tiff = b"MM\0*" + struct.pack(">I", 8) + ifd0 + make + b"\0" * (len(make) % 2) + gps
jpg = open(f"{d}/base1.jpg", "rb").read()
app1 = b"Exif\0\0" + tiff
seg = b"\xFF\xE1" + struct.pack(">H", len(app1) + 2) + app1
open(f"{d}/photo1.jpg", "wb").write(jpg[:2] + seg + jpg[2:])
png = open(f"{d}/base2.png", "rb").read()
def chunk(kind, data): return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
extra = chunk(b"tEXt", b"Comment\0" + secret) + chunk(b"eXIf", tiff)
open(f"{d}/photo2.png", "wb").write(png[:33] + extra + png[33:])
PYEOF
for f in photo1.jpg photo2.png; do
  grep -q "$SECRET" "$IMG/$f" || fatal "$f carries no metadata to strip"
done
check "photo1.jpg has EXIF GPS before import" "$(identify -format '%[exif:GPSLatitude]' "$IMG/photo1.jpg" 2>/dev/null)" "47/1, 36/1, 22/1"
SUM1=$(sha256sum "$IMG/photo1.jpg" | cut -d' ' -f1)
SUM2=$(sha256sum "$IMG/photo2.png" | cut -d' ' -f1)

cat >"$T/site/page.html" <<'HTML'
<!doctype html>
<html><head>
<meta charset="utf-8">
<title>Fallback title</title>
<meta property="og:title" content="Harbor Clinics &amp; Flu Shots">
<meta name="description" content="not this one">
<meta content="Walk-in flu shots, Saturdays 9&#8211;12 &#x2014; no appointment." property="og:description">
<meta property="og:image" content="/card.png">
</head><body><p>Flu shots.</p></body></html>
HTML
# A static web server on a free loopback port; it exits by itself once this
# script is gone (even after kill -9), and the cleanup kills it before that.
python3 - "$T/site" "$T/http.port" "$$" >"$T/http.log" 2>&1 <<'PYEOF' &
import functools, http.server, os, sys, threading, time
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
threading.Thread(target=server.serve_forever, daemon=True).start()
while True:
    time.sleep(1)
    try:
        os.kill(int(sys.argv[3]), 0)
    except ProcessLookupError:
        break
PYEOF
BG_PIDS+=($!)
disown $!
for _ in $(seq 50); do [ -s "$T/http.port" ] && break; sleep 0.1; done
[ -s "$T/http.port" ] || fatal "the local web server did not start"
SITE="http://127.0.0.1:$(cat "$T/http.port")"
check "the local page answers" "$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' "$SITE/page.html")" 200
done_step

step "clearpostctl refuses a 5th image, a missing file and a file that is not an image"
AT=$(due_now)
printf '%s' 'Our new waiting room.' >"$T/p1.txt"
five=()
for _ in 1 2 3 4 5; do five+=(--image "$IMG/photo1.jpg"); done
rc=0; err=$(as_ada post new --text-file "$T/p1.txt" "${five[@]}" 2>&1 >/dev/null) || rc=$?
check "5 images: exit 2" "$rc" 2
check_match "5 images: says the limit" "$err" "5 images given; a post takes at most 4"
rc=0; err=$(as_ada post new --text-file "$T/p1.txt" --image "$IMG/nope.jpg" 2>&1 >/dev/null) || rc=$?
check "missing image: exit 1" "$rc" 1
check_match "missing image: names the file" "$err" "nope\.jpg does not exist"
printf 'not an image' >"$IMG/notes.jpg"
rc=0; err=$(as_ada post new --text-file "$T/p1.txt" --image "$IMG/notes.jpg" 2>&1 >/dev/null) || rc=$?
check "not an image: exit 2" "$rc" 2
check_match "not an image: says what is taken" "$err" "not a JPEG, PNG or WebP image"
rc=0; err=$(as_ada post new --text-file "$T/p1.txt" --image "$IMG/photo1.jpg" --alt a --alt b 2>&1 >/dev/null) || rc=$?
check "more --alt than --image: exit 2" "$rc" 2
check "nothing was created by the refused commands" "$(as_ada --json post list | pyj 'len(d)')" 0
check "an image without alt text reaches the compliance engine" \
  "$(as_ada --json post new --text-file "$T/p1.txt" --image "$IMG/photo1.jpg" \
     | pyj '[f["rule"] for f in d["versions"][-1]["compliance"]["findings"] if f["rule"] == "policy.alt-text"]')" \
  '["policy.alt-text"]'
done_step

step "three posts due now: 2 images with alt text, a link with a card, a link without a page"
P1=$(post_with "$T/p1.txt" "$AT" --image "$IMG/photo1.jpg" --alt "Bright waiting room with blue chairs" \
                                  --image "$IMG/photo2.png" --alt "Reception desk, seen from the door")
printf '%s' "Flu shots this Saturday, details: $SITE/page.html" >"$T/p2.txt"
P2=$(post_with "$T/p2.txt" "$AT")
printf '%s' "Our opening hours: $SITE/missing.html" >"$T/p3.txt"
P3=$(post_with "$T/p3.txt" "$AT")
as_ada --json post show "$P1" >"$T/show1.json"
check "originals unchanged by the import" "$(sha256sum "$IMG/photo1.jpg" "$IMG/photo2.png" | cut -d' ' -f1 | tr '\n' ' ')" "$SUM1 $SUM2 "
check "media folder next to the database is 0700" "$(stat -c %a "$T/media")" 700
done_step

step "clearpostctl run --once"
STATS=$(run_once) || fatal "run --once"
check "run: 3 claimed, 3 published" "$(pyj '[d["claimed"], d["published"], d["retrying"], d["failed"], d["needs_attention"]]' <<<"$STATS")" '[3, 3, 0, 0, 0]'
for p in "$P1" "$P2" "$P3"; do
  as_ada --json post show "$p" >"$T/after$p.json"
  python3 "$PDSQ" get "$PDS_URL" "$(pyj 'd["targets"][0]["remote_id"]' <"$T/after$p.json")" >"$T/record$p.json" \
    || fatal "getRecord for post $p"
done
grep -q 'no link card for' "$RUNLOG" && pass "the run log says why post 3 has no card" || fail "no log line for the missing card"
done_step

step "read back: images, blobs, link card"
pycheck "$T" "$P1" "$P2" "$P3" "$PDS_URL" "${DID[alice.test]}" "$SECRET" "$SITE" <<'PYEOF'
import hashlib, json, os, subprocess, sys, urllib.request
from checklib import check, done
T, P1, P2, P3, PDS, DID, SECRET, SITE = sys.argv[1:]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
def blob(cid):
    with opener.open(f"{PDS}/xrpc/com.atproto.sync.getBlob?did={DID}&cid={cid}", timeout=30) as r:
        return r.read()

show = json.load(open(f"{T}/show1.json"))
media = show["versions"][-1]["media"]
check("post 1 version has 2 images", len(media), 2)
for m in media:
    data = open(m["path"], "rb").read()
    check(f"stored {os.path.basename(m['path'])}: named by the SHA-256 of its bytes", hashlib.sha256(data).hexdigest(), m["sha256"])
    check(f"stored image lives in the media folder next to the database", os.path.dirname(m["path"]), f"{T}/media")
    check(f"stored image is 0600", oct(os.stat(m["path"]).st_mode & 0o777), "0o600")
check("alt-text compliance finding absent (both images have alt text)",
      [f for f in show["versions"][-1]["compliance"]["findings"] if "alt" in f["rule"].lower()], [])

rec = json.load(open(f"{T}/record{P1}.json"))["value"]
embed = rec.get("embed", {})
check("post 1: embed is app.bsky.embed.images", embed.get("$type"), "app.bsky.embed.images")
images = embed.get("images", [])
check("post 1: 2 images", len(images), 2)
want = [("Bright waiting room with blue chairs", {"width": 120, "height": 80}, "image/jpeg"),
        ("Reception desk, seen from the door", {"width": 60, "height": 90}, "image/png")]
for i, (img, (alt, ratio, mime)) in enumerate(zip(images, want), 1):
    check(f"image {i}: alt", img.get("alt"), alt)
    check(f"image {i}: aspectRatio", img.get("aspectRatio"), ratio)
    check(f"image {i}: mimeType", img["image"].get("mimeType"), mime)
    data = blob(img["image"]["ref"]["$link"])
    check(f"image {i}: the blob on the PDS is the stored, stripped file", hashlib.sha256(data).hexdigest(), media[i - 1]["sha256"])
    check(f"image {i}: blob size as recorded", img["image"].get("size"), len(data))
    check(f"image {i}: no 'Exif' bytes in the blob", b"Exif" in data, False)
    check(f"image {i}: no secret (GPS make, comment) in the blob", SECRET.encode() in data, False)
    check(f"image {i}: no eXIf/tEXt chunk in the blob", (b"eXIf" in data, b"tEXt" in data), (False, False))
    path = f"{T}/blob{i}"
    open(path, "wb").write(data)
    size = subprocess.run(["identify", "-format", "%w %h", path], capture_output=True, text=True).stdout
    check(f"image {i}: the blob still decodes, {ratio['width']}x{ratio['height']}", size, f"{ratio['width']} {ratio['height']}")

rec = json.load(open(f"{T}/record{P2}.json"))["value"]
embed = rec.get("embed", {})
check("post 2: embed is app.bsky.embed.external", embed.get("$type"), "app.bsky.embed.external")
ext = embed.get("external", {})
check("post 2: card uri is the link", ext.get("uri"), f"{SITE}/page.html")
check("post 2: card title from og:title, entities decoded", ext.get("title"), "Harbor Clinics & Flu Shots")
check("post 2: card description from og:description", ext.get("description"), "Walk-in flu shots, Saturdays 9\u201312 \u2014 no appointment.")
thumb = ext.get("thumb", {})
check("post 2: thumb is a PNG blob", thumb.get("mimeType"), "image/png")
if thumb:
    check("post 2: the thumb blob is the og:image", blob(thumb["ref"]["$link"]), open(f"{T}/site/card.png", "rb").read())
check("post 2: the link is still a facet", [f["features"][0]["uri"] for f in rec.get("facets", [])], [f"{SITE}/page.html"])

rec = json.load(open(f"{T}/record{P3}.json"))["value"]
check("post 3: published without a card (its page is missing)", "embed" in rec, False)
done()
PYEOF
done_step

step "an approved image changed on disk, and one over Bluesky's 1,000,000 bytes"
AT=$(due_now)
printf '%s' 'Before and after the renovation.' >"$T/p4.txt"
P4=$(post_with "$T/p4.txt" "$AT" --image "$IMG/photo2.png" --alt "Reception before")
convert -size 640x640 xc: +noise Random -define png:compression-level=0 "PNG24:$IMG/big.png"
BIG=$(stat -c %s "$IMG/big.png")
[ "$BIG" -gt 1000000 ] || fatal "big.png is only $BIG bytes"
printf '%s' 'A large photo.' >"$T/p5.txt"
P5=$(post_with "$T/p5.txt" "$AT" --image "$IMG/big.png" --alt "Noise")
# Post 4's stored image now holds other bytes: not what was approved.
STORED4=$(as_ada --json post show "$P4" | pyj 'd["versions"][-1]["media"][0]["path"]')
cp "$T/site/card.png" "$STORED4"
BEFORE=$(python3 "$PDSQ" list "$PDS_URL" "${DID[alice.test]}" | pyj 'len(d)')
STATS=$(run_once) || fatal "second run --once"
check "run: 2 claimed, 2 failed" "$(pyj '[d["claimed"], d["published"], d["failed"]]' <<<"$STATS")" '[2, 0, 2]'
check "post 4 Failed" "$(as_ada --json post show "$P4" | pyj 'd["targets"][0]["state"]')" Failed
check_match "post 4: says the approved image changed" "$(as_ada --json post show "$P4" | pyj 'd["targets"][0]["last_error"]')" \
  "image 1 of post $P4 is not the approved image any more .*was changed"
check "post 5 Failed" "$(as_ada --json post show "$P5" | pyj 'd["targets"][0]["state"]')" Failed
check_match "post 5: names Bluesky's limit" "$(as_ada --json post show "$P5" | pyj 'd["targets"][0]["last_error"]')" \
  "image 1 is [0-9,]+ bytes after its metadata was stripped and Bluesky takes at most 1,000,000 bytes per image"
check "one notice each" "$(as_ada --json notices | pyj 'sorted(n["message"].split(":")[0] for n in d)')" \
  "[\"Post $P4\", \"Post $P5\"]"
check "nothing new on the PDS" "$(python3 "$PDSQ" list "$PDS_URL" "${DID[alice.test]}" | pyj 'len(d)')" "$BEFORE"
ctl audit verify >/dev/null && pass "audit verify" || fail "audit verify"
done_step
