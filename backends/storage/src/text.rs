//! How a backend lays text out in a file: the one description both disk
//! backends use.

/// How the strings of a text leaf, record variable or attribute are laid
/// out by a backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextLayout {
    /// Not text.
    NotText,
    /// Fixed width: each string takes `size` bytes and holds at most
    /// `width` bytes of text (one less than `size` where strings end with a
    /// NUL, as HDF5's NUL-terminated strings do; netCDF's characters and
    /// NUL-padded strings use every byte).
    Fixed {
        /// Bytes each string takes.
        size: usize,
        /// Most bytes of text a string holds.
        width: usize,
    },
    /// Variable-length strings (HDF5's variable-length strings, netCDF-4's
    /// `NC_STRING`).
    Variable,
}

impl TextLayout {
    /// Strings of `width` bytes that use every byte (netCDF's characters,
    /// NUL-padded strings).
    pub const fn padded(width: usize) -> TextLayout {
        TextLayout::Fixed { size: width, width }
    }

    /// Whether this is text at all.
    pub const fn is_text(self) -> bool {
        !matches!(self, TextLayout::NotText)
    }
}
