//! `pkglens completions SHELL` and `pkglens man`: the command line described for shells and
//! `man`, generated from the same definition clap parses with (clap_complete, clap_mangen).

use clap::{Args, CommandFactory};
use clap_complete::Shell;
use std::io::{self, Write};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for: bash, zsh, fish, powershell or elvish.
    pub shell: Shell,
}

/// Prints the completion script for `args.shell` on stdout.
pub fn completions(args: CompletionsArgs) -> ExitCode {
    // Generated into memory: clap_complete panics when its writer fails (`| head`).
    let mut script = Vec::new();
    clap_complete::generate(
        args.shell,
        &mut super::Cli::command(),
        "pkglens",
        &mut script,
    );
    print("completions", Ok(script))
}

/// Prints the man page (roff) on stdout: `pkglens man > pkglens.1`.
pub fn man() -> ExitCode {
    let mut page = Vec::new();
    let rendered = clap_mangen::Man::new(super::Cli::command())
        .render(&mut page)
        .map(|_| page);
    print("man", rendered)
}

/// Writes `text` on stdout; a reader that went away early is no error.
fn print(command: &str, text: io::Result<Vec<u8>>) -> ExitCode {
    match text.and_then(|text| io::stdout().lock().write_all(&text)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("pkglens {command}: {err}");
            ExitCode::from(1)
        }
    }
}
