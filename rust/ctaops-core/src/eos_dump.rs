//! The input of `cta-ops-change-storage-class`: an EOS namespace dump, one JSON object per line
//! (`eos-ns-inspect scan --json … | jq -c '.[]'`, or CTA's `cta-change-storage-class` input).
//!
//! Accepted keys per line: the disk file ID as `fid` or `id` (number or decimal string), `path`
//! (optional), the archive file ID as `xattr["sys.archive.file_id"]`, `archiveFileId` or
//! `archiveId` (number or decimal string), the target class as `storageclass` or else
//! `xattr["sys.archive.storage_class"]`, and optionally `instance` (CTA's key: the file's disk
//! instance). Blank lines are skipped; anything else that does not fit is an error naming the
//! line, and the whole dump is refused.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::Error;

/// One file of the dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpEntry {
    /// 1-based line number.
    pub line: u64,
    pub fid: u64,
    pub path: String,
    pub archive_id: u64,
    pub storage_class: String,
    /// The `instance` key when the line has one (empty otherwise).
    pub instance: String,
}

/// An ID written as a number or a decimal string (`eos-ns-inspect` and CTA's tool differ). Read
/// by a visitor: an untagged enum would buffer every value first, the slow part of a big dump.
enum Num {
    N(u64),
    Bad,
}

impl Num {
    fn get(&self) -> Option<u64> {
        match self {
            Self::N(n) => Some(*n),
            Self::Bad => None,
        }
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number or a decimal string")
            }
            fn visit_u64<E>(self, v: u64) -> Result<Num, E> {
                Ok(Num::N(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Num, E> {
                Ok(u64::try_from(v).map_or(Num::Bad, Num::N))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Num, E> {
                Ok(Num::Bad)
            }
            fn visit_str<E>(self, v: &str) -> Result<Num, E> {
                Ok(v.trim().parse().map_or(Num::Bad, Num::N))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Num, E> {
                Ok(Num::Bad)
            }
        }
        d.deserialize_any(V)
    }
}

/// The two attributes the tool reads (the others are skipped unread).
#[derive(Deserialize, Default)]
struct Xattr<'a> {
    #[serde(borrow, default, rename = "sys.archive.file_id")]
    file_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "sys.archive.storage_class")]
    storage_class: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Raw<'a> {
    #[serde(default)]
    fid: Option<Num>,
    #[serde(default)]
    id: Option<Num>,
    #[serde(borrow, default)]
    path: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    xattr: Option<Xattr<'a>>,
    #[serde(default, rename = "archiveFileId")]
    archive_file_id: Option<Num>,
    #[serde(default, rename = "archiveId")]
    archive_id: Option<Num>,
    #[serde(borrow, default)]
    storageclass: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    instance: Option<Cow<'a, str>>,
}

fn bad(line: u64, detail: impl std::fmt::Display) -> Error {
    Error::Parse {
        what: "dump",
        detail: format!("line {line}: {detail}"),
    }
}

/// Reads one line (`None`: a blank line).
pub fn parse_line(text: &str, line: u64) -> Result<Option<DumpEntry>, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    // serde would also take a struct from an array, by position.
    if !text.starts_with('{') {
        return Err(bad(line, "not a JSON object"));
    }
    let raw: Raw<'_> = serde_json::from_str(text).map_err(|e| {
        if e.is_data() {
            bad(line, e)
        } else {
            bad(line, format!("not a JSON object: {e}"))
        }
    })?;
    let fid = match raw.fid.as_ref().or(raw.id.as_ref()) {
        Some(n) => n.get().ok_or_else(|| bad(line, "fid is not a decimal file ID"))?,
        None => return Err(bad(line, "no fid (or id)")),
    };
    let xattr = raw.xattr.unwrap_or_default();
    let archive_id = match (
        raw.archive_file_id.as_ref().or(raw.archive_id.as_ref()),
        xattr.file_id.as_deref(),
    ) {
        (Some(n), _) => n.get(),
        (None, Some(s)) => s.trim().parse().ok(),
        (None, None) => {
            return Err(bad(
                line,
                "no archive file ID (xattr sys.archive.file_id or archiveFileId)",
            ));
        }
    }
    .ok_or_else(|| bad(line, "the archive file ID is not a number"))?;
    let storage_class = match (raw.storageclass.as_deref(), xattr.storage_class.as_deref()) {
        (Some(s), _) | (None, Some(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => {
            return Err(bad(
                line,
                "no storage class (storageclass or xattr sys.archive.storage_class)",
            ));
        }
    };
    Ok(Some(DumpEntry {
        line,
        fid,
        path: raw.path.map(Cow::into_owned).unwrap_or_default(),
        archive_id,
        storage_class,
        instance: raw.instance.map(Cow::into_owned).unwrap_or_default(),
    }))
}

/// Reads a whole dump; the first bad line refuses it.
pub fn parse(text: &str) -> Result<Vec<DumpEntry>, Error> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if let Some(e) = parse_line(l, i as u64 + 1)? {
            out.push(e);
        }
    }
    Ok(out)
}

/// Reads the dump file at `path`.
pub fn read(path: &Path) -> Result<Vec<DumpEntry>, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|e| Error::Parse {
        what: "dump",
        detail: format!("{}: not UTF-8 text: {e}", path.display()),
    })?;
    parse(text)
}

/// The first file whose line names a disk instance other than `instance` (lines without one
/// belong to any).
pub fn foreign_instance<'a>(entries: &'a [DumpEntry], instance: &str) -> Option<&'a DumpEntry> {
    entries
        .iter()
        .find(|e| !e.instance.is_empty() && e.instance != instance)
}

/// Files per target class, by class name.
pub type ClassCounts = BTreeMap<String, usize>;

/// One split of a plan: the dump lines it spans and its files per target class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedSplit {
    pub first_line: u64,
    pub last_line: u64,
    pub per_class: ClassCounts,
}

/// What a run would do: the files left once those an earlier run finished are taken out, per
/// target class and in splits of `split_size` files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub todo: usize,
    pub per_class: ClassCounts,
    pub splits: Vec<PlannedSplit>,
}

fn count<'a>(entries: impl Iterator<Item = &'a DumpEntry>) -> ClassCounts {
    let mut counts = ClassCounts::new();
    for e in entries {
        // Most dumps move files to a handful of classes: look up before allocating the key.
        match counts.get_mut(e.storage_class.as_str()) {
            Some(n) => *n += 1,
            None => {
                counts.insert(e.storage_class.clone(), 1);
            }
        }
    }
    counts
}

/// Plans a run over `entries`; `finished` tells the files an earlier run completed (the
/// journal). A `split_size` of 0 is taken as 1.
pub fn plan(entries: &[DumpEntry], finished: impl Fn(&DumpEntry) -> bool, split_size: usize) -> Plan {
    let todo: Vec<&DumpEntry> = entries.iter().filter(|e| !finished(e)).collect();
    let splits = todo
        .chunks(split_size.max(1))
        .map(|part| PlannedSplit {
            first_line: part.first().map_or(0, |e| e.line),
            last_line: part.last().map_or(0, |e| e.line),
            per_class: count(part.iter().copied()),
        })
        .collect();
    Plan {
        todo: todo.len(),
        per_class: count(todo.iter().copied()),
        splits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(line: u64, archive_id: u64, class: &str, instance: &str) -> DumpEntry {
        DumpEntry {
            line,
            fid: line,
            path: String::new(),
            archive_id,
            storage_class: class.into(),
            instance: instance.into(),
        }
    }

    #[test]
    fn plan_leaves_out_finished_files_and_splits_the_rest() {
        let entries: Vec<DumpEntry> = (1..=7)
            .map(|i| entry(i, 100 + i, if i % 2 == 0 { "b" } else { "a" }, ""))
            .collect();
        let p = plan(&entries, |e| e.archive_id == 102 || e.archive_id == 105, 2);
        assert_eq!(p.todo, 5);
        assert_eq!(p.per_class, ClassCounts::from([("a".into(), 3), ("b".into(), 2)]));
        let spans: Vec<(u64, u64)> = p.splits.iter().map(|s| (s.first_line, s.last_line)).collect();
        assert_eq!(spans, [(1, 3), (4, 6), (7, 7)]);
        assert_eq!(p.splits[1].per_class, ClassCounts::from([("b".into(), 2)]));
        assert_eq!(plan(&entries, |_| true, 2).splits, []);
        assert_eq!(plan(&entries, |_| false, 0).splits.len(), 7);
    }

    #[test]
    fn a_line_of_another_instance_is_found() {
        let entries = [entry(1, 1, "a", ""), entry(2, 2, "a", "eosx"), entry(3, 3, "a", "eosy")];
        assert_eq!(foreign_instance(&entries, "eosx").map(|e| e.line), Some(3));
        assert_eq!(foreign_instance(&entries[..2], "eosx"), None);
    }

    #[test]
    fn eos_ns_inspect_and_cta_shapes() {
        let d = parse(concat!(
            r#"{"fid": 42, "path": "/eos/a", "xattr": {"sys.archive.file_id": "7", "sys.archive.storage_class": "sc1"}}"#,
            "\n\n",
            r#"{"id": "43", "archiveFileId": "8", "storageclass": "sc2", "instance": "eosx", "xattr": {"sys.archive.storage_class": "old"}}"#,
        ))
        .unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(
            (d[0].line, d[0].fid, d[0].archive_id, d[0].storage_class.as_str()),
            (1, 42, 7, "sc1")
        );
        assert_eq!(d[0].path, "/eos/a");
        assert_eq!(
            (d[1].line, d[1].fid, d[1].archive_id, d[1].storage_class.as_str()),
            (3, 43, 8, "sc2")
        );
        assert_eq!(d[1].instance, "eosx");
    }

    #[test]
    fn bad_lines_are_named() {
        for (text, want) in [
            ("{\"fid\": 1", "line 1: not a JSON object"),
            ("[1]", "line 1: not a JSON object"),
            (r#"{"xattr": {"sys.archive.file_id": "1"}}"#, "line 1: no fid"),
            (r#"{"fid": "x", "archiveId": 1, "storageclass": "s"}"#, "fid is not"),
            (r#"{"fid": 1, "storageclass": "s"}"#, "no archive file ID"),
            (r#"{"fid": 1, "archiveId": "a", "storageclass": "s"}"#, "not a number"),
            (r#"{"fid": 1, "archiveId": 2}"#, "no storage class"),
            (
                r#"{"fid": {"a": 1}, "archiveId": 2, "storageclass": "s"}"#,
                "invalid type: map",
            ),
            (r#"{"fid": -1, "archiveId": 2, "storageclass": "s"}"#, "fid is not"),
        ] {
            let e = parse(&format!("\n{text}"))
                .unwrap_err()
                .to_string()
                .replace("line 2", "line 1");
            assert!(e.contains(want), "{text}: {e}");
        }
    }
}
