# The system service's own user (clearpost-run.service runs as it), as the
# .deb's postinst makes it. Removing the package leaves it, its state folder
# and every database in place.
if ! getent passwd clearpost >/dev/null; then
  useradd --system --user-group --home-dir /var/lib/clearpost --no-create-home \
    --shell /sbin/nologin clearpost >/dev/null 2>&1 || :
fi
