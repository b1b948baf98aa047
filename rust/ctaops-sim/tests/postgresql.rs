//! The PostgreSQL catalogue, in process, on a throwaway cluster: value mapping and a round trip
//! init → archive → run → cta-admin ls.

use ctaops_core::admin::{Framing, Kind, Records, parse_records};
use ctaops_sim::archive::Source;
use ctaops_sim::catalogue::{self, OptionalExtension, Value};
use ctaops_sim::init::InitOptions;
use ctaops_sim::scheduler::RunOptions;
use ctaops_testutil::PgCluster;

mod common;

/// A fresh database on the cluster; its URL.
#[expect(clippy::unwrap_used, reason = "test helper: a failure is the test failing")]
fn database(pg: &PgCluster, name: &str) -> String {
    let admin = catalogue::open_pg(&pg.url()).unwrap();
    admin.execute_batch(&format!("CREATE DATABASE {name}")).unwrap();
    pg.url().replace("/postgres", &format!("/{name}"))
}

#[test]
fn values_come_back_as_sqlite_would_give_them() {
    let pg = PgCluster::start().unwrap();
    let db = catalogue::open_pg(&pg.url()).unwrap();
    // SUM of BIGINT is NUMERIC in PostgreSQL; whole values read back as integers.
    let row = db
        .query_row(
            "SELECT SUM(x), 1.5::numeric, -12345678901234::numeric, ?1 = 3, ?2::text, CAST(NULL AS BIGINT)
             FROM (VALUES (9000000000::bigint), (1)) AS t(x)",
            ctaops_sim::params![3i64, "v"],
            |r| Ok(r.clone()),
        )
        .unwrap();
    assert_eq!(row.get::<i64>(0).unwrap(), 9_000_000_001);
    assert!((row.get::<f64>(1).unwrap() - 1.5).abs() < f64::EPSILON);
    assert_eq!(row.get::<i64>(2).unwrap(), -12_345_678_901_234);
    assert!(row.get::<bool>(3).unwrap());
    assert_eq!(row.get::<String>(4).unwrap(), "v");
    assert_eq!(row.get::<Value>(5).unwrap(), Value::Null);
    let none: Option<i64> = db
        .query_row("SELECT 1 WHERE false", (), |r| r.get(0))
        .optional()
        .unwrap();
    assert_eq!(none, None);
}

#[test]
fn archive_then_list_on_postgresql() {
    let pg = PgCluster::start().unwrap();
    let url = database(&pg, "simrt");
    let tmp = tempfile::tempdir().unwrap();
    let opts = InitOptions {
        catalogue: Some(url.clone()),
        ..common::small_lab(3, Some(6), Some(1))
    };
    let inst = ctaops_sim::init::init(tmp.path(), &opts).unwrap();
    assert!(!inst.catalogue_path().exists());
    assert_eq!(inst.catalogue_url().unwrap().as_deref(), Some(url.as_str()));
    let ids = ctaops_sim::archive::queue(
        &inst,
        "ctaops_sc",
        &[
            Source::Generated { seed: 1, size: 1000 },
            Source::Generated { seed: 2, size: 70_000 },
        ],
    )
    .unwrap();
    let report = ctaops_sim::scheduler::run(&inst, RunOptions::default()).unwrap();
    assert_eq!(report.files_archived, 2);
    let args: Vec<String> = ["--json", "tapefile", "ls", "--vid", "V00001"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = ctaops_sim::admin::main(tmp.path(), &args, &mut out, &mut err);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    let Records::TapeFile(files) = parse_records(Kind::TapeFile, Framing::Json, &out).unwrap() else {
        panic!()
    };
    let listed: Vec<u64> = files.iter().map(|f| f.af.archive_id).collect();
    assert_eq!(listed, ids);
    // The rows are in PostgreSQL, not in a file next to the instance.
    let n: i64 = catalogue::open_pg(&url)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM TAPE_FILE", (), |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
}
