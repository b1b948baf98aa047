//! The `tapefile ls` writer against prost, the reference: for every record, the bytes written
//! from its borrowed view are exactly prost's encoding of the same `Data` message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::fixture_records;
use ctaops_core::admin::{Kind, Records};
use ctaops_grpc::direct::{tapefile_from_view, tapefile_to_pb};
use ctaops_grpc::pb::cta::admin::{Checksum, TapeFileLsItem};
use ctaops_grpc::pb::cta::common::OwnerId;
use ctaops_grpc::pb::cta::xrd::stream_response::Contents;
use ctaops_grpc::pb::cta::xrd::{Data, StreamResponse, data};
use ctaops_grpc::tapefile_wire::read;
use ctaops_grpc::tapefile_writer::{data_len, write_data};
use prost::Message as _;

fn data_of(item: TapeFileLsItem) -> Data {
    Data {
        data: Some(data::Data::TflsItem(item)),
    }
}

/// The item's bytes through the in-place reader and the writer, and prost's bytes.
fn written_and_prost(item: &TapeFileLsItem) -> (Vec<u8>, Vec<u8>) {
    let message = StreamResponse {
        contents: Some(Contents::Data(data_of(item.clone()))),
    }
    .encode_to_vec();
    let view = read(&message).expect("a plain record");
    let mut out = Vec::new();
    write_data(&view, &mut out);
    assert_eq!(out.len(), data_len(&view));
    (out, data_of(item.clone()).encode_to_vec())
}

fn fixture_items() -> Vec<TapeFileLsItem> {
    let Records::TapeFile(files) = fixture_records(Kind::TapeFile) else {
        panic!("fixture kind")
    };
    files.iter().map(|t| tapefile_to_pb(t).unwrap()).collect()
}

#[test]
fn fixture_records_are_written_as_prost_writes_them() {
    let items = fixture_items();
    assert!(!items.is_empty());
    for item in &items {
        let (written, reference) = written_and_prost(item);
        assert_eq!(written, reference);
    }
}

#[test]
fn edge_values_are_written_as_prost_writes_them() {
    let base = fixture_items().remove(0);
    let mut cases = Vec::new();
    // Every field at its default: each sub-message still present, empty.
    cases.push(TapeFileLsItem {
        af: Some(Default::default()),
        df: Some(Default::default()),
        tf: Some(Default::default()),
        instance_name: String::new(),
    });
    // Largest varints, non-ASCII text, a negative and an unknown enum, an empty checksum value,
    // an owner of zeros (present but empty), a long string (two-byte length).
    let mut big = base.clone();
    let af = big.af.as_mut().unwrap();
    af.archive_id = u64::MAX;
    af.creation_time = 1 << 63;
    af.size = 127;
    af.storage_class = "clé/ß".into();
    af.checksum = vec![
        Checksum {
            r#type: -3,
            value: "0a0b0c0d".into(),
        },
        Checksum {
            r#type: 77,
            value: String::new(),
        },
        Checksum::default(),
    ];
    let df = big.df.as_mut().unwrap();
    df.owner_id = Some(OwnerId { uid: 0, gid: 0 });
    df.path = "/eos/".repeat(40);
    let tf = big.tf.as_mut().unwrap();
    tf.copy_nb = u32::MAX;
    tf.block_id = 128;
    cases.push(big);
    let mut no_owner = base;
    no_owner.df.as_mut().unwrap().owner_id = None;
    no_owner.instance_name = String::new();
    cases.push(no_owner);
    for item in &cases {
        let (written, reference) = written_and_prost(item);
        assert_eq!(written, reference, "{item:?}");
    }
}

#[test]
fn a_view_becomes_the_typed_record_prost_gives() {
    for item in fixture_items() {
        let message = StreamResponse {
            contents: Some(Contents::Data(data_of(item.clone()))),
        }
        .encode_to_vec();
        let view = read(&message).unwrap();
        assert_eq!(tapefile_from_view(&view), ctaops_grpc::direct::tapefile_from_pb(item));
    }
}

#[test]
fn a_view_claiming_more_checksums_than_it_holds_does_not_panic() {
    use ctaops_grpc::tapefile_wire::{MAX_SUMS, TapeFileView};
    let view = TapeFileView {
        n_sums: 99,
        ..TapeFileView::default()
    };
    assert_eq!(view.checksums().len(), MAX_SUMS);
    let mut out = Vec::new();
    write_data(&view, &mut out);
    assert_eq!(out.len(), data_len(&view));
}
