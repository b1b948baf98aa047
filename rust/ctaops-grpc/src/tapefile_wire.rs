//! `tapefile ls` records read in place from the bytes of their `StreamResponse` message: string
//! fields borrowed, nothing allocated, so the bulk listing can go from the wire straight into
//! Arrow columns. Only the plain case is read here (a `Data` holding a `TapeFileLsItem`, at most
//! [`MAX_SUMS`] checksums, well-formed protobuf); anything else is left to the caller, which
//! decodes it with prost, the reference for every odd or malformed message. Unknown
//! fields are skipped and repeated sub-messages merge, as prost does; the tests compare the two.

/// Checksums per record read in place; more (never seen: CTA sends one) take the prost route.
pub const MAX_SUMS: usize = 4;

/// One record, its strings borrowed from the message.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TapeFileView<'a> {
    pub archive_id: u64,
    pub storage_class: &'a str,
    pub creation_time: u64,
    pub sums: [(i32, &'a str); MAX_SUMS],
    pub n_sums: usize,
    pub size: u64,
    pub disk_id: &'a str,
    pub disk_instance: &'a str,
    pub owner: Option<(u32, u32)>,
    pub path: &'a str,
    pub vid: &'a str,
    pub copy_nb: u32,
    pub block_id: u64,
    pub f_seq: u64,
    pub instance_name: &'a str,
}

impl<'a> TapeFileView<'a> {
    /// The checksums present, as (protobuf type number, value).
    #[must_use]
    pub fn checksums(&self) -> &[(i32, &'a str)] {
        // `n_sums` is a public field: never trust it past the array.
        &self.sums[..self.n_sums.min(MAX_SUMS)]
    }
}

/// Not the plain case (reason only for debugging; the prost route gives the real error).
struct Odd;

type R<T> = Result<T, Odd>;

struct Reader<'a> {
    buf: &'a [u8],
}

#[derive(Clone, Copy)]
enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    /// Fixed-width or unknown-but-skippable values.
    Skipped,
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> R<u64> {
        let mut v: u64 = 0;
        for (i, &b) in self.buf.iter().enumerate().take(10) {
            v |= u64::from(b & 0x7f) << (7 * i);
            if b < 0x80 {
                self.buf = &self.buf[i + 1..];
                return Ok(v);
            }
        }
        Err(Odd)
    }

    fn take(&mut self, n: usize) -> R<&'a [u8]> {
        if n > self.buf.len() {
            return Err(Odd);
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    /// The next (field number, value); `None` at the end.
    fn next(&mut self) -> R<Option<(u64, Field<'a>)>> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        let key = self.varint()?;
        let (tag, wire) = (key >> 3, key & 7);
        if tag == 0 {
            return Err(Odd);
        }
        let f = match wire {
            0 => Field::Varint(self.varint()?),
            1 => self.take(8).map(|_| Field::Skipped)?,
            2 => {
                let n = usize::try_from(self.varint()?).map_err(|_| Odd)?;
                Field::Bytes(self.take(n)?)
            }
            5 => self.take(4).map(|_| Field::Skipped)?,
            // Groups (3, 4) are long deprecated; leave them to prost.
            _ => return Err(Odd),
        };
        Ok(Some((tag, f)))
    }
}

fn bytes<'a>(f: Field<'a>) -> R<&'a [u8]> {
    match f {
        Field::Bytes(b) => Ok(b),
        _ => Err(Odd),
    }
}

fn text<'a>(f: Field<'a>) -> R<&'a str> {
    std::str::from_utf8(bytes(f)?).map_err(|_| Odd)
}

fn varint(f: Field<'_>) -> R<u64> {
    match f {
        Field::Varint(v) => Ok(v),
        _ => Err(Odd),
    }
}

/// A known field with the wrong wire type is an error for prost; unknown fields are skipped.
fn item<'a>(v: &mut TapeFileView<'a>, buf: &'a [u8]) -> R<()> {
    let mut r = Reader { buf };
    while let Some((tag, f)) = r.next()? {
        match tag {
            1 => archive(v, bytes(f)?)?,
            2 => disk(v, bytes(f)?)?,
            3 => copy(v, bytes(f)?)?,
            4 => v.instance_name = text(f)?,
            _ => {}
        }
    }
    Ok(())
}

// Truncation to 32 bits is what prost (and protobuf) do for uint32/int32/enum fields.
#[expect(clippy::cast_possible_truncation, reason = "protobuf's uint32 decoding truncates")]
fn u32_of(v: u64) -> u32 {
    v as u32
}

#[expect(
    clippy::cast_possible_truncation,
    reason = "protobuf's int32/enum decoding truncates"
)]
fn i32_of(v: u64) -> i32 {
    v as i32
}

fn archive<'a>(v: &mut TapeFileView<'a>, buf: &'a [u8]) -> R<()> {
    let mut r = Reader { buf };
    while let Some((tag, f)) = r.next()? {
        match tag {
            1 => v.archive_id = varint(f)?,
            2 => v.storage_class = text(f)?,
            3 => v.creation_time = varint(f)?,
            4 => {
                if v.n_sums == MAX_SUMS {
                    return Err(Odd);
                }
                let mut sum = (0, "");
                let mut s = Reader { buf: bytes(f)? };
                while let Some((t, x)) = s.next()? {
                    match t {
                        1 => sum.0 = i32_of(varint(x)?),
                        2 => sum.1 = text(x)?,
                        _ => {}
                    }
                }
                v.sums[v.n_sums] = sum;
                v.n_sums += 1;
            }
            5 => v.size = varint(f)?,
            _ => {}
        }
    }
    Ok(())
}

fn disk<'a>(v: &mut TapeFileView<'a>, buf: &'a [u8]) -> R<()> {
    let mut r = Reader { buf };
    while let Some((tag, f)) = r.next()? {
        match tag {
            1 => v.disk_id = text(f)?,
            2 => v.disk_instance = text(f)?,
            3 => {
                // A repeated occurrence merges into the owner already read.
                let (mut uid, mut gid) = v.owner.unwrap_or((0, 0));
                let mut o = Reader { buf: bytes(f)? };
                while let Some((t, x)) = o.next()? {
                    match t {
                        3 => uid = u32_of(varint(x)?),
                        4 => gid = u32_of(varint(x)?),
                        _ => {}
                    }
                }
                v.owner = Some((uid, gid));
            }
            4 => v.path = text(f)?,
            _ => {}
        }
    }
    Ok(())
}

fn copy<'a>(v: &mut TapeFileView<'a>, buf: &'a [u8]) -> R<()> {
    let mut r = Reader { buf };
    while let Some((tag, f)) = r.next()? {
        match tag {
            1 => v.vid = text(f)?,
            2 => v.copy_nb = u32_of(varint(f)?),
            3 => v.block_id = varint(f)?,
            4 => v.f_seq = varint(f)?,
            _ => {}
        }
    }
    Ok(())
}

/// `StreamResponse.data` (2) → `Data.tfls_item` (22) → the record. Anything else (a header, an
/// empty `Data`, another record type, a field this copy does not know at those two levels) or
/// malformed bytes: `None`, and the caller decodes the message with prost.
#[must_use]
pub fn read(message: &[u8]) -> Option<TapeFileView<'_>> {
    fn walk<'a>(message: &'a [u8], view: &mut TapeFileView<'a>) -> R<bool> {
        let mut seen = false;
        let mut top = Reader { buf: message };
        while let Some((tag, f)) = top.next()? {
            if tag != 2 {
                return Err(Odd);
            }
            let mut data = Reader { buf: bytes(f)? };
            while let Some((t, x)) = data.next()? {
                if t != 22 {
                    return Err(Odd);
                }
                seen = true;
                item(view, bytes(x)?)?;
            }
        }
        Ok(seen)
    }
    let mut view = TapeFileView::default();
    matches!(walk(message, &mut view), Ok(true)).then_some(view)
}
