//! `ctaops smc emulated …`: create emulated libraries and play the operator or a failing robot.

use ctaops_scsi::library::{FaultTarget, Library, LibrarySpec};

use super::options::Emulated;
use super::{Failure, Res, out};

fn parse_sense(s: &str) -> Res<(u8, u8, u8)> {
    let parts: Vec<&str> = s.split('/').collect();
    let hex = |p: &str| {
        u8::from_str_radix(p, 16).map_err(|_| Failure::new(1, format!("invalid sense {s:?}: use KEY/ASC/ASCQ in hex")))
    };
    match parts[..] {
        [k, a, q] => Ok((hex(k)?, hex(a)?, hex(q)?)),
        _ => Err(Failure::new(1, format!("invalid sense {s:?}: use KEY/ASC/ASCQ in hex"))),
    }
}

pub(super) fn run(cmd: &Emulated) -> Res<()> {
    match cmd {
        Emulated::Init {
            file,
            slots,
            drives,
            ports,
            tapes,
            preset,
            force,
        } => {
            if file.exists() && !force {
                return Err(Failure::new(
                    1,
                    format!("{} exists: use --force to replace it", file.display()),
                ));
            }
            let mut spec = match preset.as_str() {
                "ts4500" => LibrarySpec::ts4500(*slots, *drives, *ports),
                "spectra" => LibrarySpec::spectra(*slots, *drives, *ports),
                "cta-example" => LibrarySpec {
                    transport_start: 1000,
                    storage_start: 0,
                    port_start: 1010,
                    drive_start: 1030,
                    ..LibrarySpec::ts4500(*slots, *drives, *ports)
                },
                other => {
                    return Err(Failure::new(
                        1,
                        format!("unknown preset {other:?}: ts4500, spectra or cta-example"),
                    ));
                }
            };
            spec.tapes = *tapes;
            Library::new(&spec)?.save(file)?;
            Ok(())
        }
        Emulated::Insert { file, barcode, port } => {
            let mut lib = Library::load(file)?;
            let port = match port {
                Some(p) => *p,
                None => lib
                    .ports
                    .iter()
                    .find(|p| p.cartridge.is_none())
                    .map(|p| p.address)
                    .ok_or_else(|| Failure::new(8, "the I/O station is full"))?,
            };
            lib.operator_insert(port, barcode)?;
            lib.save(file)?;
            Ok(())
        }
        Emulated::Remove { file, port } => {
            let mut lib = Library::load(file)?;
            let c = lib.operator_remove(*port)?;
            lib.save(file)?;
            out(&format!("{}\n", c.barcode))
        }
        Emulated::Fault {
            file,
            sense,
            drive,
            busy,
            stuck,
            pause,
            tapealert,
            temperature,
            humidity,
            clear,
        } => {
            let mut lib = Library::load(file)?;
            if *clear {
                lib.faults = ctaops_scsi::library::Faults::default();
            }
            if let Some(s) = sense {
                let (k, a, q) = parse_sense(s)?;
                let target = drive.map_or(FaultTarget::Changer, FaultTarget::Drive);
                lib.inject_sense(target, k, a, q);
            }
            if let Some(n) = busy {
                lib.faults.busy_commands = *n;
            }
            if let Some(a) = stuck {
                lib.faults.stuck_elements.push(*a);
            }
            if let Some(p) = pause {
                lib.faults.paused = *p;
            }
            if tapealert.is_some() || temperature.is_some() || humidity.is_some() {
                let Some(addr) = drive else {
                    return Err(Failure::new(
                        1,
                        "--tapealert/--temperature/--humidity need --drive ADDR",
                    ));
                };
                let d = lib
                    .drive_mut(*addr)
                    .ok_or_else(|| Failure::new(1, format!("no drive at element {addr}")))?;
                if let Some(f) = tapealert {
                    if !(1..=64).contains(f) {
                        return Err(Failure::new(1, format!("TapeAlert flag {f} is not in 1..64")));
                    }
                    d.tapealert |= ctaops_scsi::tapealert::bit(*f);
                }
                if let Some(t) = temperature {
                    d.temperature_c = *t;
                }
                if let Some(h) = humidity {
                    d.humidity_pct = *h;
                }
            }
            lib.save(file)?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sense_argument() {
        assert!(matches!(parse_sense("2/04/01"), Ok((2, 4, 1))));
        assert!(parse_sense("2/04").is_err());
        assert!(parse_sense("x/04/01").is_err());
    }
}
