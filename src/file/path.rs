//! Item paths: walking `a/b/x` (or `/a/b/x`) to the group that holds its
//! last component, under the caller's lock, with cached lookups and no
//! string built unless an error is returned. And file names: `~` and
//! environment variables expanded ([`expand_name`]).

use std::path::{Path, PathBuf};

use crate::backend::{Kind, NodeId};
use crate::error::{Result, Where};
use crate::file::FileState;

#[cfg(unix)]
mod raw;

/// Where a walk went through the current record of a list under goto:
/// `Some((end, r))`, record `r` of the list whose component ends at byte
/// `end` of the path.
pub(crate) type Through = Option<(usize, usize)>;

/// Where a path leads: the group holding its last component, and that
/// component (`""` for the group itself).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Walked<'p> {
    /// The group holding the last component.
    pub group: NodeId,
    /// The last component, `""` when the path names a group itself.
    pub name: &'p str,
    /// The part of the path naming `group` (relative to where the walk
    /// started, or absolute when it begins with `/`).
    pub group_path: &'p str,
    /// `Some((end, r))` when the walk went through record `r` of the list
    /// (under goto) whose component ends at byte `end` of the path.
    pub through: Through,
}

impl Walked<'_> {
    /// Where the group reached is, from `at` naming the group the walk
    /// started at.
    pub fn group_at<'a>(&'a self, at: &'a Where) -> Where<'a> {
        at.member_through(self.group_path, self.through)
    }
}

/// `base` joined with the components of `rel` (an absolute `rel` starts
/// from the root), empty components left out, as the tree spells paths.
pub(crate) fn join(base: &str, rel: &str) -> String {
    let (mut out, rel) = match rel.strip_prefix('/') {
        Some(rest) => (String::from("/"), rest),
        None => (base.to_string(), rel),
    };
    for part in rel.split('/').filter(|p| !p.is_empty()) {
        out = child_path(&out, part);
    }
    out
}

/// Walk `path` from group `from` (from `root` when it starts with `/`):
/// every component but the last must be a group, or, the first time with
/// goto on, a list whose current record is a group (a recording-2 list of
/// groups: `g/a` is member `a` of record `goto` of `g`). `at` names `from`
/// in errors; `goto` is the walking handle's goto.
///
/// # Errors
/// [`Error::NoItem`](crate::Error::NoItem) for a missing component,
/// [`Error::Mismatch`](crate::Error::Mismatch) for one that is not a group,
/// and backend errors.
pub(crate) fn walk<'p>(
    core: &mut FileState,
    root: NodeId,
    from: NodeId,
    at: &Where,
    path: &'p str,
    goto: Option<isize>,
) -> Result<Walked<'p>> {
    let (mut group, rest, skip) = match path.strip_prefix('/') {
        Some(rest) => (root, rest, 1),
        None => (from, path, 0),
    };
    let rest = rest.trim_end_matches('/');
    let Some((dirs, last)) = rest.rsplit_once('/') else {
        return Ok(Walked {
            group,
            name: rest,
            group_path: &path[..skip],
            through: None,
        });
    };
    let mut through = None;
    let mut end = skip;
    for part in dirs.split('/') {
        let here = end + part.len();
        if !part.is_empty() {
            let named = at.member_through(&path[..here], through);
            let (node, kind) = core
                .lookup(group, part)
                .map_err(|e| named.storage(e))?
                .ok_or_else(|| named.no_item())?;
            group = match (kind, goto) {
                (Kind::Group, _) => node,
                // the first list on the way, under goto: its current record
                (Kind::List, Some(r)) if through.is_none() => {
                    let n = super::read::list_len(core, &named, node)?;
                    let r = super::read::record_index(&named, r, n)?;
                    let (element, ekind) = super::read::element(core, &named.record(r), node, r)?;
                    if ekind != Kind::Group {
                        return Err(named.record(r).mismatch("a group", kind_name(ekind)));
                    }
                    through = Some((here, r));
                    element
                }
                _ => {
                    let goto = if through.is_some() { None } else { goto };
                    return Err(named.mismatch("a group", in_the_way(kind, goto)));
                }
            };
        }
        end = here + 1;
    }
    Ok(Walked {
        group,
        name: last,
        group_path: &path[..skip + dirs.len()],
        through,
    })
}

/// How an item that is not a group is described when a path goes through
/// it (what getting it as a handle would give).
fn in_the_way(kind: Kind, goto: Option<isize>) -> &'static str {
    match (kind, goto) {
        (Kind::Records, Some(_)) => "a leaf",
        (Kind::Records, None) => "a list",
        (other, _) => kind_name(other),
    }
}

/// `parent/name` as an item path.
pub(crate) fn child_path(parent: &str, name: &str) -> String {
    // built by hand: this runs on every record write
    let mut path = String::with_capacity(parent.len() + name.len() + 1);
    path.push_str(parent);
    if !parent.ends_with('/') {
        path.push('/');
    }
    path.push_str(name);
    path
}

/// `parent[i]`: element `i` of a list or record `i` of a record variable.
pub(crate) fn elem_path(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

/// How a kind is named in messages ("a group", "None").
pub(crate) fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Group => "a group",
        Kind::List => "a list",
        Kind::Leaf => "a leaf",
        Kind::Records => "a record variable",
        Kind::None => "None",
        Kind::Other => "an item qnd has no kind for",
    }
}

/// A file name with `~` and environment variables expanded, as Python
/// qnd does (`os.path.expanduser`, then `os.path.expandvars`): a leading
/// `~` (alone or before `/`) is the home directory (`$HOME`, or the
/// password database's when `HOME` is unset), a leading `~user` user's
/// home directory (from the password database, on Unix; elsewhere left as
/// written), and `$NAME` or `${NAME}` (`NAME` of letters, digits and `_`)
/// is the variable's value. What cannot be expanded (an unset variable, an
/// unknown user, a name that is not UTF-8) is left as written.
pub(crate) fn expand_name(path: &Path) -> PathBuf {
    expand_with(path, |name| std::env::var(name).ok(), home_of)
}

/// The home directory of user `user` (`""`: the user running the
/// process), from the password database.
#[cfg(unix)]
fn home_of(user: &str) -> Option<String> {
    if user.is_empty() {
        raw::own_home()
    } else {
        raw::home_of(user)
    }
}

/// Without a password database: none.
#[cfg(not(unix))]
fn home_of(_user: &str) -> Option<String> {
    None
}

/// [`expand_name`] with the variables `var` gives and the home
/// directories `home` gives (`home("")`: the running user's, used when
/// `HOME` is unset).
fn expand_with(
    path: &Path,
    var: impl Fn(&str) -> Option<String>,
    home: impl Fn(&str) -> Option<String>,
) -> PathBuf {
    let Some(text) = path.to_str() else {
        return path.to_path_buf();
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    if let Some(after) = rest.strip_prefix('~') {
        // as posixpath.expanduser: `~` then up to the first `/`
        let end = after.find('/').unwrap_or(after.len());
        let user = &after[..end];
        let dir = if user.is_empty() {
            var("HOME").or_else(|| home(""))
        } else {
            home(user)
        };
        if let Some(dir) = dir {
            out.push_str(dir.trim_end_matches('/'));
            rest = &after[end..];
            if out.is_empty() && rest.is_empty() {
                out.push('/'); // a home of `/`
            }
        }
    }
    let word = |c: char| c.is_alphanumeric() || c == '_';
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, written) = match after.strip_prefix('{') {
            Some(inner) => match inner.find('}') {
                Some(end) => (&inner[..end], &rest[at..at + end + 3]),
                None => ("", "$"),
            },
            None => {
                let end = after.find(|c: char| !word(c)).unwrap_or(after.len());
                (&after[..end], &rest[at..at + end + 1])
            }
        };
        match var(name).filter(|_| !name.is_empty()) {
            Some(value) => out.push_str(&value),
            None => out.push_str(written),
        }
        rest = &rest[at + written.len()..];
    }
    out.push_str(rest);
    PathBuf::from(out)
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn names_expand_home_and_variables() {
        use super::expand_with;
        use std::path::Path;
        let var = |name: &str| match name {
            "HOME" => Some("/home/me".to_string()),
            "RUN" => Some("r7".to_string()),
            _ => None,
        };
        let home = |user: &str| match user {
            "" => Some("/home/pw".to_string()),
            "other" => Some("/users/other/".to_string()),
            "root" => Some("/".to_string()),
            _ => None,
        };
        let x = |s: &str| expand_with(Path::new(s), var, home);
        assert_eq!(x("~/a.h5"), Path::new("/home/me/a.h5"));
        assert_eq!(x("~"), Path::new("/home/me"));
        assert_eq!(x("~other/a.h5"), Path::new("/users/other/a.h5"));
        assert_eq!(x("~other"), Path::new("/users/other"));
        assert_eq!(x("~root"), Path::new("/"));
        assert_eq!(x("~root/a.h5"), Path::new("/a.h5"));
        assert_eq!(x("~nobody7/a.h5"), Path::new("~nobody7/a.h5"));
        assert_eq!(x("a/~/b.h5"), Path::new("a/~/b.h5"));
        assert_eq!(x("$RUN/x.h5"), Path::new("r7/x.h5"));
        assert_eq!(x("${RUN}x.h5"), Path::new("r7x.h5"));
        assert_eq!(x("$RUNx.h5"), Path::new("$RUNx.h5"));
        assert_eq!(
            x("$UNSET/${UNSET}/$/${/a$"),
            Path::new("$UNSET/${UNSET}/$/${/a$")
        );
        assert_eq!(x("~/$RUN/run%d.h5"), Path::new("/home/me/r7/run%d.h5"));
        // HOME unset: the password database's home, if any
        let no_var = |s: &str| expand_with(Path::new(s), |_| None, home);
        assert_eq!(no_var("~/a.h5"), Path::new("/home/pw/a.h5"));
        let nothing = |s: &str| expand_with(Path::new(s), |_| None, |_| None);
        assert_eq!(nothing("~/a.h5"), Path::new("~/a.h5"));
        assert_eq!(nothing("~other/a.h5"), Path::new("~other/a.h5"));
    }

    #[test]
    fn join_spells_paths_as_the_tree_does() {
        assert_eq!(join("/", "a/b"), "/a/b");
        assert_eq!(join("/g", "a//b/"), "/g/a/b");
        assert_eq!(join("/g", "/x/y"), "/x/y");
        assert_eq!(join("/g", ""), "/g");
        assert_eq!(join("/g", "/"), "/");
    }
}
