//! qnd plot
