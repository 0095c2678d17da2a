//! The Connect REST API on axum: Kafka Connect's paths, bodies, status codes and error body
//! (`{"error_code":N,"message":"…"}`), each route a thin call into the [`Herder`]. Bad JSON is
//! a 400 with the parser's reason (Kafka answers 500 there; see docs/compatibility.md).

pub mod entities;
mod forward;
mod routes;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

pub use routes::router;

use crate::herder::HerderError;
use entities::ErrorMessage;

/// The largest request body accepted (connector configs are small; Kafka has no explicit cap,
/// but a config over 1 MB could not be written to the config topic anyway): larger is a 413.
pub const MAX_BODY: usize = 1 << 20;

/// How much of a too-large body is still read (and dropped) so the client gets the 413.
pub const MAX_DRAINED: usize = 64 << 20;

/// An error answered with Kafka Connect's body.
pub struct RestError(pub HerderError);

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            Json(ErrorMessage {
                error_code: self.0.status,
                message: self.0.message,
            }),
        )
            .into_response()
    }
}

impl From<HerderError> for RestError {
    fn from(e: HerderError) -> Self {
        RestError(e)
    }
}

pub fn error(status: u16, message: impl Into<String>) -> RestError {
    RestError(HerderError::new(status, message))
}
