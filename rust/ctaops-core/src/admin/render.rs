//! Listings as tables for people: the rendering `ctaops admin` and `cta-ops-admin` share.
//!
//! A column is a dotted key into a record (`creationLog.time`) with a title, as cta-ops-admin's
//! `table_headers` name them. Cells print the way an operator reads them: times as UTC dates
//! (`-` for CTA's 0, "never"), sizes in SI units (`18.0 TB`), lists joined with commas, and an
//! absent or empty value as the configured placeholder. The text layout is [`crate::table`].

use arrow_schema::{DataType, Field};
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::format_description;

use super::kind::{Kind, Records};
use super::times::is_time_key;
use crate::table;
use crate::units::format_size_human;

/// One column of a table: the record key it shows (dotted for nested objects) and its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub key: String,
    pub title: String,
}

impl Column {
    #[must_use]
    pub fn new(key: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            title: title.into(),
        }
    }
}

/// How cells and the table are laid out.
#[derive(Debug, Clone)]
pub struct Layout {
    /// A `global.table_format` style (`plain`, `simple`, `github`, `grid`, `psql`).
    pub style: String,
    /// `global.table_max_col_width`: longer cells wrap (0: never).
    pub max_width: usize,
    /// Shown for an absent, null or empty value (cta-ops-admin's `empty_table_item_char`).
    pub empty: String,
    /// Times and sizes for people; `false` keeps CTA's numbers.
    pub human: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Self {
            style: "plain".into(),
            max_width: 30,
            empty: "-".into(),
            human: true,
        }
    }
}

/// Whether CTA's key `name` holds a number of bytes.
#[must_use]
pub fn is_size_key(name: &str) -> bool {
    matches!(
        name,
        "capacity" | "occupancy" | "size" | "freeSpace" | "targetedFreeSpace" | "totalSize" | "data"
    ) || name.ends_with("Bytes")
        || name.ends_with("InBytes")
}

/// A number CTA printed as a JSON number or as a decimal string (its uint64 form).
fn unsigned(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Seconds since the epoch as `YYYY-MM-DD HH:MM` UTC; `None` for 0 (never) or out of range.
#[must_use]
pub fn format_time_human(seconds: u64) -> Option<String> {
    if seconds == 0 {
        return None;
    }
    let when = OffsetDateTime::from_unix_timestamp(i64::try_from(seconds).ok()?).ok()?;
    when.format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
        .ok()
}

/// The value of key `leaf` as people read it, if it is a time or a size; `None` otherwise.
/// A time of 0 ("never") gives `Some(None)`: the caller shows its empty placeholder.
#[must_use]
pub fn for_people(leaf: &str, v: &Value) -> Option<Option<String>> {
    if is_time_key(leaf) {
        return unsigned(v).map(format_time_human);
    }
    if is_size_key(leaf) {
        return unsigned(v).map(|n| Some(format_size_human(n)));
    }
    None
}

/// A scalar as cta-admin prints it; lists joined with commas; `None` when empty.
fn plain(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) if items.is_empty() => None,
        Value::Array(items) => Some(items.iter().filter_map(plain).collect::<Vec<_>>().join(",")),
        Value::Object(m) if m.is_empty() => None,
        Value::Object(_) => Some(v.to_string()),
    }
}

/// The text of one cell: `key` is the dotted path the value was found at.
#[must_use]
pub fn cell_text(key: &str, v: &Value, layout: &Layout) -> String {
    let leaf = key.rsplit('.').next().unwrap_or(key);
    let text = if layout.human {
        for_people(leaf, v).unwrap_or_else(|| plain(v))
    } else {
        plain(v)
    };
    text.unwrap_or_else(|| layout.empty.clone())
}

/// Walks `rest` (the dotted path after the first key) into nested objects.
fn descend<'v>(mut v: &'v Value, rest: &[&str]) -> Option<&'v Value> {
    for part in rest {
        v = v.as_object()?.get(*part)?;
    }
    Some(v)
}

/// Every column of `kind` in CTA's order (its schema's), nested objects flattened
/// (`creationLog.username`), for a listing with no configured headers.
#[must_use]
pub fn all_columns(kind: Kind) -> Vec<Column> {
    fn walk(field: &Field, at: &str, out: &mut Vec<Column>) {
        let key = if at.is_empty() {
            field.name().clone()
        } else {
            format!("{at}.{}", field.name())
        };
        match field.data_type() {
            DataType::Struct(inner) => inner.iter().for_each(|f| walk(f, &key, out)),
            _ => out.push(Column::new(key.clone(), key)),
        }
    }
    let mut out = Vec::new();
    for field in kind.arrow_fields() {
        walk(&field, "", &mut out);
    }
    out
}

/// CTA's current name for a key upstream's `table_headers` use, by kind: those tables were
/// written against an older cta-admin (`recycletf`'s `archiveId` is `archiveFileId` today, a
/// tape pool's `supply` string became the `supplySource` list).
const RENAMED: &[(Kind, &str, &str)] = &[
    (Kind::TapePool, "supply", "supplySource"),
    (Kind::RecycleTapeFile, "archiveId", "archiveFileId"),
    (Kind::RecycleTapeFile, "copyNumber", "copyNb"),
    (Kind::RecycleTapeFile, "fsec", "fseq"),
    (Kind::RecycleTapeFile, "instance", "diskInstance"),
    (Kind::RecycleTapeFile, "diskFxid", "diskFileId"),
    (Kind::RecycleTapeFile, "size", "sizeInBytes"),
    (Kind::RecycleTapeFile, "checksumType", "checksum.type"),
    (Kind::RecycleTapeFile, "checksumValue", "checksum.value"),
    (Kind::RecycleTapeFile, "owner", "diskFileUid"),
    (Kind::RecycleTapeFile, "group", "diskFileGid"),
    (Kind::RecycleTapeFile, "deletionTime", "recycleLogTime"),
    (Kind::RecycleTapeFile, "pathWhenDeleted", "diskFilePath"),
    (Kind::RecycleTapeFile, "reason", "reasonLog"),
];

/// The paths tried, in order, for a column `key` of `kind`: the key itself, CTA's newer name,
/// then the key inside a sub-object (`tapefile`'s `archiveId` is `af.archiveId`).
fn candidates(kind: Kind, key: &str, known: &[Column]) -> Vec<Vec<String>> {
    let mut out = vec![key.to_owned()];
    out.extend(
        RENAMED
            .iter()
            .filter(|(k, from, _)| *k == kind && *from == key)
            .map(|(_, _, to)| (*to).to_owned()),
    );
    if !key.contains('.') {
        let suffix = format!(".{key}");
        out.extend(known.iter().filter(|c| c.key.ends_with(&suffix)).map(|c| c.key.clone()));
    }
    out.into_iter()
        .map(|p| p.split('.').map(str::to_owned).collect())
        .collect()
}

/// Whether a value shows as the empty placeholder.
fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

/// Record `i`'s value for a column and the key it was found at (which decides whether it is
/// a time or a size): the first candidate path that holds something.
fn lookup<'p>(records: &Records, i: usize, paths: &'p [Vec<String>]) -> Option<(&'p str, Value)> {
    let mut found = None;
    for path in paths {
        let Some(top) = records.get_native(i, &path[0]).flatten() else {
            continue;
        };
        let rest: Vec<&str> = path[1..].iter().map(String::as_str).collect();
        if let Some(v) = descend(&top, &rest) {
            let leaf = path.last().map_or("", String::as_str);
            if !is_blank(v) {
                return Some((leaf, v.clone()));
            }
            found.get_or_insert_with(|| (leaf, v.clone()));
        }
    }
    found
}

/// `records` as a table with `columns`; empty text for no records or no columns.
#[must_use]
pub fn records_table(records: &Records, columns: &[Column], layout: &Layout) -> String {
    if records.is_empty() || columns.is_empty() {
        return String::new();
    }
    let known = all_columns(records.kind());
    let paths: Vec<Vec<Vec<String>>> = columns
        .iter()
        .map(|c| candidates(records.kind(), &c.key, &known))
        .collect();
    let mut rows = Vec::with_capacity(records.len());
    for i in 0..records.len() {
        let row = paths
            .iter()
            .map(|paths| match lookup(records, i, paths) {
                Some((leaf, v)) => cell_text(leaf, &v, layout),
                None => layout.empty.clone(),
            })
            .collect();
        rows.push(row);
    }
    let header: Vec<&str> = columns.iter().map(|c| c.title.as_str()).collect();
    table::render(&layout.style, &header, &rows, layout.max_width)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::kind::Kind;
    use crate::admin::sample::sample;
    use crate::admin::stream::{Framing, parse_records};

    /// One sample tape (every key CTA sends) with `changes` applied.
    fn tapes(changes: &str) -> Records {
        let mut record = sample(Kind::Tape, 1);
        let changes: Value = serde_json::from_str(changes).unwrap();
        for (k, v) in changes.as_object().unwrap() {
            record[k] = v.clone();
        }
        let json = serde_json::to_vec(&[record]).unwrap();
        parse_records(Kind::Tape, Framing::Json, &json).unwrap()
    }

    #[test]
    fn headers_pick_and_title_nested_keys() {
        let records = tapes(
            r#"{"vid":"V1","capacity":"18000000000000","full":false,"labelLog":{"drive":"D1","time":"1700000000"},
                "lastReadLog":{"drive":"","time":"0"},"stateReason":""}"#,
        );
        let columns = [
            Column::new("vid", "VID"),
            Column::new("capacity", "Capacity"),
            Column::new("labelLog.time", "Label Time"),
            Column::new("lastReadLog.time", "Last R.Time"),
            Column::new("stateReason", "State Reason"),
            Column::new("full", "Full"),
        ];
        let text = records_table(
            &records,
            &columns,
            &Layout {
                max_width: 0,
                ..Layout::default()
            },
        );
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("VID  Capacity  Label Time"), "{text}");
        let cells: Vec<&str> = lines[1].split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
        assert_eq!(
            cells,
            ["V1", "18.0 TB", "2023-11-14 22:13", "-", "-", "false"],
            "{text}"
        );
    }

    #[test]
    fn upstream_keys_find_what_newer_cta_calls_them() {
        let pool = |changes: &str| {
            let mut record = sample(Kind::TapePool, 1);
            let changes: Value = serde_json::from_str(changes).unwrap();
            for (k, v) in changes.as_object().unwrap() {
                record[k] = v.clone();
            }
            parse_records(Kind::TapePool, Framing::Json, &serde_json::to_vec(&[record]).unwrap()).unwrap()
        };
        let columns = [Column::new("supply", "Supply")];
        let newer = pool(r#"{"supply":"","supplySource":["s1","s2"]}"#);
        let older = pool(r#"{"supply":"s1,s3","supplySource":[]}"#);
        let cell = |r: &Records| {
            records_table(r, &columns, &Layout::default())
                .lines()
                .nth(1)
                .unwrap()
                .trim()
                .to_owned()
        };
        assert_eq!(cell(&newer), "s1,s2");
        assert_eq!(cell(&older), "s1,s3");

        let files = sample(Kind::TapeFile, 3);
        let records = parse_records(Kind::TapeFile, Framing::Json, &serde_json::to_vec(&[&files]).unwrap()).unwrap();
        let text = records_table(&records, &[Column::new("archiveId", "id")], &Layout::default());
        assert_eq!(
            text.lines().nth(1).unwrap().trim(),
            files["af"]["archiveId"].as_str().unwrap()
        );
    }

    #[test]
    fn raw_numbers_when_not_for_people() {
        let records = tapes(r#"{"vid":"V1","capacity":"18000000000000","vo":""}"#);
        let layout = Layout {
            human: false,
            empty: "~".into(),
            ..Layout::default()
        };
        let text = records_table(
            &records,
            &[Column::new("capacity", "C"), Column::new("vo", "VO")],
            &layout,
        );
        assert_eq!(
            text.lines().nth(1).unwrap().split_whitespace().collect::<Vec<_>>(),
            ["18000000000000", "~"]
        );
    }

    #[test]
    fn all_columns_flatten_in_cta_order() {
        let keys: Vec<String> = all_columns(Kind::Tape).into_iter().map(|c| c.key).collect();
        assert_eq!(keys[0], "vid");
        assert!(keys.contains(&"creationLog.username".to_owned()), "{keys:?}");
    }
}
