//! Running a short-lived command the harness needs (`openssl`, `ip`, `iptables`, `ctr`, `strip`,
//! `gcc`): its stdout on success, [`Error::Command`] with its stderr otherwise, and a hint when the
//! program is not installed.

use std::process::Command;

use crate::error::{Error, Result};

/// Runs `command` to completion; its stdout (lossy UTF-8) when it exits 0.
pub(crate) fn output(command: &mut Command) -> Result<String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let out = command.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::Unavailable(format!("the `{program}` command is not installed"))
        } else {
            Error::Io {
                context: format!("running {program}"),
                source: e,
            }
        }
    })?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let args: Vec<String> = command.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
    Err(Error::Command {
        command: format!("{program} {}", args.join(" ")),
        status: out.status,
        output: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// [`output`] of `program ARGS`, discarding stdout.
pub(crate) fn run(program: &str, args: &[&str]) -> Result<()> {
    output(Command::new(program).args(args)).map(|_| ())
}
