//! The storage conformance kit on netCDF-4 and netCDF-3 files (classic and
//! 64-bit offset), bare and behind a record buffer.

use qnd_netcdf::NetcdfStorage;
use qnd_storage::conformance::{run_all, Maker};
use qnd_storage::{NcFormat, RecordBuffer, Storage, DEFAULT_RECORD_BUFFER};

/// New files of one netCDF format in a temporary folder.
struct Files {
    format: NcFormat,
    dir: tempfile::TempDir,
    made: usize,
    buffered: bool,
}

impl Files {
    fn new(format: NcFormat, buffered: bool) -> Files {
        Files {
            format,
            dir: tempfile::tempdir().unwrap(),
            made: 0,
            buffered,
        }
    }
}

impl Maker for Files {
    type Storage = RecordBuffer<NetcdfStorage>;
    fn create(&mut self) -> Self::Storage {
        let path = self.dir.path().join(format!("f{}.nc", self.made));
        self.made += 1;
        let s = NetcdfStorage::create(&path, self.format).unwrap();
        RecordBuffer::new(
            s,
            if self.buffered {
                DEFAULT_RECORD_BUFFER
            } else {
                0
            },
        )
    }
    fn has_files(&self) -> bool {
        true
    }
    fn reopen(&mut self, mut s: Self::Storage) -> Self::Storage {
        let path = s.inner().path().to_path_buf();
        s.close().unwrap();
        let s = NetcdfStorage::open(&path, true).unwrap();
        RecordBuffer::new(
            s,
            if self.buffered {
                DEFAULT_RECORD_BUFFER
            } else {
                0
            },
        )
    }
}

#[test]
fn netcdf4() {
    run_all(&mut Files::new(NcFormat::Netcdf4, false));
    run_all(&mut Files::new(NcFormat::Netcdf4, true));
}

#[test]
fn netcdf3_classic() {
    run_all(&mut Files::new(NcFormat::Classic, false));
    run_all(&mut Files::new(NcFormat::Classic, true));
}

#[test]
fn netcdf3_64bit_offset() {
    run_all(&mut Files::new(NcFormat::Offset64, false));
}
