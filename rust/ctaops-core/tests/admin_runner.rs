//! The runner against a fake `cta-admin` that plays back outputs, stderr and exit codes.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly on broken fixtures")]

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ctaops_core::admin::stream::Framer;
use ctaops_core::admin::{AdminCommand, AdminError, Framing, Records, Runner, RunnerSettings};
use serde_json::{Value, json};

fn fake() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fake_cta_admin.py")
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/admin")
            .join(name),
    )
    .unwrap()
}

struct Scenario {
    dir: tempfile::TempDir,
}

impl Scenario {
    fn new(mut sc: Value) -> Self {
        let dir = tempfile::tempdir().unwrap();
        sc["log"] = dir.path().join("log.json").to_string_lossy().into();
        std::fs::write(dir.path().join("sc.json"), sc.to_string()).unwrap();
        Self { dir }
    }
    fn runner(&self, timeout: f64) -> Runner {
        Runner::new(RunnerSettings {
            binary: fake(),
            config: Some(self.dir.path().join("sc.json")),
            sss_keytab: Some(PathBuf::from("/etc/cta/ops.keytab")),
            timeout: Duration::from_secs_f64(timeout),
            cta_version: None,
        })
    }
    fn log(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.dir.path().join("log.json")).unwrap()).unwrap()
    }
}

fn tape_ls() -> AdminCommand {
    AdminCommand::build("tape", Some("ls"), &[("all", true.into())]).unwrap()
}

#[test]
fn success_passes_argv_env_and_parses() {
    let sc = Scenario::new(json!({"stdout": fixture("tape.json")}));
    let Records::Tape(t) = sc.runner(30.0).records(&tape_ls()).unwrap() else {
        panic!()
    };
    assert_eq!(t[0].vid, "V01007");
    let log = sc.log();
    let argv: Vec<&str> = log["argv"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(argv[0], "--json");
    assert_eq!(argv[1], "--config");
    assert_eq!(&argv[3..], ["tape", "ls", "--all"]);
    assert_eq!(log["env"]["XrdSecPROTOCOL"], "sss");
    assert_eq!(log["env"]["XrdSecSSSKT"], "/etc/cta/ops.keytab");
}

#[test]
fn exit_2_is_a_user_error_with_ctas_message() {
    let sc = Scenario::new(json!({"stdout": "[]\n", "stderr": "Tape VID NOPE does not exist.\n", "exit": 2}));
    let cmd = AdminCommand::build("tape", Some("ls"), &[("vid", "NOPE".into())]).unwrap();
    let e = sc.runner(30.0).records(&cmd).unwrap_err();
    assert_eq!(e.code(), "CTA_ADMIN_USER_ERROR");
    assert_eq!(
        e.to_string(),
        "cta-admin tape ls --vid NOPE: Tape VID NOPE does not exist."
    );
}

#[test]
fn exit_1_is_a_cta_error() {
    let sc = Scenario::new(
        json!({"stdout": "[{\"vid\":", "stderr": "Error from XRootD SSI Framework: [ERROR] stream\n", "exit": 1}),
    );
    let e = sc.runner(30.0).records(&tape_ls()).unwrap_err();
    assert_eq!(e.code(), "CTA_ADMIN_ERROR");
    assert!(matches!(&e, AdminError::Failed { status: 1, .. }));
    assert!(e.to_string().contains("Error from XRootD SSI Framework"), "{e}");
}

#[test]
fn missing_binary() {
    let r = Runner::new(RunnerSettings {
        binary: "/nonexistent/cta-admin".into(),
        ..RunnerSettings::default()
    });
    let e = r.records(&tape_ls()).unwrap_err();
    assert_eq!(e.code(), "CTA_ADMIN_NOT_FOUND");
    assert!(e.to_string().contains("tape ls --all"), "{e}");
}

#[test]
fn timeout_kills_the_process() {
    let sc = Scenario::new(json!({"stdout": "[", "mode": "hang"}));
    let t0 = Instant::now();
    let e = sc.runner(0.5).records(&tape_ls()).unwrap_err();
    assert_eq!(e.code(), "CTA_ADMIN_TIMEOUT", "{e}");
    assert!(t0.elapsed() < Duration::from_secs(10));
    assert!(!e.to_string().contains('\n'));
}

#[test]
fn killed_by_signal() {
    let sc = Scenario::new(json!({"stdout": "[", "mode": "kill"}));
    let e = sc.runner(30.0).records(&tape_ls()).unwrap_err();
    assert_eq!(e.code(), "CTA_ADMIN_KILLED", "{e}");
    assert!(e.to_string().contains("signal 9"), "{e}");
}

#[test]
fn truncated_and_non_json_output_with_exit_0() {
    let tape = fixture("tape.json");
    let sc = Scenario::new(json!({"stdout": &tape[..tape.len() - 10]}));
    let e = sc.runner(30.0).records(&tape_ls()).unwrap_err();
    assert_eq!(e.code(), "CTA_ADMIN_TRUNCATED", "{e}");
    let sc = Scenario::new(json!({"stdout": "Error from XRootD SSI Framework: no route\n"}));
    let e = sc.runner(30.0).records(&tape_ls()).unwrap_err();
    assert_eq!(e.code(), "CTA_ADMIN_NOT_JSON", "{e}");
    assert!(
        e.to_string().starts_with("cta-admin tape ls --all: output is not JSON"),
        "{e}"
    );
    let sc = Scenario::new(json!({"stdout": ""}));
    assert_eq!(
        sc.runner(30.0).records(&tape_ls()).unwrap_err().code(),
        "CTA_ADMIN_EMPTY_OUTPUT"
    );
}

#[test]
fn actions_return_ctas_message() {
    let sc = Scenario::new(json!({"stdout": "Drive I1: set Up.\n[]\n"}));
    let cmd = AdminCommand::build("drive", Some("up"), &[("drive", "I1".into())]).unwrap();
    assert_eq!(sc.runner(30.0).action(&cmd).unwrap(), "Drive I1: set Up.");
    assert_eq!(
        &sc.log()["argv"].as_array().unwrap()[3..],
        [json!("drive"), json!("up"), json!("I1")]
    );
}

#[test]
fn records_arrive_while_the_producer_is_still_writing() {
    let tape = fixture("tape.json");
    let one = &tape.trim()[1..tape.trim().len() - 1];
    let out = format!("[{one},{one}]\n");
    let split = one.len() + 2; // first record and the comma
    let sc = Scenario::new(json!({"stdout": out, "mode": "trickle", "split": split, "delay": 3.0}));
    let t0 = Instant::now();
    let times = sc
        .runner(30.0)
        .run_with(&tape_ls(), Framing::Json, |r| {
            let mut f = Framer::new(r as &mut dyn BufRead, Framing::Json);
            let mut times = Vec::new();
            while f.next_object()?.is_some() {
                times.push(t0.elapsed());
            }
            Ok(times)
        })
        .unwrap();
    assert_eq!(times.len(), 2);
    // Had the output been buffered until the end, both records would arrive together; the
    // writer pauses 3 s between them, so the first one came out while it was still writing.
    assert!(times[1] - times[0] >= Duration::from_secs(2), "records at {times:?}");
}

#[test]
fn version_and_supply_normalisation() {
    let v = json!([{"clientVersion":{"ctaVersion":"5.11.7.0-1","xrootdSsiProtobufInterfaceVersion":"v1.x"},
        "serverVersion":{"ctaVersion":"5.11.2.0-1","xrootdSsiProtobufInterfaceVersion":"v1.x"},
        "catalogueConnectionString":"postgresql:postgresql://cta:******@db/cta","catalogueVersion":"15.0",
        "isUpgrading":false,"schedulerBackendName":"ceph","instanceName":"ctaproduction"}]);
    let sc = Scenario::new(json!({"stdout": v.to_string()}));
    let r = sc.runner(30.0);
    let ver = r.cta_version().unwrap().unwrap();
    assert!(ver.at_least(&[5, 11]) && !ver.at_least(&[5, 12]));
    let sc = Scenario::new(json!({"stdout": fixture("tapepool.json")}));
    let cmd = AdminCommand::build("tapepool", Some("ls"), &[]).unwrap();
    let Records::TapePool(p) = sc.runner(30.0).tape_pools(&cmd).unwrap() else {
        panic!()
    };
    assert_eq!(p[0].supply.as_deref(), Some("supply_lto9"));
}

#[test]
fn settings_from_the_ops_config() {
    use ctaops_core::config::{Config, ErrorTranslations};
    let dir = tempfile::tempdir().unwrap();
    let keytab = dir.path().join("ops.keytab");
    std::fs::write(&keytab, "0 u ops 0 0 0 x\n").unwrap();
    let yaml = format!(
        "global:\n  binaries:\n    cta-admin: /opt/cta/bin/cta-admin\n  tape:\n    cta-admin_config: {}\n  default_user:\n    sss_keytab_file: {}\ntools:\n  cta-ops-pool-supply:\n    timeout: 10\n",
        dir.path().join("absent.conf").display(),
        keytab.display()
    );
    let cfg = Config::from_yaml(&yaml, "test").unwrap();
    let s = RunnerSettings::from_config(&cfg, None).unwrap();
    assert_eq!(s.binary, PathBuf::from("/opt/cta/bin/cta-admin"));
    assert_eq!(s.config, None, "an absent client config is left out");
    assert_eq!(s.sss_keytab.as_deref(), Some(keytab.as_path()));
    assert_eq!(s.timeout, Duration::from_secs(300));
    let s = RunnerSettings::from_config(&cfg, Some("cta-ops-pool-supply")).unwrap();
    assert_eq!(s.timeout, Duration::from_secs(10));
    // Translation of CTA's message, original kept by the caller.
    let table = ErrorTranslations::parse("'^Tape VID (\\S+) does not exist': 'No tape $1 in CTA.'\n", "t").unwrap();
    let e = AdminError::User {
        command: "tape ls --vid X".into(),
        message: "Tape VID X does not exist.".into(),
    };
    assert_eq!(
        e.translated(&table).as_deref(),
        Some("cta-admin tape ls --vid X: No tape X in CTA.")
    );
    assert_eq!(e.cta_message(), Some("Tape VID X does not exist."));
    let other = AdminError::User {
        command: "tape ls".into(),
        message: "something else".into(),
    };
    assert_eq!(other.translated(&table), None);
}

/// A fake `cta-admin` whose frontend reports CTA `version` and that records every argv.
fn versioned(version: &str) -> (Scenario, tempfile::TempDir) {
    let log_dir = tempfile::tempdir().unwrap();
    let calls = log_dir.path().join("calls.jsonl");
    let sc = Scenario::new(json!({"stdout": "[]\n", "cta_version": version, "calls": calls}));
    (sc, log_dir)
}

/// The commands run so far (argv after `--json --config <file>`).
fn calls(log_dir: &tempfile::TempDir) -> Vec<Vec<String>> {
    std::fs::read_to_string(log_dir.path().join("calls.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let argv: Vec<String> = serde_json::from_str(l).unwrap();
            argv[3..].to_vec()
        })
        .collect()
}

fn words(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn argument_vectors_follow_the_detected_cta_version() {
    let af = AdminCommand::raw(&["af", "ch", "--idfile", "/tmp/ids", "--storageclass", "sc1"]).unwrap();
    let dr = AdminCommand::build("drive", Some("ls"), &[("all", true.into())]).unwrap();

    let (old, log) = versioned("5.10.11.0-1");
    let r = old.runner(30.0);
    r.action(&af).unwrap();
    r.records(&dr).unwrap();
    r.records(&tape_ls()).unwrap();
    assert_eq!(
        calls(&log),
        [
            words(&["version"]),
            words(&["af", "ch", "--id", "/tmp/ids", "--storageclass", "sc1"]),
            words(&["drive", "ls"]),
            words(&["tape", "ls", "--all"]),
        ],
        "version asked once, only for commands an adaptation concerns"
    );

    let (new, log) = versioned("5.11.20.0-1");
    let r = new.runner(30.0);
    r.action(&af).unwrap();
    r.records(&dr).unwrap();
    assert_eq!(
        calls(&log),
        [
            words(&["version"]),
            words(&["af", "ch", "--idfile", "/tmp/ids", "--storageclass", "sc1"]),
            words(&["drive", "ls", "--all"]),
        ]
    );
}

#[test]
fn what_a_release_cannot_do_is_refused_before_running() {
    let (sc, log) = versioned("5.11.19.0-2");
    let stats = AdminCommand::build("tape", Some("ls"), &[("storage_class_stats", true.into())]).unwrap();
    let e = sc.runner(30.0).records(&stats).unwrap_err();
    assert_eq!(e.code(), "CTA_VERSION_UNSUPPORTED");
    assert_eq!(
        e.to_string(),
        "cta-admin tape ls --get-storage-class-stats: option --get-storage-class-stats needs CTA 5.11.20 or \
         newer (this CTA is 5.11.19.0-2)"
    );
    assert_eq!(calls(&log), [words(&["version"])], "nothing but version ran");
}

#[test]
fn configured_version_replaces_detection_and_unknown_versions_pass_through() {
    let (sc, log) = versioned("unavailable");
    let tf = AdminCommand::build("tapefile", Some("ls"), &[("diskfileid", "31".into())]).unwrap();
    // `version` fails: the command goes out as written (and the failure is asked only once).
    let r = sc.runner(30.0);
    r.records(&tf).unwrap();
    r.records(&tf).unwrap();
    assert_eq!(
        calls(&log),
        [
            words(&["version"]),
            words(&["tapefile", "ls", "--diskfileid", "31"]),
            words(&["tapefile", "ls", "--diskfileid", "31"])
        ]
    );
    let mut settings = sc.runner(30.0).settings().clone();
    settings.cta_version = Some("5.11.4.0-1".into());
    let r = Runner::new(settings.clone());
    r.records(&tf).unwrap();
    assert_eq!(calls(&log).last().unwrap(), &words(&["tapefile", "ls", "--fxid", "31"]));
    assert_eq!(r.cta_version().unwrap().unwrap().text, "5.11.4.0-1");
    settings.cta_version = Some("five".into());
    let e = Runner::new(settings).records(&tf).unwrap_err();
    assert_eq!(e.code(), "INVALID_ARGUMENT");
    assert!(e.to_string().contains("'five' is not a CTA version"), "{e}");
}
