//! The sandbox driven over HTTP with reqwest, as the adapters will drive it.

mod admin;
mod common;
mod faults;
mod hostile;
mod instagram;
mod shapes;
mod tiktok;
mod youtube;
