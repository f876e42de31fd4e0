//! [`Sliced`]: a selection of a lazy array, composed without reading.

use super::runs::{compose, intersect, restrict_src};
use super::{invalid, part_maps, selection_error, Lazy, LazyArray};
use crate::backend::VirtualMap;
use crate::error::Result;
use crate::selection::{Region, Resolved, Selection};
use crate::values::{Array, DType};

/// A lazy view of a selection of another lazy array. Each axis of the base
/// is either fixed at one index or an arithmetic run of indices; a
/// selection of the view maps through to the base, so views of views read
/// exactly what they show. The view's shape is fixed when it is made.
#[derive(Clone)]
pub struct Sliced {
    base: Lazy,
    /// One per base axis.
    axes: Vec<Resolved>,
    shape: Vec<usize>,
}

impl std::fmt::Debug for Sliced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sliced")
            .field("base", &self.base.describe())
            .field("shape", &self.shape)
            .finish()
    }
}

impl Sliced {
    /// The view of `sel` of `base`.
    ///
    /// # Errors
    /// [`Error::OutOfBounds`](crate::Error::OutOfBounds) naming the axis,
    /// [`Error::Invalid`](crate::Error::Invalid).
    pub fn new(base: Lazy, sel: &Selection) -> Result<Sliced> {
        let shape = base.shape()?;
        let region = sel.resolve(&shape).map_err(|e| selection_error(&base, e))?;
        let out = region.out_shape();
        Ok(Sliced {
            base,
            axes: region.axes,
            shape: out,
        })
    }

    /// The array this is a view of.
    pub fn base(&self) -> &Lazy {
        &self.base
    }

    /// The region of the base that `region` of this view is.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) when `region` does not fit
    /// this view, or the indices or steps overflow.
    pub fn base_region(&self, region: &Region) -> Result<Region> {
        let mut view = region.axes.iter();
        let mut axes = Vec::with_capacity(self.axes.len());
        for a in &self.axes {
            if !a.keep {
                axes.push(*a);
                continue;
            }
            let r = view
                .next()
                .ok_or_else(|| invalid(self, "a region with too few axes"))?;
            let run = compose(a, r).ok_or_else(|| {
                invalid(
                    self,
                    format!("region axis {r:?} does not fit or its step overflows"),
                )
            })?;
            axes.push(Resolved { run, keep: r.keep });
        }
        if view.next().is_some() {
            return Err(invalid(self, "a region with too many axes"));
        }
        Ok(Region { axes })
    }
}

impl Sliced {
    /// The base's mappings restricted to this selection (see
    /// [`LazyArray::virtual_maps`]).
    fn maps(&self) -> Result<Option<Vec<VirtualMap>>> {
        let Some(maps) = part_maps(self, &self.base, self.axes.len())? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(maps.len());
        'maps: for map in maps {
            let mut dest = Vec::new();
            let mut keep = Vec::with_capacity(map.dest.len());
            for (slab, sel) in map.dest.iter().zip(&self.axes) {
                // positions i in the slab and k in the selection's run
                let Some((i, k)) = intersect(*slab, sel.run) else {
                    continue 'maps;
                };
                if sel.keep {
                    if !k.is_ascending() {
                        return Ok(None);
                    }
                    dest.push(k);
                }
                keep.push(i);
            }
            let Some(src) = restrict_src(&map, &keep) else {
                return Ok(None);
            };
            out.push(VirtualMap {
                dest,
                file: map.file,
                dataset: map.dataset,
                src,
            });
        }
        Ok(Some(out))
    }
}

impl LazyArray for Sliced {
    fn shape(&self) -> Result<Vec<usize>> {
        Ok(self.shape.clone())
    }
    fn dtype(&self) -> Result<DType> {
        self.base.dtype()
    }
    fn describe(&self) -> String {
        format!("selection {:?} of {}", self.shape, self.base.describe())
    }
    fn read_region(&self, region: &Region) -> Result<Array> {
        self.base.read_region(&self.base_region(region)?)
    }
    fn write_region(&self, region: &Region, data: &Array) -> Result<()> {
        self.base.write_region(&self.base_region(region)?, data)
    }
    /// The base's mappings restricted to this selection, where that is
    /// hyperslabs (`None` when the selection runs backwards over mapped
    /// elements, or a mapping pairs its axes in a way a restriction cannot
    /// follow).
    fn virtual_maps(&self) -> Option<Result<Vec<VirtualMap>>> {
        self.maps().transpose()
    }
}
