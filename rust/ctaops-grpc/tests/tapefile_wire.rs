//! The in-place `tapefile ls` reader against prost, the reference: every message it reads gives
//! the same Arrow row as prost + `tapefile_from_pb`, and every message it leaves is one prost
//! decodes differently (header, empty `Data`, other record type) or refuses.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::fixture_records;
use ctaops_core::admin::{Kind, Records};
use ctaops_grpc::arrow_direct::{TapeFileColumns, tapefiles_to_arrow};
use ctaops_grpc::direct::{tapefile_from_pb, tapefile_to_pb};
use ctaops_grpc::pb::cta::admin::{Checksum, TapeFileLsItem};
use ctaops_grpc::pb::cta::xrd::stream_response::Contents;
use ctaops_grpc::pb::cta::xrd::{Data, Response, StreamResponse, data};
use ctaops_grpc::tapefile_wire::{MAX_SUMS, read};
use prost::Message as _;
use prost::encoding::{WireType, encode_key, encode_varint};

fn message(item: TapeFileLsItem) -> Vec<u8> {
    StreamResponse {
        contents: Some(Contents::Data(Data {
            data: Some(data::Data::TflsItem(item)),
        })),
    }
    .encode_to_vec()
}

fn fixture_items() -> Vec<TapeFileLsItem> {
    let Records::TapeFile(files) = fixture_records(Kind::TapeFile) else {
        panic!("fixture kind")
    };
    files.iter().map(|t| tapefile_to_pb(t).unwrap()).collect()
}

/// Both routes for one message, as single-row batches.
fn both(bytes: &[u8]) -> (arrow_array::RecordBatch, arrow_array::RecordBatch) {
    let view = read(bytes).expect("the plain case is read in place");
    let mut fast = TapeFileColumns::new();
    fast.push_view(&view);
    let Some(Contents::Data(Data {
        data: Some(data::Data::TflsItem(item)),
    })) = StreamResponse::decode(bytes).unwrap().contents
    else {
        panic!("not a tapefile message")
    };
    let mut slow = TapeFileColumns::new();
    slow.push(&tapefile_from_pb(item));
    (fast.finish().unwrap(), slow.finish().unwrap())
}

#[test]
fn fixture_records_read_in_place_equal_prost() {
    let items = fixture_items();
    let mut cols = TapeFileColumns::new();
    for item in &items {
        cols.push_view(&read(&message(item.clone())).unwrap());
    }
    let Records::TapeFile(files) = fixture_records(Kind::TapeFile) else {
        panic!("fixture kind")
    };
    assert_eq!(cols.finish().unwrap(), tapefiles_to_arrow(&files).unwrap());
}

#[test]
fn edge_values_equal_prost() {
    let mut item = fixture_items().remove(0);
    // Empty and non-ASCII strings, the largest varints, no owner, several checksums, an enum
    // number this copy does not know.
    let af = item.af.as_mut().unwrap();
    af.archive_id = u64::MAX;
    af.storage_class = "clé/ß".into();
    af.checksum = vec![
        Checksum {
            r#type: 1,
            value: "0a0b0c0d".into(),
        },
        Checksum {
            r#type: 77,
            value: String::new(),
        },
    ];
    let df = item.df.as_mut().unwrap();
    df.owner_id = None;
    df.path = String::new();
    item.tf.as_mut().unwrap().copy_nb = u32::MAX;
    let (fast, slow) = both(&message(item.clone()));
    assert_eq!(fast, slow);
    // Sub-messages missing altogether read as their defaults, as with prost.
    item.af = None;
    item.tf = None;
    let (fast, slow) = both(&message(item));
    assert_eq!(fast, slow);
}

#[test]
fn unknown_fields_are_skipped_and_repeated_sub_messages_merge() {
    let item = fixture_items().remove(0);
    let mut bytes = message(item);
    // Rebuild: StreamResponse.data = Data { tfls_item = item + unknown fields + a second `tf` }.
    let StreamResponse {
        contents: Some(Contents::Data(Data {
            data: Some(data::Data::TflsItem(item)),
        })),
    } = StreamResponse::decode(bytes.as_slice()).unwrap()
    else {
        panic!()
    };
    let mut inner = item.encode_to_vec();
    encode_key(60, WireType::LengthDelimited, &mut inner);
    encode_varint(3, &mut inner);
    inner.extend(b"new");
    encode_key(61, WireType::Varint, &mut inner);
    encode_varint(300, &mut inner);
    encode_key(62, WireType::SixtyFourBit, &mut inner);
    inner.extend([0u8; 8]);
    encode_key(63, WireType::ThirtyTwoBit, &mut inner);
    inner.extend([0u8; 4]);
    let second_tf = ctaops_grpc::pb::cta::admin::tape_file_ls_item::TapeFile {
        vid: String::new(),
        copy_nb: 0,
        block_id: 0,
        f_seq: 424_242,
    }
    .encode_to_vec();
    encode_key(3, WireType::LengthDelimited, &mut inner);
    encode_varint(second_tf.len() as u64, &mut inner);
    inner.extend(&second_tf);
    let mut d = Vec::new();
    encode_key(22, WireType::LengthDelimited, &mut d);
    encode_varint(inner.len() as u64, &mut d);
    d.extend(&inner);
    bytes.clear();
    encode_key(2, WireType::LengthDelimited, &mut bytes);
    encode_varint(d.len() as u64, &mut bytes);
    bytes.extend(&d);
    assert_eq!(read(&bytes).unwrap().f_seq, 424_242);
    let (fast, slow) = both(&bytes);
    assert_eq!(fast, slow);
}

#[test]
fn everything_else_is_left_to_prost() {
    let item = fixture_items().remove(0);
    let header = StreamResponse {
        contents: Some(Contents::Header(Response::default())),
    }
    .encode_to_vec();
    assert!(read(&header).is_none());
    let empty = StreamResponse {
        contents: Some(Contents::Data(Data { data: None })),
    }
    .encode_to_vec();
    assert!(read(&empty).is_none());
    assert!(read(&[]).is_none());
    let other = records_of_another_kind();
    assert!(read(&other).is_none());
    let mut many = item.clone();
    many.af.as_mut().unwrap().checksum = vec![Checksum::default(); MAX_SUMS + 1];
    assert!(read(&message(many)).is_none());
    // Malformed: cut short, or a string that is not UTF-8. prost refuses both too.
    let full = message(item.clone());
    let cut = &full[..full.len() - 3];
    assert!(read(cut).is_none());
    assert!(StreamResponse::decode(cut).is_err());
    let mut bad = item;
    bad.instance_name = "\u{1}\u{2}\u{3}".into();
    let mut bytes = message(bad);
    let at = bytes.windows(3).position(|w| w == [1, 2, 3]).unwrap();
    bytes[at] = 0xff;
    assert!(read(&bytes).is_none());
    assert!(StreamResponse::decode(bytes.as_slice()).is_err());
}

fn records_of_another_kind() -> Vec<u8> {
    let d = ctaops_grpc::records::records_to_data(&fixture_records(Kind::Tape))
        .unwrap()
        .remove(0);
    StreamResponse {
        contents: Some(Contents::Data(d)),
    }
    .encode_to_vec()
}
