//! `cta-ops-repack-manager` (`ctaops repack-manager`): the ATRESYS operator CLI (ops-tools §6.1):
//! view, add, remove and steer repack jobs, check the environment, upgrade the database.

mod check_env;

use std::collections::BTreeSet;
use std::path::PathBuf;

use ctaops_core::config::Config;
use ctaops_core::config::tools::RepackAutomation;
use ctaops_core::table;
use ctaops_store::{
    Actor, Claim, Filter, Mode, NewTape, Outcome, State, StateStore, StoreError, StoreSettings, TapeRow,
};
use serde_json::json;

use crate::exit::Exit;
use crate::output;

/// Upstream's tool section, where the database settings live.
const TOOL: &str = "cta-ops-repack-automation";

#[derive(Debug, clap::Args)]
#[command(disable_version_flag = true)]
pub struct Args {
    /// Config file (default: $CTAOPS_CONFIG, else /etc/cta-ops/cta-ops-config.yaml).
    #[arg(short = 'C', long = "config-file", value_name = "CONFIG_FILE", global = true)]
    config_file: Option<PathBuf>,
    /// More log output on stderr (same as --verbose; repeat for more).
    #[arg(short = 'V', action = clap::ArgAction::Count, global = true)]
    pub verbose_upper: u8,
    /// Print JSON instead of a table.
    #[arg(short = 'j', long = "json", global = true)]
    json: bool,
    /// Show what would change without changing anything.
    #[arg(long, global = true)]
    dry_run: bool,
    #[command(subcommand)]
    verb: Verb,
}

#[derive(Debug, clap::Subcommand)]
enum Verb {
    /// List repack jobs (short form; --extended for every column).
    Ls {
        /// Every column of the table, for troubleshooting.
        #[arg(short = 'e', long)]
        extended: bool,
        /// Only tapes in this state (entered, started, repacked, quarantined, reclaimed, finished).
        #[arg(long, value_parser = parse_state)]
        state: Option<State>,
        /// Only tapes in this mode.
        #[arg(long, value_parser = parse_mode)]
        mode: Option<Mode>,
        /// Only tapes from this source pool.
        #[arg(long = "tapepool", alias = "pool")]
        tapepool: Option<String>,
        /// Only these tapes.
        vids: Vec<String>,
    },
    /// Enter tapes into the automation (state entered); values come from `cta-admin tape ls`
    /// unless --tapepool and --mediatype are given.
    Add {
        /// The tapes to enter.
        #[arg(required = true)]
        vids: Vec<String>,
        /// Key of the `priorities` map (default: `default_priority`).
        #[arg(short, long)]
        priority: Option<i16>,
        /// auto: the scheduled steps process it; manual: an operator does.
        #[arg(short, long, default_value = "auto", value_parser = parse_add_mode)]
        mode: Mode,
        /// Source pool (skip the CTA lookup together with --mediatype).
        #[arg(long)]
        tapepool: Option<String>,
        /// Media type (skip the CTA lookup together with --tapepool).
        #[arg(long)]
        mediatype: Option<String>,
        /// Files on the tape (with --tapepool and --mediatype).
        #[arg(long, default_value_t = 0)]
        files: i64,
        /// Bytes on the tape (with --tapepool and --mediatype).
        #[arg(long, default_value_t = 0)]
        bytes: i64,
        /// Occupancy in percent.
        #[arg(long, default_value_t = 0)]
        usage: i16,
        /// Why (kept in the history).
        #[arg(short, long, default_value = "added by operator")]
        reason: String,
    },
    /// Remove a tape from the automation (its history is kept).
    Rm {
        /// The tape.
        vid: String,
        /// Also remove a tape whose CTA repack is in flight (started … reclaimed, mode auto).
        #[arg(long)]
        force: bool,
        /// Why (kept in the history).
        #[arg(short, long, default_value = "removed by operator")]
        reason: String,
    },
    /// Set a tape's mode.
    Mode {
        /// The tape.
        vid: String,
        /// auto, manual or error.
        #[arg(value_parser = parse_mode)]
        mode: Mode,
        /// Why (required: it is what the next operator reads).
        #[arg(short, long, required = true)]
        reason: String,
    },
    /// Set a tape's priority (a key of the `priorities` map).
    Priority {
        /// The tape.
        vid: String,
        /// A key of the `priorities` map.
        priority: i16,
        /// Why (kept in the history).
        #[arg(short, long, default_value = "priority changed by operator")]
        reason: String,
    },
    /// Every change made to a tape: when, who, what, why.
    History {
        /// The tape.
        vid: String,
    },
    /// Check the database and the CTA side (pools, mount policies, repack VO, quarantine pool).
    CheckEnv,
    /// Database schema maintenance.
    Db {
        #[command(subcommand)]
        verb: DbVerb,
    },
}

#[derive(Debug, clap::Subcommand)]
enum DbVerb {
    /// Create the tables (keeping an existing upstream table as it is) and apply migrations.
    Upgrade,
}

fn parse_state(s: &str) -> Result<State, String> {
    s.parse().map_err(|e: StoreError| e.to_string())
}
fn parse_mode(s: &str) -> Result<Mode, String> {
    s.parse().map_err(|e: StoreError| e.to_string())
}
fn parse_add_mode(s: &str) -> Result<Mode, String> {
    match parse_mode(s)? {
        Mode::Error => Err("a tape can be added in mode auto or manual".into()),
        m => Ok(m),
    }
}

/// Everything a verb needs.
struct Ctx {
    cfg: Config,
    tool: RepackAutomation,
    json: bool,
    dry_run: bool,
}

/// An error already reported, carrying its exit status.
struct Fail(Exit);

type Res<T = Exit> = Result<T, Fail>;

fn fail(e: &dyn std::fmt::Display) -> Fail {
    output::error(e);
    Fail(Exit::Failure)
}

fn usage(e: &dyn std::fmt::Display) -> Fail {
    output::error(e);
    Fail(Exit::Usage)
}

fn store_err(e: &StoreError) -> Fail {
    match e {
        StoreError::InvalidArgument(_) => usage(e),
        _ => fail(e),
    }
}

pub fn run(args: &Args) -> Exit {
    match run_inner(args) {
        Ok(e) | Err(Fail(e)) => e,
    }
}

fn run_inner(args: &Args) -> Res {
    let cfg = Config::load(args.config_file.as_deref()).map_err(|e| fail(&e))?;
    let tool: RepackAutomation = cfg.tool().map_err(|e| fail(&e))?;
    let ctx = Ctx {
        cfg,
        tool,
        json: args.json,
        dry_run: args.dry_run,
    };
    if let Verb::Add { reason, .. }
    | Verb::Rm { reason, .. }
    | Verb::Mode { reason, .. }
    | Verb::Priority { reason, .. } = &args.verb
    {
        check_reason(reason)?;
    }
    match &args.verb {
        Verb::Ls {
            extended,
            state,
            mode,
            tapepool,
            vids,
        } => {
            let filter = Filter {
                state: *state,
                mode: *mode,
                tapepool: tapepool.clone(),
                tapes: vids.clone(),
            };
            ls(&ctx, &filter, *extended)
        }
        Verb::Add {
            vids,
            priority,
            mode,
            tapepool,
            mediatype,
            files,
            bytes,
            usage,
            reason,
        } => {
            let given = match (tapepool, mediatype) {
                (Some(p), Some(m)) => Some((p.clone(), m.clone(), *files, *bytes, *usage)),
                (None, None) => None,
                _ => return Err(self::usage(&"--tapepool and --mediatype go together")),
            };
            add(&ctx, vids, *priority, *mode, given, reason)
        }
        Verb::Rm { vid, force, reason } => rm(&ctx, vid, *force, reason),
        Verb::Mode { vid, mode, reason } => change(
            &ctx,
            vid,
            reason,
            |s, a| s.set_mode(vid, *mode, a),
            ("mode", mode.to_string()),
        ),
        Verb::Priority { vid, priority, reason } => {
            check_priority(&ctx, *priority)?;
            change(
                &ctx,
                vid,
                reason,
                |s, a| s.set_priority(vid, *priority, a),
                ("priority", priority.to_string()),
            )
        }
        Verb::History { vid } => history(&ctx, vid),
        Verb::CheckEnv => check_env::run(&ctx),
        Verb::Db { verb: DbVerb::Upgrade } => db_upgrade(&ctx),
    }
}

/// The history's `who`: the real uid's name (never `$USER`, which anyone can set).
fn who() -> String {
    ctaops_store::operator()
}

/// The `responsible` column (`varchar(40)`) of a tape an operator enters.
fn responsible() -> String {
    who().chars().take(40).collect()
}

/// A reason the history cannot hold is a usage error, found before anything is looked up.
fn check_reason(reason: &str) -> Res<()> {
    Actor::new(String::new(), reason).validate().map_err(|e| usage(&e))
}

impl Ctx {
    fn settings(&self) -> Res<StoreSettings> {
        StoreSettings::from_config(&self.cfg).map_err(|e| store_err(&e))
    }

    /// Opens the store and checks its schema is exactly this program's: a typo'd (empty)
    /// database is not silently treated as empty, a newer one is never written with old rules,
    /// a damaged one (a table missing) is named as such.
    fn store(&self) -> Res<Box<dyn StateStore>> {
        let mut s = ctaops_store::open(&self.settings()?).map_err(|e| fail(&e))?;
        ctaops_store::check_schema(s.as_mut()).map_err(|e| fail(&e))?;
        Ok(s)
    }

    fn print(&self, text: &str) -> Exit {
        match output::print(text) {
            Ok(()) => Exit::Success,
            Err(e) => e,
        }
    }

    fn print_json(&self, v: &serde_json::Value) -> Exit {
        self.print(&format!("{v}\n"))
    }

    fn table(&self, header: &[&str], rows: &[Vec<String>]) -> Exit {
        let g = self.cfg.global();
        self.print(&table::render(&g.table_format, header, rows, g.table_max_col_width))
    }
}

fn check_priority(ctx: &Ctx, p: i16) -> Res<()> {
    let known = u32::try_from(p).is_ok_and(|p| ctx.tool.priorities.contains_key(&p));
    if known {
        return Ok(());
    }
    let keys: Vec<String> = ctx.tool.priorities.keys().map(ToString::to_string).collect();
    Err(usage(&format!(
        "bad priority {p}: not a key of tools.{TOOL}.priorities ({})",
        keys.join(", ")
    )))
}

fn opt(v: Option<&String>) -> String {
    v.cloned().unwrap_or_else(|| "-".into())
}

fn row_json(r: &TapeRow) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    if let Some(m) = v.as_object_mut() {
        m.insert("state".into(), json!(r.state()));
        // The short table's column, so every table header is also a JSON key.
        m.insert("since".into(), json!(since(r)));
    }
    v
}

/// When the tape entered its current state.
fn since(r: &TapeRow) -> String {
    match r.state() {
        State::Entered => r.entered.clone(),
        State::Started => opt(r.started.as_ref()),
        State::Repacked => opt(r.repacked.as_ref()),
        State::Quarantined => opt(r.quarantined.as_ref()),
        State::Reclaimed => opt(r.reclaimed.as_ref()),
        State::Finished => opt(r.finished.as_ref()),
    }
}

fn ls(ctx: &Ctx, filter: &Filter, extended: bool) -> Res {
    let found = ctx.store()?.list(filter).map_err(|e| fail(&e))?;
    // Every malformed row is named (exit 1), and the others are still shown.
    for b in &found.bad {
        output::error(&StoreError::from(b.clone()));
    }
    let shown = ls_rows(ctx, &found.rows, extended);
    Ok(if found.bad.is_empty() { shown } else { Exit::Failure })
}

fn ls_rows(ctx: &Ctx, rows: &[TapeRow], extended: bool) -> Exit {
    if ctx.json {
        return ctx.print_json(&serde_json::Value::Array(rows.iter().map(row_json).collect()));
    }
    if extended {
        let header = [
            "tape",
            "state",
            "mode",
            "priority",
            "entered",
            "started",
            "repacked",
            "quarantined",
            "reclaimed",
            "finished",
            "files",
            "bytes",
            "usage",
            "last_write_date",
            "mediatype",
            "tapepool",
            "responsible",
        ];
        let body: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.tape.clone(),
                    r.state().to_string(),
                    r.mode.to_string(),
                    r.priority.to_string(),
                    r.entered.clone(),
                    opt(r.started.as_ref()),
                    opt(r.repacked.as_ref()),
                    opt(r.quarantined.as_ref()),
                    opt(r.reclaimed.as_ref()),
                    opt(r.finished.as_ref()),
                    r.files.to_string(),
                    r.bytes.to_string(),
                    r.usage.to_string(),
                    opt(r.last_write_date.as_ref()),
                    r.mediatype.clone(),
                    r.tapepool.clone(),
                    r.responsible.clone(),
                ]
            })
            .collect();
        return ctx.table(&header, &body);
    }
    let header = ["tape", "state", "since", "mode", "priority", "tapepool", "usage"];
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.tape.clone(),
                r.state().to_string(),
                since(r),
                r.mode.to_string(),
                r.priority.to_string(),
                r.tapepool.clone(),
                format!("{}%", r.usage),
            ]
        })
        .collect();
    ctx.table(&header, &body)
}

type Given = (String, String, i64, i64, i16);

fn add(ctx: &Ctx, vids: &[String], priority: Option<i16>, mode: Mode, given: Option<Given>, reason: &str) -> Res {
    let priority = match priority {
        Some(p) => p,
        None => i16::try_from(ctx.tool.default_priority)
            .map_err(|_| usage(&format!("tools.{TOOL}.default_priority is out of range")))?,
    };
    check_priority(ctx, priority)?;
    let unique: BTreeSet<&String> = vids.iter().collect();
    for v in &unique {
        ctaops_store::validate_new_vid(v).map_err(|e| usage(&e))?;
    }
    // The schema first: nothing is asked of CTA for a database this program must not write.
    let mut store = ctx.store()?;
    // Look everything up before writing anything: one bad VID leaves the table untouched.
    let mut tapes = Vec::new();
    for vid in &unique {
        let (tapepool, mediatype, files, bytes, usage) = match &given {
            Some(g) => g.clone(),
            None => check_env::tape_facts(ctx, vid)?,
        };
        tapes.push(NewTape {
            tape: (*vid).clone(),
            files,
            bytes,
            usage,
            last_write_date: None,
            mode,
            priority,
            mediatype,
            tapepool,
            responsible: responsible(),
        });
    }
    for t in &tapes {
        t.validate().map_err(|e| usage(&e))?;
    }
    let actor = Actor::new(who(), reason);
    let mut results = Vec::new();
    for t in &tapes {
        let outcome = if ctx.dry_run {
            match store.get(&t.tape).map_err(|e| fail(&e))? {
                Some(_) => "unchanged",
                None => "would add",
            }
        } else {
            match store.add(t, &actor).map_err(|e| fail(&e))? {
                Outcome::Applied => "added",
                Outcome::Unchanged => "unchanged",
            }
        };
        results.push((t, outcome));
    }
    if ctx.json {
        let v: Vec<_> = results
            .iter()
            .map(|(t, o)| json!({"tape": t.tape, "result": o, "priority": t.priority, "mode": t.mode, "tapepool": t.tapepool}))
            .collect();
        return Ok(ctx.print_json(&json!(v)));
    }
    let body: Vec<Vec<String>> = results
        .iter()
        .map(|(t, o)| {
            vec![
                t.tape.clone(),
                (*o).to_owned(),
                t.priority.to_string(),
                t.mode.to_string(),
                t.tapepool.clone(),
            ]
        })
        .collect();
    Ok(ctx.table(&["tape", "result", "priority", "mode", "tapepool"], &body))
}

fn rm(ctx: &Ctx, vid: &str, force: bool, reason: &str) -> Res {
    ctaops_store::validate_vid(vid).map_err(|e| usage(&e))?;
    let mut store = ctx.store()?;
    let row = store
        .get(vid)
        .map_err(|e| fail(&e))?
        .ok_or_else(|| fail(&StoreError::UnknownTape(vid.to_owned())))?;
    let in_flight = row.mode == Mode::Auto && !matches!(row.state(), State::Entered | State::Finished);
    if in_flight && !force {
        return Err(fail(&format!(
            "refusing to remove {vid}: it is {} in mode auto (a CTA repack may be in flight); \
             set mode manual first or use --force",
            row.state()
        )));
    }
    let claim = store.claim_of(vid).map_err(|e| fail(&e))?;
    let result = if ctx.dry_run {
        "would remove"
    } else {
        store.remove(vid, &Actor::new(who(), reason)).map_err(|e| fail(&e))?;
        note_claim(vid, claim.as_ref());
        "removed"
    };
    if ctx.json {
        return Ok(ctx.print_json(&json!({"tape": vid, "result": result, "state": row.state()})));
    }
    Ok(ctx.print(&format!("{vid}: {result}\n")))
}

fn change(
    ctx: &Ctx,
    vid: &str,
    reason: &str,
    apply: impl FnOnce(&mut dyn StateStore, &Actor) -> Result<Outcome, StoreError>,
    (what, requested): (&str, String),
) -> Res {
    ctaops_store::validate_vid(vid).map_err(|e| usage(&e))?;
    let mut store = ctx.store()?;
    let before = store
        .get(vid)
        .map_err(|e| fail(&e))?
        .ok_or_else(|| fail(&StoreError::UnknownTape(vid.to_owned())))?;
    let claim = store.claim_of(vid).map_err(|e| fail(&e))?;
    let result = if ctx.dry_run {
        "dry run"
    } else {
        match apply(store.as_mut(), &Actor::new(who(), reason)).map_err(|e| store_err(&e))? {
            Outcome::Applied => {
                if what == "mode" {
                    note_claim(vid, claim.as_ref());
                }
                "changed"
            }
            Outcome::Unchanged => "unchanged",
        }
    };
    let old = match what {
        "mode" => before.mode.to_string(),
        _ => before.priority.to_string(),
    };
    // A dry run shows what was asked for; a real one what the store holds afterwards.
    let new = if ctx.dry_run {
        requested
    } else {
        let after = store.get(vid).map_err(|e| fail(&e))?.unwrap_or(before);
        match what {
            "mode" => after.mode.to_string(),
            _ => after.priority.to_string(),
        }
    };
    if ctx.json {
        return Ok(ctx.print_json(&json!({"tape": vid, what: new, "previous": old, "result": result})));
    }
    Ok(ctx.print(&format!("{vid}: {what} {old} -> {new} ({result})\n")))
}

/// Tells the operator taking a tape out of a run's hands what may still happen: the step re-checks
/// before each CTA call, but a call it has already sent completes.
fn note_claim(vid: &str, claim: Option<&Claim>) {
    if let Some(c) = claim {
        output::warning(&format!(
            "{} ({}) holds {vid} until {} UTC: a cta-admin call it has already sent completes, \
             it sends no further one for this tape",
            c.owner, c.step, c.expires_at
        ));
    }
}

fn history(ctx: &Ctx, vid: &str) -> Res {
    ctaops_store::validate_vid(vid).map_err(|e| usage(&e))?;
    let mut store = ctx.store()?;
    let h = store.history(vid).map_err(|e| fail(&e))?;
    if h.is_empty() && store.get(vid).map_err(|e| fail(&e))?.is_none() {
        return Err(fail(&StoreError::UnknownTape(vid.to_owned())));
    }
    if ctx.json {
        return Ok(ctx.print_json(&serde_json::to_value(&h).unwrap_or_default()));
    }
    let body: Vec<Vec<String>> = h
        .iter()
        .map(|e| {
            vec![
                e.at.clone(),
                e.actor.clone(),
                e.action.clone(),
                opt(e.from_value.as_ref()),
                opt(e.to_value.as_ref()),
                e.reason.clone(),
            ]
        })
        .collect();
    // The same names as the --json keys, so a script and a reader talk about the same columns.
    Ok(ctx.table(&["at", "actor", "action", "from_value", "to_value", "reason"], &body))
}

fn db_upgrade(ctx: &Ctx) -> Res {
    let settings = ctx.settings()?;
    let mut store = ctaops_store::open(&settings).map_err(|e| fail(&e))?;
    // Tables of an applied schema that someone dropped: upgrade recreates them (empty), and says so.
    let recreated = if store.schema_version().map_err(|e| fail(&e))? >= 1 {
        store.missing_tables().map_err(|e| fail(&e))?
    } else {
        Vec::new()
    };
    let (from, to) = if ctx.dry_run {
        (
            store.schema_version().map_err(|e| fail(&e))?,
            ctaops_store::SCHEMA_VERSION,
        )
    } else {
        let u = store.upgrade().map_err(|e| fail(&e))?;
        (u.from, u.to)
    };
    if ctx.json {
        return Ok(ctx.print_json(&json!({
            "backend": store.backend_name(), "table": settings.table, "from": from, "to": to, "dry_run": ctx.dry_run,
            "recreated": recreated,
        })));
    }
    let verb = if ctx.dry_run { "would upgrade" } else { "upgraded" };
    let mut text = if from == to {
        format!(
            "{} schema of {} is up to date (version {to})\n",
            store.backend_name(),
            settings.table
        )
    } else {
        format!(
            "{verb} the {} schema of {} from version {from} to {to}\n",
            store.backend_name(),
            settings.table
        )
    };
    if !recreated.is_empty() {
        let verb = if ctx.dry_run { "would recreate" } else { "recreated" };
        text.push_str(&format!(
            "{verb} the missing table(s), empty: {}\n",
            recreated.join(", ")
        ));
    }
    Ok(ctx.print(&text))
}
