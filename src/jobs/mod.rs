//! The background job worker: runs what the outbox (`db::outbox`) holds — webhook
//! fan-outs and deliveries, scheduled publications, CDN purges — in this process
//! (`NEWSDESK_WORKERS`) or alone (`newsdesk worker`).

pub mod payload;
pub mod repo;
pub mod run;
pub mod worker;
