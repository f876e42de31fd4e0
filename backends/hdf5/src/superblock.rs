//! A pure-Rust reader and patcher of the HDF5 superblock: the few fields
//! that say whether a file was closed by its writer, and that
//! `qnd recover` repairs (as HDF5's `h5clear` does), without the C library.
//!
//! A writer that opens a file with a version 3 superblock (`libver`
//! latest, and every SWMR file) sets the file-consistency ("status") flags
//! on disk when it opens it, and clears them when it closes it; a writer
//! killed before closing leaves them set, and HDF5 then refuses to open the
//! file ("file is already open for write"), as do h5py and ncdump. The
//! superblock also stores the end-of-file address: a file shorter than it
//! (a writer stopped by a full disk or `ulimit -f`) does not open either
//! ("truncated file").
//!
//! Layout (HDF5 file format specification, "Superblock"), at the signature
//! (byte 0, or 512, 1024, 2048, ... after a user block):
//!
//! | version | status flags | base, EOF address | checksum |
//! | --- | --- | --- | --- |
//! | 0, 1 | 4 bytes at 20 | at 24 (v1: 28), EOF after two more addresses | none |
//! | 2, 3 | 1 byte at 11 | at 12, EOF at 12 + 2 × offset size | Jenkins lookup3 of the bytes before it |
//!
//! Addresses are `offset size` bytes, little-endian; the end-of-file
//! address is relative to the base address.

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// The 8 bytes every HDF5 superblock starts with.
pub const SIGNATURE: [u8; 8] = *b"\x89HDF\r\n\x1a\n";

/// Status flag: the file is open for writing.
pub const WRITE_ACCESS: u32 = 0x01;
/// Status flag: the file is open for writing in SWMR mode.
pub const SWMR_WRITE_ACCESS: u32 = 0x04;

/// The fields of a superblock that tell whether its file was closed by its
/// writer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Superblock {
    /// Where in the file the superblock (its signature) is.
    pub at: u64,
    /// The superblock version (0 to 3).
    pub version: u8,
    /// Bytes per address.
    pub offset_size: u8,
    /// The file-consistency ("status") flags ([`WRITE_ACCESS`],
    /// [`SWMR_WRITE_ACCESS`], ...).
    pub flags: u32,
    /// The base address, to which other addresses are relative.
    pub base_address: u64,
    /// The end-of-file address (relative to the base address); `None` when
    /// it is undefined (all bits set).
    pub eof_address: Option<u64>,
    /// For versions 2 and 3: the checksum stored in the superblock, and the
    /// one its bytes give.
    pub checksum: Option<(u32, u32)>,
}

impl Superblock {
    /// The superblock of the file at `path`; `None` when the file is not an
    /// HDF5 file (no signature at 0, 512, 1024, ...).
    ///
    /// # Errors
    /// When the file cannot be read, or its superblock is cut short or of
    /// an unknown version ([`io::ErrorKind::InvalidData`]).
    pub fn read_path(path: &Path) -> io::Result<Option<Superblock>> {
        let mut f = std::fs::File::open(path)?;
        Superblock::read(&mut f)
    }

    /// The superblock of the HDF5 file `f`; `None` when it is not one.
    ///
    /// # Errors
    /// As [`Superblock::read_path`].
    pub fn read<F: Read + Seek>(f: &mut F) -> io::Result<Option<Superblock>> {
        let Some((at, bytes)) = find(f)? else {
            return Ok(None);
        };
        Superblock::parse(&bytes, at).map(Some)
    }

    /// The superblock whose bytes (from its signature on) are `bytes`,
    /// found at `at` in its file.
    ///
    /// # Errors
    /// [`io::ErrorKind::InvalidData`] when `bytes` do not hold a whole
    /// superblock of a known version.
    pub fn parse(bytes: &[u8], at: u64) -> io::Result<Superblock> {
        if !bytes.starts_with(&SIGNATURE) {
            return Err(invalid("no HDF5 signature"));
        }
        let version = *bytes.get(8).ok_or_else(cut)?;
        let (offset_size, flags, base_at) = match version {
            0 | 1 => {
                let o = *bytes.get(13).ok_or_else(cut)?;
                let flags = u32::from_le_bytes(field(bytes, 20, 4)?.try_into().map_err(|_| cut())?);
                (o, flags, if version == 0 { 24 } else { 28 })
            }
            2 | 3 => {
                let o = *bytes.get(9).ok_or_else(cut)?;
                (o, u32::from(*bytes.get(11).ok_or_else(cut)?), 12)
            }
            v => return Err(invalid(format!("unknown superblock version {v}"))),
        };
        if !matches!(offset_size, 2 | 4 | 8) {
            return Err(invalid(format!("unsupported address size {offset_size}")));
        }
        let o = usize::from(offset_size);
        let base_address = address(field(bytes, base_at, o)?).unwrap_or(0);
        let eof_address = address(field(bytes, base_at + 2 * o, o)?);
        let checksum = if version >= 2 {
            let end = checksum_at(offset_size);
            let stored = u32::from_le_bytes(field(bytes, end, 4)?.try_into().map_err(|_| cut())?);
            Some((stored, lookup3(&bytes[..end], 0)))
        } else {
            None
        };
        Ok(Superblock {
            at,
            version,
            offset_size,
            flags,
            base_address,
            eof_address,
            checksum,
        })
    }

    /// True when the flags say a writer has the file open (or had it, and
    /// did not close it): [`WRITE_ACCESS`] or [`SWMR_WRITE_ACCESS`] is set
    /// in a version 2 or 3 superblock. HDF5 (1.10 to 2.0) refuses to open a
    /// flagged version 3 file ([`Superblock::refused`]); it writes the
    /// flags of a version 2 file (netCDF-4 files are) but opens it anyway.
    /// (HDF5 keeps no such flags in versions 0 and 1.)
    pub fn flagged(&self) -> bool {
        self.version >= 2 && self.flags & (WRITE_ACCESS | SWMR_WRITE_ACCESS) != 0
    }

    /// True when HDF5 refuses to open the file for its flags: a flagged
    /// version 3 superblock.
    pub fn refused(&self) -> bool {
        self.version >= 3 && self.flagged()
    }

    /// The flags in words ("write access, SWMR write access"), for messages.
    pub fn describe_flags(&self) -> String {
        let mut words = Vec::new();
        if self.flags & WRITE_ACCESS != 0 {
            words.push("write access".to_string());
        }
        if self.flags & SWMR_WRITE_ACCESS != 0 {
            words.push("SWMR write access".to_string());
        }
        let rest = self.flags & !(WRITE_ACCESS | SWMR_WRITE_ACCESS);
        if rest != 0 {
            words.push(format!("other bits {rest:#x}"));
        }
        if words.is_empty() {
            "none".into()
        } else {
            words.join(", ")
        }
    }

    /// The length the file must have: where its last byte of HDF5 data
    /// ends (base address + end-of-file address), if defined.
    pub fn end_of_file(&self) -> Option<u64> {
        self.eof_address?.checked_add(self.base_address)
    }

    /// False when a version 2 or 3 superblock's stored checksum is not that
    /// of its bytes.
    pub fn checksum_ok(&self) -> bool {
        self.checksum
            .is_none_or(|(stored, computed)| stored == computed)
    }
}

/// Clear the status flags of the HDF5 file `f` (open for reading and
/// writing), as HDF5's `h5clear -s` does, rewriting the checksum of a
/// version 2 or 3 superblock; nothing is written when no flag is set.
/// Returns the superblock as it was.
///
/// # Errors
/// When `f` is not an HDF5 file ([`io::ErrorKind::InvalidData`]), its
/// superblock cannot be read, its stored checksum is wrong (the superblock
/// is damaged, and rewriting the checksum would hide it), or the write
/// fails.
pub fn clear_flags<F: Read + Write + Seek>(f: &mut F) -> io::Result<Superblock> {
    let (at, mut bytes) = find(f)?.ok_or_else(|| invalid("not an HDF5 file"))?;
    let sb = Superblock::parse(&bytes, at)?;
    if sb.flags == 0 {
        return Ok(sb);
    }
    if !sb.checksum_ok() {
        return Err(invalid(
            "the superblock checksum is wrong: the superblock is damaged, flags not cleared",
        ));
    }
    if sb.version >= 2 {
        let end = checksum_at(sb.offset_size);
        bytes[11] = 0;
        let sum = lookup3(&bytes[..end], 0);
        bytes[end..end + 4].copy_from_slice(&sum.to_le_bytes());
        f.seek(SeekFrom::Start(at))?;
        f.write_all(&bytes[..end + 4])?;
    } else {
        f.seek(SeekFrom::Start(at + 20))?;
        f.write_all(&[0; 4])?;
    }
    f.flush()?;
    Ok(sb)
}

/// Raise the end-of-file address of the HDF5 file `f` (open for reading
/// and writing) to `end` bytes when it says less, as HDF5's `h5clear
/// --increment` does after a crashed SWMR writer: such a writer can leave
/// a superblock whose end-of-file address is older than data its flushed
/// chunk indexes point to, which HDF5 then refuses to read ("addr
/// overflow"). The checksum of a version 2 or 3 superblock is rewritten.
/// Returns the end-of-file address as it was (`None` when nothing was
/// changed).
///
/// # Errors
/// As [`clear_flags`]: not an HDF5 file, a damaged superblock (its stored
/// checksum wrong), or the write fails.
pub fn raise_end_of_file<F: Read + Write + Seek>(f: &mut F, end: u64) -> io::Result<Option<u64>> {
    let (at, mut bytes) = find(f)?.ok_or_else(|| invalid("not an HDF5 file"))?;
    let sb = Superblock::parse(&bytes, at)?;
    let Some(old) = sb.end_of_file() else {
        return Ok(None);
    };
    if old >= end {
        return Ok(None);
    }
    if !sb.checksum_ok() {
        return Err(invalid(
            "the superblock checksum is wrong: the superblock is damaged, its end not raised",
        ));
    }
    let o = usize::from(sb.offset_size);
    let eof_at = match sb.version {
        0 => 24 + 2 * o,
        1 => 28 + 2 * o,
        _ => 12 + 2 * o,
    };
    let relative = end - sb.base_address;
    if o < 8 && relative >> (8 * o) != 0 {
        return Err(invalid(
            "the new end does not fit the superblock's addresses",
        ));
    }
    bytes[eof_at..eof_at + o].copy_from_slice(&relative.to_le_bytes()[..o]);
    let upto = if sb.version >= 2 {
        let end = checksum_at(sb.offset_size);
        let sum = lookup3(&bytes[..end], 0);
        bytes[end..end + 4].copy_from_slice(&sum.to_le_bytes());
        end + 4
    } else {
        eof_at + o
    };
    f.seek(SeekFrom::Start(at))?;
    f.write_all(&bytes[..upto])?;
    f.flush()?;
    Ok(Some(old))
}

/// Where the checksum of a version 2 or 3 superblock is, for addresses of
/// `offset_size` bytes.
fn checksum_at(offset_size: u8) -> usize {
    12 + 4 * usize::from(offset_size)
}

/// The longest superblock read here: version 0/1 fields up to the
/// end-of-file address with 8-byte addresses (or v2/v3 with its checksum).
const MAX_LEN: usize = 28 + 3 * 8 + 24;

/// The superblock's offset and its first bytes (up to [`MAX_LEN`]), found
/// at 0, 512, 1024, ... as HDF5 looks for it.
fn find<F: Read + Seek>(f: &mut F) -> io::Result<Option<(u64, Vec<u8>)>> {
    let len = f.seek(SeekFrom::End(0))?;
    let mut at = 0u64;
    while at.saturating_add(8) <= len {
        f.seek(SeekFrom::Start(at))?;
        let mut bytes = Vec::with_capacity(MAX_LEN);
        f.by_ref().take(MAX_LEN as u64).read_to_end(&mut bytes)?;
        if bytes.starts_with(&SIGNATURE) {
            return Ok(Some((at, bytes)));
        }
        at = if at == 0 { 512 } else { at * 2 };
    }
    Ok(None)
}

fn field(bytes: &[u8], at: usize, n: usize) -> io::Result<&[u8]> {
    bytes.get(at..at + n).ok_or_else(cut)
}

/// A little-endian address; `None` for the undefined address (all ones).
fn address(bytes: &[u8]) -> Option<u64> {
    if bytes.iter().all(|&b| b == 0xff) {
        return None;
    }
    Some(
        bytes
            .iter()
            .rev()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)),
    )
}

fn invalid(reason: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, reason.into())
}

fn cut() -> io::Error {
    invalid("the file ends inside its superblock")
}

/// Bob Jenkins' lookup3 `hashlittle` of `data` with seed `init`: HDF5's
/// metadata checksum (`H5_checksum_lookup3`, seed 0).
pub fn lookup3(data: &[u8], init: u32) -> u32 {
    #[inline]
    fn mix(a: &mut u32, b: &mut u32, c: &mut u32) {
        *a = a.wrapping_sub(*c);
        *a ^= c.rotate_left(4);
        *c = c.wrapping_add(*b);
        *b = b.wrapping_sub(*a);
        *b ^= a.rotate_left(6);
        *a = a.wrapping_add(*c);
        *c = c.wrapping_sub(*b);
        *c ^= b.rotate_left(8);
        *b = b.wrapping_add(*a);
        *a = a.wrapping_sub(*c);
        *a ^= c.rotate_left(16);
        *c = c.wrapping_add(*b);
        *b = b.wrapping_sub(*a);
        *b ^= a.rotate_left(19);
        *a = a.wrapping_add(*c);
        *c = c.wrapping_sub(*b);
        *c ^= b.rotate_left(4);
        *b = b.wrapping_add(*a);
    }
    #[inline]
    fn finish(a: &mut u32, b: &mut u32, c: &mut u32) {
        *c ^= *b;
        *c = c.wrapping_sub(b.rotate_left(14));
        *a ^= *c;
        *a = a.wrapping_sub(c.rotate_left(11));
        *b ^= *a;
        *b = b.wrapping_sub(a.rotate_left(25));
        *c ^= *b;
        *c = c.wrapping_sub(b.rotate_left(16));
        *a ^= *c;
        *a = a.wrapping_sub(c.rotate_left(4));
        *b ^= *a;
        *b = b.wrapping_sub(a.rotate_left(14));
        *c ^= *b;
        *c = c.wrapping_sub(b.rotate_left(24));
    }
    let word = |k: &[u8]| u32::from_le_bytes([k[0], k[1], k[2], k[3]]);
    // the length enters as a 32-bit value, as in the C code
    let start = 0xdead_beef_u32
        .wrapping_add(data.len() as u32)
        .wrapping_add(init);
    let (mut a, mut b, mut c) = (start, start, start);
    let mut rest = data;
    while rest.len() > 12 {
        a = a.wrapping_add(word(&rest[0..4]));
        b = b.wrapping_add(word(&rest[4..8]));
        c = c.wrapping_add(word(&rest[8..12]));
        mix(&mut a, &mut b, &mut c);
        rest = &rest[12..];
    }
    if rest.is_empty() {
        return c;
    }
    let mut tail = [0u8; 12];
    tail[..rest.len()].copy_from_slice(rest);
    a = a.wrapping_add(word(&tail[0..4]));
    b = b.wrapping_add(word(&tail[4..8]));
    c = c.wrapping_add(word(&tail[8..12]));
    finish(&mut a, &mut b, &mut c);
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn lookup3_matches_the_reference_vectors() {
        // from the driver of Bob Jenkins' lookup3.c
        assert_eq!(lookup3(b"", 0), 0xdead_beef);
        assert_eq!(lookup3(b"", 0xdead_beef), 0xbd5b_7dde);
        assert_eq!(lookup3(b"Four score and seven years ago", 0), 0x1777_0551);
        assert_eq!(lookup3(b"Four score and seven years ago", 1), 0xcd62_8161);
    }

    fn make(path: &Path, latest: bool) {
        let mut b = hdf5::File::with_options();
        if latest {
            b.with_fapl(|p| p.libver_latest());
        }
        let f = b.create(path).unwrap();
        f.new_dataset::<f64>()
            .shape([3])
            .create("x")
            .unwrap()
            .write(&[1.0, 2.0, 3.0])
            .unwrap();
        f.close().unwrap();
    }

    #[test]
    fn reads_a_version_3_superblock_written_by_hdf5() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v3.h5");
        make(&path, true);
        let sb = Superblock::read_path(&path).unwrap().unwrap();
        assert_eq!((sb.at, sb.version, sb.offset_size), (0, 3, 8));
        let (stored, computed) = sb.checksum.unwrap();
        assert_eq!(stored, computed, "lookup3 disagrees with HDF5's checksum");
        assert!(!sb.flagged(), "a closed file has flags {:#x}", sb.flags);
        let len = std::fs::metadata(&path).unwrap().len();
        assert_eq!(sb.end_of_file(), Some(len));
    }

    #[test]
    fn reads_a_version_0_superblock_written_by_hdf5() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v0.h5");
        make(&path, false);
        let sb = Superblock::read_path(&path).unwrap().unwrap();
        assert_eq!((sb.version, sb.flags, sb.checksum), (0, 0, None));
        let len = std::fs::metadata(&path).unwrap().len();
        assert_eq!(sb.end_of_file(), Some(len));
    }

    #[test]
    fn a_file_open_for_writing_is_flagged_and_clearing_makes_it_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("open.h5");
        make(&path, true);
        let copy = dir.path().join("copy.h5");
        {
            // HDF5 sets the flags on disk when it opens a v3 file for writing
            let f = hdf5::File::open_rw(&path).unwrap();
            std::fs::copy(&path, &copy).unwrap();
            f.close().unwrap();
        }
        let sb = Superblock::read_path(&copy).unwrap().unwrap();
        assert!(sb.flagged(), "flags {:#x}", sb.flags);
        assert_eq!(sb.describe_flags(), "write access");
        assert!(sb.checksum_ok());
        assert!(
            hdf5::File::open(&copy).is_err(),
            "HDF5 opened a flagged file"
        );

        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&copy)
            .unwrap();
        let before = clear_flags(&mut f).unwrap();
        assert_eq!(before.flags, sb.flags);
        drop(f);
        let after = Superblock::read_path(&copy).unwrap().unwrap();
        assert_eq!(after.flags, 0);
        assert!(after.checksum_ok());
        let h = hdf5::File::open(&copy).unwrap();
        assert_eq!(
            h.dataset("x").unwrap().read_raw::<f64>().unwrap(),
            [1.0, 2.0, 3.0]
        );
    }

    #[test]
    fn a_damaged_checksum_is_seen_and_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v3.h5");
        make(&path, true);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[11] = 1; // flag set without the checksum: damage
        bytes[30] ^= 0x10;
        let sb = Superblock::parse(&bytes[..64], 0).unwrap();
        assert!(!sb.checksum_ok());
        let mut cur = Cursor::new(bytes.clone());
        assert!(clear_flags(&mut cur).is_err());
        assert_eq!(cur.into_inner(), bytes);
    }

    #[test]
    fn finds_a_superblock_after_a_user_block() {
        let mut bytes = vec![0u8; 512];
        let mut sb = SIGNATURE.to_vec();
        sb.extend([3, 8, 8, 0x05]);
        for a in [0u64, u64::MAX, 4096, 48] {
            sb.extend(a.to_le_bytes());
        }
        let sum = lookup3(&sb, 0);
        sb.extend(sum.to_le_bytes());
        bytes.extend(&sb);
        let found = Superblock::read(&mut Cursor::new(bytes.clone()))
            .unwrap()
            .unwrap();
        assert_eq!(found.at, 512);
        assert_eq!(found.end_of_file(), Some(4096));
        assert_eq!(found.describe_flags(), "write access, SWMR write access");
        let mut cur = Cursor::new(bytes);
        clear_flags(&mut cur).unwrap();
        let again = Superblock::read(&mut cur).unwrap().unwrap();
        assert_eq!(again.flags, 0);
        assert!(again.checksum_ok());
    }

    #[test]
    fn the_end_of_file_is_raised_as_h5clear_increment_does() {
        // a v3 superblock after a 512-byte user block, base address 512
        let mut bytes = vec![0u8; 512];
        let mut sb = SIGNATURE.to_vec();
        sb.extend([3, 8, 8, 0x01]);
        for a in [512u64, u64::MAX, 4096, 48] {
            sb.extend(a.to_le_bytes());
        }
        let sum = lookup3(&sb, 0);
        sb.extend(sum.to_le_bytes());
        bytes.extend(&sb);
        let mut cur = Cursor::new(bytes.clone());
        // already past: nothing written
        assert_eq!(raise_end_of_file(&mut cur, 4000).unwrap(), None);
        assert_eq!(cur.get_ref(), &bytes);
        assert_eq!(raise_end_of_file(&mut cur, 9000).unwrap(), Some(4608));
        let after = Superblock::read(&mut cur).unwrap().unwrap();
        assert_eq!(after.end_of_file(), Some(9000));
        assert_eq!(after.eof_address, Some(9000 - 512));
        assert!(after.checksum_ok());
        assert_eq!(after.flags, 1, "flags untouched");
        // a damaged superblock is left alone
        let mut damaged = bytes.clone();
        damaged[512 + 40] ^= 0x10; // in the root group address
        let mut cur = Cursor::new(damaged.clone());
        assert!(raise_end_of_file(&mut cur, 9000).is_err());
        assert_eq!(cur.into_inner(), damaged);
    }

    #[test]
    fn not_hdf5_and_cut_short() {
        assert_eq!(
            Superblock::read(&mut Cursor::new(b"CDF\x01....".to_vec())).unwrap(),
            None
        );
        let cut = Superblock::read(&mut Cursor::new(SIGNATURE.to_vec()));
        assert_eq!(cut.unwrap_err().kind(), io::ErrorKind::InvalidData);
        let mut v9 = SIGNATURE.to_vec();
        v9.extend([9; 40]);
        let err = Superblock::parse(&v9, 0).unwrap_err();
        assert!(err.to_string().contains("version 9"), "{err}");
    }
}
