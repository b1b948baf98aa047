//! What the integration tests share: the small lab most of them build.

use ctaops_sim::init::{InitOptions, Preset};

/// The small preset with `seed`, and the preset's own tape/drive counts unless given. The `bin/`
/// wrappers run `/bin/false`: these tests call the simulator's library, never its wrappers.
pub fn small_lab(seed: u64, tapes: Option<u32>, drives: Option<u16>) -> InitOptions {
    InitOptions {
        preset: Preset::Small,
        seed,
        tapes,
        drives,
        exec_prefix: vec!["/bin/false".into()],
        synthetic_files_per_tape: None,
        catalogue: None,
    }
}
