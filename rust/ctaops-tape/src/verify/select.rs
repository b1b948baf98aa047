//! Which catalogue files to verify: fSeq list, first N, last N, random N (seeded), and enough
//! random files to reach a data volume (upstream `cta-ops-verify-tape` semantics: the union).

use super::catalogue::Catalogue;

/// Files to verify. All empty/zero means every file on the tape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub fseqs: Vec<u64>,
    pub first: usize,
    pub last: usize,
    pub random: usize,
    pub seed: u64,
    /// Add random files until the selection holds at least this many bytes.
    pub min_bytes: u64,
}

/// Bytes per second upstream assumes when turning `--read_time` into a data volume.
pub const READ_TIME_RATE: u64 = 300_000_000;

impl Selection {
    /// True when no option narrows the selection: every file is verified.
    #[must_use]
    pub fn is_all(&self) -> bool {
        self.fseqs.is_empty() && self.first == 0 && self.last == 0 && self.random == 0 && self.min_bytes == 0
    }
}

/// Indices into the catalogue (sorted by fSeq) and the requested fSeqs the catalogue lacks.
#[must_use]
pub fn select(catalogue: &Catalogue, sel: &Selection) -> (Vec<usize>, Vec<u64>) {
    let n = catalogue.len();
    let mut chosen = vec![false; n];
    let mut not_listed = Vec::new();
    for &fseq in &sel.fseqs {
        match catalogue.index_of(fseq) {
            Some(i) => chosen[i] = true,
            None => not_listed.push(fseq),
        }
    }
    chosen.iter_mut().take(sel.first).for_each(|c| *c = true);
    chosen.iter_mut().rev().take(sel.last).for_each(|c| *c = true);
    let mut rng = fastrand::Rng::with_seed(sel.seed);
    let mut rest: Vec<usize> = (0..n).filter(|&i| !chosen[i]).collect();
    rng.shuffle(&mut rest);
    let mut rest = rest.into_iter();
    for i in rest.by_ref().take(sel.random) {
        chosen[i] = true;
    }
    let entries = catalogue.entries();
    let mut bytes: u64 = (0..n).filter(|&i| chosen[i]).map(|i| entries[i].size).sum();
    for i in rest {
        if bytes >= sel.min_bytes {
            break;
        }
        chosen[i] = true;
        bytes += entries[i].size;
    }
    not_listed.sort_unstable();
    not_listed.dedup();
    ((0..n).filter(|&i| chosen[i]).collect(), not_listed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::CatalogueEntry;

    fn cat(n: u64) -> Catalogue {
        Catalogue::new(
            (1..=n)
                .map(|f| CatalogueEntry {
                    fseq: f,
                    block_id: f,
                    archive_id: f,
                    size: 100,
                    ..CatalogueEntry::default()
                })
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn first_last_random_union() {
        let c = cat(20);
        let sel = Selection {
            first: 2,
            last: 2,
            random: 3,
            seed: 7,
            ..Selection::default()
        };
        let (got, missing) = select(&c, &sel);
        assert!(missing.is_empty());
        assert_eq!(got.len(), 7);
        assert!(got.contains(&0) && got.contains(&1) && got.contains(&18) && got.contains(&19));
        assert_eq!(select(&c, &sel).0, got, "same seed, same files");
        let other = select(&c, &Selection { seed: 8, ..sel }).0;
        assert_eq!(other.len(), 7);
    }

    #[test]
    fn fseq_list_and_volume() {
        let c = cat(10);
        let (got, missing) = select(
            &c,
            &Selection {
                fseqs: vec![3, 3, 42],
                ..Selection::default()
            },
        );
        assert_eq!((got, missing), (vec![2], vec![42]));
        let (got, _) = select(
            &c,
            &Selection {
                min_bytes: 450,
                ..Selection::default()
            },
        );
        assert_eq!(got.len(), 5);
        let (got, _) = select(
            &c,
            &Selection {
                first: 100,
                ..Selection::default()
            },
        );
        assert_eq!(got.len(), 10);
    }
}
