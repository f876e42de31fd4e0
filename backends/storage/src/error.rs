//! The storage layer's error type.

/// A boxed error from a storage library (HDF5, netCDF) or the OS.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong, without saying where: the backends' error type, which
/// the tree turns into its own error naming the file and item.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The storage library failed.
    #[error("{0}")]
    Library(#[source] BoxError),
    /// The item cannot be done in this format.
    #[error("{0}")]
    Unsupported(String),
    /// The item on disk does not follow the conventions.
    #[error("unexpected structure: {0}")]
    Layout(String),
    /// No such item.
    #[error("no such item")]
    NotFound,
    /// A soft or external link whose target does not exist (the message
    /// names the link's target).
    #[error("dangling link: {0}")]
    Dangling(String),
    /// A call made by several processes together (on a file written in
    /// parallel) that this process gave up because another failed or made
    /// another call; the message says which.
    #[error("{0}")]
    Collective(String),
}

impl StorageError {
    /// Wrap a library error.
    pub fn library(e: impl Into<BoxError>) -> StorageError {
        StorageError::Library(e.into())
    }
}

/// Result of a backend call.
pub type SResult<T> = Result<T, StorageError>;
