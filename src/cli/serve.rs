//! `pkglens serve --catalog FILE [--listen ADDR]`: the catalog over HTTP (see
//! [`pkglens::serve`]). The first line on stdout is the address served, so a caller that asked
//! for port 0 learns the port.

use anyhow::Context;
use clap::Args;
use pkglens::serve::Server;
use pkglens::terminal;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The catalog `scan --catalog` wrote.
    #[arg(long, value_name = "FILE")]
    pub catalog: PathBuf,
    /// Address to listen on; loopback unless told otherwise (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let server = Server::bind(&args.catalog, &args.listen)?;
    let address = server
        .local_addr()
        .context("cannot read the bound address")?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "http://{address}/")?;
    stdout.flush()?;
    drop(stdout);
    server.run()?;
    Ok(())
}

pub fn run(args: ServeArgs) -> ExitCode {
    match serve(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!(
                "pkglens serve: {}",
                terminal::escape_lines(&format!("{err:#}"))
            );
            ExitCode::from(2)
        }
    }
}
