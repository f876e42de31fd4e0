//! The file of odd shapes that both `odd_shapes_and_gaps` tests read: this
//! crate's, through the storage (in `foreign.rs`), and qnd's, through the
//! tree (`tests/hdf5_backend.rs`, which includes this file by path). The
//! includer has `hdf5` (the hdf5-metno crate) in scope.

use std::path::Path;

use super::hdf5;

/// Write at `file`, with the hdf5 crate, what other tools may: f64
/// datasets `two_unlimited` (both axes unlimited, empty) and
/// `late_unlimited` (2 rows, the second axis unlimited), `huge` (u8,
/// 2^31 x 2^31, too large to address), and a group `gappy` holding the
/// i32 scalars `_`, `_0` and `_2` (7 each): a list's names with a gap.
pub fn write_odd_file(file: &Path) {
    let f = hdf5::File::create(file).unwrap();
    f.new_dataset::<f64>()
        .shape((0.., 0..))
        .chunk((2, 2))
        .create("two_unlimited")
        .unwrap();
    f.new_dataset::<f64>()
        .shape((2, 0..))
        .chunk((2, 2))
        .create("late_unlimited")
        .unwrap();
    f.new_dataset::<u8>()
        .shape((1usize << 31, 1usize << 31))
        .chunk((1, 1))
        .create("huge")
        .unwrap();
    let g = f.create_group("gappy").unwrap();
    for name in ["_", "_0", "_2"] {
        g.new_dataset::<i32>()
            .shape(())
            .create(name)
            .unwrap()
            .write_scalar(&7)
            .unwrap();
    }
}
