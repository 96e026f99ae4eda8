//! Being written: the deterministic demo portfolio generator.
