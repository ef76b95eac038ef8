//! Streaming: annotate and watch (being written).
