#!/usr/bin/env bash
# Notices by e-mail through a real SMTP server (aiosmtpd, Debian's
# python3-aiosmtpd) on 127.0.0.1: a test mail; a post whose account is not
# connected fails at `run --once` and its notice is mailed once (not on every
# run), naming the account but never the post's text; with the relay down the
# run still finishes and the notice goes out once the relay is back; a relay
# with an untrusted certificate is refused.
#
#   notice_mail_test.sh CLEARPOSTCTL PUBLISHERS_DIR
set -uo pipefail
CTL=$1
export CLEARPOST_PUBLISHERS_DIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/clearpost-mail.XXXXXX")
export HOME=$T/home XDG_CONFIG_HOME=$T/config XDG_DATA_HOME=$T/data
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"
export NO_PROXY="localhost,127.0.0.1" no_proxy="localhost,127.0.0.1"
DB=$T/c.db
PASSED=0 FAILED=0 RELAY_PID=
cleanup() {
  [ -n "$RELAY_PID" ] && kill "$RELAY_PID" 2>/dev/null
  [ "${KEEP_WORKDIR:-0}" = 1 ] && echo "kept $T" || rm -rf "$T"
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
trap cleanup EXIT
check() { if [ "$2" = "$3" ]; then PASSED=$((PASSED + 1)); echo "  ok   $1"; else FAILED=$((FAILED + 1)); echo "  FAIL $1: expected [$3], got [$2]" >&2; fi; }
fatal() { FAILED=$((FAILED + 1)); echo "  FAIL $* (cannot go on)" >&2; exit 1; }

# Debian's aiosmtpd lives in the system Python, which may not be first on PATH.
PY=
for p in python3 /usr/bin/python3; do "$p" -c 'import aiosmtpd' 2>/dev/null && { PY=$p; break; }; done
[ -n "$PY" ] || fatal "aiosmtpd not found (Debian package python3-aiosmtpd; installer/install-deps.sh installs it)"
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_relay() {  # start_relay [aiosmtpd options...]: a relay that stores every mail in $T/mail
  "$PY" -m aiosmtpd -n -l "127.0.0.1:$PORT" -c aiosmtpd.handlers.Mailbox "$@" "$T/mail" 2>>"$T/relay.log" &
  RELAY_PID=$!
  for _ in $(seq 1 50); do "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && return; sleep 0.1; done
  fatal "the SMTP relay did not start"
}
stop_relay() { kill "$RELAY_PID"; wait "$RELAY_PID" 2>/dev/null; RELAY_PID=; }
mails() { find "$T/mail/new" -type f 2>/dev/null | wc -l; }
# The decoded subject and body of every mail, oldest first.
read_mails() {
  "$PY" - "$T/mail" <<'PYEOF'
import email, email.header, email.policy, mailbox, sys
for m in sorted(mailbox.Maildir(sys.argv[1], create=False), key=lambda m: m["Date"]):
    msg = email.message_from_bytes(m.as_bytes(), policy=email.policy.default)
    print("SUBJECT:", msg["Subject"])
    print("BODY:", msg.get_content().strip().replace("\n", " "))
PYEOF
}
ctl() { CLEARPOST_PASSWORD=ada-long-passphrase "$CTL" --db "$DB" --as ada "$@"; }

CLEARPOST_PASSWORD=ada-long-passphrase "$CTL" --db "$DB" init --admin ada --org "Harbor Clinics" --zone UTC >/dev/null || fatal init
CLEARPOST_NEW_PASSWORD=ben-long-passphrase ctl user add ben --role approver >/dev/null || fatal "user add"
ctl account add bluesky clinic.example >/dev/null || fatal "account add"
ctl account add bluesky second.example >/dev/null || fatal "account add"
post_for() {  # post_for HANDLE TEXT: approved and scheduled now
  local id
  id=$(ctl --json post new --text "$2" --target "bluesky:$1" --at "$(date -u '+%Y-%m-%d %H:%M')" --zone UTC |
       "$PY" -c 'import json, sys; print(json.load(sys.stdin)["id"])') || fatal "post new"
  ctl post submit "$id" >/dev/null && CLEARPOST_PASSWORD=ben-long-passphrase "$CTL" --db "$DB" --as ben post approve "$id" >/dev/null &&
    ctl post schedule "$id" >/dev/null || fatal "approve and schedule $id"
}

echo "== settings and a test mail"
start_relay
rc=0; ctl notify mail --relay "http://127.0.0.1:$PORT" --from clearpost@harbor.example --to comms@harbor.example >/dev/null 2>"$T/err" || rc=$?
check "a relay that is not smtp:// is refused" "$rc/$(grep -c 'smtp://' "$T/err")" "2/1"
ctl notify mail --relay "smtp://127.0.0.1:$PORT" --from clearpost@harbor.example --to comms@harbor.example --to oncall@harbor.example >/dev/null \
  || fatal "notify mail"
ctl notify test >/dev/null || fatal "notify test"
check "the test mail arrived" "$(mails)" 1

echo "== a failed post is mailed once"
post_for clinic.example "Flu clinic Saturday morning"
"$CTL" --db "$DB" run --once >/dev/null 2>"$T/run1.log" || fatal "run --once"
check "one more mail" "$(mails)" 2
read_mails >"$T/mails.txt"
check "subject names the account" "$(grep -c 'SUBJECT: Clearpost (Harbor Clinics): an account must be reconnected (bluesky:clinic.example)' "$T/mails.txt")" 1
check "body says what to do" "$(grep -c 'BODY: Post 1: .*connect' "$T/mails.txt")" 1
check "no post text in any mail" "$(grep -c 'Flu clinic' "$T/mails.txt")" 0
"$CTL" --db "$DB" run --once >/dev/null 2>>"$T/run1.log" || fatal "run --once (2)"
check "a second run mails nothing more" "$(mails)" 2

echo "== the relay down: the run goes on, the notice waits"
stop_relay
post_for second.example "Blood drive next week"
rc=0; "$CTL" --db "$DB" --json run --once >"$T/stats.json" 2>"$T/run2.log" || rc=$?
check "run --once succeeds without the relay" "$rc" 0
check "it says the notices were not mailed" "$(grep -c 'notices not mailed' "$T/run2.log")" 1
rc=0; ctl notify test >/dev/null 2>"$T/err" || rc=$?
check "notify test fails clearly" "$rc/$(grep -c 'did not take the mail' "$T/err")" "1/1"
start_relay
"$CTL" --db "$DB" run --once >/dev/null 2>>"$T/run2.log" || fatal "run --once (3)"
check "the waiting notice went out" "$(mails)" 3
check "it names the second account" "$(read_mails | grep -c 'SUBJECT: .*second.example')" 1

echo "== a scheduled report: the week just ended, mailed once, then a month as CSV"
rc=0; ctl org report-schedule --every fortnight --to director@harbor.example >/dev/null 2>&1 || rc=$?
check "an unknown period is refused" "$rc" 2
rc=0; CLEARPOST_PASSWORD=ben-long-passphrase "$CTL" --db "$DB" --as ben org report-schedule --every week \
  --to director@harbor.example >/dev/null 2>&1 || rc=$?
check "only an admin schedules reports" "$rc" 1
ctl org report-schedule --every week --to director@harbor.example --to board@harbor.example >/dev/null \
  || fatal "org report-schedule"
before=$(mails)
"$CTL" --db "$DB" run --once >/dev/null 2>>"$T/run3.log" || fatal "run --once (report)"
check "the report went out" "$(mails)" $((before + 1))
"$CTL" --db "$DB" run --once >/dev/null 2>>"$T/run3.log" || fatal "run --once (report again)"
check "not twice for the same week" "$(mails)" $((before + 1))
ctl org report-schedule --every month --format csv --to director@harbor.example >/dev/null || fatal "report-schedule month"
"$CTL" --db "$DB" run --once >/dev/null 2>>"$T/run3.log" || fatal "run --once (monthly)"
check "the month's report went out" "$(mails)" $((before + 2))
# The attachments: the week Monday to Monday before this one, the month before this one (UTC here).
"$PY" - "$T/mail" >"$T/reports.txt" <<'PYEOF'
import datetime, email, email.policy, mailbox, sys
today = datetime.datetime.now(datetime.timezone.utc).date()
monday = today - datetime.timedelta(days=today.weekday())
first = today.replace(day=1)
previous_month = (first - datetime.timedelta(days=1)).replace(day=1)
for m in mailbox.Maildir(sys.argv[1], create=False):
    msg = email.message_from_bytes(m.as_bytes(), policy=email.policy.default)
    if "report" not in msg["Subject"]:
        continue
    for part in msg.iter_attachments():
        data = part.get_content()
        print("TO:", msg["To"], "| FILE:", part.get_filename(), "| TYPE:", part.get_content_type(),
              "| PDF:", bytes(data[:5]) == b"%PDF-" if isinstance(data, bytes) else False,
              "| CSV HEADER:", data.splitlines()[0].lstrip("\ufeff")[:20] if isinstance(data, str) else "")
print("WEEK:", (monday - datetime.timedelta(days=7)).isoformat(), "MONTH:", previous_month.isoformat())
PYEOF
WEEK=$(sed -n 's/^WEEK: \([0-9-]*\) MONTH: .*/\1/p' "$T/reports.txt")
MONTH=$(sed -n 's/^WEEK: .* MONTH: \([0-9-]*\)/\1/p' "$T/reports.txt")
check "the weekly PDF, to both, named after its Monday" \
  "$(grep -c "TO: director@harbor.example, board@harbor.example | FILE: clearpost-report-$WEEK.pdf | TYPE: application/pdf | PDF: True" "$T/reports.txt")" 1
check "the monthly CSV, with its header row" \
  "$(grep -c "FILE: clearpost-report-$MONTH.csv | TYPE: text/csv | PDF: False | CSV HEADER: [a-z_]" "$T/reports.txt")" 1
ctl org report-schedule --off >/dev/null || fatal "report-schedule --off"
check "turned off" "$(ctl --json org report-schedule)" "{}"
stop_relay

echo "== a relay whose certificate is not trusted"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 -subj "/CN=127.0.0.1" \
  >/dev/null 2>&1 || fatal "openssl req"
start_relay --tlscert "$T/cert.pem" --tlskey "$T/key.pem"
rc=0; ctl notify test >/dev/null 2>"$T/err" || rc=$?
check "refused: STARTTLS offered, certificate not verified" "$rc" 1
check "nothing delivered" "$(mails)" 5  # 3 notices and 2 reports before
