//! Byte-exact checks against the rendered example of cta-interfaces.md §3.4.

use super::*;

const VOL1: &str = "VOL1V01007                           CTA                                     003";
const PRE: &str = "HDR1PRELABEL         V0100700010001000100026064026064 000000CTA 5.11.7.0-       ";
const HDR1: &str = "HDR1100000000        V0100700010001000100026064026064 000000CTA 5.11.7.0-       ";
const HDR2: &str = "HDR2F0000000000                                   00                            ";
const UHL1: &str = "UHL1000000000100002621440000262144CERN    TPSRV001  IBM     03592E080000078D4A12";
const EOF1: &str = "EOF1100000000        V0100700010001000100026064026064 000004CTA 5.11.7.0-       ";

fn date() -> LabelDate {
    LabelDate::new(2026, 64).unwrap()
}

fn uhl1(section: Section) -> Uhl1 {
    Uhl1 {
        section,
        fseq: 1,
        block_size: 262_144,
        record_length: 262_144,
        site: "CERN".into(),
        mover_host: "TPSRV001".into(),
        drive_vendor: "IBM".into(),
        drive_model: "03592E08".into(),
        drive_serial: "0000078D4A12".into(),
    }
}

#[test]
fn writes_the_spec_example_byte_for_byte() {
    let sys = "CTA 5.11.7.0-1";
    assert_eq!(&Vol1::new("V01007", LbpMethod::None).to_bytes()[..], VOL1.as_bytes());
    assert_eq!(&Hdr1::prelabel("V01007", date(), sys).to_bytes()[..], PRE.as_bytes());
    let hdr1 = Hdr1::new(Section::Header, 4_294_967_296, "V01007", 1, date(), sys, 0);
    assert_eq!(&hdr1.to_bytes()[..], HDR1.as_bytes());
    assert_eq!(&Hdr2::new(Section::Header, 262_144).to_bytes()[..], HDR2.as_bytes());
    assert_eq!(&uhl1(Section::Header).to_bytes()[..], UHL1.as_bytes());
    let eof1 = Hdr1::new(Section::Trailer, 4_294_967_296, "V01007", 1, date(), sys, 4);
    assert_eq!(&eof1.to_bytes()[..], EOF1.as_bytes());
    assert_eq!(&uhl1(Section::Trailer).to_bytes()[..4], b"UTL1");
}

#[test]
fn parses_what_it_writes() {
    let v = Vol1::parse(VOL1.as_bytes()).unwrap();
    assert_eq!(v, Vol1::new("V01007", LbpMethod::None));
    let h = Hdr1::parse(HDR1.as_bytes()).unwrap();
    assert_eq!(h.archive_id(), Some(4_294_967_296));
    assert_eq!(h.vsn, "V01007");
    assert!(Hdr1::parse(PRE.as_bytes()).unwrap().is_prelabel());
    assert_eq!(Hdr1::parse(EOF1.as_bytes()).unwrap().block_count, 4);
    assert_eq!(Uhl1::parse(UHL1.as_bytes()).unwrap(), uhl1(Section::Header));
    assert_eq!(
        Hdr2::parse(HDR2.as_bytes()).unwrap(),
        Hdr2::new(Section::Header, 262_144)
    );
    assert_eq!(Hdr2::new(Section::Header, 32_768).block_length, "32768");
}

fn patched(base: &str, off: usize, text: &str) -> Vec<u8> {
    let mut b = base.as_bytes().to_vec();
    b[off..off + text.len()].copy_from_slice(text.as_bytes());
    b
}

#[test]
fn each_check_names_record_and_field() {
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (patched(VOL1, 79, "4"), "VOL1", "label standard"),
        (patched(VOL1, 4, "      "), "VOL1", "VSN"),
        (patched(VOL1, 77, "01"), "VOL1", "LBP method"),
        (patched(VOL1, 77, "9Z"), "VOL1", "LBP method"),
        (patched(VOL1, 60, "X"), "VOL1", "reserved2"),
        (patched(HDR1, 4, "XYZ"), "HDR1", "file id"),
        (patched(HDR1, 27, "0002"), "HDR1", "file section"),
        (patched(HDR1, 41, "ABCDEF"), "HDR1", "creation date"),
        (patched(HDR1, 54, "000001"), "HDR1", "block count"),
        (patched(HDR1, 75, "Z"), "HDR1", "reserved"),
        (patched(EOF1, 54, "00a004"), "EOF1", "block count"),
        (patched(HDR2, 4, "V"), "HDR2", "record format"),
        (patched(HDR2, 50, "01"), "HDR2", "AUL id"),
        (patched(UHL1, 14, "0000000000"), "UHL1", "actual block size"),
        (patched(UHL1, 4, "00000000x1"), "UHL1", "actual fSeq"),
        (patched(UHL1, 68, "            "), "UHL1", "drive serial number"),
    ];
    for (bytes, record, field) in cases {
        let err = match &bytes[..4] {
            b"VOL1" => Vol1::parse(&bytes).err(),
            b"HDR1" | b"EOF1" => Hdr1::parse(&bytes).err(),
            b"HDR2" => Hdr2::parse(&bytes).err(),
            _ => Uhl1::parse(&bytes).err(),
        };
        let err = err.unwrap_or_else(|| panic!("{record} {field} accepted"));
        assert_eq!((err.record, err.field), (record, field), "{err}");
    }
    assert_eq!(Vol1::parse(&VOL1.as_bytes()[..79]).unwrap_err().field, "length");
    let mut bad = UHL1.as_bytes().to_vec();
    bad[70] = 0xc3;
    assert_eq!(Uhl1::parse(&bad).unwrap_err().field, "record");
}

#[test]
fn integer_fields_wrap_like_cta() {
    let h = Hdr1::new(Section::Trailer, 255, "V01007", 12_345, date(), "CTA 1", 1_234_567);
    let b = h.to_bytes();
    assert_eq!(&b[31..35], b"2345");
    assert_eq!(&b[54..60], b"234567");
    assert_eq!(&b[4..7], b"FF ");
}

#[test]
fn non_ascii_text_cannot_shift_fields() {
    let mut u = uhl1(Section::Header);
    u.site = "ZÜRICH".into();
    let b = u.to_bytes();
    assert_eq!(&b[34..42], b"Z?RICH  ");
    assert_eq!(&b[42..52], b"TPSRV001  ");
}

proptest::proptest! {
    #[test]
    fn parse_any_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100)) {
        let _ = Label::parse_any(&bytes);
    }

    #[test]
    fn parsed_labels_round_trip(body in proptest::collection::vec(0x20u8..0x7f, 76), kind in 0usize..7) {
        let ids: [&[u8; 4]; 7] = [b"VOL1", b"HDR1", b"EOF1", b"HDR2", b"EOF2", b"UHL1", b"UTL1"];
        let mut rec = ids[kind].to_vec();
        rec.extend(body);
        if let Ok(Some(label)) = Label::parse_any(&rec) {
            proptest::prop_assert_eq!(Label::parse_any(&label.to_bytes()), Ok(Some(label)));
        }
    }
}
