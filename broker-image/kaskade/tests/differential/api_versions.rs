//! ApiVersions: the version ranges each broker advertises, and the fallback to v0 for a version it does not know.

use super::*;

#[test]
fn api_versions_ranges() {
    let mut pair = Pair::new();
    // The APIs this suite compares; Kaskade may serve more (each is checked the same way).
    let compared = [
        ApiKey::Produce,
        ApiKey::Fetch,
        ApiKey::ListOffsets,
        ApiKey::Metadata,
        ApiKey::ApiVersions,
        ApiKey::CreateTopics,
        ApiKey::DeleteTopics,
        ApiKey::DescribeCluster,
        ApiKey::DescribeTopicPartitions,
        ApiKey::DescribeConfigs,
        ApiKey::CreatePartitions,
        ApiKey::AlterConfigs,
        ApiKey::IncrementalAlterConfigs,
        ApiKey::DeleteRecords,
        ApiKey::OffsetForLeaderEpoch,
        ApiKey::DescribeLogDirs,
        ApiKey::FindCoordinator,
        ApiKey::JoinGroup,
        ApiKey::SyncGroup,
        ApiKey::Heartbeat,
        ApiKey::LeaveGroup,
        ApiKey::OffsetCommit,
        ApiKey::OffsetFetch,
        ApiKey::OffsetDelete,
        ApiKey::DescribeGroups,
        ApiKey::ListGroups,
        ApiKey::DeleteGroups,
    ];
    for version in 0..=4 {
        let mut req = ApiVersionsRequest::default();
        if version >= 3 {
            req.client_software_name = StrBytes::from_static_str("kaskade-differential");
            req.client_software_version = StrBytes::from_static_str("1.0");
        }
        let (a, b) = pair.both(version, &req);
        assert_eq!((a.error_code, b.error_code), (NONE, NONE), "ApiVersions v{version}");
        let range =
            |r: &ApiVersionsResponse, key: i16| r.api_keys.iter().find(|k| k.api_key == key).map(|k| (k.min_version, k.max_version));
        for key in compared {
            assert!(range(&b, key as i16).is_some(), "Kaskade does not advertise {key:?}");
        }
        let mut notes = Vec::new();
        for entry in &b.api_keys {
            let key = ApiKey::try_from(entry.api_key).expect("a known API key");
            let kaskade = (entry.min_version, entry.max_version);
            let kafka = range(&a, entry.api_key).unwrap_or_else(|| panic!("Kafka does not serve {key:?}"));
            assert_eq!(
                kaskade.0, kafka.0,
                "v{version}: {key:?} min version: Kaskade {kaskade:?}, Kafka {kafka:?}"
            );
            let crate_max = key.valid_versions().max;
            assert!(
                kaskade.1 <= crate_max,
                "v{version}: {key:?} max {} above the crate's {crate_max}",
                kaskade.1
            );
            if kaskade.1 != kafka.1 {
                notes.push(format!("{key:?}: Kafka {kafka:?}, Kaskade {kaskade:?}"));
            }
        }
        if version == 0 && !notes.is_empty() {
            eprintln!("max versions that differ from Kafka 4.4: {notes:?}");
        }
        // Fields that exist from v3 on: Kafka advertises its features, Kaskade none (see
        // docs/compatibility.md); both use -1 for "no finalized features epoch" only when none.
        if version >= 3 {
            assert!(!a.supported_features.is_empty(), "Kafka lists its supported features");
            assert!(b.supported_features.is_empty() && b.finalized_features.is_empty());
            assert_eq!(b.finalized_features_epoch, -1);
            assert!(!a.zk_migration_ready && !b.zk_migration_ready);
        }
    }
}

/// An ApiVersions request of a version the broker does not know: the broker answers in the v0
/// format with ResponseError::UnsupportedVersion.code() and its own ApiVersions range, so the client can retry.
#[test]
fn api_versions_unknown_version_falls_back_to_v0() {
    let mut pair = Pair::new();
    let frame = |correlation: i32| {
        let mut f = BytesMut::new();
        f.put_i32(0);
        f.put_i16(ApiKey::ApiVersions as i16);
        f.put_i16(127);
        f.put_i32(correlation);
        let client = b"kaskade-raw-test";
        f.put_i16(client.len() as i16);
        f.put_slice(client);
        f.put_u8(0); // header tagged fields (header v2)
        f.put_u8(1); // client_software_name: empty compact string
        f.put_u8(1); // client_software_version: empty compact string
        f.put_u8(0); // body tagged fields
        let size = (f.len() - 4) as i32;
        f[..4].copy_from_slice(&size.to_be_bytes());
        f
    };
    let mut answers = Vec::new();
    for (who, client) in [("Kafka", &mut pair.kafka), ("Kaskade", &mut pair.kaskade)] {
        client.send_bytes(&frame(4242)).expect("send");
        let body = client
            .read_frame()
            .unwrap_or_else(|e| panic!("{who} did not answer ApiVersions v127: {e}"));
        let mut buf = body.clone();
        let header = ResponseHeader::decode(&mut buf, 0).expect("v0 response header");
        assert_eq!(header.correlation_id, 4242, "{who}");
        let resp = ApiVersionsResponse::decode(&mut buf, 0).expect("v0 ApiVersions response");
        assert!(!buf.has_remaining(), "{who}: trailing bytes after a v0 body");
        assert_eq!(resp.error_code, ResponseError::UnsupportedVersion.code(), "{who}");
        assert!(
            resp.api_keys.iter().any(|k| k.api_key == ApiKey::ApiVersions as i16),
            "{who}: {resp:?}"
        );
        answers.push(body);
    }
    // Byte for byte the same, except the ApiVersions max version (the last two bytes): Kafka
    // 4.4 knows v5, Kaskade serves what the protocol crate knows.
    let (a, b) = (&answers[0], &answers[1]);
    assert_eq!(a.len(), b.len(), "v0 fallback answers: Kafka {a:?}, Kaskade {b:?}");
    let n = a.len() - 2;
    assert_eq!(a[..n], b[..n], "v0 fallback answers: Kafka {a:?}, Kaskade {b:?}");
    let max = |f: &Bytes| i16::from_be_bytes([f[n], f[n + 1]]);
    assert_eq!(max(b), ApiVersionsRequest::VERSIONS.max, "Kaskade's ApiVersions max");
    assert!(max(a) >= max(b), "Kafka's ApiVersions max {} is below Kaskade's {}", max(a), max(b));
}
