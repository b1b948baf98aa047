//! `check-env` and the CTA look-ups of `add`, through the transport the ops config names.

use std::collections::BTreeSet;
use std::time::Duration;

use ctaops_core::admin::{AdminCommand, Records};
use ctaops_core::config::Value;
use serde_json::json;

use super::{Ctx, Res, TOOL, fail};
use crate::cta::Cta;
use crate::exit::Exit;
use crate::output;

/// ctaops key for the pool tapes wait in before reclaim (upstream's docs name it `quarantine`).
const DEFAULT_QUARANTINE_POOL: &str = "quarantine";

fn cta(ctx: &Ctx) -> Result<Cta, String> {
    Cta::from_global(ctx.cfg.global(), Duration::from_secs(120))
}

fn records(cta: &Result<Cta, String>, words: &[&str]) -> Result<Records, String> {
    let cmd = AdminCommand::raw(words).map_err(|e| e.to_string())?;
    cta.as_ref().map_err(Clone::clone)?.records(&cmd)
}

/// `(tapepool, mediatype, files, bytes, usage %)` of a tape, from `cta-admin tape ls --vid`.
pub(super) fn tape_facts(ctx: &Ctx, vid: &str) -> Res<(String, String, i64, i64, i16)> {
    let recs = records(&cta(ctx), &["tape", "ls", "--vid", vid]).map_err(|e| fail(&e))?;
    let Records::Tape(tapes) = recs else {
        return Err(fail(&format!("cta-admin tape ls --vid {vid}: unexpected records")));
    };
    let t = tapes
        .into_iter()
        .find(|t| t.vid == vid)
        .ok_or_else(|| fail(&format!("tape {vid} is not known to CTA")))?;
    let usage = if t.capacity == 0 {
        0
    } else {
        i16::try_from((u128::from(t.occupancy) * 100 / u128::from(t.capacity)).min(100)).unwrap_or(100)
    };
    let clamp = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    Ok((
        t.tapepool,
        t.media_type,
        clamp(t.nb_master_files),
        clamp(t.master_data_in_bytes),
        usage,
    ))
}

struct Check {
    name: String,
    ok: bool,
    detail: String,
}

fn names(recs: Result<Records, String>) -> Result<(BTreeSet<String>, bool), String> {
    Ok(match recs? {
        Records::TapePool(v) => (v.into_iter().map(|p| p.name).collect(), false),
        Records::MountPolicy(v) => (v.into_iter().map(|p| p.name).collect(), false),
        Records::VirtualOrganization(v) => {
            let repack = v.iter().any(|o| o.is_repack_vo);
            (v.into_iter().map(|o| o.name).collect(), repack)
        }
        other => return Err(format!("unexpected {:?} records", other.kind())),
    })
}

fn quarantine_pool(ctx: &Ctx) -> String {
    match ctx.cfg.tool_raw(TOOL).and_then(|t| t.get("quarantine_pool")) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => DEFAULT_QUARANTINE_POOL.to_owned(),
    }
}

pub(super) fn run(ctx: &Ctx) -> Res {
    let mut checks = Vec::new();
    let mut add = |name: &str, ok: bool, detail: String| {
        checks.push(Check {
            name: name.to_owned(),
            ok,
            detail,
        });
    };
    match ctx.settings().and_then(|s| {
        let mut st = ctaops_store::open(&s).map_err(|e| fail(&e))?;
        Ok((st.backend_name(), s.table, ctaops_store::check_schema(st.as_mut())))
    }) {
        Ok((backend, table, Ok(v))) => add(
            "database",
            true,
            format!("{backend}, table {table}, schema version {v}"),
        ),
        Ok((backend, table, Err(e))) => {
            // Named on stderr too: nothing else may use this database until it is fixed.
            output::error(&e);
            add("database", false, format!("{backend}, table {table}: {e}"));
        }
        Err(_) => add("database", false, "not reachable (see the error above)".into()),
    }

    let r = cta(ctx);
    match names(records(&r, &["tapepool", "ls"])) {
        Err(e) => add("tape pools", false, e),
        Ok((pools, _)) => {
            let q = quarantine_pool(ctx);
            add("quarantine pool", pools.contains(&q), q);
            let map = &ctx.cfg.global().tape.lib_to_pool_map;
            let suffixes: BTreeSet<&str> = map.values().flat_map(|m| m.values().map(|s| s.0.as_str())).collect();
            let prefixes: BTreeSet<&str> = ctx
                .tool
                .priorities
                .values()
                .map(|p| p.default_dst_pool_prefix.as_str())
                .collect();
            if suffixes.is_empty() {
                add(
                    "destination pools",
                    false,
                    "global.tape.lib_to_pool_map is empty: no tolabel/erase pool can be derived".into(),
                );
            } else {
                let wanted: Vec<String> = prefixes
                    .iter()
                    .flat_map(|p| suffixes.iter().map(move |s| format!("{p}{s}")))
                    .collect();
                let missing: Vec<&String> = wanted.iter().filter(|w| !pools.contains(*w)).collect();
                let detail = if missing.is_empty() {
                    wanted.join(", ")
                } else {
                    format!(
                        "missing: {}",
                        missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    )
                };
                add("destination pools", missing.is_empty(), detail);
            }
        }
    }
    match names(records(&r, &["mountpolicy", "ls"])) {
        Err(e) => add("mount policies", false, e),
        Ok((policies, _)) => {
            let wanted: BTreeSet<&str> = ctx.tool.priorities.values().map(|p| p.mount_policy.as_str()).collect();
            let missing: Vec<&str> = wanted.iter().copied().filter(|w| !policies.contains(*w)).collect();
            let detail = if missing.is_empty() {
                wanted.into_iter().collect::<Vec<_>>().join(", ")
            } else {
                format!("missing: {}", missing.join(", "))
            };
            add("mount policies", missing.is_empty(), detail);
        }
    }
    match names(records(&r, &["virtualorganization", "ls"])) {
        Err(e) => add("repack VO", false, e),
        Ok((_, repack)) => add(
            "repack VO",
            repack,
            if repack {
                "present"
            } else {
                "no VO with isRepackVo true"
            }
            .into(),
        ),
    }

    let all_ok = checks.iter().all(|c| c.ok);
    let exit = if ctx.json {
        let v: Vec<_> = checks
            .iter()
            .map(|c| json!({"check": c.name, "ok": c.ok, "detail": c.detail}))
            .collect();
        ctx.print_json(&json!({"ok": all_ok, "checks": v}))
    } else {
        let body: Vec<Vec<String>> = checks
            .iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    if c.ok { "OK" } else { "FAIL" }.to_owned(),
                    c.detail.clone(),
                ]
            })
            .collect();
        ctx.table(&["check", "status", "detail"], &body)
    };
    Ok(if all_ok { exit } else { Exit::Failure })
}
