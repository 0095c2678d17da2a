//! What must survive: acknowledged records across SIGKILLs of the broker (`crash`), idempotent
//! producers of four client libraries across crashes (`idempotence_crash`), and 100,000 hostile
//! frames while a bystander keeps producing (`hostile_input`), and the metadata log across
//! SIGKILLs during topic creation, a torn tail and an import (`metadata_crash`).

mod crash;
mod hostile_input;
mod idempotence_crash;
mod metadata_crash;
