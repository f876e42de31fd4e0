//! File names: family patterns (`run%d.h5`, `run%02d.h5`), members, and
//! the checks that tell what is wrong with an existing family before the
//! library opens it.
//!
//! A name is a family pattern when it holds exactly one integer
//! conversion `%d` or `%0Nd` (N = 1 to 9, zero-padded to N digits):
//! member `i` is the name with `i` in its place (`run0.h5`, `run1.h5`,
//! ... or `run00.h5`, ...). In every name, `%%` is one literal `%` (as
//! `printf` has it); any other `%` (as in `100%.h5`) is itself.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The default member size of a family: 128 MiB, as Python qnd's
/// `maxsize`.
pub const DEFAULT_FAMILY_SIZE: u64 = 128 << 20;

/// A file name, parsed: a family pattern, or a plain name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Name {
    /// A plain file name (`%%` made `%`).
    Plain(PathBuf),
    /// A family pattern.
    Family(Family),
}

/// A family pattern: members are `prefix` + index (at least `width`
/// digits, zero-padded) + `suffix`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Family {
    /// The pattern as written.
    pub pattern: PathBuf,
    prefix: String,
    width: usize,
    suffix: String,
}

impl Name {
    /// What `path` names.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a name with more than one integer conversion.
    pub fn parse(path: &Path) -> Result<Name> {
        let Some(text) = path.to_str().filter(|t| t.contains('%')) else {
            return Ok(Name::Plain(path.to_path_buf()));
        };
        let mut literal = Vec::new();
        let mut current = String::new();
        let mut widths = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find('%') {
            current.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            if let Some(more) = after.strip_prefix('%') {
                current.push('%');
                rest = more;
            } else if let Some((width, more)) = conversion(after) {
                widths.push(width);
                literal.push(std::mem::take(&mut current));
                rest = more;
            } else {
                current.push('%');
                rest = after;
            }
        }
        current.push_str(rest);
        literal.push(current);
        match widths.as_slice() {
            [] => Ok(Name::Plain(PathBuf::from(literal.concat()))),
            [width] => Ok(Name::Family(Family {
                pattern: path.to_path_buf(),
                suffix: literal.pop().unwrap_or_default(),
                prefix: literal.pop().unwrap_or_default(),
                width: *width,
            })),
            _ => Err(Error::Invalid {
                file: path.into(),
                path: "/".into(),
                reason: "a file name may hold one %d (or %0Nd) at most: it then names a \
                         family of files (write %% for a literal %)"
                    .into(),
            }),
        }
    }
}

/// The file name an external link to `file` (as `open` takes names)
/// stores: `%%` made `%`, since HDF5 takes the stored name literally.
///
/// # Errors
/// Why it cannot: a family pattern (`run%d.h5`) names no file HDF5 can open
/// through a link (it would take the name as written, and the link would
/// dangle); a name with two `%d`.
pub(crate) fn link_target(file: &Path) -> std::result::Result<PathBuf, String> {
    match Name::parse(file) {
        Ok(Name::Plain(literal)) => Ok(literal),
        Ok(Name::Family(_)) => Err(format!(
            "an external link cannot lead into the file family {}: HDF5 opens the target of \
             a link as one file (link to a single file, or write %% for a literal %)",
            file.display()
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// A `d` or `0Nd` conversion (after its `%`) at the start of `s`: its
/// width and what follows.
fn conversion(s: &str) -> Option<(usize, &str)> {
    if let Some(rest) = s.strip_prefix('d') {
        return Some((0, rest));
    }
    let digits = s.strip_prefix('0')?;
    let n = digits.bytes().take_while(u8::is_ascii_digit).count();
    let rest = digits[n..].strip_prefix('d')?;
    let width = digits[..n].parse().ok().filter(|w| (1..=9).contains(w))?;
    Some((width, rest))
}

impl Family {
    /// Member `i`'s file name.
    pub fn member(&self, i: u64) -> PathBuf {
        PathBuf::from(format!(
            "{}{i:0width$}{}",
            self.prefix,
            self.suffix,
            width = self.width
        ))
    }

    /// The pattern as HDF5's family driver takes it (`printf`: literal `%`
    /// written `%%`).
    pub fn hdf5_pattern(&self) -> PathBuf {
        let esc = |s: &str| s.replace('%', "%%");
        let conv = match self.width {
            0 => "%d".to_string(),
            w => format!("%0{w}d"),
        };
        PathBuf::from(format!("{}{conv}{}", esc(&self.prefix), esc(&self.suffix)))
    }

    /// The members that exist, from 0 up to the first missing one.
    fn members(&self) -> Vec<PathBuf> {
        (0..)
            .map(|i| self.member(i))
            .take_while(|m| m.exists())
            .collect()
    }

    /// The index of a file that exists past member `count` (a gap before
    /// it) and whose name reads as a member's, if any: named in the error
    /// of a family that lacks bytes, as a hint (it may be a member past a
    /// gap, or an unrelated file such as `run2024.h5` next to `run%d.h5`:
    /// HDF5 itself stops at the first missing member).
    #[cfg(feature = "hdf5")]
    fn stray_after(&self, count: u64) -> Option<u64> {
        self.fitting()
            .into_iter()
            .filter_map(|(name, digits)| {
                let ok = digits.len() >= self.width;
                let i: u64 = digits.parse().ok().filter(|_| ok)?;
                (self.member(i).file_name()?.to_str()? == name).then_some(i)
            })
            .filter(|&i| i > count)
            .min()
    }

    /// The files in the pattern's folder whose names are the prefix, one
    /// or more digits and the suffix: (file name, digits).
    #[cfg(any(feature = "hdf5", feature = "pdb"))]
    fn fitting(&self) -> Vec<(String, String)> {
        let pattern = Path::new(&self.prefix);
        let split = if self.prefix.is_empty() || self.prefix.ends_with('/') {
            Some((pattern, ""))
        } else {
            pattern
                .file_name()
                .and_then(|h| h.to_str())
                .map(|head| (pattern.parent().unwrap_or(Path::new("")), head))
        };
        let Some((dir, head)) = split else {
            return Vec::new();
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|name| {
                let digits = name.strip_prefix(head)?.strip_suffix(&self.suffix)?;
                let ok = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
                let digits = digits.to_string();
                ok.then_some((name, digits))
            })
            .collect()
    }

    #[cfg(feature = "pdb")]
    /// The members of a family read as Python qnd reads a PDB family:
    /// every file whose name is the pattern with its `%0Nd` made N digits
    /// (`%d`: one or more), in the order of (name length, name).
    pub fn pdb_members(&self) -> Vec<PathBuf> {
        let dir = Path::new(&self.prefix)
            .parent()
            .filter(|_| !self.prefix.ends_with('/'))
            .unwrap_or(Path::new(&self.prefix));
        let mut names: Vec<String> = self
            .fitting()
            .into_iter()
            .filter(|(_, digits)| self.width == 0 || digits.len() == self.width)
            .map(|(name, _)| name)
            .collect();
        sort_members(&mut names);
        names.into_iter().map(|n| dir.join(n)).collect()
    }

    /// Check that the existing family's members are all there: the
    /// members from 0 up to the first missing one (those HDF5 opens) hold
    /// the superblock's end of file. Other files whose names fit the
    /// pattern do not matter (an unrelated `run2024.h5` next to a
    /// one-member `run%d.h5`): one past a gap is only named in the error
    /// of a family that lacks bytes.
    ///
    /// # Errors
    /// [`Error::NoFile`] when the first member is missing; [`Error::Io`]
    /// (kind `NotFound`) naming a missing member.
    pub fn check_members(&self) -> Result<()> {
        let members = self.members();
        let count = members.len() as u64;
        if count == 0 {
            return Err(Error::NoFile {
                file: self.pattern.clone(),
            });
        }
        #[cfg(feature = "hdf5")]
        {
            let len = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            let Ok(Some(sb)) = super::superblock::Superblock::read_path(&members[0]) else {
                return Ok(());
            };
            let (first, last) = (len(&members[0]), len(&members[members.len() - 1]));
            let held = match count {
                1 => first,
                n => (n - 1).saturating_mul(first).saturating_add(last),
            };
            match sb.end_of_file() {
                Some(eof) if eof > held && !sb.flagged() => {
                    let past = self
                        .stray_after(count)
                        .map(|i| format!("; {} exists past the gap", self.member(i).display()))
                        .unwrap_or_default();
                    Err(Error::Io {
                        file: self.pattern.clone(),
                        source: std::io::Error::new(
                            std::io::ErrorKind::NotFound,
                            format!(
                                "member {} of the file family is missing (the family's \
                                 superblock says it holds {eof} bytes, its {count} member(s) \
                                 from {} hold {held}{past})",
                                self.member(count).display(),
                                members[0].display()
                            ),
                        ),
                    })
                }
                _ => Ok(()),
            }
        }
        #[cfg(not(feature = "hdf5"))]
        Ok(())
    }
}

#[cfg(feature = "pdb")]
/// Sort member file names as Python qnd does: by length, then by name
/// (so `run9` comes before `run10`).
fn sort_members(names: &mut [String]) {
    names.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
}

#[cfg(feature = "pdb")]
/// True when `path` holds a glob's special characters (`*`, `?`, `[`).
pub(crate) fn is_glob(path: &Path) -> bool {
    path.to_str().is_some_and(|t| t.contains(['*', '?', '[']))
}

#[cfg(feature = "pdb")]
/// The files a glob pattern (`run*.pdb`) matches, in the order Python qnd
/// takes a PDB family's members: by length, then by name.
///
/// # Errors
/// [`Error::Invalid`] for a malformed pattern (`run[.pdb`).
pub(crate) fn glob_members(pattern: &Path) -> Result<Vec<PathBuf>> {
    let invalid = |reason: String| Error::Invalid {
        file: pattern.into(),
        path: "/".into(),
        reason,
    };
    let text = pattern
        .to_str()
        .ok_or_else(|| invalid("a glob pattern must be UTF-8".into()))?;
    let paths = glob::glob(text).map_err(|e| invalid(format!("not a glob pattern: {e}")))?;
    let mut found: Vec<PathBuf> = paths
        .filter_map(|p| p.ok())
        .filter(|p| p.is_file())
        .collect();
    found.sort_by(|a, b| {
        let (a, b) = (a.as_os_str(), b.as_os_str());
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    });
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(name: &str) -> Family {
        match Name::parse(Path::new(name)).unwrap() {
            Name::Family(f) => f,
            Name::Plain(p) => panic!("{name} read as the plain name {}", p.display()),
        }
    }

    fn plain(name: &str) -> PathBuf {
        match Name::parse(Path::new(name)).unwrap() {
            Name::Plain(p) => p,
            Name::Family(f) => panic!("{name} read as a family {f:?}"),
        }
    }

    #[test]
    fn patterns_name_members() {
        let f = family("dir/run%d.h5");
        assert_eq!(f.member(0), Path::new("dir/run0.h5"));
        assert_eq!(f.member(12), Path::new("dir/run12.h5"));
        assert_eq!(f.hdf5_pattern(), Path::new("dir/run%d.h5"));
        let f = family("run%03d.h5");
        assert_eq!(f.member(7), Path::new("run007.h5"));
        assert_eq!(f.member(1234), Path::new("run1234.h5"));
        assert_eq!(f.hdf5_pattern(), Path::new("run%03d.h5"));
        let f = family("100%_%%_%d.h5");
        assert_eq!(f.member(2), Path::new("100%_%_2.h5"));
        assert_eq!(f.hdf5_pattern(), Path::new("100%%_%%_%d.h5"));
    }

    #[cfg(feature = "hdf5")]
    #[test]
    fn a_member_past_a_gap_is_found() {
        let dir = tempfile::tempdir().unwrap();
        for (pattern, names) in [
            ("%d.h5", ["0.h5", "2.h5", "x2.h5"]),
            ("r%02d.h5", ["r00.h5", "r03.h5", "r3.h5"]),
        ] {
            for n in names {
                std::fs::write(dir.path().join(n), b"").unwrap();
            }
            let f = family(&format!("{}/{pattern}", dir.path().display()));
            assert_eq!(f.members().len(), 1, "{pattern}");
            let stray = f.stray_after(1).unwrap();
            assert!(matches!(stray, 2 | 3), "{pattern}: {stray}");
            assert_eq!(f.member(stray).file_name().unwrap(), names[1], "{pattern}");
            // a member 0 that is no HDF5 file says nothing: HDF5 refuses it
            assert!(f.check_members().is_ok(), "{pattern}");
        }
    }

    #[test]
    fn other_percents_are_literal() {
        assert_eq!(plain("100%.h5"), Path::new("100%.h5"));
        assert_eq!(plain("a%%d.h5"), Path::new("a%d.h5"));
        assert_eq!(plain("a%5d.h5"), Path::new("a%5d.h5"));
        assert_eq!(plain("a%0d.h5"), Path::new("a%0d.h5"));
        assert_eq!(plain("plain.h5"), Path::new("plain.h5"));
        assert_eq!(plain("end%"), Path::new("end%"));
        assert!(Name::parse(Path::new("a%db%d.h5")).is_err());
    }
}
