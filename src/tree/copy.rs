//! Copying a tree between files (written next).
