//! A throwaway MIT Kerberos KDC for tests (Debian `krb5-kdc`, `krb5-admin-server` for
//! `kadmin.local`, `krb5-user` for `kinit`): realm database, `krb5.conf` and `kdc.conf` in a
//! temp dir, `krb5kdc` on a free loopback port, killed and deleted on drop. Nothing is written
//! outside the temp dir: every command gets `KRB5_CONFIG` and `KRB5_KDC_PROFILE` pointing into
//! it, and [`Kdc::env`] gives the same variables to the processes under test.

use std::ffi::OsString;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Realm of every test KDC.
pub const REALM: &str = "CTAOPS.TEST";

/// The binaries a KDC needs, in the order they are used.
const BINARIES: &[&str] = &["kdb5_util", "kadmin.local", "krb5kdc", "kinit"];

/// A running KDC owned by a test.
pub struct Kdc {
    dir: tempfile::TempDir,
    child: Child,
    bins: Vec<PathBuf>,
    /// TCP and UDP port on 127.0.0.1.
    pub port: u16,
}

fn find(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/bin", "/sbin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

impl Kdc {
    /// The first KDC binary that is not installed, if any (tests skip naming it).
    #[must_use]
    pub fn missing_binary() -> Option<&'static str> {
        BINARIES.iter().copied().find(|b| find(b).is_none())
    }

    /// Creates the realm and starts the KDC.
    pub fn start() -> Result<Self, String> {
        let bins = BINARIES
            .iter()
            .map(|b| {
                find(b)
                    .ok_or_else(|| format!("{b} not found (install Debian's krb5-kdc, krb5-admin-server, krb5-user)"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let dir = tempfile::Builder::new()
            .prefix("ctaops-kdc-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("cannot find a free port: {e}"))?
            .port();
        let d = dir.path();
        std::fs::write(
            d.join("krb5.conf"),
            format!(
                "[libdefaults]\n default_realm = {REALM}\n dns_lookup_realm = false\n dns_lookup_kdc = false\n \
                 rdns = false\n dns_canonicalize_hostname = false\n udp_preference_limit = 1\n \
                 default_ccache_name = FILE:{ccache}\n\n[realms]\n {REALM} = {{\n  kdc = 127.0.0.1:{port}\n }}\n",
                ccache = d.join("default.ccache").display()
            ),
        )
        .map_err(|e| e.to_string())?;
        std::fs::write(
            d.join("kdc.conf"),
            format!(
                "[kdcdefaults]\n kdc_listen = 127.0.0.1:{port}\n kdc_tcp_listen = 127.0.0.1:{port}\n\n[realms]\n \
                 {REALM} = {{\n  database_name = {db}\n  key_stash_file = {stash}\n  acl_file = {acl}\n  \
                 kdc_listen = 127.0.0.1:{port}\n  kdc_tcp_listen = 127.0.0.1:{port}\n  max_life = 1h\n  \
                 supported_enctypes = aes256-cts-hmac-sha1-96:normal\n }}\n\n[logging]\n kdc = FILE:{log}\n",
                db = d.join("principal").display(),
                stash = d.join("stash").display(),
                acl = d.join("kadm5.acl").display(),
                log = d.join("kdc.log").display(),
            ),
        )
        .map_err(|e| e.to_string())?;
        std::fs::write(d.join("kadm5.acl"), "").map_err(|e| e.to_string())?;
        let mut kdc = Self {
            child: Command::new("true").spawn().map_err(|e| e.to_string())?,
            dir,
            bins,
            port,
        };
        kdc.run(0, &["-r", REALM, "create", "-s", "-P", "ctaops-test-master-key"])?;
        kdc.child = kdc
            .command(2)
            .args(["-n", "-r", REALM])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start krb5kdc: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err(format!("krb5kdc did not listen on port {port}; log:\n{}", kdc.log()));
            }
            if let Ok(Some(status)) = kdc.child.try_wait() {
                return Err(format!("krb5kdc exited ({status}); log:\n{}", kdc.log()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(kdc)
    }

    /// The temp dir (configs, database, keytabs and caches the test makes).
    #[must_use]
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `KRB5_CONFIG` and `KRB5_KDC_PROFILE` for any process that must use this KDC.
    #[must_use]
    pub fn env(&self) -> Vec<(&'static str, OsString)> {
        vec![
            ("KRB5_CONFIG", self.dir().join("krb5.conf").into_os_string()),
            ("KRB5_KDC_PROFILE", self.dir().join("kdc.conf").into_os_string()),
        ]
    }

    fn command(&self, bin: usize) -> Command {
        let mut c = Command::new(&self.bins[bin]);
        c.envs(self.env()).env(
            "KRB5CCNAME",
            format!("FILE:{}", self.dir().join("default.ccache").display()),
        );
        c
    }

    fn run(&self, bin: usize, args: &[&str]) -> Result<(), String> {
        let out = self
            .command(bin)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.bins[bin].display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} {args:?} failed ({}): {}{}",
                self.bins[bin].display(),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir().join("kdc.log")).unwrap_or_default()
    }

    /// Adds `principal` (without realm) with a random key.
    pub fn add_principal(&self, principal: &str) -> Result<(), String> {
        self.run(1, &["-r", REALM, "-q", &format!("addprinc -randkey {principal}")])
    }

    /// Writes the keys of `principal` to `keytab` (keys kept: `-norandkey`).
    pub fn export_keytab(&self, principal: &str, keytab: &Path) -> Result<(), String> {
        let q = format!("ktadd -k {} -norandkey {principal}", keytab.display());
        self.run(1, &["-r", REALM, "-q", &q])
    }

    /// Gets a ticket for `principal` into the credentials cache `ccache` (a file path), with
    /// the principal's keys exported to a keytab next to it; `lifetime` as kinit's `-l`.
    pub fn kinit(&self, principal: &str, ccache: &Path, lifetime: Option<&str>) -> Result<(), String> {
        let keytab = self.dir().join(format!("{}.keytab", principal.replace('/', "_")));
        self.export_keytab(principal, &keytab)?;
        let cc = format!("FILE:{}", ccache.display());
        let kt = keytab.display().to_string();
        let mut args = vec!["-k", "-t", &kt, "-c", &cc];
        if let Some(l) = lifetime {
            args.extend(["-l", l]);
        }
        args.push(principal);
        self.run(3, &args)
    }
}

impl Drop for Kdc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_tickets() {
        if let Some(bin) = Kdc::missing_binary() {
            eprintln!("skipped: {bin} not installed");
            return;
        }
        let kdc = Kdc::start().unwrap();
        kdc.add_principal("alice").unwrap();
        let cc = kdc.dir().join("alice.ccache");
        kdc.kinit("alice", &cc, None).unwrap();
        assert!(std::fs::metadata(&cc).unwrap().len() > 0);
        assert!(kdc.kinit("nobody", &cc, None).is_err());
    }
}
