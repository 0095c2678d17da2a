//! DescribeCluster and DescribeTopicPartitions (with paging).

use super::*;

#[test]
fn describe_cluster() {
    let mut pair = Pair::new();
    for version in 0..=2 {
        for endpoint_type in [1, 2, 3] {
            if version == 0 && endpoint_type != 1 {
                continue;
            }
            let mut req = DescribeClusterRequest::default();
            if version >= 1 {
                req.endpoint_type = endpoint_type;
            }
            let (a, b) = pair.both(version, &req);
            let k = same(&format!("DescribeCluster v{version} endpoint type {endpoint_type}"), &a, &b);
            let code = match endpoint_type {
                1 => NONE,
                2 => ResponseError::MismatchedEndpointType.code(),
                _ => ResponseError::UnsupportedEndpointType.code(),
            };
            assert_eq!(k.error_code, code, "endpoint type {endpoint_type}");
        }
    }
}

#[test]
fn describe_topic_partitions_paging() {
    let mut pair = Pair::new();
    let a_topic = unique("dtp-a");
    let b_topic = unique("dtp-b");
    let missing = unique("dtp-c-missing");
    pair.create(&a_topic, 3, &[]);
    pair.create(&b_topic, 2, &[]);
    let request = |limit: i32, cursor: Option<(&str, i32)>| {
        let mut r = DescribeTopicPartitionsRequest::default();
        r.topics = [&b_topic, &missing, &a_topic]
            .iter()
            .map(|n| {
                let mut t = TopicRequest::default();
                t.name = tn(n);
                t
            })
            .collect();
        r.response_partition_limit = limit;
        r.cursor = cursor.map(|(n, p)| {
            let mut c = Cursor::default();
            c.topic_name = tn(n);
            c.partition_index = p;
            c
        });
        r
    };
    for limit in [1, 2, 3, 5, 2000] {
        let mut cursor: Option<(String, i32)> = None;
        for page in 0.. {
            assert!(page < 10, "paging does not end");
            let req = request(limit, cursor.as_ref().map(|(n, p)| (n.as_str(), *p)));
            let (a, b) = pair.both(0, &req);
            let k = same(&format!("DescribeTopicPartitions limit {limit} page {page}"), &a, &b);
            match k.next_cursor {
                Some(c) => cursor = Some((c.topic_name.0.to_string(), c.partition_index)),
                None => break,
            }
        }
    }
}
