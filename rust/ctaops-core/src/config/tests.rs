use super::tools::{CtaOpsAdmin, DataMonitoring, Eos, PoolSupply, RepackAutomation, TapeVerify};
use super::*;

const UPSTREAM: &str = include_str!("../../../../tests/fixtures/config/upstream-reference.yaml");
const TEMPLATE: &str = include_str!("../../../../packaging/cta-ops-config.yaml");

fn load(text: &str) -> Config {
    Config::from_yaml(text, "test.yaml").unwrap()
}

fn err(text: &str) -> String {
    let e = Config::from_yaml(text, "/etc/cta-ops/x.yaml").unwrap_err();
    assert_eq!(e.code(), "CONFIG_ERROR");
    let msg = e.to_string();
    assert!(!msg.contains('\n'), "one line: {msg}");
    assert!(msg.starts_with("/etc/cta-ops/x.yaml: "), "names the file: {msg}");
    msg
}

#[test]
fn upstream_reference_file_loads_unchanged_typos_included() {
    let cfg = load(UPSTREAM);
    let g = cfg.global();
    assert_eq!(g.logging.rotation_max_size.bytes(), 1 << 30);
    assert_eq!(g.colors.ansi_color_success, "\x1b[1;32m");
    assert_eq!(g.binaries.cta_admin, "/usr/bin/cta-admin");
    assert_eq!(g.binaries.cta_verify_file_argv(), ["/usr/bin/cta-verify-file", "--id"]);
    assert_eq!(g.tape.cta_admin_config, "/etc/cta-ops/cta-cli.conf");
    // `mode:` typo read as the model
    assert_eq!(g.tape.drive_model("3592-70F"), Some("TS1170"));
    // stray quote kept as part of the key, numeric-looking media types read as text
    assert_eq!(g.tape.pool_suffix("IBM470'", "3592JE50T"), Some("_IBM4JF"));
    assert_eq!(g.tape.pool_suffix("IBM1L8", "LTO7M"), Some("_IBM1L7"));
    assert_eq!(g.tape.drive_to_lib_map.separator, "-");
    assert_eq!(
        g.tape.drive_to_lib_map.library_for_drive("IBMLIB4-TS1160-F2C1R4"),
        Some("IBM460")
    );
    // the unknown top-level fragment key is kept, not fatal
    assert!(cfg.raw().get("global_fragment_1").is_some());

    let repack: RepackAutomation = cfg.tool().unwrap();
    assert_eq!(repack.priorities[&49].name, "high-tolabel");
    assert_eq!(repack.database.port.0, "changeme");
    assert_eq!(
        repack.end.repack_end_json_path,
        "/var/log/cta-ops/repack/cta-ops-repack-end-json.log"
    );
    let admin: CtaOpsAdmin = cfg.tool().unwrap();
    assert_eq!(admin.tape_drivetest.default_file_size.bytes(), 10 << 30);
    assert_eq!(admin.tape_mediacheck.random_file_size.bytes(), 5 << 30);
    assert_eq!(admin.command_table.empty_table_item_char, "-");
    assert_eq!(
        cfg.tool::<TapeVerify>().unwrap().logging.log_dir,
        "/var/log/cta-ops/verification/"
    );
    assert_eq!(cfg.tool::<Eos>().unwrap().change_storage_class.files_per_split, 1000);
    assert_eq!(cfg.tool::<DataMonitoring>().unwrap(), DataMonitoring::default());
}

#[test]
fn upstream_values_equal_the_defaults_for_global_keys_with_defaults() {
    let cfg = load(UPSTREAM);
    let mut g = cfg.global().clone();
    let d = Global::default();
    // The reference file's tape maps are CERN's examples, everything else is the default.
    g.tape.lib_to_pool_map.clear();
    g.tape.tape_drive_types.clear();
    g.tape.drive_to_lib_map = d.tape.drive_to_lib_map.clone();
    assert_eq!(g, d);
}

#[test]
fn template_loads_and_documents_every_default() {
    let cfg = load(TEMPLATE);
    assert_eq!(cfg.global(), &Global::default());
    assert_eq!(cfg.tool::<RepackAutomation>().unwrap(), RepackAutomation::default());
    assert_eq!(cfg.tool::<CtaOpsAdmin>().unwrap(), CtaOpsAdmin::default());
    assert_eq!(cfg.tool::<TapeVerify>().unwrap(), TapeVerify::default());
    assert_eq!(cfg.tool::<PoolSupply>().unwrap(), PoolSupply::default());
    assert_eq!(cfg.tool::<Eos>().unwrap(), Eos::default());
    assert_eq!(cfg.tool::<DataMonitoring>().unwrap(), DataMonitoring::default());
    // every key the typed model knows is spelled out in the template
    let written = cfg.raw().get("global").unwrap();
    assert_keys_present(&to_value(&Global::default()), written, "global");
    for (name, _) in tools::VALIDATED {
        let section = cfg
            .tool_raw(name)
            .unwrap_or_else(|| panic!("template lacks tools.{name}"));
        let defaults = tools::defaults_of(name).unwrap_or_else(|| panic!("no defaults for {name}"));
        assert_keys_present(&defaults, section, &format!("tools.{name}"));
    }
}

fn assert_keys_present(defaults: &Value, written: &Value, at: &str) {
    let Value::Mapping(d) = defaults else { return };
    for (k, v) in d {
        let key = k.as_str().map_or_else(|| format!("{k:?}"), str::to_owned);
        // Optional keys with no default (`default_block_size`) are commented out, as upstream.
        if v.is_null() || (at.ends_with("priorities")) {
            continue;
        }
        let alias = if key == "logging" { written.get("logger") } else { None };
        let w = written
            .get(k)
            .or(alias)
            .unwrap_or_else(|| panic!("template lacks {at}.{key}"));
        assert_keys_present(v, w, &format!("{at}.{key}"));
    }
}

#[test]
fn empty_and_null_sections_mean_defaults() {
    assert_eq!(load("").global(), &Global::default());
    assert_eq!(load("global:\ntools:\n").global(), &Global::default());
    let cfg = load("global:\n  logging:\n    log_dir:\n    rotation_keep_files: 9\n");
    assert_eq!(cfg.global().logging.log_dir, "/var/log/cta-ops/");
    assert_eq!(cfg.global().logging.rotation_keep_files, 9);
    assert_eq!(
        load("global: {logging: {error_translation_file: }}")
            .global()
            .logging
            .error_translation_path(),
        None
    );
}

#[test]
fn wrong_types_name_the_key_and_file() {
    let msg = err("global:\n  logging:\n    rotation_keep_files: five\n");
    assert!(msg.contains("global.logging.rotation_keep_files"), "{msg}");
    let msg = err("global:\n  logging:\n    rotation_max_size: 10Q\n");
    assert!(
        msg.contains("global.logging.rotation_max_size") && msg.contains("10Q"),
        "{msg}"
    );
    let msg = err("global:\n  table_max_col_width: -3\n");
    assert!(msg.contains("global.table_max_col_width"), "{msg}");
    let msg = err("global:\n  tape:\n    tape_drive_types:\n      - {name: x}\n");
    assert!(
        msg.contains("global.tape.tape_drive_types[0]") && msg.contains("model"),
        "{msg}"
    );
    let msg = err("tools:\n  cta-ops-pool-supply:\n    timeout: soon\n");
    assert!(msg.contains("tools.cta-ops-pool-supply.timeout"), "{msg}");
    let msg = err("tools:\n  cta-ops-repack-automation:\n    priorities: {10: {name: [1]}}\n");
    assert!(msg.contains("tools.cta-ops-repack-automation.priorities"), "{msg}");
    assert!(err("global: [1, 2]\n").contains(": global: expected a mapping"));
    assert!(err("tools: 3\n").contains(": tools: "));
}

#[test]
fn bad_yaml_names_the_position() {
    let msg = err("global:\n  logging: {log_dir: [\n");
    assert!(msg.contains("(document)") && msg.contains("line"), "{msg}");
    assert!(err("- just\n- a list\n").contains("expected a mapping"));
}

#[test]
fn unknown_keys_are_kept() {
    let cfg = load("global:\n  site_key: 1\n  logging: {site_log_thing: x}\ntools:\n  my-site-tool: {a: 1}\n");
    let g = cfg.global_raw();
    assert_eq!(g.get("site_key"), Some(&Value::from(1)));
    assert_eq!(g["logging"]["site_log_thing"], Value::from("x"));
    assert_eq!(g["logging"]["rotation_keep_files"], Value::from(5));
    assert_eq!(cfg.tool_raw("my-site-tool").unwrap()["a"], Value::from(1));
    assert_eq!(cfg.merged("my-site-tool")["a"], Value::from(1));
}

#[test]
fn ctaops_additions_are_known_keys() {
    // Read by ATRESYS and the verification tools; `ctaops sim init` writes them.
    let cfg = load(
        "tools:\n  cta-ops-repack-automation:\n    database: {backend: sqlite, path: /x.sqlite}\n    quarantine_pool: q\n\
         \x20   lease_seconds: 5\n    cta-ops-repack-monitor: {prometheus_out: /x.prom, ls_out: /x.json}\n\
         \x20 cta-ops-tape-verify: {state_dir: /s, logging: {log_dir: /l}}\n",
    );
    assert!(cfg.unknown_keys().is_empty(), "{:?}", cfg.unknown_keys());
}

#[test]
fn unknown_keys_are_reported_not_rejected() {
    let cfg = load(
        "global:\n  site_key: 1\n  logging: {rotation_max_sise: 2G, log_dir: /x}\n  tape: {lib_to_pool_map: {L: {M: _S}}}\n\
         tools:\n  cta-ops-pool-supply: {timeout: 3, timout: 4}\n  site-tool: {anything: 1}\n\
         cta-ops-repack-automation: {priorities: {12: {name: x, mount_policy: y, default_dst_pool_prefix: z}}}\n",
    );
    assert_eq!(
        cfg.unknown_keys(),
        [
            "cta-ops-repack-automation",
            "global.site_key",
            "global.logging.rotation_max_sise",
            "tools.cta-ops-pool-supply.timout",
            "tools.site-tool"
        ]
    );
    let report = cfg.unknown_key_report();
    let meant: Vec<_> = report.iter().map(|k| (k.suggestion.as_deref(), k.owned)).collect();
    assert_eq!(
        meant,
        [
            (None, false),
            (None, true),
            (Some("rotation_max_size"), true),
            (Some("timeout"), true),
            (None, false)
        ]
    );
    assert!(
        load(TEMPLATE).unknown_keys().is_empty(),
        "{:?}",
        load(TEMPLATE).unknown_keys()
    );
    assert_eq!(load(UPSTREAM).unknown_keys(), ["global_fragment_1"]);
}

#[test]
fn merge_of_global_and_tool_sections() {
    let cfg = load(UPSTREAM);
    let repack = cfg.merged("cta-ops-repack-automation");
    assert_eq!(repack["logging"]["log_dir"], Value::from("/var/log/cta-ops/repack/"));
    assert_eq!(repack["logging"]["rotation_keep_files"], Value::from(5));
    assert_eq!(repack["max_active_repacks"], Value::from(10));
    assert_eq!(
        cfg.global_for("cta-ops-repack-automation").unwrap().logging.log_dir,
        "/var/log/cta-ops/repack/"
    );
    // `logger:` (tape-verify spelling) counts as `logging:`
    let verify = cfg
        .global_for("cta-ops-tape-verify.cta-ops-verification-feeder")
        .unwrap();
    assert_eq!(verify.logging.log_dir, "/var/log/cta-ops/verification/");
    assert_eq!(
        cfg.merged("cta-ops-tape-verify.cta-ops-verification-feeder")["sleep_time"],
        Value::from(120)
    );
    // a tool with no section sees global alone
    assert_eq!(cfg.global_for("nope").unwrap(), *cfg.global());

    let bad = load("tools:\n  t: {logging: {rotation_keep_files: x}}\n");
    let e = bad.global_for("t").unwrap_err().to_string();
    assert!(e.contains("tools.t.logging.rotation_keep_files"), "{e}");
}

#[test]
fn path_precedence_explicit_then_env_then_default() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.yaml");
    std::fs::write(&a, "global: {table_format: grid}\n").unwrap();
    // The env-var branch is exercised in the Python tests (setting env vars here would race
    // with other tests in this process); explicit always wins over it.
    assert_eq!(Config::locate(Some(&a)), Some(a.clone()));
    let cfg = Config::load(Some(&a)).unwrap();
    assert_eq!(cfg.source(), Some(a.as_path()));
    assert_eq!(cfg.global().table_format, "grid");
    let missing = dir.path().join("missing.yaml");
    let e = Config::load(Some(&missing)).unwrap_err();
    assert_eq!(e.code(), "FILE_NOT_FOUND");
    assert!(e.to_string().contains("missing.yaml"));
}

#[test]
fn translations_from_config() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("errors.yaml");
    std::fs::write(&t, "'does not exist': 'No such thing'\n").unwrap();
    let cfg = load(&format!(
        "global: {{logging: {{error_translation_file: '{}'}}}}\n",
        t.display()
    ));
    assert_eq!(
        cfg.error_translations()
            .unwrap()
            .translate("X does not exist")
            .as_deref(),
        Some("No such thing")
    );
    let cfg = load("global: {logging: {error_translation_file: '/nonexistent/e.yaml'}}\n");
    assert!(cfg.error_translations().unwrap().is_empty());
}

#[test]
fn load_yaml_helper() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("k.yaml");
    std::fs::write(&p, "a: &x {b: 1}\nc: {<<: *x, d: 2}\n").unwrap();
    assert_eq!(load_yaml(&p).unwrap()["c"]["b"], Value::from(1));
    std::fs::write(&p, "a: [\n").unwrap();
    assert_eq!(load_yaml(&p).unwrap_err().code(), "CONFIG_ERROR");
}

mod never_panics {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn arbitrary_text(s in "\\PC{0,200}") {
            let _ = Config::from_yaml(&s, "fuzz");
            let _ = ErrorTranslations::parse(&s, "fuzz");
        }

        #[test]
        fn yaml_shaped_text(key in "(global|tools|logging|tape|binaries|[a-z_]{1,8})", value in "(~|[0-9]{1,4}|'[^']{0,8}'|\\[\\]|\\{\\}|-1|true)") {
            for doc in [
                format!("global:\n  {key}: {value}\n"),
                format!("global:\n  logging:\n    {key}: {value}\n"),
                format!("global:\n  tape:\n    {key}: {value}\n"),
                format!("tools:\n  cta-ops-repack-automation:\n    {key}: {value}\n"),
            ] {
                if let Err(e) = Config::from_yaml(&doc, "f.yaml") {
                    let msg = e.to_string();
                    prop_assert!(msg.starts_with("f.yaml: ") && !msg.contains('\n'), "{}", msg);
                }
            }
        }
    }
}

#[test]
fn type_errors_never_echo_a_password() {
    let pw = "Pl4nted-s3cret";
    for section in [
        format!("'postgresql://cta:{pw}@db:5432/cta'"),
        format!("'postgresql://db/cta?user=cta&password={pw}'"),
        format!("'host=db user=cta password={pw}'"),
    ] {
        let msg = err(&format!(
            "tools:\n  cta-ops-repack-automation:\n    database: {section}\n"
        ));
        assert!(msg.contains("tools.cta-ops-repack-automation.database"), "{msg}");
        assert!(!msg.contains(pw), "{msg}");
    }
}

#[test]
fn tool_sections_may_override_global_keys() {
    // `Config::merged` lays a tool section over `global`, so global keys are known there too.
    let cfg = load("tools:\n  cta-ops-pool-supply: {email: {sender: x}, table_formt: plain}\n");
    let report = cfg.unknown_key_report();
    assert_eq!(report.len(), 1, "{report:?}");
    assert_eq!(report[0].key, "tools.cta-ops-pool-supply.table_formt");
    assert_eq!(report[0].suggestion.as_deref(), Some("table_format"));
}

#[test]
fn quarantine_days_takes_fractions_not_signs() {
    let cfg = load("tools:\n  cta-ops-repack-automation: {quarantine_days: 0.5}\n");
    assert!((cfg.tool::<RepackAutomation>().unwrap().quarantine_days - 0.5).abs() < f64::EPSILON);
    let msg = err("tools:\n  cta-ops-repack-automation: {quarantine_days: -1}\n");
    assert!(msg.contains("tools.cta-ops-repack-automation.quarantine_days"), "{msg}");
    assert!(msg.contains("non-negative"), "{msg}");
}

#[test]
fn sources_say_file_or_default() {
    let cfg = load("tools:\n  cta-ops-repack-automation: {quarantine_days: 2, timeout: null}\n");
    let settings = cfg.settings(None);
    let find = |k: &str| settings.iter().find(|s| s.key == k).unwrap();
    let q = find("tools.cta-ops-repack-automation.quarantine_days");
    assert_eq!((q.value.as_f64(), q.source), (Some(2.0), Source::File));
    assert_eq!(find("tools.cta-ops-repack-automation.timeout").source, Source::File);
    let l = find("tools.cta-ops-repack-automation.lease_seconds");
    assert_eq!((l.value.as_u64(), l.source), (Some(3600), Source::Default));
    assert_eq!(find("global.table_format").source, Source::Default);
}

#[test]
fn a_written_priority_table_replaces_the_default_one() {
    let cfg = load("tools:\n  cta-ops-repack-automation:\n    priorities: {12: {name: x}}\n");
    let doc = cfg.effective_with_defaults(None);
    let prios = &doc["tools"]["cta-ops-repack-automation"]["priorities"];
    assert_eq!(prios.as_mapping().map(Mapping::len), Some(1), "{prios:?}");
}
