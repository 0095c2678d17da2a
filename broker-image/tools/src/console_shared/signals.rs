//! SIGINT and SIGTERM as Kafka's console tools see them: the JVM runs the tool's shutdown hook
//! (the producer sends what it buffered; the consumer stops, commits and prints its count) and
//! then exits with 128 + the signal number (130 for Ctrl-C, 143 for SIGTERM). Listening here
//! replaces the default action (immediate death) so the tool can do the same.

use tokio::signal::unix::{signal, Signal, SignalKind};

use crate::exit::ToolError;

pub struct Shutdown {
    interrupt: Signal,
    terminate: Signal,
}

impl Shutdown {
    /// Starts listening; from now on SIGINT and SIGTERM no longer kill the process.
    pub fn listen() -> Result<Shutdown, ToolError> {
        let listen = |kind| signal(kind).map_err(|e| ToolError::new(format!("cannot listen for signals: {e}")));
        Ok(Shutdown {
            interrupt: listen(SignalKind::interrupt())?,
            terminate: listen(SignalKind::terminate())?,
        })
    }

    /// Waits for the next SIGINT or SIGTERM; returns its number.
    pub async fn recv(&mut self) -> i32 {
        tokio::select! {
            _ = self.interrupt.recv() => 2,
            _ = self.terminate.recv() => 15,
        }
    }
}

/// Kafka's exit code after a signal.
pub fn exit_code(signal: i32) -> i32 {
    128 + signal
}
