//! The one transport abstraction: a CDB goes in, status + sense + residual come out. SG_IO and the
//! emulated devices both implement it, so every builder and decoder runs against both.

use std::time::Duration;

use crate::error::{Result, ScsiError};
use crate::sense::Sense;

/// Direction and buffer of the data phase.
#[derive(Debug)]
pub enum DataDir<'a> {
    None,
    /// Data from the device into this buffer (its length is the transfer length).
    In(&'a mut [u8]),
    /// Data from this buffer to the device.
    Out(&'a [u8]),
}

impl DataDir<'_> {
    /// Requested transfer length.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::None => 0,
            Self::In(b) => b.len(),
            Self::Out(b) => b.len(),
        }
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What the transport saw, before any interpretation (the output half of `sg_io_hdr`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandResult {
    pub status: u8,
    pub sense: Vec<u8>,
    /// Requested length minus bytes actually transferred.
    pub resid: i32,
    pub host_status: u16,
    pub driver_status: u16,
    /// True when the transport itself gave up on time.
    pub timed_out: bool,
}

impl CommandResult {
    /// GOOD with `resid` bytes not transferred.
    #[must_use]
    pub fn good(resid: i32) -> Self {
        Self {
            resid,
            ..Self::default()
        }
    }

    /// CHECK CONDITION with this sense.
    #[must_use]
    pub fn check(sense: Vec<u8>) -> Self {
        Self {
            status: 0x02,
            sense,
            ..Self::default()
        }
    }
}

/// Sends one CDB. Implementations never interpret the result; [`run`] does.
pub trait ScsiTransport {
    /// Runs `cdb` with the given data phase. `Err` only for failures to issue the command at all.
    fn execute(&mut self, cdb: &[u8], data: DataDir<'_>, timeout: Duration) -> Result<CommandResult>;

    /// A human name for messages (`/dev/sg3`, `emulated changer`).
    fn name(&self) -> String;
}

impl<T: ScsiTransport + ?Sized> ScsiTransport for Box<T> {
    fn execute(&mut self, cdb: &[u8], data: DataDir<'_>, timeout: Duration) -> Result<CommandResult> {
        (**self).execute(cdb, data, timeout)
    }

    fn name(&self) -> String {
        (**self).name()
    }
}

/// Outcome of a command that did not fail: bytes transferred, and sense when the device reported
/// an informational condition (NO SENSE / RECOVERED ERROR with FILEMARK, EOM, ILI …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completed {
    pub transferred: usize,
    pub info: Option<Sense>,
}

/// Runs a command and turns the raw result into `Ok(bytes transferred)` or a typed error, in the
/// order CTA's exception launcher uses: SCSI status, then host status, then driver status.
pub fn run(
    t: &mut dyn ScsiTransport,
    op: &'static str,
    cdb: &[u8],
    data: DataDir<'_>,
    timeout: Duration,
) -> Result<Completed> {
    let requested = data.len();
    tracing::trace!(op, cdb = ?cdb, requested, device = %t.name(), "scsi command");
    let r = t.execute(cdb, data, timeout)?;
    interpret(op, requested, &r)
}

/// Pure interpretation of a [`CommandResult`] (unit-tested without a device).
pub fn interpret(op: &'static str, requested: usize, r: &CommandResult) -> Result<Completed> {
    if r.timed_out || r.host_status == 0x03 || r.driver_status & 0x0F == 0x06 {
        return Err(ScsiError::Timeout { op });
    }
    let transferred = requested.saturating_sub(usize::try_from(r.resid.max(0)).unwrap_or(0));
    let mut info = None;
    match r.status {
        0x00 | 0x04 => {}
        0x02 => {
            let sense = Sense::parse(&r.sense)?;
            // NO SENSE / RECOVERED ERROR carry tape conditions that are not failures.
            if matches!(sense.key.0, 0x0 | 0x1) {
                info = Some(sense);
            } else {
                return Err(ScsiError::CheckCondition {
                    op,
                    sense: Box::new(sense),
                });
            }
        }
        status => return Err(ScsiError::Status { op, status }),
    }
    if r.host_status != 0 {
        return Err(ScsiError::Host {
            op,
            host_status: r.host_status,
        });
    }
    // DRIVER_SENSE (0x08) is set whenever sense exists; only other low-nibble values are errors.
    let driver = r.driver_status & 0x0F;
    if driver != 0 && driver != 0x08 {
        return Err(ScsiError::Driver {
            op,
            driver_status: r.driver_status,
        });
    }
    Ok(Completed { transferred, info })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sense::SenseKey;

    #[test]
    fn good_with_residual() {
        let c = interpret("x", 100, &CommandResult::good(40)).unwrap();
        assert_eq!(c.transferred, 60);
        assert!(c.info.is_none());
    }

    #[test]
    fn check_condition_is_typed() {
        let r = CommandResult::check(Sense::fixed_bytes(SenseKey::NOT_READY, 0x3A, 0, None, 0));
        let e = interpret("TEST UNIT READY", 0, &r).unwrap_err();
        assert_eq!(e.code(), "MEDIUM_NOT_PRESENT");
        assert!(e.to_string().contains("Medium not present"), "{e}");
    }

    #[test]
    fn no_sense_filemark_is_info() {
        let r = CommandResult::check(Sense::fixed_bytes(SenseKey::NO_SENSE, 0, 1, Some(2), 0x80));
        let c = interpret("SPACE", 0, &r).unwrap();
        assert!(c.info.unwrap().filemark);
    }

    #[test]
    fn status_host_driver_and_timeout() {
        let busy = CommandResult {
            status: 0x08,
            ..CommandResult::default()
        };
        assert_eq!(interpret("x", 0, &busy).unwrap_err().code(), "DEVICE_BUSY");
        let host = CommandResult {
            host_status: 0x01,
            ..CommandResult::default()
        };
        assert_eq!(interpret("x", 0, &host).unwrap_err().code(), "TRANSPORT_ERROR");
        let to = CommandResult {
            host_status: 0x03,
            ..CommandResult::default()
        };
        assert_eq!(interpret("x", 0, &to).unwrap_err().code(), "TIMEOUT");
        let drv = CommandResult {
            driver_status: 0x06,
            ..CommandResult::default()
        };
        assert_eq!(interpret("x", 0, &drv).unwrap_err().code(), "TIMEOUT");
        let drv_sense_only = CommandResult {
            driver_status: 0x08,
            ..CommandResult::default()
        };
        assert!(interpret("x", 0, &drv_sense_only).is_ok());
        let drv_err = CommandResult {
            driver_status: 0x04,
            ..CommandResult::default()
        };
        assert_eq!(interpret("x", 0, &drv_err).unwrap_err().code(), "DRIVER_ERROR");
        let garbage_sense = CommandResult::check(vec![0x01, 0x02]);
        assert_eq!(interpret("x", 0, &garbage_sense).unwrap_err().code(), "BAD_RESPONSE");
    }
}
