//! The integration tests whose subject is the `felsok` process itself: servers killed with
//! SIGKILL and started again, replicas sharing one database, the load harness, the command
//! line, and schemathesis against a running server.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod durability;
mod guides_cli;
mod live;
mod loadtest;
mod model;
mod schemathesis;
