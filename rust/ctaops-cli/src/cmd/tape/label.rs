//! `ctaops tape label`: VOL1 + PRELABEL HDR1 + tape mark, refusing to destroy data.

use ctaops_tape::label::LbpMethod;
use ctaops_tape::{TapeContents, WriterInfo, inspect, label_tape};

use super::catalogue::{self, Answer, CatalogueArgs};
use super::common::{self, Access, Target};
use crate::exit::Exit;
use crate::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: Target,
    /// The VID to write: exactly 6 upper-case letters or digits.
    #[arg(long)]
    vid: String,
    #[command(flatten)]
    catalogue: CatalogueArgs,
    /// Label even if the tape holds data or another VID's label (the data is lost). It does not
    /// override the catalogue: a tape CTA says holds files is reclaimed in CTA first.
    #[arg(long)]
    force: bool,
    /// Say what would be done, write nothing.
    #[arg(long)]
    dry_run: bool,
}

pub fn run(args: &Args) -> Exit {
    if !ctaops_tape::format::is_valid_vid(&args.vid) {
        output::error(&format!(
            "VID '{}' must be exactly 6 upper-case letters or digits",
            args.vid
        ));
        return Exit::Usage;
    }
    // The catalogue first: its refusal needs no drive, and no drive is touched after it.
    match catalogue::lookup(&args.catalogue, &args.vid) {
        Ok(Answer::Known(k)) if k.files > 0 || k.last_fseq > 0 => {
            output::error(&format!(
                "refusing to label {}: the catalogue says it holds {} file(s), {}, last fSeq {}; \
                 reclaim it in CTA first (cta-admin tape reclaim --vid {})",
                args.vid,
                k.files,
                ctaops_core::units::format_size_human(k.bytes),
                k.last_fseq,
                args.vid
            ));
            return Exit::Failure;
        }
        Ok(_) => {}
        Err(exit) => return exit,
    }
    let image_missing = args.target.image.as_ref().is_some_and(|p| !p.exists());
    let contents = if image_missing {
        TapeContents::Blank
    } else {
        match common::open(&args.target, Access::Read).and_then(|mut d| inspect(&mut *d)) {
            Ok(c) => c,
            Err(e) => return common::fail(&e),
        }
    };
    let refusal = match &contents {
        TapeContents::Blank => None,
        TapeContents::Labelled { vsn } if vsn == &args.vid => None,
        TapeContents::Labelled { vsn } => Some(format!("the tape is labelled '{vsn}', not '{}'", args.vid)),
        TapeContents::Data { vsn: Some(vsn), .. } => Some(format!("the tape '{vsn}' holds data")),
        TapeContents::Data { vsn: None, .. } => Some("the tape holds data without a valid VOL1".to_owned()),
    };
    if let Some(reason) = &refusal
        && !args.force
    {
        output::error(&format!("refusing to label: {reason}; use --force to overwrite it"));
        return Exit::Failure;
    }
    let what = format!(
        "label {} as {}{}",
        args.target
            .image
            .as_ref()
            .or(args.target.device.as_ref())
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        args.vid,
        refusal.map(|r| format!(" (forced: {r})")).unwrap_or_default()
    );
    if args.dry_run {
        return match common::print(&format!("would {what}\n")) {
            Ok(()) => Exit::Success,
            Err(e) => e,
        };
    }
    let result = common::open(&args.target, Access::Create)
        .and_then(|mut d| label_tape(&mut *d, &args.vid, LbpMethod::None, &WriterInfo::default()));
    if let Err(e) = result {
        return common::fail(&e);
    }
    tracing::info!(vid = %args.vid, "tape labelled");
    match common::print(&format!("{what}: done\n")) {
        Ok(()) => Exit::Success,
        Err(e) => e,
    }
}
