//! An in-memory tape for tests and the simulator: a vector of blocks, `None` = tape mark.

use super::{Record, TapeDevice};
use crate::error::{Result, TapeError};

/// A tape held in memory (`FakeDrive` in CTA is the same model).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryTape {
    objects: Vec<Option<Vec<u8>>>,
    pos: usize,
}

impl MemoryTape {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The objects written so far (`None` = tape mark).
    #[must_use]
    pub fn objects(&self) -> &[Option<Vec<u8>>] {
        &self.objects
    }

    /// Builds a tape from objects (`None` = tape mark), positioned at BOT.
    #[must_use]
    pub fn from_objects(objects: Vec<Option<Vec<u8>>>) -> Self {
        Self { objects, pos: 0 }
    }

    fn put(&mut self, object: Option<Vec<u8>>) {
        self.objects.truncate(self.pos);
        self.objects.push(object);
        self.pos += 1;
    }

    fn object(&self) -> u64 {
        self.pos as u64
    }
}

impl TapeDevice for MemoryTape {
    fn read_record(&mut self, buf: &mut [u8]) -> Result<Record> {
        let object = self.object();
        let Some(obj) = self.objects.get(self.pos) else {
            return Ok(Record::EndOfData);
        };
        self.pos += 1;
        match obj {
            None => Ok(Record::TapeMark),
            Some(data) if data.len() > buf.len() => Err(TapeError::BlockTooLong {
                object,
                len: Some(data.len() as u64),
                max: buf.len(),
            }),
            Some(data) => {
                buf[..data.len()].copy_from_slice(data);
                Ok(Record::Data(data.len()))
            }
        }
    }

    fn skip_record(&mut self) -> Result<Record> {
        let Some(obj) = self.objects.get(self.pos) else {
            return Ok(Record::EndOfData);
        };
        self.pos += 1;
        Ok(obj.as_ref().map_or(Record::TapeMark, |d| Record::Data(d.len())))
    }

    fn write_record(&mut self, data: &[u8]) -> Result<()> {
        if data.is_empty() {
            return Err(TapeError::InvalidArgument("a data block cannot be empty".into()));
        }
        self.put(Some(data.to_vec()));
        Ok(())
    }

    fn write_tape_marks(&mut self, count: u32) -> Result<()> {
        for _ in 0..count {
            self.put(None);
        }
        Ok(())
    }

    fn space_marks_forward(&mut self, count: u32) -> Result<()> {
        for _ in 0..count {
            loop {
                match self.skip_record()? {
                    Record::TapeMark => break,
                    Record::Data(_) => {}
                    Record::EndOfData => {
                        return Err(TapeError::EndOfData {
                            object: self.object(),
                            doing: "spacing forward",
                        });
                    }
                }
            }
        }
        Ok(())
    }

    fn space_marks_backward(&mut self, count: u32) -> Result<()> {
        for _ in 0..count {
            loop {
                if self.pos == 0 {
                    return Err(TapeError::InvalidArgument(
                        "beginning of tape reached while spacing backward".into(),
                    ));
                }
                self.pos -= 1;
                if self.objects[self.pos].is_none() {
                    break;
                }
            }
        }
        Ok(())
    }

    fn locate(&mut self, object: u64) -> Result<()> {
        match usize::try_from(object) {
            Ok(o) if o <= self.objects.len() => {
                self.pos = o;
                Ok(())
            }
            _ => Err(TapeError::EndOfData {
                object: self.objects.len() as u64,
                doing: "locating",
            }),
        }
    }

    fn rewind(&mut self) -> Result<()> {
        self.pos = 0;
        Ok(())
    }

    fn position(&mut self) -> Result<u64> {
        Ok(self.object())
    }

    fn flush(&mut self) -> Result<()> {
        Ok(())
    }

    fn describe(&self) -> String {
        "memory tape".to_owned()
    }
}
