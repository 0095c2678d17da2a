//! Kafka's text form of a UUID (cluster ids, topic ids, directory ids): URL-safe base64 without
//! padding, 22 characters, as `Uuid.toString` writes it and `Uuid.fromString` reads it.

use base64::Engine;
use uuid::Uuid;

/// Kafka's `Uuid.toString`: 22 characters of URL-safe base64.
pub fn to_string(id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.as_bytes())
}

/// A new random id the way Kafka makes them (`kafka-storage random-uuid`): never all zeros and
/// never starting with '-' when printed.
pub fn random() -> Uuid {
    loop {
        let id = Uuid::new_v4();
        if !id.is_nil() && !to_string(id).starts_with('-') {
            return id;
        }
    }
}

const BASE64_URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Kafka's `Uuid.fromString`, with its error messages (for ids a user typed).
pub fn from_string(s: &str) -> Result<Uuid, String> {
    if s.chars().count() > 24 {
        let prefix: String = s.chars().take(24).collect();
        return Err(format!(
            "Input string with prefix `{prefix}` is too long to be decoded as a base64 UUID"
        ));
    }
    let body = s.trim_end_matches('=');
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut bytes = Vec::with_capacity(16);
    for c in body.chars() {
        let v = BASE64_URL
            .iter()
            .position(|&b| b as char == c)
            .ok_or_else(|| format!("Illegal base64 character {:x}", u32::from(c)))?;
        bits = (bits << 6) | v as u32;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            bytes.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    if body.len() % 4 == 1 {
        return Err("Last unit does not have enough valid bits".to_string());
    }
    let array: [u8; 16] = bytes.as_slice().try_into().map_err(|_| {
        format!(
            "Input string `{s}` decoded as {} bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID",
            bytes.len()
        )
    })?;
    Ok(Uuid::from_bytes(array))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_as_kafka_writes_them() {
        let id = Uuid::from_bytes([
            0xc0, 0x70, 0x6b, 0x04, 0xb1, 0xd5, 0x4c, 0x89, 0xb1, 0x36, 0x94, 0x7b, 0x58, 0x22, 0x14, 0x88,
        ]);
        let text = to_string(id);
        assert_eq!(text.len(), 22);
        assert_eq!(from_string(&text), Ok(id));
        assert_eq!(to_string(Uuid::nil()), "AAAAAAAAAAAAAAAAAAAAAA");
        assert_eq!(
            from_string("abc").unwrap_err(),
            "Input string `abc` decoded as 2 bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID"
        );
        assert!(from_string("a*").unwrap_err().starts_with("Illegal base64 character 2a"));
    }

    #[test]
    fn random_ids_print_as_kafka_wants_them() {
        for _ in 0..100 {
            let id = random();
            assert_eq!(from_string(&to_string(id)), Ok(id));
            assert!(!to_string(id).starts_with('-'));
        }
    }
}
