//! `ctaops smc` run as a real process against emulated library state files.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Lib {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn ctaops(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ctaops")).args(args).output().unwrap()
}

fn smc(lib: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["smc", "--library-state", lib.to_str().unwrap()];
    all.extend_from_slice(args);
    status_of(&ctaops(&all))
}

fn status_of(o: &Output) -> (i32, String, String) {
    (
        o.status.code().unwrap(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn init(preset: &str, tapes: &str) -> Lib {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.json");
    let o = ctaops(&[
        "smc",
        "emulated",
        "init",
        path.to_str().unwrap(),
        "--slots",
        "99",
        "--drives",
        "2",
        "--ports",
        "1",
        "--tapes",
        tapes,
        "--preset",
        preset,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    Lib { _dir: dir, path }
}

const RED: &str = "\x1b[31;1m";
const RESET: &str = "\x1b[0m";

#[test]
fn query_library_matches_cta_smc() {
    let l = init("cta-example", "3");
    let (rc, out, _) = smc(&l.path, &["-q", "L"]);
    assert_eq!(rc, 0);
    assert_eq!(
        out,
        "Vendor/Product/Revision = <IBM     03584L32        1802>\nTransport Count = 1, Start = 1000\n\
         Slot Count = 99, Start = 0\nPort Count = 1, Start = 1010\nDevice Count = 2, Start = 1030\n"
    );
    let (rc, out, _) = smc(&l.path, &["-q", "L", "--json"]);
    assert_eq!(rc, 0);
    assert_eq!(
        out,
        r#"[{"inquiry":{"vendor":"IBM     ","product":"03584L32        ","revision":"1802"},"transport":{"count":1,"start":1000},"slot":{"count":99,"start":0},"port":{"count":1,"start":1010},"device":{"count":2,"start":1030}}]"#
    );
}

#[test]
fn mount_query_dismount_cycle() {
    let l = init("cta-example", "3");
    let (rc, out, err) = smc(&l.path, &["-m", "-D", "0", "-V", "v00002"]);
    assert_eq!((rc, out.as_str()), (0, ""), "{err}");
    let (_, out, _) = smc(&l.path, &["-q", "D"]);
    assert_eq!(
        out,
        format!(
            "{RED}Drive Ordinal\tElement Addr.\t  Status     Vid{RESET}\n            0\t         1030\t  loaded  V00002\n            1\t         1031\t    free  \n"
        )
    );
    let (_, out, _) = smc(&l.path, &["-q", "D", "-D", "1", "-j"]);
    assert_eq!(
        out,
        r#"[{"driveOrdinal":1,"elementAddress":1031,"status":"free","vid":""}]"#
    );
    // Still threaded: cta-smc's "unload and retry demount".
    let (rc, _, err) = smc(&l.path, &["-d", "-D", "0"]);
    assert_eq!(rc, 9, "{err}");
    assert_eq!(err.lines().count(), 1);
    assert!(err.contains("still has the cartridge loaded"), "{err}");
    let (rc, _, _) = smc(&l.path, &["-d", "-D", "0", "-V", "V00001", "--unload"]);
    assert_eq!(rc, 1, "VID mismatch must be refused");
    let (rc, out, err) = smc(&l.path, &["-d", "-D", "0", "-V", "V00002", "--unload", "--json"]);
    assert_eq!(rc, 0, "{err}");
    assert_eq!(
        out,
        "{\"action\":\"dismount\",\"vid\":\"V00002\",\"from\":1030,\"to\":1}\n"
    );
    let (_, out, _) = smc(&l.path, &["-q", "V", "-V", "V0000?", "-j"]);
    assert_eq!(
        out,
        r#"[{"vid":"V00001","elementAddress":0,"elementType":"slot"},{"vid":"V00002","elementAddress":1,"elementType":"slot"},{"vid":"V00003","elementAddress":2,"elementType":"slot"}]"#
    );
}

#[test]
fn mount_refusals_and_exit_codes() {
    let l = init("cta-example", "3");
    assert_eq!(smc(&l.path, &["-m", "-D", "0"]).0, 1);
    assert_eq!(smc(&l.path, &["-m", "-D", "7", "-V", "V00001"]).0, 1);
    assert_eq!(smc(&l.path, &["-m", "-D", "x", "-V", "V00001"]).0, 1);
    assert_eq!(smc(&l.path, &["-m", "-D", "0", "-V", "TOOLONGVID"]).0, 1);
    let (rc, _, err) = smc(&l.path, &["-m", "-D", "0", "-V", "NOPE01"]);
    assert_eq!((rc, err.trim()), (1, "error: volume NOPE01 not found in the library"));
    assert_eq!(smc(&l.path, &["-m", "-D", "0", "-V", "V00001"]).0, 0);
    // The volume is now in a drive: volume in use, release and retry later.
    let (rc, _, err) = smc(&l.path, &["-m", "-D", "1", "-V", "V00001"]);
    assert_eq!(rc, 2, "{err}");
    // The drive is full: force a demount first.
    assert_eq!(smc(&l.path, &["-m", "-D", "0", "-V", "V00002"]).0, 4);
    // Two actions, or none, are parameter errors.
    assert_eq!(smc(&l.path, &["-m", "-e", "-V", "V00002"]).0, 1);
    assert_eq!(smc(&l.path, &[]).0, 1);
    assert_eq!(smc(&l.path, &["-q", "Z"]).0, 1);
}

#[test]
fn slots_ports_export_import() {
    let l = init("cta-example", "3");
    let (_, out, _) = smc(&l.path, &["-q", "S", "-S", "1", "-N", "3"]);
    assert_eq!(
        out,
        format!("{RED}Element Addr.\tVid{RESET}\n       1\tV00002\n       2\tV00003\n       3\t\n")
    );
    let (_, out, _) = smc(&l.path, &["-q", "S", "-N", "2", "--json"]);
    assert_eq!(
        out,
        r#"[{"elementAddress":   0,"vid":"V00001"},{"elementAddress":   1,"vid":"V00002"}]"#
    );
    let (rc, _, err) = smc(&l.path, &["-e", "-V", "V00003"]);
    assert_eq!(rc, 0, "{err}");
    let (_, out, _) = smc(&l.path, &["-q", "P"]);
    assert_eq!(
        out,
        format!("{RED}Element Addr.\tVid\tImpExp{RESET}\n    1010\tV00003\texport\n")
    );
    // The only port is full now: operator message and wait.
    assert_eq!(smc(&l.path, &["-e", "-V", "V00001"]).0, 8);
    // Exported cartridges are not imported back; an operator-inserted one is.
    assert_eq!(smc(&l.path, &["-i"]), (0, String::new(), String::new()));
    let o = ctaops(&["smc", "emulated", "remove", l.path.to_str().unwrap(), "1010"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "V00003L9\n");
    let o = ctaops(&["smc", "emulated", "insert", l.path.to_str().unwrap(), "NEW001L9"]);
    assert!(o.status.success());
    let (_, out, _) = smc(&l.path, &["-q", "P", "-j"]);
    assert_eq!(out, r#"[{"elementAddress":1010,"vid":"NEW001","state":"import"}]"#);
    let (rc, out, _) = smc(&l.path, &["-i", "--json"]);
    assert_eq!(
        (rc, out.as_str()),
        (0, "{\"action\":\"import\",\"vid\":\"NEW001\",\"from\":1010,\"to\":2}\n")
    );
    let (_, out, _) = smc(&l.path, &["-q", "V", "-V", "NEW*"]);
    assert_eq!(
        out,
        format!("{RED}Vid\tElement Addr.\tElement Type{RESET}\nNEW001\t       2\tslot\n")
    );
}

#[test]
fn injected_faults_give_cta_exit_codes() {
    let l = init("ts4500", "2");
    let p = l.path.to_str().unwrap();
    assert!(ctaops(&["smc", "emulated", "fault", p, "--busy", "1"]).status.success());
    assert_eq!(smc(&l.path, &["-q", "D"]).0, 16);
    assert!(
        ctaops(&["smc", "emulated", "fault", p, "--sense", "2/04/01"])
            .status
            .success()
    );
    let (rc, _, err) = smc(&l.path, &["-q", "S"]);
    assert_eq!(rc, 3);
    assert!(err.contains("NOT READY 2/04/01"), "{err}");
    assert!(
        ctaops(&["smc", "emulated", "fault", p, "--pause", "true"])
            .status
            .success()
    );
    let (rc, _, err) = smc(&l.path, &["-q", "L"]);
    assert_eq!(rc, 3);
    assert!(err.contains("Library paused"), "{err}");
    assert!(
        ctaops(&["smc", "emulated", "fault", p, "--clear", "--stuck", "1024"])
            .status
            .success()
    );
    let (rc, _, err) = smc(&l.path, &["-m", "-D", "0", "-V", "V00001"]);
    assert_eq!(rc, 1);
    assert!(err.contains("HARDWARE ERROR 4/40/01"), "{err}");
    let (rc, _, err) = ctaops_status(&["smc", "emulated", "fault", p, "--sense", "zz"]);
    assert_eq!(rc, 1, "{err}");
}

fn ctaops_status(args: &[&str]) -> (i32, String, String) {
    status_of(&ctaops(args))
}

#[test]
fn spectra_like_drives_show_loaded_and_dry_run_changes_nothing() {
    let l = init("spectra", "2");
    let before = std::fs::read(&l.path).unwrap();
    let (rc, out, _) = smc(&l.path, &["-m", "-D", "1", "-V", "V00002", "--dry-run"]);
    assert_eq!(
        (rc, out.as_str()),
        (0, "dry run: would mount V00002 from element 4097 to element 257\n")
    );
    assert_eq!(std::fs::read(&l.path).unwrap(), before);
    assert_eq!(smc(&l.path, &["-m", "-D", "1", "-V", "V00002"]).0, 0);
    // Spectra-like: ACCESS does not mean unloaded, so -d moves it without waiting.
    let (rc, _, err) = smc(&l.path, &["-d", "-D", "1"]);
    assert_eq!(rc, 1, "the emulated drive still refuses a threaded tape: {err}");
    let (_, out, _) = smc(&l.path, &["-q", "D", "-D", "1", "-j"]);
    assert_eq!(
        out,
        r#"[{"driveOrdinal":1,"elementAddress":257,"status":"loaded","vid":"V00002"}]"#
    );
}

#[test]
fn bad_devices_and_state_files() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "not json").unwrap();
    let (rc, _, err) = smc(&bad, &["-q", "L"]);
    assert_eq!(rc, 1);
    assert_eq!(err.lines().count(), 1);
    assert!(err.contains("not a library state"), "{err}");
    let (rc, _, err) = smc(&dir.path().join("missing.json"), &["-q", "L"]);
    assert_eq!((rc, err.lines().count()), (1, 1));
    let (rc, _, err) = ctaops_status(&["smc", "--device", "/dev/null", "-q", "L"]);
    assert_eq!(rc, 1);
    assert!(err.contains("not a SCSI generic device"), "{err}");
    let (rc, _, err) = ctaops_status(&["smc", "--device", bad.to_str().unwrap(), "-q", "L"]);
    assert_eq!(rc, 1);
    assert!(err.contains("not a character device"), "{err}");
    let (rc, _, _) = ctaops_status(&["smc", "--device", "/nonexistent/sg0", "-q", "L"]);
    assert_eq!(rc, 1);
    let (rc, _, _) = ctaops_status(&["smc", "-q", "L"]);
    assert_eq!(rc, 1);
    // Refuses to overwrite without --force.
    let p = dir.path().join("lib.json");
    assert!(
        ctaops(&["smc", "emulated", "init", p.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(ctaops_status(&["smc", "emulated", "init", p.to_str().unwrap()]).0, 1);
    assert_eq!(
        ctaops_status(&[
            "smc",
            "emulated",
            "init",
            p.to_str().unwrap(),
            "--force",
            "--tapes",
            "500"
        ])
        .0,
        1
    );
}

fn run_in(args: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ctaops"));
    c.args(args).env_remove("CTAOPS_CONFIG").envs(envs.iter().copied());
    status_of(&c.output().unwrap())
}

#[test]
fn changer_from_config_file() {
    let l = init("cta-example", "3");
    let dir = l.path.parent().unwrap();
    let cfg = dir.join("cta-ops-config.yaml");
    // A relative library_state is relative to the config file.
    std::fs::write(&cfg, "tools:\n  ctaops-smc:\n    library_state: lib.json\n").unwrap();
    let (rc, out, err) = run_in(&["smc", "-C", cfg.to_str().unwrap(), "-q", "V", "--json"], &[]);
    assert_eq!(rc, 0, "{err}");
    assert!(out.starts_with("[{\"vid\":\"V00001\",\"elementAddress\":0,"), "{out}");
    // $CTAOPS_CONFIG is honoured too, and moves are written back to the state file.
    let (rc, _, err) = run_in(
        &["smc", "-m", "-D", "1", "-V", "V00002"],
        &[("CTAOPS_CONFIG", cfg.to_str().unwrap())],
    );
    assert_eq!(rc, 0, "{err}");
    let (_, out, _) = smc(&l.path, &["-q", "D", "-D", "1", "--json"]);
    assert_eq!(
        out,
        "[{\"driveOrdinal\":1,\"elementAddress\":1031,\"status\":\"loaded\",\"vid\":\"V00002\"}]"
    );
}

#[test]
fn config_without_a_changer_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    std::fs::write(&cfg, "global:\n  table_format: plain\n").unwrap();
    let (rc, out, err) = run_in(&["smc", "-C", cfg.to_str().unwrap(), "-q", "D"], &[]);
    assert_eq!((rc, out.as_str()), (1, ""));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("tools.ctaops-smc.device"), "{err}");
    let (rc, _, err) = run_in(
        &[
            "smc",
            "-C",
            dir.path().join("missing.yaml").to_str().unwrap(),
            "-q",
            "D",
        ],
        &[],
    );
    assert_eq!(rc, 1);
    assert!(err.contains("missing.yaml"), "{err}");
}

#[cfg(unix)]
#[test]
fn delegates_to_the_configured_cta_smc() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("cta-smc");
    let log = dir.path().join("args");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\necho \"$@\" > {}\necho from-site-cta-smc\nexit 3\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cfg = dir.path().join("c.yaml");
    std::fs::write(
        &cfg,
        format!(
            "global:\n  binaries:\n    cta_smc: {}\ntools:\n  ctaops-smc:\n    delegate: true\n",
            fake.display()
        ),
    )
    .unwrap();
    let (rc, out, _) = run_in(
        &["smc", "-C", cfg.to_str().unwrap(), "-m", "-D", "0", "-V", "jk2005"],
        &[],
    );
    // cta-smc's exit code (3: retry in 60 s) and output pass through unchanged.
    assert_eq!((rc, out.as_str()), (3, "from-site-cta-smc\n"));
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "-m -D 0 -V jk2005\n");
    // --delegate on the command line does the same without the config key.
    std::fs::write(&cfg, format!("global:\n  binaries:\n    cta_smc: {}\n", fake.display())).unwrap();
    let (rc, _, _) = run_in(
        &["smc", "-C", cfg.to_str().unwrap(), "--delegate", "-q", "D", "--json"],
        &[],
    );
    assert_eq!(rc, 3);
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "-q D --json\n");
    // A binary that is not there: one error line, status 1.
    std::fs::write(&cfg, "global:\n  binaries:\n    cta_smc: /nonexistent/cta-smc\n").unwrap();
    let (rc, _, err) = run_in(&["smc", "-C", cfg.to_str().unwrap(), "--delegate", "-q", "D"], &[]);
    assert_eq!(rc, 1);
    assert!(err.contains("global.binaries.cta_smc"), "{err}");
}
