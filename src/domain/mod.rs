//! Value types shared by the resources: parsed once, valid from then on. No I/O here.

pub mod address;
pub mod enums;
pub mod event;
pub mod html;
pub mod paging;
pub mod precondition;
pub mod preview;
pub mod role;
pub mod site;
pub mod slug;
pub mod stored;
pub mod surrogate;
pub mod text;
pub mod time;
pub mod token;
pub mod visibility;
