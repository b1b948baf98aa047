//! READ ELEMENT STATUS decoding and full inventories through the emulated transport.
//!
//! `cargo bench -p ctaops-scsi` prints best-of-N times. Targets (issue 8): a 20,000-slot READ
//! ELEMENT STATUS decoded in <= 10 ms; a full inventory of a TS4500-size library through the
//! transport in <= 100 ms. The Python-side comparison with a pure-Python decoder of the same bytes
//! is `benchmarks/bench_scsi.py`.
#![expect(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a benchmark binary reports on stdout"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use ctaops_scsi::cdb::ElementType;
use ctaops_scsi::changer::Changer;
use ctaops_scsi::element::{ElementStatus, encode_element_status, parse_element_status};
use ctaops_scsi::emulated::{EmulatedChanger, share};
use ctaops_scsi::library::{Library, LibrarySpec};

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    let slots: Vec<ElementStatus> = (0..20_000u16)
        .map(|i| {
            let mut e = ElementStatus::empty(ElementType::Storage, 0x400 + i);
            e.full = i % 10 != 0;
            e.volume_tag = e.full.then(|| format!("V{i:05}L9"));
            e
        })
        .collect();
    let bytes = encode_element_status(&slots, true, false, 20_000);
    let t = best_of(20, || {
        black_box(parse_element_status(black_box(&bytes)).unwrap());
    });
    println!(
        "decode READ ELEMENT STATUS, 20,000 slots ({} bytes): {:.3} ms (target <= 10 ms)",
        bytes.len(),
        t.as_secs_f64() * 1e3
    );

    // TS4500-size: 20,000 slots, 128 drives, 32 I/O station elements, 18,000 cartridges.
    let mut spec = LibrarySpec::ts4500(20_000, 128, 32);
    spec.tapes = 18_000;
    let lib = share(Library::new(&spec).unwrap());
    let mut changer = Changer::new(EmulatedChanger::new(lib));
    let t = best_of(10, || {
        let inv = changer.inventory().unwrap();
        assert_eq!(inv.slots.len(), 20_000);
        black_box(inv);
    });
    println!(
        "full inventory of a TS4500-size emulated library (paged, through the transport): {:.3} ms (target <= 100 ms)",
        t.as_secs_f64() * 1e3
    );
}
