//! Every record type against CTA-shaped samples: the spec's examples and generated ones.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly on broken fixtures")]

use std::path::Path;

use ctaops_core::admin::enums::{DriveStatus, MountType, RepackStatus, TapeState};
use ctaops_core::admin::sample::sample;
use ctaops_core::admin::{Framing, Kind, ParseErrorKind, Records, parse_records};
use serde_json::Value;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/admin")
            .join(name),
    )
    .unwrap()
}

/// Parses `--json` bytes, re-serialises, and checks the JSON is CTA's again (order aside).
fn round_trip(kind: Kind, data: &[u8]) -> Records {
    let recs = parse_records(kind, Framing::Json, data).unwrap_or_else(|e| panic!("{kind}: {e}"));
    let original: Value = serde_json::from_slice(data).unwrap();
    let again: Value = serde_json::to_value(&recs).unwrap();
    assert_eq!(again, original, "{kind} did not round-trip");
    recs
}

#[test]
fn spec_examples_round_trip() {
    for (name, kind) in [
        ("tape.json", Kind::Tape),
        ("tapepool.json", Kind::TapePool),
        ("drive.json", Kind::Drive),
        ("repack.json", Kind::Repack),
        ("tapefile.json", Kind::TapeFile),
        ("showqueues.json", Kind::ShowQueues),
        ("admin.json", Kind::Admin),
    ] {
        let recs = round_trip(kind, &fixture(name));
        assert!(!recs.is_empty(), "{name}");
    }
}

#[test]
fn spec_examples_have_typed_values() {
    let Records::Tape(t) = round_trip(Kind::Tape, &fixture("tape.json")) else {
        panic!()
    };
    assert_eq!(t[0].capacity, 18_000_000_000_000);
    assert_eq!(t[0].state, TapeState::Active);
    assert_eq!(t[0].label_log.as_ref().unwrap().drive, "I4550721");
    assert!(t[0].extra.is_empty());
    let Records::TapeFile(f) = round_trip(Kind::TapeFile, &fixture("tapefile.json")) else {
        panic!()
    };
    assert_eq!(f[0].af.archive_id, 4_294_967_296);
    assert_eq!(f[0].tf.copy_nb, 1);
    assert_eq!(f[0].df.owner_id.as_ref().unwrap().uid, 10763);
    let blob = ctaops_core::admin::common::checksums_to_blob(&f[0].af.checksum).unwrap();
    assert_eq!(blob, ctaops_core::checksum::ChecksumBlob::adler32(0x0A0B_0C0D));
    let Records::Drive(d) = round_trip(Kind::Drive, &fixture("drive.json")) else {
        panic!()
    };
    assert_eq!(d[0].drive_status, DriveStatus::Transferring);
    assert_eq!(d[0].mount_type, MountType::Retrieve);
    assert_eq!(d[0].drive_config.len(), 2);
    let Records::Repack(r) = round_trip(Kind::Repack, &fixture("repack.json")) else {
        panic!()
    };
    assert_eq!(r[0].status, RepackStatus::Running);
    assert_eq!(r[0].destination_infos[0].bytes, 4_740_000_000_000);
    let Records::ShowQueues(q) = round_trip(Kind::ShowQueues, &fixture("showqueues.json")) else {
        panic!()
    };
    assert_eq!(q.len(), 2);
    assert_eq!(q[1].mount_type, MountType::Retrieve);
}

#[test]
fn every_kind_round_trips_generated_samples() {
    for &kind in Kind::ALL {
        let items: Vec<Value> = (0..5).map(|i| sample(kind, i)).collect();
        let data = serde_json::to_vec(&items).unwrap();
        let recs = round_trip(kind, &data);
        assert_eq!(recs.len(), 5, "{kind}");
        // jsonl framing gives the same records
        let mut lines = Vec::new();
        for it in &items {
            lines.extend(serde_json::to_vec(it).unwrap());
            lines.push(b'\n');
        }
        assert_eq!(
            parse_records(kind, Framing::JsonLines, &lines).unwrap(),
            recs,
            "{kind} jsonl"
        );
        // numbers as numbers for Python
        assert!(recs.to_native(0).unwrap().is_object());
    }
}

#[test]
fn unknown_keys_and_enum_values_are_kept() {
    let mut v = sample(Kind::Tape, 1);
    v["state"] = "QUARANTINED".into();
    v["labelFormat"] = "LTFS".into();
    v["brandNewField"] = serde_json::json!({"a": [1, 2]});
    let data = serde_json::to_vec(&vec![v.clone()]).unwrap();
    let Records::Tape(t) = parse_records(Kind::Tape, Framing::Json, &data).unwrap() else {
        panic!()
    };
    assert_eq!(t[0].state, TapeState::Unknown("QUARANTINED".into()));
    assert!(t[0].extra.contains_key("brandNewField"));
    assert_eq!(serde_json::to_value(&t[0]).unwrap(), v);
}

#[test]
fn omitted_sub_messages_stay_omitted() {
    let mut v = sample(Kind::Tape, 2);
    let o = v.as_object_mut().unwrap();
    o.remove("labelLog");
    o.remove("lastWrittenLog");
    o.remove("lastReadLog");
    let data = serde_json::to_vec(&vec![v.clone()]).unwrap();
    let Records::Tape(t) = parse_records(Kind::Tape, Framing::Json, &data).unwrap() else {
        panic!()
    };
    assert!(t[0].label_log.is_none());
    let back = serde_json::to_value(&t[0]).unwrap();
    assert!(back.get("labelLog").is_none());
    assert_eq!(back, v);
}

#[test]
fn old_tapepool_supply_is_normalised() {
    let mut v = sample(Kind::TapePool, 3);
    let o = v.as_object_mut().unwrap();
    o.remove("supplySource");
    o.remove("supplyDestination");
    o.insert("supply".into(), "pool_a, pool_b".into());
    let data = serde_json::to_vec(&vec![v.clone()]).unwrap();
    let Records::TapePool(mut p) = parse_records(Kind::TapePool, Framing::Json, &data).unwrap() else {
        panic!()
    };
    assert_eq!(serde_json::to_value(&p[0]).unwrap(), v, "raw parse keeps CTA's shape");
    p[0].normalise_supply();
    assert_eq!(p[0].supply_source.as_deref().unwrap(), ["pool_a", "pool_b"]);
    assert_eq!(p[0].supply_destination.as_deref().unwrap(), [] as [String; 0]);
    // new shape: `supply` is derived from the list
    let Records::TapePool(mut p) = parse_records(Kind::TapePool, Framing::Json, &fixture("tapepool.json")).unwrap()
    else {
        panic!()
    };
    p[0].normalise_supply();
    assert_eq!(p[0].supply.as_deref(), Some("supply_lto9"));
}

#[test]
fn failed_request_items_and_summaries() {
    let item = sample(Kind::FailedRequest, 1);
    let summary = serde_json::json!({"requestType":"TOTAL","totalFiles":"3","totalSize":"30",
        "schedulerBackendName":"ceph","instanceName":"cta"});
    let data = serde_json::to_vec(&vec![item, summary]).unwrap();
    let recs = round_trip(Kind::FailedRequest, &data);
    assert_eq!(recs.get_native(1, "totalFiles").unwrap(), Some(Value::from(3u64)));
}

fn parse_err(kind: Kind, framing: Framing, data: &[u8]) -> ctaops_core::admin::ParseError {
    parse_records(kind, framing, data).expect_err("should fail")
}

#[test]
fn bad_inputs_name_the_record_and_field() {
    let tape = fixture("tape.json");
    let text = String::from_utf8(tape).unwrap();
    let two = format!(
        "[{},{}]",
        &text.trim()[1..text.trim().len() - 1],
        &text.trim()[1..text.trim().len() - 1]
    );

    // truncated: cut inside the second record, or before `]`
    let e = parse_err(Kind::Tape, Framing::Json, &two.as_bytes()[..two.len() - 40]);
    assert_eq!((e.kind, e.record), (ParseErrorKind::Truncated, Some(2)), "{e}");
    let e = parse_err(Kind::Tape, Framing::Json, &two.as_bytes()[..two.len() - 1]);
    assert_eq!(e.kind, ParseErrorKind::Truncated, "{e}");

    // jsonl line cut mid-way (followed by another line)
    let one = &text.trim()[1..text.trim().len() - 1];
    let jl = format!("{one}\n{}\n{one}\n", &one[..100]);
    let e = parse_err(Kind::Tape, Framing::JsonLines, jl.as_bytes());
    assert_eq!((e.kind, e.record), (ParseErrorKind::Truncated, Some(2)), "{e}");
    let jl = format!("{one}\n{one}\n{one}\n");
    let e = parse_err(Kind::Tape, Framing::JsonLines, &jl.as_bytes()[..jl.len() - 30]);
    assert_eq!((e.kind, e.record), (ParseErrorKind::Truncated, Some(3)), "{e}");

    // non-JSON text on stdout
    let e = parse_err(
        Kind::Tape,
        Framing::Json,
        b"Error from XRootD SSI Framework: [FATAL] Connection error\n",
    );
    assert_eq!(e.kind, ParseErrorKind::NotJson);
    assert!(e.to_string().contains("Error from XRootD SSI Framework"), "{e}");
    let e = parse_err(Kind::Tape, Framing::JsonLines, b"Error from XRootD SSI Framework\n");
    assert_eq!(e.kind, ParseErrorKind::NotJson);

    // wrong type in a nested field
    let bad = two.replacen("\"capacity\":\"18000000000000\"", "\"capacity\":\"lots\"", 1);
    let e = parse_err(Kind::Tape, Framing::Json, bad.as_bytes());
    assert_eq!(
        (e.kind, e.record, e.field.as_deref()),
        (ParseErrorKind::Invalid, Some(1), Some("capacity")),
        "{e}"
    );
    let tf = String::from_utf8(fixture("tapefile.json"))
        .unwrap()
        .replace("\"uid\":10763", "\"uid\":\"x\"");
    let e = parse_err(Kind::TapeFile, Framing::Json, tf.as_bytes());
    assert_eq!(e.field.as_deref(), Some("df.ownerId.uid"), "{e}");

    // missing required field
    let bad = two.replacen("\"vid\":\"V01007\",", "", 2);
    let e = parse_err(Kind::Tape, Framing::Json, bad.as_bytes());
    assert_eq!(
        (e.kind, e.field.as_deref()),
        (ParseErrorKind::Invalid, Some("vid")),
        "{e}"
    );
    let tf = String::from_utf8(fixture("tapefile.json"))
        .unwrap()
        .replace("\"fSeq\":\"1\"", "\"x\":1");
    let e = parse_err(Kind::TapeFile, Framing::Json, tf.as_bytes());
    assert_eq!(e.field.as_deref(), Some("tf.fSeq"), "{e}");

    // empty output: an error for --json, nothing for --jsonl; `[]` is fine
    assert_eq!(parse_err(Kind::Tape, Framing::Json, b"").kind, ParseErrorKind::Empty);
    assert_eq!(
        parse_err(Kind::Tape, Framing::Json, b"  \n").kind,
        ParseErrorKind::Empty
    );
    assert!(parse_records(Kind::Tape, Framing::JsonLines, b"").unwrap().is_empty());
    assert!(parse_records(Kind::Tape, Framing::Json, b"[]\n").unwrap().is_empty());

    // garbage after the array, or a second array
    assert_eq!(
        parse_err(Kind::Admin, Framing::Json, b"[]\n[]\n").kind,
        ParseErrorKind::NotJson
    );
    assert_eq!(
        parse_err(Kind::Admin, Framing::Json, b"[1]").kind,
        ParseErrorKind::NotJson
    );
    let admin = String::from_utf8(fixture("admin.json")).unwrap().replace("}]", "},]");
    let e = parse_err(Kind::Admin, Framing::Json, admin.as_bytes());
    assert_eq!((e.kind, e.record), (ParseErrorKind::NotJson, Some(3)), "{e}");
}

#[test]
fn huge_single_line_is_refused_with_bounded_memory() {
    use ctaops_core::admin::stream::Framer;
    let mut big = b"[{\"user\":\"".to_vec();
    big.extend(std::iter::repeat_n(b'a', 3 << 20));
    big.extend(b"\"}]");
    let mut f = Framer::with_limit(&big[..], Framing::Json, 1 << 20);
    let e = f.next_object().unwrap_err();
    assert_eq!((e.kind, e.record), (ParseErrorKind::TooLarge, Some(1)));
    assert!(f.next_object().unwrap().is_none(), "framer stops after an error");
}

#[test]
fn streaming_iterator_yields_records_then_error() {
    use ctaops_core::admin::catalogue::Admin;
    let data = fixture("admin.json");
    let cut = &data[..data.len() - 20];
    let got: Vec<_> = ctaops_core::admin::records::<Admin, _>(cut, Framing::Json).collect();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].as_ref().unwrap().user, "ctaops");
    assert_eq!(got[1].as_ref().unwrap_err().kind, ParseErrorKind::Truncated);
}

#[test]
fn strings_with_braces_and_escapes_frame_correctly() {
    let data = br#"[{"user":"a}{\"\\","creationLog":{"username":"u","host":"h","time":"1"},"lastModificationLog":{"username":"u","host":"h","time":"2"},"comment":"}}}","instanceName":"i"}]"#;
    let Records::Admin(a) = parse_records(Kind::Admin, Framing::Json, data).unwrap() else {
        panic!()
    };
    assert_eq!(a[0].user, "a}{\"\\");
    assert_eq!(a[0].comment, "}}}");
}

#[test]
fn arrow_tables_from_bytes_and_records() {
    use ctaops_core::admin::arrow::{read_arrow, records_to_arrow};
    for &kind in Kind::ALL {
        let items: Vec<Value> = (0..3).map(|i| sample(kind, i)).collect();
        let data = serde_json::to_vec(&items).unwrap();
        let batches = read_arrow(kind, Framing::Json, &data[..]).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 3, "{kind}");
        let recs = parse_records(kind, Framing::Json, &data).unwrap();
        let b2 = records_to_arrow(&recs).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(batches, b2, "{kind}: both paths give the same table");
    }
    let tape = fixture("tape.json");
    let b = read_arrow(Kind::Tape, Framing::Json, &tape[..]).unwrap();
    let cap = b[0].column_by_name("capacity").unwrap();
    let cap = cap.as_any().downcast_ref::<arrow_array::UInt64Array>().unwrap();
    assert_eq!(cap.value(0), 18_000_000_000_000);
    // errors on the Arrow path name the record and field too
    let text = String::from_utf8(tape).unwrap();
    let e = read_arrow(
        Kind::Tape,
        Framing::Json,
        text.replace("\"lastFseq\":\"1532\",", "").as_bytes(),
    )
    .unwrap_err();
    assert_eq!((e.record, e.field.as_deref()), (Some(1), Some("lastFseq")), "{e}");
    let e = read_arrow(
        Kind::Tape,
        Framing::Json,
        text.replace("\"full\":false", "\"full\":\"no\"").as_bytes(),
    )
    .unwrap_err();
    assert_eq!((e.record, e.field.as_deref()), (Some(1), Some("full")), "{e}");
}

/// The column builders against an independent decoder (arrow-json) of the same bytes, on every
/// kind, with optional sub-messages both present and absent, and the in-memory one-pass path
/// against the streaming framer path.
#[test]
fn column_builders_match_arrow_json_and_both_paths() {
    use ctaops_core::admin::arrow::{BATCH_ROWS, parse_arrow, read_arrow};
    use ctaops_core::admin::times::convert_batch;
    for &kind in Kind::ALL {
        let mut items: Vec<Value> = (0..5).map(|i| sample(kind, i)).collect();
        // Leave out every optional key of record 2 (absent sub-messages become nulls).
        let optional: Vec<String> = kind
            .arrow_fields()
            .iter()
            .filter(|f| f.is_nullable())
            .map(|f| f.name().clone())
            .collect();
        if let Value::Object(m) = &mut items[1] {
            for k in &optional {
                if kind != Kind::FailedRequest {
                    m.remove(k);
                }
            }
        }
        let data = serde_json::to_vec(&items).unwrap();
        let fast = parse_arrow(kind, Framing::Json, &data).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let framed = read_arrow(kind, Framing::Json, &data[..]).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(fast, framed, "{kind}: one-pass and framed paths differ");
        // arrow-json reads CTA's integers; the time columns are converted the same way after.
        let raw = std::sync::Arc::new(arrow_schema::Schema::new(kind.arrow_fields()));
        let mut dec = arrow_json::ReaderBuilder::new(raw)
            .with_batch_size(BATCH_ROWS)
            .build_decoder()
            .unwrap();
        for it in &items {
            dec.decode(serde_json::to_string(it).unwrap().as_bytes()).unwrap();
        }
        let reference = convert_batch(&dec.flush().unwrap().unwrap()).unwrap();
        assert_eq!(fast.len(), 1, "{kind}");
        assert_eq!(fast[0], reference, "{kind}: builders differ from arrow-json");
    }
}
