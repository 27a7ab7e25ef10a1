//! Gateway tests: the real HTTP server in-process over a real database.

mod abuse;
mod auth;
mod cache;
mod clone;
mod contract;
mod hardening;
mod isolation;
mod members;
mod messaging;
mod partners;
mod people;
mod roles;
mod statements;
mod support;
mod tickets;
