/// Process outcome, mapped to exit codes by one explicit table (cta-admin's convention).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done.
    Success,
    /// Something failed (I/O, a bad file, a remote error); other work may still have been done.
    Failure,
    /// The command line itself was wrong.
    Usage,
    /// A tool-specific status that upstream defines (e.g. cta-smc's retry codes 2–16).
    Code(u8),
}

impl Exit {
    /// The process exit status.
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Failure => 1,
            Self::Usage => 2,
            Self::Code(c) => c,
        }
    }
}
