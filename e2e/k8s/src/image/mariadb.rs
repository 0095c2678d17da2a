//! A MariaDB image for the story's databases on the node tier, made from Debian's
//! `mariadb-server` files (no registry can be reached here): `mariadbd`, the `mariadb` client,
//! `mariadb-install-db` and `/usr/share/mysql`, with busybox for the scripts. Its entrypoint does
//! what the official image's does for the variables and files `examples/pipeline/` uses —
//! `MARIADB_ROOT_PASSWORD`, `MARIADB_DATABASE`, `MARIADB_USER`, `MARIADB_PASSWORD`, the
//! `/docker-entrypoint-initdb.d/*.sql` files on first start — and `healthcheck.sh` answers the
//! example's readiness probe. Debian 12 ships MariaDB 10.11, not the example's 11.4; the story
//! uses nothing that differs.

use std::path::Path;

use super::archive::{ImageFile, ImageSpec};
use super::rootfs;
use crate::error::{Error, Result};

/// The reference the node tier gives it (the example's `mariadb:11.4` is replaced by it).
pub const MARIADB: &str = "kaskade.dev/mariadb:e2e";

/// The official image's user and group (`mysql`, 999).
const MYSQL_UID: u32 = 999;

const ENTRYPOINT: &str = r#"#!/bin/sh
# The official mariadb image's start-up, for what examples/pipeline uses.
set -eu
datadir=/var/lib/mysql
socket=/tmp/mysqld.sock
if [ ! -d "$datadir/mysql" ]; then
  echo "initializing $datadir"
  mariadb-install-db --datadir="$datadir" --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve --rpm >/tmp/install-db.log 2>&1 || { cat /tmp/install-db.log; exit 1; }
  mariadbd --datadir="$datadir" --skip-networking --socket=/tmp/init.sock --skip-name-resolve &
  pid=$!
  i=0
  until mariadb --socket=/tmp/init.sock -uroot -e 'SELECT 1' >/dev/null 2>&1; do
    i=$((i + 1)); [ "$i" -lt 300 ] || { echo "the init server did not start"; exit 1; }
    sleep 0.1
  done
  {
    echo "SET @@SESSION.SQL_LOG_BIN=0;"
    echo "DELETE FROM mysql.user WHERE user='';"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '${MARIADB_ROOT_PASSWORD}';"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY '${MARIADB_ROOT_PASSWORD}';"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "${MARIADB_DATABASE:-}" ]; then
      echo "CREATE DATABASE IF NOT EXISTS \`${MARIADB_DATABASE}\`;"
    fi
    if [ -n "${MARIADB_USER:-}" ]; then
      echo "CREATE USER '${MARIADB_USER}'@'%' IDENTIFIED BY '${MARIADB_PASSWORD:-}';"
      if [ -n "${MARIADB_DATABASE:-}" ]; then
        echo "GRANT ALL ON \`${MARIADB_DATABASE}\`.* TO '${MARIADB_USER}'@'%';"
      fi
    fi
  } | mariadb --socket=/tmp/init.sock -uroot
  for f in /docker-entrypoint-initdb.d/*.sql; do
    [ -e "$f" ] || continue
    echo "running $f"
    mariadb --socket=/tmp/init.sock -uroot -p"${MARIADB_ROOT_PASSWORD}" ${MARIADB_DATABASE:+"$MARIADB_DATABASE"} <"$f"
  done
  kill "$pid"
  wait "$pid" || true
  echo "initialized"
fi
exec mariadbd --datadir="$datadir" --socket="$socket" --bind-address=0.0.0.0 --port=3306 \
  --skip-name-resolve "$@"
"#;

const HEALTHCHECK: &str = r#"#!/bin/sh
# The official image's healthcheck.sh, for `--connect --innodb_initialized`: the server accepts
# a login and runs a query (which needs InnoDB initialized). Other options are not known here.
exec mariadb --socket=/tmp/mysqld.sock -uroot -p"${MARIADB_ROOT_PASSWORD}" -e 'SELECT 1' >/dev/null 2>&1
"#;

/// The image spec from the host's Debian MariaDB and busybox.
pub fn spec() -> Result<ImageSpec> {
    for needed in [
        "/usr/sbin/mariadbd",
        "/usr/bin/mariadb",
        "/usr/bin/mariadb-install-db",
        "/usr/bin/my_print_defaults",
    ] {
        if !Path::new(needed).is_file() {
            return Err(Error::Unavailable(format!(
                "{needed} is missing (apt-get install mariadb-server mariadb-client)"
            )));
        }
    }
    let mut files = rootfs::base_files();
    // The mysql user of the official image.
    files.retain(|f| f.path != "/etc/passwd" && f.path != "/etc/group");
    files.push(ImageFile::bytes(
        "/etc/passwd",
        format!("root:x:0:0:root:/root:/bin/sh\nmysql:x:{MYSQL_UID}:{MYSQL_UID}:MariaDB:/var/lib/mysql:/bin/sh\n"),
        0o644,
    ));
    files.push(ImageFile::bytes("/etc/group", format!("root:x:0:\nmysql:x:{MYSQL_UID}:\n"), 0o644));
    for (binary, at) in [
        ("/usr/sbin/mariadbd", "/usr/sbin/mariadbd"),
        ("/usr/bin/mariadb", "/usr/bin/mariadb"),
        ("/usr/bin/my_print_defaults", "/usr/bin/my_print_defaults"),
    ] {
        for file in rootfs::binary_with_libraries(Path::new(binary), at)? {
            if !files.iter().any(|f| f.path == file.path) {
                files.push(file);
            }
        }
    }
    files.push(ImageFile::host("/usr/bin/mariadb-install-db", "/usr/bin/mariadb-install-db", 0o755));
    files.extend(tree("/usr/share/mysql")?);
    files.extend(super::busybox_files()?);
    files.push(ImageFile::bytes("/usr/local/bin/docker-entrypoint.sh", ENTRYPOINT, 0o755));
    files.push(ImageFile::bytes("/usr/local/bin/healthcheck.sh", HEALTHCHECK, 0o755));
    files.push(ImageFile::dir("/docker-entrypoint-initdb.d", 0o755));
    files.push(ImageFile::dir("/var/lib/mysql", 0o777));
    Ok(ImageSpec {
        reference: MARIADB.into(),
        files,
        user: format!("{MYSQL_UID}:{MYSQL_UID}"),
        entrypoint: vec!["/usr/local/bin/docker-entrypoint.sh".into()],
        cmd: Vec::new(),
        exposed_ports: vec![3306],
        env: vec!["PATH=/usr/local/bin:/usr/sbin:/usr/bin:/bin".into()],
    })
}

/// Every file under `dir`, at the same path in the image (symlinks followed).
pub(super) fn tree(dir: &str) -> Result<Vec<ImageFile>> {
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| Error::Io {
            context: format!("reading {}", d.display()),
            source: e,
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.is_file() {
                out.push(ImageFile::host(path.to_string_lossy().into_owned(), path.clone(), 0o644));
            }
        }
    }
    Ok(out)
}
