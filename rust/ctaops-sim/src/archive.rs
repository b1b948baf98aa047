//! `ctaops sim archive`: queue archive requests (the scheduler writes them to tape).

use std::io::Read;
use std::path::PathBuf;

use crate::catalogue::{Db, OptionalExtension};
use crate::params;

use crate::catalogue::{now, write_tx};
use crate::error::{Result, SimError, user};
use crate::instance::Instance;

/// Where a file's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Deterministic pseudo-random bytes (`gen:<seed>:<size>`), so tests can regenerate them.
    Generated { seed: u64, size: u64 },
    /// A file on disk, read when the scheduler writes it.
    File(PathBuf),
}

impl Source {
    #[must_use]
    pub fn encode(&self) -> String {
        match self {
            Self::Generated { seed, size } => format!("gen:{seed}:{size}"),
            Self::File(p) => format!("file:{}", p.display()),
        }
    }

    pub fn decode(s: &str) -> Result<Self> {
        if let Some(rest) = s.strip_prefix("gen:") {
            let (seed, size) = rest
                .split_once(':')
                .ok_or_else(|| SimError::Cta(format!("bad source {s}")))?;
            let p = |v: &str| v.parse::<u64>().map_err(|_| SimError::Cta(format!("bad source {s}")));
            return Ok(Self::Generated {
                seed: p(seed)?,
                size: p(size)?,
            });
        }
        if let Some(p) = s.strip_prefix("file:") {
            return Ok(Self::File(PathBuf::from(p)));
        }
        Err(SimError::Cta(format!("bad source {s}")))
    }

    /// A reader over the bytes.
    pub fn open(&self) -> Result<Box<dyn Read>> {
        Ok(match self {
            Self::Generated { seed, size } => Box::new(Generated::new(*seed, *size)),
            Self::File(p) => {
                Box::new(std::fs::File::open(p).map_err(|e| SimError::Cta(format!("{}: {e}", p.display())))?)
            }
        })
    }
}

/// Seeded pseudo-random bytes (xorshift64*: cheap enough for >1 GB/s).
pub struct Generated {
    state: u64,
    left: u64,
}

impl Generated {
    #[must_use]
    pub fn new(seed: u64, size: u64) -> Self {
        // splitmix64 of the seed: neighbouring seeds give unrelated streams
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Self {
            state: z | 1,
            left: size,
        }
    }
}

impl Generated {
    /// The next 8 bytes of the stream (xorshift64*).
    #[inline]
    fn next_word(&mut self) -> [u8; 8] {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes()
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = usize::try_from(self.left).unwrap_or(usize::MAX).min(buf.len()) & !7;
        let n = if n == 0 {
            usize::try_from(self.left).unwrap_or(0).min(buf.len())
        } else {
            n
        };
        // Whole words through a fixed-size copy: a length-generic copy per word compiled to a
        // memmove call per 8 bytes, which was 40 % of an archive run's CPU.
        let mut words = buf[..n].chunks_exact_mut(8);
        for chunk in &mut words {
            chunk.copy_from_slice(&self.next_word());
        }
        let tail = words.into_remainder();
        if !tail.is_empty() {
            let v = self.next_word();
            tail.copy_from_slice(&v[..tail.len()]);
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Who asks for an archive: the mount policy comes from their requester mount rule, else their
/// group's (as CTA resolves it on the disk instance of the storage class's VO).
#[derive(Debug, Clone)]
pub struct Requester {
    pub user: String,
    pub group: String,
}

impl Default for Requester {
    fn default() -> Self {
        Self {
            user: crate::instance::caller().0,
            group: "cta".to_owned(),
        }
    }
}

/// Queues files for archival under a storage class for the calling user (group `cta`); returns
/// the archive file IDs. All or nothing: a request CTA would reject is an error and nothing is
/// queued (the command line queues the others, see [`queue_requests`]).
pub fn queue(inst: &Instance, storage_class: &str, sources: &[Source]) -> Result<Vec<u64>> {
    queue_for(inst, storage_class, sources, &Requester::default())
}

/// The mount policy of `who` on `disk_instance`: requester rule first, then group rule.
pub(crate) fn mount_policy(tx: &Db, disk_instance: &str, who: &Requester) -> Result<String> {
    let by_user: Option<String> = tx
        .query_row(
            "SELECT MOUNT_POLICY_NAME FROM REQUESTER_MOUNT_RULE WHERE DISK_INSTANCE_NAME = ?1 AND REQUESTER_NAME = ?2",
            params![disk_instance, who.user],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(mp) = by_user {
        return Ok(mp);
    }
    let by_group: Option<String> = tx
        .query_row(
            "SELECT MOUNT_POLICY_NAME FROM REQUESTER_GROUP_MOUNT_RULE WHERE DISK_INSTANCE_NAME = ?1 AND REQUESTER_GROUP_NAME = ?2",
            params![disk_instance, who.group],
            |r| r.get(0),
        )
        .optional()?;
    by_group.map_or_else(
        || {
            user(format!(
                "No mount rules for the requester or their group: instance={disk_instance} requester={} group={}",
                who.user, who.group
            ))
        },
        Ok,
    )
}

/// Queues files for archival under a storage class on behalf of `who` (all or nothing, as [`queue`]).
pub fn queue_for(inst: &Instance, storage_class: &str, sources: &[Source], who: &Requester) -> Result<Vec<u64>> {
    let mut conn = inst.connect()?;
    let settings = crate::disk::FrontendSettings::of(inst)?;
    write_tx(&mut conn, |tx| {
        let q = queue_in(tx, &settings, storage_class, sources, who, &DiskSide::default())?;
        match q.rejected.first() {
            Some(r) => user(format!("{}: {}", r.path, r.error)),
            None => Ok(q.archive_ids),
        }
    })
}

/// What the disk side (EOS) sends with each file's CREATE/CLOSEW events besides the bytes
/// (`frontend/common/WorkflowEvent.cpp::processCLOSEW`: `diskFileInfo.path`, `diskFileID`,
/// `owner_uid`, `gid`; the instance is the one the request comes from). Path and disk file ID
/// are patterns: `{n}` is the file's 1-based index in the command, `{id}` its archive file ID,
/// `{instance}` the disk instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskSide {
    /// The disk instance sending the request; default: the storage class's VO's
    /// (`VIRTUAL_ORGANIZATION.DISK_INSTANCE_NAME`).
    pub instance: Option<String>,
    /// Path pattern; default [`DEFAULT_PATH`].
    pub path: Option<String>,
    /// Disk file ID pattern (EOS's fid, a decimal string); default: the archive ID + 4·10⁹.
    pub disk_file_id: Option<String>,
    pub owner_uid: u32,
    pub gid: u32,
}

/// The default path pattern (`/eos/<instance>/ctaops/file<archive id>`).
pub const DEFAULT_PATH: &str = "/eos/{instance}/ctaops/file{id}";

impl Default for DiskSide {
    fn default() -> Self {
        Self {
            instance: None,
            path: None,
            disk_file_id: None,
            owner_uid: 1000,
            gid: 1000,
        }
    }
}

/// Expands a [`DiskSide`] pattern for the `n`-th file (1-based) with archive ID `id`.
#[must_use]
pub fn expand(pattern: &str, n: usize, id: u64, instance: &str) -> String {
    pattern
        .replace("{n}", &n.to_string())
        .replace("{id}", &id.to_string())
        .replace("{instance}", instance)
}

/// True when `pattern` gives each file of a command its own value.
fn varies(pattern: &str) -> bool {
    pattern.contains("{n}") || pattern.contains("{id}")
}

/// One request the frontend refused (the others of the command are queued).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rejected {
    pub path: String,
    pub error: String,
}

/// The outcome of [`queue_requests`].
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Queued {
    /// Archive file IDs of the queued files.
    #[serde(rename = "archiveIds")]
    pub archive_ids: Vec<u64>,
    /// Zero-length files CTA accepted without queueing (`zero_length_files_forbidden` off, or the
    /// VO exempted): "ignoring zero-length file", the file exists on disk only.
    pub ignored: Vec<u64>,
    /// Requests CTA rejected, with its message.
    pub rejected: Vec<Rejected>,
}

/// Largest file size the simulator takes: CTA keeps sizes as `uint64`, but the catalogue
/// column is a signed 64-bit integer (SQLite `INTEGER`, PostgreSQL `BIGINT`), so a larger
/// value could only be stored clamped or wrapped, and every later reader of the queue would
/// then fail on it (`showqueues` for the whole instance).
pub const MAX_FILE_SIZE: u64 = i64::MAX.unsigned_abs();

/// Refuses a size the catalogue cannot hold (see [`MAX_FILE_SIZE`]).
///
/// # Errors
/// The message names the size and the limit.
pub fn check_size(size: u64) -> Result<(), String> {
    if size > MAX_FILE_SIZE {
        return Err(format!(
            "{size} bytes is out of range: the catalogue holds sizes up to {MAX_FILE_SIZE} bytes"
        ));
    }
    Ok(())
}

/// Queues each file as one CLOSEW event of its own, as EOS sends them: a request CTA refuses
/// (a zero-length file) is reported in [`Queued::rejected`] and the others are queued, all in
/// one transaction. Errors that concern the whole command (unknown storage class or disk
/// instance, no mount rule, a path pattern that would name every file alike) queue nothing.
pub fn queue_requests(
    inst: &Instance,
    storage_class: &str,
    sources: &[Source],
    who: &Requester,
    disk: &DiskSide,
) -> Result<Queued> {
    let mut conn = inst.connect()?;
    let settings = crate::disk::FrontendSettings::of(inst)?;
    write_tx(&mut conn, |tx| {
        queue_in(tx, &settings, storage_class, sources, who, disk)
    })
}

fn queue_in(
    tx: &Db,
    settings: &crate::disk::FrontendSettings,
    storage_class: &str,
    sources: &[Source],
    who: &Requester,
    disk: &DiskSide,
) -> Result<Queued> {
    let nb: Option<(i64, String, String)> = tx
        .query_row(
            "SELECT S.NB_COPIES, V.VIRTUAL_ORGANIZATION_NAME, V.DISK_INSTANCE_NAME FROM STORAGE_CLASS S JOIN VIRTUAL_ORGANIZATION V
             ON V.VIRTUAL_ORGANIZATION_NAME = S.VIRTUAL_ORGANIZATION_NAME WHERE S.STORAGE_CLASS_NAME = ?1",
            [storage_class],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((nb, vo, vo_instance)) = nb else {
        return user(format!("Storage class {storage_class} does not exist"));
    };
    // The request's disk instance is the one that sends it; by default the VO's own.
    let disk_instance = disk.instance.clone().unwrap_or(vo_instance);
    let known: Option<i64> = tx
        .query_row(
            "SELECT 1 FROM DISK_INSTANCE WHERE DISK_INSTANCE_NAME = ?1",
            [&disk_instance],
            |r| r.get(0),
        )
        .optional()?;
    if known.is_none() {
        return user(format!("Disk instance {disk_instance} does not exist"));
    }
    if disk.owner_uid == 0 {
        // frontend/common/WorkflowEvent.cpp::processCREATE
        return user("CREATE: file owner uid must be non-zero (archive files cannot be owned by root)");
    }
    if sources.len() > 1 {
        for (what, p) in [("--path", &disk.path), ("--disk-file-id", &disk.disk_file_id)] {
            if let Some(p) = p
                && !varies(p)
            {
                return Err(SimError::Usage(format!(
                    "{what} '{p}' names one file but {} are archived: use {{n}} or {{id}} in it",
                    sources.len()
                )));
            }
        }
    }
    let policy = mount_policy(tx, &disk_instance, who)?;
    let mut routes = Vec::new();
    for copy in 1..=nb {
        let pool: Option<String> = tx
            .query_row(
                "SELECT TAPE_POOL_NAME FROM ARCHIVE_ROUTE WHERE STORAGE_CLASS_NAME = ?1 AND COPY_NB = ?2 AND ARCHIVE_ROUTE_TYPE = 'DEFAULT'",
                params![storage_class, copy],
                |r| r.get(0),
            )
            .optional()?;
        let Some(pool) = pool else {
            return user(format!(
                "No archive route for storage class {storage_class} copy {copy}"
            ));
        };
        routes.push((copy, pool));
    }
    let t = now(tx)?;
    // CTA's archive file IDs come from a sequence and are never reused: a deleted file's ID
    // stays in the recycle log (and may be restored), so it is never handed out again.
    let first: i64 = tx.query_row(
        "SELECT COALESCE(MAX(ID), 0) + 1 FROM (SELECT MAX(ARCHIVE_FILE_ID) AS ID FROM ARCHIVE_FILE
         UNION ALL SELECT MAX(ARCHIVE_FILE_ID) FROM SIM_ARCHIVE_QUEUE UNION ALL SELECT MAX(ARCHIVE_FILE_ID) FROM SIM_DISK_FILE
         UNION ALL SELECT MAX(ARCHIVE_FILE_ID) FROM FILE_RECYCLE_LOG UNION ALL SELECT MAX(ARCHIVE_FILE_ID) FROM SIM_FAILED_REQUEST) AS U",
        (),
        |r| r.get(0),
    )?;
    let mut out = Queued::default();
    let mut st = tx.prepare(
        "INSERT INTO SIM_ARCHIVE_QUEUE(STORAGE_CLASS_NAME, TAPE_POOL_NAME, COPY_NB, SIZE_IN_BYTES, SOURCE, DISK_FILE_ID,
           ARCHIVE_FILE_ID, CREATION_TIME, MOUNT_POLICY_NAME) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    )?;
    for (i, (next, s)) in (first..).zip(sources).enumerate() {
        let id = u64::try_from(next).unwrap_or(0);
        let size = match s {
            Source::Generated { size, .. } => *size,
            Source::File(p) => std::fs::metadata(p)
                .map_err(|e| SimError::User(format!("{}: {e}", p.display())))?
                .len(),
        };
        check_size(size).map_err(SimError::User)?;
        let source = match s {
            Source::File(p) => Source::File(std::fs::canonicalize(p)?).encode(),
            g @ Source::Generated { .. } => g.encode(),
        };
        let path = expand(disk.path.as_deref().unwrap_or(DEFAULT_PATH), i + 1, id, &disk_instance);
        // Earlier releases wrote the archive ID + 4·10⁹: kept as the default.
        let disk_file_id = disk.disk_file_id.as_deref().map_or_else(
            || (id + 4_000_000_000).to_string(),
            |p| expand(p, i + 1, id, &disk_instance),
        );
        crate::disk::check_new_disk_file(tx, &disk_instance, &path, &disk_file_id)?;
        // What EOS keeps of the file it sent (queued or, zero-length, only acknowledged).
        let record = |disk_file_id: String, path: String| {
            crate::disk::record_disk_file(
                tx,
                &crate::disk::DiskFile {
                    archive_id: id,
                    instance: disk_instance.clone(),
                    disk_file_id,
                    path,
                    uid: disk.owner_uid,
                    gid: disk.gid,
                    size,
                    storage_class: storage_class.to_owned(),
                },
                who,
                t,
            )
        };
        if size == 0 {
            // frontend/common/WorkflowEvent.cpp::processCLOSEW: refused unless the frontend allows
            // zero-length files (then acknowledged but never queued: "ignoring zero-length file").
            if settings.zero_length_forbidden(&vo) {
                out.rejected.push(Rejected {
                    path,
                    error: "Archival of 0-length files not allowed.".into(),
                });
                continue;
            }
            record(disk_file_id, path)?;
            out.ignored.push(id);
            continue;
        }
        for (copy, pool) in &routes {
            st.execute(params![
                storage_class,
                pool,
                copy,
                size,
                source,
                disk_file_id,
                next,
                t,
                policy
            ])?;
        }
        record(disk_file_id, path)?;
        out.archive_ids.push(id);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stream as first defined (one xorshift64* word per 8 bytes, little-endian, the last
    /// word cut short): archived payloads must stay regenerable from `gen:<seed>:<size>`.
    fn reference(seed: u64, size: usize) -> Vec<u8> {
        let mut state = Generated::new(seed, 0).state;
        let mut out = Vec::with_capacity(size);
        while out.len() < size {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let v = state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes();
            let take = (size - out.len()).min(8);
            out.extend_from_slice(&v[..take]);
        }
        out
    }

    #[test]
    fn disk_side_patterns_expand_per_file() {
        assert_eq!(expand("/eos/{instance}/run/f{n}", 3, 42, "eosx"), "/eos/eosx/run/f3");
        assert_eq!(expand("5{id}", 1, 42, "eosx"), "542");
        assert_eq!(expand(DEFAULT_PATH, 1, 7, "eosctaops"), "/eos/eosctaops/ctaops/file7");
        assert!(varies("/eos/f{n}") && varies("{id}") && !varies("/eos/f"));
    }

    #[test]
    fn generated_stream_is_stable_across_read_sizes() {
        for size in [0usize, 1, 5, 8, 13, 1000, 262_147] {
            // Reads of whole words, as the tape writer makes them (a read shorter than 8 bytes
            // takes a whole word for its few bytes, by design of the original stream).
            for chunk in [8usize, 4096, 262_144, 1 << 20] {
                let mut g = Generated::new(42, size as u64);
                let mut got = Vec::new();
                let mut buf = vec![0u8; chunk];
                loop {
                    let n = g.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                assert_eq!(got, reference(42, size), "size {size} chunk {chunk}");
            }
        }
    }
}
