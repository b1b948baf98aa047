//! The EOS interface's request handling against a real instance: token → instance, fileinfo by
//! fid/fxid/path, the tape location once archived, attributes, EOS-like errors.

use ctaops_sim::archive::Source;
use ctaops_sim::eos::http::{Request, Response, Tokens, handle};
use ctaops_sim::scheduler::RunOptions;

mod common;

#[expect(clippy::unwrap_used, reason = "test helper: a failure is the test failing")]
fn instance(dir: &std::path::Path) -> ctaops_sim::Instance {
    let opts = common::small_lab(7, Some(6), Some(1));
    ctaops_sim::init::init(dir, &opts).unwrap()
}

fn get(conn: &ctaops_sim::catalogue::Db, tokens: &Tokens, auth: Option<&str>, query: &str) -> Response {
    let req = Request {
        method: "GET".into(),
        path: "/proc/user/".into(),
        query: query.into(),
        authorization: auth.map(str::to_owned),
    };
    handle(conn, tokens, &req)
}

#[test]
fn fileinfo_attributes_and_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let inst = instance(tmp.path());
    let tab = ctaops_sim::eos::keytab::read(&inst).unwrap();
    let token = tab["eosctaops"].token.clone();
    assert_eq!(token.len(), 64);
    let tokens: Tokens = [(token.clone(), "eosctaops".to_owned())].into();
    let auth = format!("Bearer {token}");
    let ids = ctaops_sim::archive::queue(&inst, "ctaops_sc", &[Source::Generated { seed: 1, size: 4096 }]).unwrap();
    let fid = ids[0] + 4_000_000_000;
    let conn = inst.connect().unwrap();

    // Queued: in the namespace, no tape replica, no checksum yet.
    let r = get(
        &conn,
        &tokens,
        Some(&auth),
        &format!("mgm.cmd=fileinfo&mgm.path=fxid:{fid:x}&mgm.format=json"),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.instance, "eosctaops");
    assert_eq!(r.body["id"], fid);
    assert_eq!(r.body["fxid"], format!("{fid:08x}"));
    assert_eq!(r.body["locations"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["xattr"]["sys.archive.file_id"], ids[0].to_string());

    ctaops_sim::scheduler::run(&inst, RunOptions::default()).unwrap();
    let path = r.body["path"].as_str().unwrap().to_owned();
    let r = get(
        &conn,
        &tokens,
        Some(&auth),
        &format!("mgm.cmd=fileinfo&mgm.path={path}"),
    );
    let fsids: Vec<u64> = r.body["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["fsid"].as_u64().unwrap())
        .collect();
    assert_eq!(fsids, [1, 65_535]);
    assert_eq!(r.body["checksumtype"], "adler");
    assert_eq!(r.body["checksumvalue"].as_str().unwrap().len(), 8);

    // The storage class attribute is EOS's own copy: the catalogue keeps its class.
    let set = format!(
        "mgm.cmd=attr&mgm.subcmd=set&mgm.attr.key=sys.archive.storage_class&mgm.attr.value=other&mgm.path=fid:{fid}"
    );
    assert_eq!(get(&conn, &tokens, Some(&auth), &set).body["retc"], 0);
    let r = get(
        &conn,
        &tokens,
        Some(&auth),
        &format!("mgm.cmd=attr&mgm.subcmd=get&mgm.attr.key=sys.archive.storage_class&mgm.path=fid:{fid}"),
    );
    assert_eq!(r.body["attr"]["sys.archive.storage_class"], "other");
    let class: String = conn
        .query_row(
            "SELECT STORAGE_CLASS_NAME FROM ARCHIVE_FILE WHERE ARCHIVE_FILE_ID = ?1",
            [ids[0] as i64],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(class, "ctaops_sc");
    let r = get(
        &conn,
        &tokens,
        Some(&auth),
        &format!("mgm.cmd=attr&mgm.subcmd=set&mgm.attr.key=sys.archive.file_id&mgm.attr.value=9&mgm.path=fid:{fid}"),
    );
    assert_eq!(r.body["retc"], 1);

    // EOS's errors: unknown file, bad identifier, no token, wrong token.
    let r = get(&conn, &tokens, Some(&auth), "mgm.cmd=fileinfo&mgm.path=fid:12345");
    assert_eq!((r.status, r.body["retc"].as_i64()), (200, Some(2)));
    assert!(
        r.body["errormsg"]
            .as_str()
            .unwrap()
            .contains("No such file or directory")
    );
    assert_eq!(
        get(&conn, &tokens, Some(&auth), "mgm.cmd=fileinfo&mgm.path=fxid:zz").body["retc"],
        22
    );
    assert_eq!(get(&conn, &tokens, None, "mgm.cmd=fileinfo&mgm.path=fid:1").status, 401);
    let r = get(&conn, &tokens, Some("Bearer wrong"), "mgm.cmd=fileinfo&mgm.path=fid:1");
    assert_eq!(
        (r.status, r.body["retc"].as_i64(), r.instance.as_str()),
        (403, Some(13), "")
    );

    // The keytab keeps its tokens when a server rewrites the port.
    let again = ctaops_sim::eos::keytab::update(&inst, Some(9999)).unwrap();
    assert_eq!(again["eosctaops"].token, token);
    assert_eq!(again["eosctaops"].port, 9999);
}
