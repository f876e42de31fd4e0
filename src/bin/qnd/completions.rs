//! `qnd completions SHELL`: the shell completion script, made by
//! clap_complete from the command line's own definition.

use clap_complete::Shell;

use crate::cli::{self, Failure};

/// Print the shell completion script for SHELL
///
/// Prints the completion script of qnd for SHELL (bash, zsh, fish, elvish,
/// powershell) on stdout. Load it in the running shell, or save it where
/// the shell looks for completions (for bash, a file in
/// ~/.local/share/bash-completion/completions/).
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Example:
  qnd completions bash > ~/.local/share/bash-completion/completions/qnd
  source <(qnd completions bash)")]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_name = "SHELL")]
    pub shell: Shell,
}

/// `qnd completions SHELL`; `command` is the whole command line's.
pub fn run(args: CompletionsArgs, mut command: clap::Command) -> Result<(), Failure> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "qnd", &mut script);
    cli::print(&String::from_utf8_lossy(&script))
}
