//! The domain (ARCHITECTURE.md §2): brands, creators, connections, scopes,
//! posts and snapshots.

mod connection;
mod lifecycle;
mod listers;
mod post;
mod scope;
mod tenant;

pub use connection::{
    Connection, ConnectionHealth, ConnectionStatus, DisconnectReason, Disconnection, HighWater,
    LastProblem, POST_COUNT_FALL_LIFETIME, PostCountCheck, PostCountVerdict, StatusInterval,
    StatusKind, Suspicion,
};
pub use lifecycle::{Due, NextScan, PostEvent, PostFacts, Transition, transition};
pub use listers::{Lister, lister_creators, record_lister, successor, takes_over};
pub use post::{
    Attribution, DeletedSpan, FoundHashtag, MediaKind, Post, PostState, Snapshot, TextField,
};
pub use scope::{CampaignWindow, Scope, ScopeKind};
pub use tenant::{Brand, Creator};
