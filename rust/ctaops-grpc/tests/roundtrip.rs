//! Each listing's record: JSON record -> protobuf `Data` -> record, equal to the original.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{LISTINGS, decoded_fixture_records, fixture_records};
use ctaops_grpc::records::{decode_listing, records_to_data};
use prost::Message as _;

#[test]
fn every_ls_record_round_trips_through_protobuf() {
    for (kind, _) in LISTINGS {
        let from_json = fixture_records(*kind);
        let data = records_to_data(&from_json).unwrap();
        // Through the wire encoding, as a client receives it.
        let wire: Vec<_> = data
            .iter()
            .map(|d| prost::Message::decode(d.encode_to_vec().as_slice()).unwrap())
            .collect();
        let back = decode_listing(*kind, &wire).unwrap();
        assert_eq!(back, decoded_fixture_records(*kind), "{kind:?}");
    }
}

#[test]
fn unknown_fields_of_a_newer_server_are_ignored() {
    let data = records_to_data(&fixture_records(ctaops_core::admin::Kind::Tape)).unwrap();
    let mut bytes = data[0].encode_to_vec();
    // Append field 19 (tals_item) again with an extra unknown field 35 (length-delimited) inside:
    // a newer TapeLsItem with `storage_class_statistics`.
    let mut item = Vec::new();
    if let Some(ctaops_grpc::pb::cta::xrd::data::Data::TalsItem(t)) = &data[0].data {
        item = t.encode_to_vec();
    }
    item.extend([0x9a, 0x02, 0x03, 0x0a, 0x01, b'x']); // field 35, wire type 2, len 3: {1: "x"}
    bytes.clear();
    prost::encoding::encode_key(19, prost::encoding::WireType::LengthDelimited, &mut bytes);
    prost::encoding::encode_varint(item.len() as u64, &mut bytes);
    bytes.extend(&item);
    let d = ctaops_grpc::pb::cta::xrd::Data::decode(bytes.as_slice()).unwrap();
    let back = decode_listing(ctaops_core::admin::Kind::Tape, &[d]).unwrap();
    assert_eq!(back.len(), 1);
    let orig = decoded_fixture_records(ctaops_core::admin::Kind::Tape);
    assert_eq!(back.to_cta_json(0), orig.to_cta_json(0));
}

#[test]
fn direct_tapefile_conversion_equals_the_json_route() {
    use ctaops_core::admin::{Kind, Records};
    use ctaops_grpc::direct::{DirectSink, tapefile_to_pb};
    use ctaops_grpc::pb::cta::xrd::data;

    let from_json = fixture_records(Kind::TapeFile);
    let Records::TapeFile(files) = &from_json else {
        panic!("fixture kind")
    };
    assert!(!files.is_empty());
    // typed -> prost directly, then both decoders: the JSON route and the direct one.
    let data: Vec<_> = files
        .iter()
        .map(|t| ctaops_grpc::pb::cta::xrd::Data {
            data: Some(data::Data::TflsItem(tapefile_to_pb(t).unwrap())),
        })
        .collect();
    assert_eq!(decode_listing(Kind::TapeFile, &data).unwrap(), from_json);
    let mut sink = DirectSink::new(Kind::TapeFile).unwrap();
    for d in records_to_data(&from_json).unwrap() {
        assert!(sink.push(d.data).unwrap());
    }
    assert_eq!(sink.finish(), from_json);
}

#[test]
fn direct_decoding_refuses_a_record_of_another_type() {
    use ctaops_core::admin::Kind;
    use ctaops_grpc::direct::DirectSink;

    let tape = records_to_data(&fixture_records(Kind::Tape)).unwrap();
    let mut sink = DirectSink::new(Kind::TapeFile).unwrap();
    assert!(!sink.push(None).unwrap(), "an empty Data is skipped");
    let e = sink.push(tape[0].data.clone()).unwrap_err();
    assert!(e.to_string().contains("TalsItem"), "{e}");
    assert!(DirectSink::new(Kind::Tape).is_none());
}
