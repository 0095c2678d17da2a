//! Reading a `consumer` member's subscription (Kafka's ConsumerProtocolSubscription) to learn
//! which topics it consumes; OffsetDelete refuses to delete offsets a member still consumes.

use bytes::{Buf, Bytes};
use kafka_protocol::messages::ConsumerProtocolSubscription;
use kafka_protocol::protocol::Decodable;

/// Whether the subscription metadata names `topic`. Metadata that cannot be read counts as
/// not subscribed.
pub fn subscribes_to(metadata: &Bytes, topic: &str) -> bool {
    let mut buf = metadata.clone();
    if buf.remaining() < 2 {
        return false;
    }
    let version = buf.get_i16();
    match ConsumerProtocolSubscription::decode(&mut buf, version.clamp(0, 3)) {
        Ok(s) => s.topics.iter().any(|t| t.as_str() == topic),
        Err(_) => false,
    }
}
