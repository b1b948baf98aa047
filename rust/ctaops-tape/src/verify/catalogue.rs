//! The catalogue side of a verification: what `cta-admin tapefile ls --vid V` says.

use std::collections::HashMap;

use serde_json::Value;

use crate::error::{Result, TapeError};

/// One tape file as the catalogue records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueEntry {
    pub fseq: u64,
    pub block_id: u64,
    pub archive_id: u64,
    pub size: u64,
    /// Adler-32 of the payload, when the catalogue has one.
    pub adler32: Option<u32>,
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

fn field<'a>(item: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(item, |v, k| v.get(k))
}

/// A U64 as cta-admin prints it (protobuf JSON: a decimal string; plain numbers accepted too).
fn as_u64(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// Parses a saved `cta-admin --json tapefile ls --vid VID` output (a JSON array of
/// `{"af": …, "df": …, "tf": …}` records, cta-interfaces.md §1.7) into entries for `vid`.
///
/// Records of other tapes (another copy number) are skipped; a missing required field is an
/// error naming the record.
pub fn parse_tapefile_ls(text: &str, vid: &str) -> Result<Vec<CatalogueEntry>> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| TapeError::InvalidArgument(format!("tapefile ls JSON: {e}")))?;
    let items = match &doc {
        Value::Array(a) => a.as_slice(),
        _ => {
            return Err(TapeError::InvalidArgument(
                "tapefile ls JSON: expected an array of records".into(),
            ));
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let need = |path: &[&str]| {
            field(item, path).and_then(as_u64).ok_or_else(|| {
                TapeError::InvalidArgument(format!("tapefile ls record {i}: missing or invalid {}", path.join(".")))
            })
        };
        if field(item, &["tf", "vid"])
            .and_then(Value::as_str)
            .is_some_and(|v| v != vid)
        {
            continue;
        }
        let adler32 = match field(item, &["af", "checksum"]).and_then(Value::as_array) {
            Some(list) => {
                let mut found = None;
                for c in list {
                    if c.get("type").and_then(Value::as_str) == Some("ADLER32") {
                        let hex = c.get("value").and_then(Value::as_str).unwrap_or_default();
                        let v = u32::from_str_radix(hex, 16).map_err(|_| {
                            TapeError::InvalidArgument(format!("tapefile ls record {i}: bad ADLER32 value '{hex}'"))
                        })?;
                        found = Some(v);
                    }
                }
                found
            }
            None => None,
        };
        out.push(CatalogueEntry {
            fseq: need(&["tf", "fSeq"])?,
            block_id: need(&["tf", "blockId"])?,
            archive_id: need(&["af", "archiveId"])?,
            size: need(&["af", "size"])?,
            adler32,
        });
    }
    Ok(out)
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
            {"af":{"archiveId":"7","checksum":[],"size":"1"},"tf":{"vid":"OTHER1","blockId":"0","fSeq":"1"}}]"#;
        let got = parse_tapefile_ls(text, "V01007").unwrap();
        assert_eq!(
            got,
            vec![CatalogueEntry {
                fseq: 1,
                block_id: 0,
                archive_id: 4_294_967_296,
                size: 600_000,
                adler32: Some(0x0a0b_0c0d)
            }]
        );
    }

    #[test]
    fn missing_fields_are_named() {
        let err = parse_tapefile_ls(r#"[{"af":{"archiveId":"1","size":"2"},"tf":{"blockId":"0"}}]"#, "V").unwrap_err();
        assert!(
            err.to_string().contains("record 0: missing or invalid tf.fSeq"),
            "{err}"
        );
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
            adler32: None,
        };
        assert!(Catalogue::new(vec![e.clone(), e]).is_err());
    }
}
