//! In-process round trip: init → archive → run → cta-admin ls, through the crate's API.

use ctaops_core::admin::{Framing, Kind, Records, parse_records};
use ctaops_sim::archive::{Generated, Source};
use ctaops_sim::scheduler::RunOptions;

mod common;

fn admin(dir: &std::path::Path, args: &[&str]) -> (u8, Vec<u8>, String) {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = ctaops_sim::admin::main(dir, &args, &mut out, &mut err);
    (code, out, String::from_utf8_lossy(&err).into_owned())
}

#[test]
fn archive_then_list_with_the_shared_records() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = common::small_lab(7, Some(6), Some(1));
    let inst = ctaops_sim::init::init(tmp.path(), &opts).unwrap();
    let ids = ctaops_sim::archive::queue(&inst, "ctaops_sc", &[Source::Generated { seed: 1, size: 300_000 }]).unwrap();
    let report = ctaops_sim::scheduler::run(&inst, RunOptions::default()).unwrap();
    assert_eq!(report.files_archived, 1);

    let (code, out, _) = admin(tmp.path(), &["--json", "tapefile", "ls", "--vid", "V00001"]);
    assert_eq!(code, 0);
    let Records::TapeFile(files) = parse_records(Kind::TapeFile, Framing::Json, &out).unwrap() else {
        panic!()
    };
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].af.archive_id, ids[0]);
    let mut data = Vec::new();
    std::io::Read::read_to_end(&mut Generated::new(1, 300_000), &mut data).unwrap();
    assert_eq!(
        files[0].af.checksum[0].value,
        format!("{:08x}", ctaops_core::checksum::adler32(1, &data))
    );

    let (code, out, err) = admin(tmp.path(), &["--json", "tape", "ls", "--vid", "NOPE01"]);
    assert_eq!(
        (code, out.as_slice(), err.as_str()),
        (2, &b"[]\n"[..], "Tape VID NOPE01 does not exist.\n")
    );
}

#[test]
fn generated_data_is_deterministic_and_seed_dependent() {
    let read = |seed| {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut Generated::new(seed, 1001), &mut v).unwrap();
        v
    };
    assert_eq!(read(5), read(5));
    assert_ne!(read(2), read(3));
    assert_eq!(read(9).len(), 1001);
}

#[test]
fn every_ls_parses_as_the_shared_records() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = common::small_lab(1, None, None);
    let inst = ctaops_sim::init::init(tmp.path(), &opts).unwrap();
    ctaops_sim::archive::queue(&inst, "ctaops_sc", &[Source::Generated { seed: 3, size: 10 }]).unwrap();
    for args in [
        &["tape", "ls", "--all"][..],
        &["tapepool", "ls"],
        &["tapefile", "ls", "--vid", "V00001"],
        &["drive", "ls"],
        &["storageclass", "ls"],
        &["archiveroute", "ls"],
        &["virtualorganization", "ls"],
        &["mediatype", "ls"],
        &["logicallibrary", "ls"],
        &["physicallibrary", "ls"],
        &["mountpolicy", "ls"],
        &["admin", "ls"],
        &["diskinstance", "ls"],
        &["groupmountrule", "ls"],
        &["requestermountrule", "ls"],
        &["repack", "ls"],
        &["failedrequest", "ls"],
        &["recycletf", "ls", "--vid", "V00001"],
        &["activitymountrule", "ls"],
        &["diskinstancespace", "ls"],
        &["disksystem", "ls"],
        &["showqueues"],
        &["version"],
    ] {
        let kind = Kind::from_name(args[0]).unwrap();
        for framing in [Framing::Json, Framing::JsonLines] {
            let mut argv = vec![framing.flag()];
            argv.extend_from_slice(args);
            let (code, out, err) = admin(tmp.path(), &argv);
            assert_eq!(code, 0, "{args:?}: {err}");
            let records = parse_records(kind, framing, &out).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            if matches!(
                args[0],
                "tape" | "tapepool" | "drive" | "showqueues" | "version" | "storageclass"
            ) {
                assert!(!records.is_empty(), "{args:?}");
            }
        }
    }
}

#[test]
fn an_instance_of_the_first_layout_is_upgraded_when_opened() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = common::small_lab(1, Some(5), Some(1));
    let inst = ctaops_sim::init::init(tmp.path(), &opts).unwrap();
    // Take the catalogue back to what the first release wrote.
    let old = rusqlite::Connection::open(inst.catalogue_path()).unwrap();
    old.execute_batch(
        "DROP TABLE DISK_SYSTEM; DROP TABLE DISK_INSTANCE_SPACE; DROP TABLE REQUESTER_ACTIVITY_MOUNT_RULE;
         DROP TABLE SIM_RETRIEVE_QUEUE; DROP TABLE SIM_TAPED; DROP TABLE SIM_DISK_FILE;
         ALTER TABLE SIM_ARCHIVE_QUEUE DROP COLUMN MOUNT_POLICY_NAME;
         PRAGMA user_version = 0;",
    )
    .unwrap();
    drop(old);
    for ls in ["ds", "dis", "amr"] {
        let (code, out, err) = admin(tmp.path(), &["--json", ls, "ls"]);
        assert_eq!((code, out.as_slice()), (0, &b"[]\n"[..]), "{ls}: {err}");
    }
    ctaops_sim::archive::queue(&inst, "ctaops_sc", &[Source::Generated { seed: 1, size: 1000 }]).unwrap();
    let report = ctaops_sim::scheduler::run(&inst, RunOptions::default()).unwrap();
    assert_eq!(report.files_archived, 1);
    let v: i64 = inst
        .connect()
        .unwrap()
        .query_row("PRAGMA user_version", (), |r| r.get(0))
        .unwrap();
    assert_eq!(v, 2);
    // the file archived after the upgrade has its disk-side entry (layout 2)
    let n: i64 = inst
        .connect()
        .unwrap()
        .query_row("SELECT COUNT(*) FROM SIM_DISK_FILE", (), |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn an_instance_of_layout_1_gains_the_disk_side_when_opened() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = common::small_lab(1, Some(5), Some(1));
    let inst = ctaops_sim::init::init(tmp.path(), &opts).unwrap();
    // A file archived by a layout-1 build (no disk-side entry), then the layout taken back to 1.
    ctaops_sim::archive::queue(&inst, "ctaops_sc", &[Source::Generated { seed: 1, size: 1000 }]).unwrap();
    let old = rusqlite::Connection::open(inst.catalogue_path()).unwrap();
    old.execute_batch(
        "DELETE FROM SIM_DISK_FILE; DROP TABLE SIM_DISK_FILE; DROP TABLE SIM_TAPED;
         ALTER TABLE SIM_RETRIEVE_QUEUE DROP COLUMN REPACK; PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(old);
    let report = ctaops_sim::scheduler::run(&inst, RunOptions::default()).unwrap();
    assert_eq!(report.files_archived, 1);
    // The file belongs to its VO's disk instance, its disk file ID is the old default, and a
    // DELETE by archive ID still reaches it (its path is unknown, as it would be to CTA).
    let (code, out, err) = admin(tmp.path(), &["--json", "tf", "ls", "--vid", "V00001"]);
    assert_eq!(code, 0, "{err}");
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("\"diskInstance\":\"eosctaops\""), "{text}");
    assert!(text.contains("\"diskId\":\"4000000001\""), "{text}");
    let who = ctaops_sim::archive::Requester::default();
    let d = ctaops_sim::disk::delete(
        &inst,
        &ctaops_sim::disk::Target::ArchiveId { instance: None, id: 1 },
        &who,
    )
    .unwrap();
    assert_eq!((d.recycled_copies, d.path.as_str()), (1, ""));
}
