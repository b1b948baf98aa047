//! Record collections as notebooks want them: flat tables, an HTML preview, many listings as one.

use std::fmt::Write as _;

use ctaops_core::admin::{Kind, Records};
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use serde_json::Value;

/// Sub-messages nest at most this deep in CTA's records (`tapefile ls`: `af.checksum`).
const MAX_DEPTH: usize = 8;

/// `table` with every struct column replaced by its children, named `parent.child`
/// (`af.archiveId`, `tf.vid`), at every depth; lists stay lists.
pub(crate) fn flatten<'py>(table: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let mut t = table;
    for _ in 0..MAX_DEPTH {
        let before: Vec<String> = t.getattr(intern!(t.py(), "column_names"))?.extract()?;
        let next = t.call_method0(intern!(t.py(), "flatten"))?;
        let after: Vec<String> = next.getattr(intern!(t.py(), "column_names"))?.extract()?;
        t = next;
        if before == after {
            break;
        }
    }
    Ok(t)
}

/// Rows shown by `_repr_html_` (a notebook cell is a preview, not the data).
const PREVIEW_ROWS: usize = 20;

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// An HTML table of the first records (CTA's keys as headers) and how many there are.
pub(crate) fn html(records: &Records) -> String {
    let kind = records.kind();
    let keys = kind.fields();
    let mut out = String::from("<table>\n<thead><tr>");
    for k in keys {
        out.push_str("<th>");
        escape(k, &mut out);
        out.push_str("</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for i in 0..records.len().min(PREVIEW_ROWS) {
        let row = records.to_native(i).unwrap_or(Value::Null);
        out.push_str("<tr>");
        for k in keys {
            out.push_str("<td>");
            escape(&cell(row.get(*k)), &mut out);
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    let shown = records.len().min(PREVIEW_ROWS);
    let _ = write!(out, "<p>{} {} records", records.len(), kind.name());
    if shown < records.len() {
        let _ = write!(out, " (first {shown} shown; <code>to_pandas()</code> has them all)");
    }
    out.push_str("</p>");
    out
}

/// The records of several listings of one kind as one collection, in order.
pub(crate) fn concat(kind: &str, parts: Vec<Records>) -> PyResult<Records> {
    let kind = Kind::from_name(kind).ok_or_else(|| PyValueError::new_err(format!("unknown record kind {kind:?}")))?;
    Records::concat(kind, parts).map_err(|other| {
        PyValueError::new_err(format!(
            "cannot join {} records to {} records",
            other.name(),
            kind.name()
        ))
    })
}
