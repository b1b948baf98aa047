//! A throwaway PostgreSQL cluster for tests: `initdb` into a temp dir, a free port on
//! 127.0.0.1, no durability, removed on drop.
//!
//! `initdb` refuses to run as root, so when the tests run as root (CI does) the server
//! commands run as the `postgres` user through `runuser`.

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A running PostgreSQL server owned by a test; stopped and deleted when dropped.
pub struct PgCluster {
    dir: tempfile::TempDir,
    bindir: PathBuf,
    run_as_postgres: bool,
    /// TCP port on 127.0.0.1.
    pub port: u16,
    /// Superuser name (trust authentication).
    pub user: String,
}

fn find_bindir() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("CTAOPS_PG_BINDIR") {
        return Ok(PathBuf::from(dir));
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path().join("bin"))).collect())
        .unwrap_or_default();
    // Highest major version first.
    candidates.sort_by_key(|p| {
        std::cmp::Reverse(
            p.parent()
                .and_then(|v| v.file_name())
                .and_then(|v| v.to_str()?.parse::<u32>().ok()),
        )
    });
    candidates
        .into_iter()
        .find(|p| p.join("initdb").exists())
        .ok_or_else(|| "PostgreSQL server binaries not found (install Debian's 'postgresql' package)".to_owned())
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot find a free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn is_root() -> bool {
    // The owner of our own /proc entry is our effective uid; avoids an unsafe geteuid().
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}

impl PgCluster {
    /// Creates and starts a cluster. Fails with a readable message if PostgreSQL is missing.
    pub fn start() -> Result<Self, String> {
        Self::start_inner(None)
    }

    /// Like [`PgCluster::start`], with TLS on (`ssl=on`) using this PEM certificate and key.
    pub fn start_with_tls(cert_pem: &[u8], key_pem: &[u8]) -> Result<Self, String> {
        Self::start_inner(Some((cert_pem, key_pem)))
    }

    fn start_inner(tls: Option<(&[u8], &[u8])>) -> Result<Self, String> {
        let bindir = find_bindir()?;
        let dir = tempfile::Builder::new()
            .prefix("ctaops-pg-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let run_as_postgres = is_root();
        if run_as_postgres {
            // The postgres user must be able to enter the directory and own the data dir.
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).map_err(|e| e.to_string())?;
        }
        let mut cluster = Self {
            dir,
            bindir,
            run_as_postgres,
            port: 0,
            user: "ctaops".to_owned(),
        };
        let data = cluster.data_dir();
        let data_s = data.to_string_lossy().into_owned();
        cluster.pg(
            "initdb",
            &[
                "-D",
                &data_s,
                "-A",
                "trust",
                "-U",
                &cluster.user.clone(),
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        )?;
        let mut ssl_opts = String::new();
        if let Some((cert, key)) = tls {
            ssl_opts = cluster.install_tls(cert, key, &data)?;
        }
        let mut last_err = String::new();
        for _ in 0..5 {
            cluster.port = free_port()?;
            let opts = format!(
                "-k {sock} -h 127.0.0.1 -p {port} -c fsync=off -c synchronous_commit=off -c full_page_writes=off{ssl_opts}",
                sock = cluster.dir.path().display(),
                port = cluster.port
            );
            let log = cluster.dir.path().join("server.log").to_string_lossy().into_owned();
            match cluster.pg(
                "pg_ctl",
                &["-D", &data_s, "-l", &log, "-w", "-t", "30", "-o", &opts, "start"],
            ) {
                Ok(()) => return Ok(cluster),
                Err(e) => last_err = e,
            }
        }
        Err(last_err)
    }

    /// Puts the certificate and key in the data directory, owned by the server's user with the
    /// modes PostgreSQL insists on; returns the `-c` options that turn TLS on.
    fn install_tls(&self, cert: &[u8], key: &[u8], data: &Path) -> Result<String, String> {
        let mut opts = String::from(" -c ssl=on");
        for (name, bytes, mode) in [("server.crt", cert, "644"), ("server.key", key, "600")] {
            let staged = self.dir.path().join(format!("staged-{name}"));
            std::fs::write(&staged, bytes).map_err(|e| e.to_string())?;
            std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o644)).map_err(|e| e.to_string())?;
            let target = data.join(name);
            let mut cmd = if self.run_as_postgres {
                let mut c = Command::new("runuser");
                c.args(["-u", "postgres", "--", "install"]);
                c
            } else {
                Command::new("install")
            };
            let out = cmd
                .args(["-m", mode])
                .arg(&staged)
                .arg(&target)
                .output()
                .map_err(|e| e.to_string())?;
            if !out.status.success() {
                return Err(format!(
                    "install {name}: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            let key = if name == "server.crt" {
                "ssl_cert_file"
            } else {
                "ssl_key_file"
            };
            opts.push_str(&format!(" -c {key}={}", target.display()));
        }
        Ok(opts)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn pg(&self, tool: &str, args: &[&str]) -> Result<(), String> {
        let exe = self.bindir.join(tool);
        let mut cmd = if self.run_as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", exe.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{tool} failed ({}): {}{}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim(),
                std::fs::read_to_string(self.dir.path().join("server.log"))
                    .unwrap_or_default()
                    .trim()
            ))
        }
    }

    /// libpq-style connection string for the `postgres` database.
    #[must_use]
    pub fn connection_string(&self) -> String {
        format!("host=127.0.0.1 port={} user={} dbname=postgres", self.port, self.user)
    }

    /// URL form, `postgresql://user@127.0.0.1:port/postgres`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("postgresql://{}@127.0.0.1:{}/postgres", self.user, self.port)
    }

    /// The cluster's temporary directory (data, log, socket).
    #[must_use]
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data_dir().to_string_lossy().into_owned();
        let _ = self.pg("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
    }
}
