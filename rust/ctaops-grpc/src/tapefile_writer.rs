//! `tapefile ls` records written as protobuf straight from borrowed fields ([`TapeFileView`]),
//! the server's half of [`crate::tapefile_wire`]: a frontend streaming a million records encodes
//! each from its catalogue row without building a prost message (several strings copied, then
//! freed) per record. The bytes are exactly prost's for the same message with its `af`, `df` and
//! `tf` sub-messages present (as every record a frontend sends has them; a view cannot say one
//! is absent): fields in number order, proto3 defaults (0, "") left out, sub-messages present
//! even when empty. The tests check the bytes against prost's on the fixture records and on
//! edge values.

use bytes::BufMut;
use prost::encoding::{WireType, encode_key, encode_varint, encoded_len_varint, key_len};

use crate::tapefile_wire::TapeFileView;

/// `Data.tfls_item`.
const DATA_TFLS_ITEM: u32 = 22;

fn uint_len(tag: u32, v: u64) -> usize {
    if v == 0 {
        0
    } else {
        key_len(tag) + encoded_len_varint(v)
    }
}

fn bytes_len(tag: u32, len: usize) -> usize {
    key_len(tag) + encoded_len_varint(len as u64) + len
}

fn str_len(tag: u32, s: &str) -> usize {
    if s.is_empty() { 0 } else { bytes_len(tag, s.len()) }
}

fn put_uint(tag: u32, v: u64, out: &mut impl BufMut) {
    if v != 0 {
        encode_key(tag, WireType::Varint, out);
        encode_varint(v, out);
    }
}

fn put_str(tag: u32, s: &str, out: &mut impl BufMut) {
    if !s.is_empty() {
        encode_key(tag, WireType::LengthDelimited, out);
        encode_varint(s.len() as u64, out);
        out.put_slice(s.as_bytes());
    }
}

/// The key and length of a sub-message whose body follows.
fn put_message_head(tag: u32, len: usize, out: &mut impl BufMut) {
    encode_key(tag, WireType::LengthDelimited, out);
    encode_varint(len as u64, out);
}

// Enum and int32 values are sign-extended to 64 bits on the wire (negative ones take 10 bytes).
#[expect(
    clippy::cast_sign_loss,
    reason = "protobuf encodes int32 as its 64-bit two's complement"
)]
fn enum_wire(v: i32) -> u64 {
    i64::from(v) as u64
}

fn checksum_len(kind: i32, value: &str) -> usize {
    uint_len(1, enum_wire(kind)) + str_len(2, value)
}

struct Lengths {
    archive: usize,
    disk: usize,
    owner: Option<usize>,
    copy: usize,
    item: usize,
}

fn lengths(v: &TapeFileView<'_>) -> Lengths {
    let sums: usize = v
        .checksums()
        .iter()
        .map(|&(k, s)| bytes_len(4, checksum_len(k, s)))
        .sum();
    let archive = uint_len(1, v.archive_id)
        + str_len(2, v.storage_class)
        + uint_len(3, v.creation_time)
        + sums
        + uint_len(5, v.size);
    let owner = v
        .owner
        .map(|(uid, gid)| uint_len(3, u64::from(uid)) + uint_len(4, u64::from(gid)));
    let disk =
        str_len(1, v.disk_id) + str_len(2, v.disk_instance) + owner.map_or(0, |o| bytes_len(3, o)) + str_len(4, v.path);
    let copy = str_len(1, v.vid) + uint_len(2, u64::from(v.copy_nb)) + uint_len(3, v.block_id) + uint_len(4, v.f_seq);
    let item = bytes_len(1, archive) + bytes_len(2, disk) + bytes_len(3, copy) + str_len(4, v.instance_name);
    Lengths {
        archive,
        disk,
        owner,
        copy,
        item,
    }
}

/// Encoded size of the `Data` message [`write_data`] writes.
#[must_use]
pub fn data_len(v: &TapeFileView<'_>) -> usize {
    bytes_len(DATA_TFLS_ITEM, lengths(v).item)
}

/// Appends `v` as an encoded `cta.xrd.Data` holding a `TapeFileLsItem` (what a
/// `StreamResponse.data` carries).
pub fn write_data(v: &TapeFileView<'_>, out: &mut impl BufMut) {
    let l = lengths(v);
    put_message_head(DATA_TFLS_ITEM, l.item, out);
    put_message_head(1, l.archive, out);
    put_uint(1, v.archive_id, out);
    put_str(2, v.storage_class, out);
    put_uint(3, v.creation_time, out);
    for &(kind, value) in v.checksums() {
        put_message_head(4, checksum_len(kind, value), out);
        put_uint(1, enum_wire(kind), out);
        put_str(2, value, out);
    }
    put_uint(5, v.size, out);
    put_message_head(2, l.disk, out);
    put_str(1, v.disk_id, out);
    put_str(2, v.disk_instance, out);
    if let (Some((uid, gid)), Some(len)) = (v.owner, l.owner) {
        put_message_head(3, len, out);
        put_uint(3, u64::from(uid), out);
        put_uint(4, u64::from(gid), out);
    }
    put_str(4, v.path, out);
    put_message_head(3, l.copy, out);
    put_str(1, v.vid, out);
    put_uint(2, u64::from(v.copy_nb), out);
    put_uint(3, v.block_id, out);
    put_uint(4, v.f_seq, out);
    put_str(4, v.instance_name, out);
}
