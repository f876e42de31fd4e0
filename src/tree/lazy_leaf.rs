//! Leaves are lazy arrays: [`QLeaf`] implements [`LazyArray`], so a leaf
//! (a record variable seen with goto off is a leaf whose first axis is the
//! record) can be selected, viewed, stacked and placed like any lazy
//! array. It lives here because the tree builds on [`crate::lazy`], never
//! the other way.

use super::QLeaf;
use crate::error::Result;
use crate::lazy::LazyArray;
use crate::selection::Region;
use crate::values::{Array, DType};

impl LazyArray for QLeaf {
    fn shape(&self) -> Result<Vec<usize>> {
        QLeaf::shape(self)
    }
    fn dtype(&self) -> Result<DType> {
        QLeaf::dtype(self)
    }
    fn describe(&self) -> String {
        format!("{}: {}", self.file_path().display(), self.path())
    }
    fn read_region(&self, region: &Region) -> Result<Array> {
        self.read_part(region.to_selection())
    }
    fn write_region(&self, region: &Region, data: &Array) -> Result<()> {
        self.write_part(region.to_selection(), data.clone())
    }
}

#[cfg(test)]
mod tests {
    use ndarray::s;

    use crate::lazy::{Lazy, LazyArray, LazyExt};

    #[test]
    fn leaves_are_lazy_arrays() {
        let f = crate::memory();
        f.set("m", ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
            .unwrap();
        let m = Lazy::new(f.leaf("m").unwrap());
        let col = m.select(s![.., 1]).unwrap();
        assert_eq!(col.read::<Vec<f64>>().unwrap(), [2.0, 5.0]);
        col.write_part(s![1], 50.0).unwrap();
        assert_eq!(
            f.leaf("m")
                .unwrap()
                .read_part::<Vec<f64>>(s![1, ..])
                .unwrap(),
            [4.0, 50.0, 6.0]
        );
        // a record variable with goto off: records are the first axis
        f.set_recording(crate::Recording::Uniform);
        for k in 0..5 {
            f.set("t", k as f64).unwrap();
        }
        f.goto_off();
        let t = Lazy::new(f.leaf("t").unwrap());
        assert_eq!(t.shape().unwrap(), vec![5]);
        let tail = t.select(s![-2..]).unwrap();
        assert_eq!(tail.read::<Vec<f64>>().unwrap(), [3.0, 4.0]);
    }
}
