//! The catalogue side of a verification: what `cta-admin tapefile ls --vid V` says.

use std::collections::HashMap;

use ctaops_core::admin::enums::ChecksumKind;
use ctaops_core::admin::tapefile::TapeFile;
use ctaops_core::admin::{Framing, Kind, Records, parse_records};
use ctaops_core::checksum::{ChecksumEntry, ChecksumType};

use crate::error::{Result, TapeError};

/// One tape file as the catalogue records it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogueEntry {
    pub fseq: u64,
    pub block_id: u64,
    pub archive_id: u64,
    pub size: u64,
    /// Adler-32 of the payload, when the catalogue has one.
    pub adler32: Option<u32>,
    /// The other checksums of the file's blob (CRC32, CRC32C, MD5, SHA1), compared as well.
    pub other_checksums: Vec<ChecksumEntry>,
}

impl CatalogueEntry {
    /// True when the catalogue gives at least one checksum the read-back can be compared with.
    #[must_use]
    pub fn has_checksum(&self) -> bool {
        self.adler32.is_some() || !self.other_checksums.is_empty()
    }
}

/// Catalogue entries of one tape, sorted by fSeq, indexed by fSeq.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    entries: Vec<CatalogueEntry>,
    by_fseq: HashMap<u64, usize>,
}

impl Catalogue {
    /// Sorts the entries by fSeq; duplicate fSeqs are refused (a tape copy has one fSeq).
    pub fn new(mut entries: Vec<CatalogueEntry>) -> Result<Self> {
        entries.sort_by_key(|e| e.fseq);
        let mut by_fseq = HashMap::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            if by_fseq.insert(e.fseq, i).is_some() {
                return Err(TapeError::InvalidArgument(format!(
                    "catalogue lists fSeq {} twice",
                    e.fseq
                )));
            }
        }
        Ok(Self { entries, by_fseq })
    }

    #[must_use]
    pub fn entries(&self) -> &[CatalogueEntry] {
        &self.entries
    }

    #[must_use]
    pub fn index_of(&self, fseq: u64) -> Option<usize> {
        self.by_fseq.get(&fseq).copied()
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Entries of `vid` from typed `tapefile ls` records (another tape's records, i.e. another copy,
/// are skipped). An ADLER32 checksum that is not 8 hex digits is an error naming the file.
///
/// Records that are all of other tapes are refused with the VIDs they name: comparing a tape
/// with another tape's listing would call every file `unexpected`.
pub fn entries_from_records(files: &[TapeFile], vid: &str) -> Result<Vec<CatalogueEntry>> {
    let mut out = Vec::with_capacity(files.len());
    for f in files.iter().filter(|f| f.tf.vid == vid) {
        let bad = |c: &str, value: &str| {
            TapeError::InvalidArgument(format!(
                "tapefile ls: archive file {}: bad {c} value '{value}'",
                f.af.archive_id
            ))
        };
        let mut adler32 = None;
        let mut other_checksums = Vec::new();
        for c in &f.af.checksum {
            match &c.kind {
                ChecksumKind::Adler32 => {
                    adler32 = Some(u32::from_str_radix(&c.value, 16).map_err(|_| bad("ADLER32", &c.value))?);
                }
                ChecksumKind::None => {}
                kind => {
                    let algo: ChecksumType = kind.as_str().parse().map_err(|_| bad(kind.as_str(), &c.value))?;
                    other_checksums
                        .push(ChecksumEntry::from_hex(algo, &c.value).map_err(|_| bad(kind.as_str(), &c.value))?);
                }
            }
        }
        out.push(CatalogueEntry {
            fseq: f.tf.f_seq,
            block_id: f.tf.block_id,
            archive_id: f.af.archive_id,
            size: f.af.size,
            adler32,
            other_checksums,
        });
    }
    if out.is_empty() && !files.is_empty() {
        let mut vids: Vec<&str> = files.iter().map(|f| f.tf.vid.as_str()).collect();
        vids.sort_unstable();
        vids.dedup();
        let shown = vids.iter().take(5).copied().collect::<Vec<_>>().join(", ");
        let more = if vids.len() > 5 { ", …" } else { "" };
        return Err(TapeError::InvalidArgument(format!(
            "tapefile ls: the listing has {} file(s), none on {vid} (it lists {shown}{more})",
            files.len()
        )));
    }
    Ok(out)
}

/// Parses a saved `cta-admin --json tapefile ls --vid VID` output (or its `--jsonl` form) with
/// the shared, strict `cta-admin` record parser (cta-interfaces.md §1.7) into entries for `vid`.
pub fn parse_tapefile_ls(text: &str, vid: &str) -> Result<Vec<CatalogueEntry>> {
    let data = text.as_bytes();
    let records = parse_records(Kind::TapeFile, Framing::detect(data), data)
        .map_err(|e| TapeError::InvalidArgument(format!("tapefile ls JSON: {e}")))?;
    match records {
        Records::TapeFile(files) => entries_from_records(&files, vid),
        other => Err(TapeError::InvalidArgument(format!(
            "tapefile ls JSON: parsed as {} records",
            other.kind().name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_example_shape() {
        let text = r#"[{"af":{"archiveId":"4294967296","storageClass":"atlas_raw","creationTime":"1741170001",
            "checksum":[{"type":"ADLER32","value":"0a0b0c0d"}],"size":"600000"},
            "df":{"diskId":"5401234","diskInstance":"eosatlas","ownerId":{"uid":10763,"gid":1307},"path":""},
            "tf":{"vid":"V01007","copyNb":1,"blockId":"0","fSeq":"1"},"instanceName":"eosatlas"},
            {"af":{"archiveId":"7","storageClass":"sc","creationTime":"1","checksum":[],"size":"1"},
            "df":{"diskId":"1","diskInstance":"i","path":""},
            "tf":{"vid":"OTHER1","copyNb":2,"blockId":"0","fSeq":"1"},"instanceName":"i"}]"#;
        let got = parse_tapefile_ls(text, "V01007").unwrap();
        assert_eq!(
            got,
            vec![CatalogueEntry {
                fseq: 1,
                block_id: 0,
                archive_id: 4_294_967_296,
                size: 600_000,
                adler32: Some(0x0a0b_0c0d),
                other_checksums: Vec::new(),
            }]
        );
    }

    #[test]
    fn records_outside_the_cta_schema_are_refused() {
        // A subset of the fields (what the old lenient parser took) is not a CTA record.
        let err = parse_tapefile_ls(r#"[{"af":{"archiveId":"1","size":"2"},"tf":{"blockId":"0"}}]"#, "V").unwrap_err();
        assert!(err.to_string().contains("record 1"), "{err}");
        assert!(parse_tapefile_ls("{}", "V").is_err());
        assert!(parse_tapefile_ls("not json", "V").is_err());
    }

    #[test]
    fn duplicate_fseqs_are_refused() {
        let e = CatalogueEntry {
            fseq: 1,
            block_id: 0,
            archive_id: 1,
            size: 1,
            ..CatalogueEntry::default()
        };
        assert!(Catalogue::new(vec![e.clone(), e]).is_err());
    }
}
