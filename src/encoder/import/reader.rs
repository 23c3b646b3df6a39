//! A bounds-checked little-endian cursor.
//!
//! e5.c reads its model with unchecked `memcpy`s; we read the same bytes from an untrusted
//! download, so every read here states what it is reading and fails with
//! [`FormatError::Truncated`] instead of panicking or reading past the end.

use super::FormatError;

/// Cursor over a byte slice; all reads are little-endian and bounds-checked.
pub(crate) struct ByteReader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> ByteReader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// Current offset from the start of the slice.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// Bytes left after the cursor.
    pub(crate) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// Takes the next `len` bytes.
    pub(crate) fn take(&mut self, len: usize, what: &'static str) -> Result<&'a [u8], FormatError> {
        let available = self.remaining();
        if len > available {
            return Err(FormatError::Truncated {
                what,
                offset: self.pos,
                needed: len,
                available,
            });
        }
        let bytes = &self.data[self.pos..self.pos + len];
        self.pos += len;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], FormatError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, FormatError> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, FormatError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, FormatError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    pub(crate) fn i32(&mut self, what: &'static str) -> Result<i32, FormatError> {
        Ok(i32::from_le_bytes(self.array(what)?))
    }

    pub(crate) fn u64(&mut self, what: &'static str) -> Result<u64, FormatError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    pub(crate) fn f32(&mut self, what: &'static str) -> Result<f32, FormatError> {
        Ok(f32::from_le_bytes(self.array(what)?))
    }

    /// A length or offset field that must fit in memory on this machine.
    pub(crate) fn u64_as_usize(&mut self, what: &'static str) -> Result<usize, FormatError> {
        let offset = self.pos;
        let v = self.u64(what)?;
        usize::try_from(v).map_err(|_| FormatError::OutOfRange {
            what,
            offset,
            value: i128::from(v),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_little_endian_and_reports_truncation() {
        let mut r = ByteReader::new(&[1, 0, 0, 0, 2, 0]);
        assert_eq!(r.u32("a").expect("four bytes"), 1);
        let err = r.u32("b").unwrap_err();
        assert!(matches!(
            err,
            FormatError::Truncated {
                what: "b",
                offset: 4,
                needed: 4,
                available: 2
            }
        ));
        assert_eq!(r.u16("c").expect("two bytes left"), 2);
    }
}
