//! `-m`, `-d`, `-e`, `-i`: mount, dismount, export and import, checked before the robot moves.

use ctaops_scsi::ScsiError;
use ctaops_scsi::cdb::ElementType;
use ctaops_scsi::changer::Inventory;
use ctaops_scsi::drive::TapeDrive;
use ctaops_scsi::element::ElementStatus;
use ctaops_scsi::emulated::EmulatedDrive;

use super::backend::Backend;
use super::options::Args;
use super::query::element_type_name;
use super::{Failure, Res, json, out, parse_num, vid_arg};

fn drive_address(inv: &Inventory, args: &Args) -> Res<u16> {
    let o: u16 = parse_num("drive ordinal", args.drive.as_ref())?
        .ok_or_else(|| Failure::new(1, "a drive ordinal is required (-D N)"))?;
    let r = inv.assignment.data_transfer;
    if o >= r.count {
        return Err(Failure::new(
            1,
            format!("invalid drive ordinal {o}: the library has {} drives", r.count),
        ));
    }
    Ok(r.start + o)
}

fn report(args: &Args, action: &str, vid: &str, from: u16, to: u16) -> Res<()> {
    if args.dry_run {
        return out(&format!(
            "dry run: would {action} {vid} from element {from} to element {to}\n"
        ));
    }
    if args.json {
        return out(&json::moved(action, vid, from, to));
    }
    tracing::info!(action, vid, from, to, "moved");
    Ok(())
}

fn do_move(b: &mut Backend, args: &Args, from: u16, to: u16, spectra: bool) -> Res<()> {
    if args.dry_run {
        Ok(())
    } else {
        Ok(b.changer.move_medium(from, to, spectra)?)
    }
}

pub(super) fn mount(b: &mut Backend, args: &Args) -> Res<()> {
    let vid = vid_arg(args, true)?.unwrap_or_default();
    let inv = b.changer.inventory()?;
    let drive = drive_address(&inv, args)?;
    let Some(e) = inv.find(&vid) else {
        return Err(Failure::new(1, format!("volume {vid} not found in the library")));
    };
    if e.element_type != ElementType::Storage {
        let where_ = format!("in {} element {}", element_type_name(e), e.address);
        return Err(ScsiError::VolumeInUse { vid, detail: where_ }.into());
    }
    if let Some(d) = inv.element(drive)
        && d.full
    {
        return Err(Failure::new(
            4,
            format!("drive {drive} is not free (holds {})", d.vid()),
        ));
    }
    let src = e.address;
    do_move(b, args, src, drive, inv.spectra_like())?;
    report(args, "mount", &vid, src, drive)
}

fn first_free_slot(inv: &Inventory) -> Option<u16> {
    // Home slots of cartridges in drives count as occupied.
    let homes: Vec<u16> = inv.drives.iter().filter(|d| d.full).filter_map(|d| d.source).collect();
    inv.slots
        .iter()
        .find(|s| !s.full && !s.except && !homes.contains(&s.address))
        .map(|s| s.address)
}

pub(super) fn dismount(b: &mut Backend, args: &Args) -> Res<()> {
    let want = vid_arg(args, false)?;
    let mut inv = b.changer.inventory()?;
    let drive = drive_address(&inv, args)?;
    let spectra = inv.spectra_like();
    let Some(d) = inv.element(drive).cloned() else {
        return Err(Failure::new(1, format!("no drive at element {drive}")));
    };
    if !d.full {
        return Err(Failure::new(1, format!("drive {drive} is empty")));
    }
    if let Some(w) = &want
        && d.vid() != *w
    {
        return Err(Failure::new(1, format!("drive {drive} holds {} and not {w}", d.vid())));
    }
    if !d.access && args.unload && !args.dry_run {
        let Some((lib, _, _)) = &b.emulated else {
            return Err(Failure::new(
                1,
                "--unload needs an emulated library (unload real drives with the tape server)",
            ));
        };
        TapeDrive::new(EmulatedDrive::new(lib.clone(), drive)).unload()?;
        inv = b.changer.inventory()?;
    }
    let d = inv.element(drive).cloned().unwrap_or(d);
    if !d.access && inv.drive_access_meaningful() && !args.dry_run {
        // CTA polls ACCESS for 20 s on a real library; the emulated one cannot change meanwhile.
        let tries = if b.emulated.is_some() { 1 } else { 20 };
        let mut ready = false;
        for i in 0..tries {
            if i > 0 {
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
            if b.changer.element(drive)?.access {
                ready = true;
                break;
            }
        }
        if !ready {
            return Err(ScsiError::DriveLoaded { address: drive }.into());
        }
    }
    let dest = match d.source {
        Some(s)
            if inv
                .element(s)
                .is_some_and(|e| e.element_type == ElementType::Storage && !e.full) =>
        {
            s
        }
        _ => first_free_slot(&inv).ok_or_else(|| Failure::new(8, "no free slot to put the cartridge back"))?,
    };
    do_move(b, args, drive, dest, spectra)?;
    if !args.dry_run {
        let e = b.changer.element(dest)?;
        if e.vid() != d.vid() {
            return Err(Failure::new(
                1,
                format!("{} not found in slot {dest} after the move", d.vid()),
            ));
        }
    }
    report(args, "dismount", &d.vid(), drive, dest)
}

pub(super) fn export(b: &mut Backend, args: &Args) -> Res<()> {
    let vid = vid_arg(args, true)?.unwrap_or_default();
    let inv = b.changer.inventory()?;
    let Some(e) = inv.find(&vid) else {
        return Err(Failure::new(1, format!("volume {vid} not found in the library")));
    };
    if e.element_type != ElementType::Storage {
        let where_ = format!("in {} element {}", element_type_name(e), e.address);
        return Err(ScsiError::VolumeInUse { vid, detail: where_ }.into());
    }
    // A port with ACCESS=0 has its door open, unless the library never sets ACCESS at all.
    let any_access = inv.implements_access_bit();
    let port = inv
        .ports
        .iter()
        .find(|p| !p.full && (p.access || !any_access))
        .map(|p| p.address)
        .ok_or_else(|| Failure::new(8, "no free I/O station element: empty the I/O station"))?;
    let src = e.address;
    do_move(b, args, src, port, inv.spectra_like())?;
    report(args, "export", &vid, src, port)
}

pub(super) fn import(b: &mut Backend, args: &Args) -> Res<()> {
    let want = vid_arg(args, false)?;
    let mut inv = b.changer.inventory()?;
    let candidates: Vec<ElementStatus> = inv
        .ports
        .iter()
        .filter(|p| {
            p.full
                && match &want {
                    Some(v) => p.vid() == *v,
                    None => p.impexp,
                }
        })
        .cloned()
        .collect();
    if let Some(v) = &want
        && candidates.is_empty()
    {
        return Err(Failure::new(1, format!("volume {v} is not in the I/O station")));
    }
    for p in candidates {
        let slot = first_free_slot(&inv).ok_or_else(|| Failure::new(8, "no free slot for the imported cartridge"))?;
        do_move(b, args, p.address, slot, inv.spectra_like())?;
        report(args, "import", &p.vid(), p.address, slot)?;
        if let Some(s) = inv.slots.iter_mut().find(|s| s.address == slot) {
            s.full = true;
        }
    }
    Ok(())
}
