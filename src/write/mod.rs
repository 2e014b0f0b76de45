//! Writing fixes to disk: atomic writes and `--verify` (gofmt, go vet,
//! byte-for-byte restore). Not for deciding what to write.

pub mod apply;
pub mod verify;
