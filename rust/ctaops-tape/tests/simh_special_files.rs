//! A tape image is a regular file: FIFOs and devices are refused before they are opened.
#![allow(clippy::unwrap_used, reason = "test helpers panic on failure by design")]

use ctaops_tape::SimhImage;

#[test]
fn special_files_are_refused_and_regular_ones_open() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.tap");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // Opening a FIFO for reading would block until a writer comes: the check must come first.
    let err = SimhImage::open(&fifo, false).err().unwrap();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    assert!(
        err.to_string()
            .ends_with("is a FIFO, not a tape image (an image is a regular file; read a tape drive with --device)"),
        "{err}"
    );
    let err = SimhImage::open_or_create(&fifo).err().unwrap();
    assert!(err.to_string().contains("is a FIFO"), "{err}");
    let err = SimhImage::open("/dev/null", false).err().unwrap();
    assert!(err.to_string().starts_with("/dev/null: is a character device"), "{err}");
    // a regular file, and one that does not exist yet, still open
    let image = dir.path().join("new.tap");
    SimhImage::open_or_create(&image).unwrap();
    SimhImage::open(&image, false).unwrap();
}
