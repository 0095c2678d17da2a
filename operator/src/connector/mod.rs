//! The pure half of the `Connector` reconciler: the configuration a resource asks for
//! ([`desired`]), the REST steps that bring a worker in line ([`plan`]), and the status the
//! worker's answers mean ([`status`]). The controller (`crate::controllers::connector`) makes the
//! calls; nothing here does I/O.

pub mod desired;
pub mod plan;
pub mod status;
