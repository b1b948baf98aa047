//! A listing as a table for people: one row per record, one column per field in the order CTA
//! sends them (nested objects as `outer.inner`), in `global.table_format`. Times print as UTC
//! dates and sizes in SI units, as people read them (`--json` keeps CTA's numbers).

use ctaops_core::admin::render::{format_time_human, is_size_key};
use ctaops_core::admin::times::is_time_key;
use ctaops_core::config::Value;
use ctaops_core::table;
use ctaops_core::units::format_size_human;

/// Scalars as cta-admin prints them; lists joined with commas.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Sequence(items) => items.iter().map(cell).collect::<Vec<_>>().join(","),
        Value::Mapping(_) | Value::Tagged(_) => serde_json::to_string(v).unwrap_or_default(),
    }
}

fn number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A time or size as people read it (`-` for CTA's "never"); `None` for any other field.
fn for_people(key: &str, v: &Value) -> Option<String> {
    let name = key.rsplit('.').next().unwrap_or(key);
    if is_time_key(name) {
        return Some(format_time_human(number(v)?).unwrap_or_else(|| "-".into()));
    }
    is_size_key(name).then(|| number(v).map(format_size_human)).flatten()
}

fn flatten(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Mapping(m) if !m.is_empty() => {
            for (k, inner) in m {
                let name = k.as_str().map_or_else(|| cell(k), str::to_owned);
                let key = if at.is_empty() { name } else { format!("{at}.{name}") };
                flatten(inner, &key, out);
            }
        }
        other => out.push((at.to_owned(), for_people(at, other).unwrap_or_else(|| cell(other)))),
    }
}

/// `records` (a YAML value keeping each record's field order) as a table; empty for no records.
#[must_use]
pub fn records_table(records: &Value, style: &str, max_width: usize) -> String {
    let Value::Sequence(items) = records else {
        return String::new();
    };
    let mut columns: Vec<String> = Vec::new();
    let mut flat = Vec::with_capacity(items.len());
    for item in items {
        let mut cells = Vec::new();
        flatten(item, "", &mut cells);
        for (k, _) in &cells {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
        flat.push(cells);
    }
    if columns.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = flat
        .into_iter()
        .map(|cells| {
            columns
                .iter()
                .map(|c| {
                    cells
                        .iter()
                        .find(|(k, _)| k == c)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect();
    let header: Vec<&str> = columns.iter().map(String::as_str).collect();
    table::render(style, &header, &rows, max_width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_keep_field_order_and_nested_fields_flatten() {
        let records: Value =
            serde_yaml_ng::from_str("- {vid: V1, state: ACTIVE, creationLog: {username: a}}\n- {vid: V2, extra: 1}\n")
                .unwrap();
        let text = records_table(&records, "plain", 0);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        let header: Vec<&str> = lines[0].split_whitespace().collect();
        assert_eq!(header, ["vid", "state", "creationLog.username", "extra"]);
        assert!(lines[2].starts_with("V2"), "{text}");
        assert!(lines[2].trim_end().ends_with('1'), "{text}");
    }

    #[test]
    fn times_and_sizes_are_for_people() {
        let records: Value = serde_yaml_ng::from_str(
            "- {vid: V1, capacity: '18000000000000', lastFseq: '12', stateUpdateTime: '1700000000', \
             creationLog: {time: '0'}}\n",
        )
        .unwrap();
        let text = records_table(&records, "plain", 0);
        let row = text.lines().nth(1).unwrap();
        assert!(row.contains("18.0 TB"), "{text}");
        assert!(row.contains("2023-11-14 22:13"), "{text}");
        assert!(row.trim_end().ends_with('-'), "{text}");
        assert!(row.contains(" 12 "), "{text}");
    }
}
