//! Every `ls`: SQL over the catalogue, one shared typed record per row (ctaops-core::admin), so
//! the JSON is CTA's. Argument errors are raised before the first record (exit 2, `[]`).
//!
//! One file per record family; shared row helpers live here.

mod config;
mod disk;
mod drive;
mod failed;
mod queues;
mod repack;
mod tape;
mod tapefile;

pub use drive::{drive_matches, status_text};
pub use repack::repack_records;
pub use tape::tape_by_vid;
pub use tapefile::checksum_list;

/// What every family file needs.
mod prelude {
    pub(super) use crate::catalogue::{Db, Row, ToValue};
    pub(super) use ctaops_core::admin::catalogue as cat;
    pub(super) use ctaops_core::admin::common::{Checksum, EntryLog, TapeLog};
    pub(super) use ctaops_core::admin::drive::Drive;
    pub(super) use ctaops_core::admin::enums::{
        ArchiveRouteType, ChecksumKind, DriveStatus, LabelFormat, MountType, RepackStatus, RequestType, TapeState,
    };
    pub(super) use ctaops_core::admin::failed::{FailedRequest, FailedRequestItem, FailedRequestSummary, RequesterId};
    pub(super) use ctaops_core::admin::queue::ShowQueue;
    pub(super) use ctaops_core::admin::repack::{Repack, RepackDestinationInfo};
    pub(super) use ctaops_core::admin::tape::{Tape, TapePool};
    pub(super) use ctaops_core::admin::tapefile::{ArchiveFileInfo, RecycleTapeFile, TapeFileRef};
    pub(super) use serde_json::Map;

    pub(super) use super::{AUDIT, Filter, audit_cells, exists, log, tape_log};
    pub(super) use crate::admin::out::{Out, size, time};
    pub(super) use crate::admin::parse::Parsed;
    pub(super) use crate::catalogue::{text, uint};
    pub(super) use crate::error::{Result, user};
}

use prelude::*;

/// Dispatches `<cmd> ls` (and `showqueues`).
pub fn run(conn: &Db, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
    match p.cmd.as_str() {
        "tape" => tape::tape(conn, p, inst, out),
        "tapepool" => tape::tapepool(conn, p, inst, out),
        "tapefile" => tapefile::tapefile(conn, p, inst, out),
        "drive" => drive::drive(conn, p, inst, out),
        "repack" => repack::repack(conn, p, inst, out),
        "failedrequest" => failed::failed(conn, p, inst, out),
        "recycletf" => tapefile::recycle(conn, p, inst, out),
        "showqueues" => queues::showqueues(conn, inst, out),
        _ => config::config_ls(conn, p, inst, out),
    }
}

pub(super) const AUDIT: &str = "CREATION_LOG_USER_NAME, CREATION_LOG_HOST_NAME, CREATION_LOG_TIME, LAST_UPDATE_USER_NAME, LAST_UPDATE_HOST_NAME, LAST_UPDATE_TIME";

pub(super) fn log(r: &Row, i: usize) -> Result<EntryLog> {
    Ok(EntryLog {
        username: text(r, i)?,
        host: text(r, i + 1)?,
        time: uint(r, i + 2)?,
        extra: Map::new(),
    })
}

pub(super) fn tape_log(r: &Row, i: usize) -> Result<Option<TapeLog>> {
    let drive: Option<String> = r.get(i)?;
    Ok(match drive {
        Some(drive) => Some(TapeLog {
            drive,
            time: uint(r, i + 1)?,
            extra: Map::new(),
        }),
        None => None,
    })
}

pub(super) fn audit_cells(c: &EntryLog, m: &EntryLog) -> Vec<String> {
    vec![
        c.username.clone(),
        c.host.clone(),
        time(c.time),
        m.username.clone(),
        m.host.clone(),
        time(m.time),
    ]
}

/// A WHERE clause built from optional filters.
#[derive(Default)]
pub(super) struct Filter {
    pub(super) conds: Vec<String>,
    pub(super) params: Vec<Box<dyn ToValue>>,
}

impl Filter {
    pub(super) fn add(&mut self, cond: &str, v: impl ToValue + 'static) {
        self.params.push(Box::new(v));
        self.conds.push(cond.replace('?', &format!("?{}", self.params.len())));
    }
    pub(super) fn sql(&self) -> String {
        if self.conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conds.join(" AND "))
        }
    }
    pub(super) fn refs(&self) -> Vec<&dyn ToValue> {
        self.params.iter().map(|b| b.as_ref() as &dyn ToValue).collect()
    }
}

pub(super) fn exists(conn: &Db, sql: &str, key: &str) -> Result<bool> {
    Ok(conn.query_row(sql, [key], |_| Ok(())).is_ok())
}
