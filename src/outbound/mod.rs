//! Outgoing HTTP. Nothing in a request's path waits on it: requests hand work to a
//! queue and a background task does the talking.

pub mod purge;
pub mod webhook;
