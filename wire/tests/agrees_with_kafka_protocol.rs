//! The walk and `kafka-protocol` read the same bytes: for every API both know and every version
//! both define, a request and a response that `kafka-protocol` encodes (with a header) are
//! walked to their exact end; the header versions agree; and the 19-byte frame that used to
//! abort the broker is refused before any decoder sees it.

use bytes::BytesMut;
use kafka_protocol::messages::*;
use kafka_protocol::protocol::{Encodable, HeaderVersion, Message as KpMessage, StrBytes};
use kaskade_wire::walk::{request_header_version, response_header_version};
use kaskade_wire::{check_request, check_response, generated, WireError};

fn request_frame<R: Encodable + HeaderVersion>(key: i16, version: i16, body: &R) -> BytesMut {
    let mut buf = BytesMut::new();
    RequestHeader::default()
        .with_request_api_key(key)
        .with_request_api_version(version)
        .with_correlation_id(7)
        .with_client_id(Some(StrBytes::from_static_str("walk-test")))
        .encode(&mut buf, R::header_version(version))
        .unwrap();
    body.encode(&mut buf, version).unwrap();
    buf
}

fn response_frame<R: Encodable + HeaderVersion>(version: i16, body: &R) -> BytesMut {
    let mut buf = BytesMut::new();
    ResponseHeader::default()
        .with_correlation_id(7)
        .encode(&mut buf, R::header_version(version))
        .unwrap();
    body.encode(&mut buf, version).unwrap();
    buf
}

/// Walks `req` and `resp` in every version both sides define; returns the versions checked.
fn both<Req, Resp>(key: ApiKey, req: &Req, resp: &Resp) -> usize
where
    Req: Encodable + HeaderVersion + KpMessage,
    Resp: Encodable + HeaderVersion,
{
    let spec_req = generated::request(key as i16).unwrap_or_else(|| panic!("{key:?}: no request spec"));
    let spec_resp = generated::response(key as i16).unwrap_or_else(|| panic!("{key:?}: no response spec"));
    let mut checked = 0;
    for v in Req::VERSIONS.min..=Req::VERSIONS.max {
        if !spec_req.valid.contains(v) {
            continue;
        }
        assert_eq!(
            request_header_version(spec_req, v),
            Req::header_version(v),
            "{key:?} v{v} request header"
        );
        assert_eq!(
            response_header_version(spec_resp, v),
            Resp::header_version(v),
            "{key:?} v{v} response header"
        );
        let frame = request_frame(key as i16, v, req);
        let walked = check_request(&frame).unwrap_or_else(|e| panic!("{key:?} v{v} request: {e}"));
        assert_eq!(walked.len, frame.len(), "{key:?} v{v}: the walk ends where the request does");
        assert_eq!((walked.api_key, walked.api_version, walked.correlation_id), (key as i16, v, 7));
        let frame = response_frame(v, resp);
        let len = check_response(key as i16, v, &frame).unwrap_or_else(|e| panic!("{key:?} v{v} response: {e}"));
        assert_eq!(len, frame.len(), "{key:?} v{v}: the walk ends where the response does");
        checked += 1;
    }
    checked
}

#[test]
fn every_api_in_every_version_both_define_walks_to_its_end() {
    let checked = [
        both(ApiKey::Produce, &ProduceRequest::default(), &ProduceResponse::default()),
        both(ApiKey::Fetch, &FetchRequest::default(), &FetchResponse::default()),
        both(ApiKey::ListOffsets, &ListOffsetsRequest::default(), &ListOffsetsResponse::default()),
        both(ApiKey::Metadata, &MetadataRequest::default(), &MetadataResponse::default()),
        both(
            ApiKey::OffsetCommit,
            &OffsetCommitRequest::default(),
            &OffsetCommitResponse::default(),
        ),
        both(ApiKey::OffsetFetch, &OffsetFetchRequest::default(), &OffsetFetchResponse::default()),
        both(
            ApiKey::FindCoordinator,
            &FindCoordinatorRequest::default(),
            &FindCoordinatorResponse::default(),
        ),
        both(ApiKey::JoinGroup, &JoinGroupRequest::default(), &JoinGroupResponse::default()),
        both(ApiKey::Heartbeat, &HeartbeatRequest::default(), &HeartbeatResponse::default()),
        both(ApiKey::LeaveGroup, &LeaveGroupRequest::default(), &LeaveGroupResponse::default()),
        both(ApiKey::SyncGroup, &SyncGroupRequest::default(), &SyncGroupResponse::default()),
        both(
            ApiKey::DescribeGroups,
            &DescribeGroupsRequest::default(),
            &DescribeGroupsResponse::default(),
        ),
        both(ApiKey::ListGroups, &ListGroupsRequest::default(), &ListGroupsResponse::default()),
        both(
            ApiKey::SaslHandshake,
            &SaslHandshakeRequest::default(),
            &SaslHandshakeResponse::default(),
        ),
        both(ApiKey::ApiVersions, &ApiVersionsRequest::default(), &ApiVersionsResponse::default()),
        both(
            ApiKey::CreateTopics,
            &CreateTopicsRequest::default(),
            &CreateTopicsResponse::default(),
        ),
        both(
            ApiKey::DeleteTopics,
            &DeleteTopicsRequest::default(),
            &DeleteTopicsResponse::default(),
        ),
        both(
            ApiKey::DeleteRecords,
            &DeleteRecordsRequest::default(),
            &DeleteRecordsResponse::default(),
        ),
        both(
            ApiKey::InitProducerId,
            &InitProducerIdRequest::default(),
            &InitProducerIdResponse::default(),
        ),
        both(
            ApiKey::OffsetForLeaderEpoch,
            &OffsetForLeaderEpochRequest::default(),
            &OffsetForLeaderEpochResponse::default(),
        ),
        both(
            ApiKey::AddPartitionsToTxn,
            &AddPartitionsToTxnRequest::default(),
            &AddPartitionsToTxnResponse::default(),
        ),
        both(
            ApiKey::AddOffsetsToTxn,
            &AddOffsetsToTxnRequest::default(),
            &AddOffsetsToTxnResponse::default(),
        ),
        both(ApiKey::EndTxn, &EndTxnRequest::default(), &EndTxnResponse::default()),
        both(
            ApiKey::WriteTxnMarkers,
            &WriteTxnMarkersRequest::default(),
            &WriteTxnMarkersResponse::default(),
        ),
        both(
            ApiKey::TxnOffsetCommit,
            &TxnOffsetCommitRequest::default(),
            &TxnOffsetCommitResponse::default(),
        ),
        both(
            ApiKey::DescribeAcls,
            &DescribeAclsRequest::default(),
            &DescribeAclsResponse::default(),
        ),
        both(ApiKey::CreateAcls, &CreateAclsRequest::default(), &CreateAclsResponse::default()),
        both(ApiKey::DeleteAcls, &DeleteAclsRequest::default(), &DeleteAclsResponse::default()),
        both(
            ApiKey::DescribeConfigs,
            &DescribeConfigsRequest::default(),
            &DescribeConfigsResponse::default(),
        ),
        both(
            ApiKey::AlterConfigs,
            &AlterConfigsRequest::default(),
            &AlterConfigsResponse::default(),
        ),
        both(
            ApiKey::AlterReplicaLogDirs,
            &AlterReplicaLogDirsRequest::default(),
            &AlterReplicaLogDirsResponse::default(),
        ),
        both(
            ApiKey::DescribeLogDirs,
            &DescribeLogDirsRequest::default(),
            &DescribeLogDirsResponse::default(),
        ),
        both(
            ApiKey::SaslAuthenticate,
            &SaslAuthenticateRequest::default(),
            &SaslAuthenticateResponse::default(),
        ),
        both(
            ApiKey::CreatePartitions,
            &CreatePartitionsRequest::default(),
            &CreatePartitionsResponse::default(),
        ),
        both(
            ApiKey::CreateDelegationToken,
            &CreateDelegationTokenRequest::default(),
            &CreateDelegationTokenResponse::default(),
        ),
        both(
            ApiKey::RenewDelegationToken,
            &RenewDelegationTokenRequest::default(),
            &RenewDelegationTokenResponse::default(),
        ),
        both(
            ApiKey::ExpireDelegationToken,
            &ExpireDelegationTokenRequest::default(),
            &ExpireDelegationTokenResponse::default(),
        ),
        both(
            ApiKey::DescribeDelegationToken,
            &DescribeDelegationTokenRequest::default(),
            &DescribeDelegationTokenResponse::default(),
        ),
        both(
            ApiKey::DeleteGroups,
            &DeleteGroupsRequest::default(),
            &DeleteGroupsResponse::default(),
        ),
        both(
            ApiKey::ElectLeaders,
            &ElectLeadersRequest::default(),
            &ElectLeadersResponse::default(),
        ),
        both(
            ApiKey::IncrementalAlterConfigs,
            &IncrementalAlterConfigsRequest::default(),
            &IncrementalAlterConfigsResponse::default(),
        ),
        both(
            ApiKey::AlterPartitionReassignments,
            &AlterPartitionReassignmentsRequest::default(),
            &AlterPartitionReassignmentsResponse::default(),
        ),
        both(
            ApiKey::ListPartitionReassignments,
            &ListPartitionReassignmentsRequest::default(),
            &ListPartitionReassignmentsResponse::default(),
        ),
        both(
            ApiKey::OffsetDelete,
            &OffsetDeleteRequest::default(),
            &OffsetDeleteResponse::default(),
        ),
        both(
            ApiKey::DescribeClientQuotas,
            &DescribeClientQuotasRequest::default(),
            &DescribeClientQuotasResponse::default(),
        ),
        both(
            ApiKey::AlterClientQuotas,
            &AlterClientQuotasRequest::default(),
            &AlterClientQuotasResponse::default(),
        ),
        both(
            ApiKey::DescribeUserScramCredentials,
            &DescribeUserScramCredentialsRequest::default(),
            &DescribeUserScramCredentialsResponse::default(),
        ),
        both(
            ApiKey::AlterUserScramCredentials,
            &AlterUserScramCredentialsRequest::default(),
            &AlterUserScramCredentialsResponse::default(),
        ),
        both(ApiKey::Vote, &VoteRequest::default(), &VoteResponse::default()),
        both(
            ApiKey::BeginQuorumEpoch,
            &BeginQuorumEpochRequest::default(),
            &BeginQuorumEpochResponse::default(),
        ),
        both(
            ApiKey::EndQuorumEpoch,
            &EndQuorumEpochRequest::default(),
            &EndQuorumEpochResponse::default(),
        ),
        both(
            ApiKey::DescribeQuorum,
            &DescribeQuorumRequest::default(),
            &DescribeQuorumResponse::default(),
        ),
        both(
            ApiKey::AlterPartition,
            &AlterPartitionRequest::default(),
            &AlterPartitionResponse::default(),
        ),
        both(
            ApiKey::UpdateFeatures,
            &UpdateFeaturesRequest::default(),
            &UpdateFeaturesResponse::default(),
        ),
        both(ApiKey::Envelope, &EnvelopeRequest::default(), &EnvelopeResponse::default()),
        both(
            ApiKey::FetchSnapshot,
            &FetchSnapshotRequest::default(),
            &FetchSnapshotResponse::default(),
        ),
        both(
            ApiKey::DescribeCluster,
            &DescribeClusterRequest::default(),
            &DescribeClusterResponse::default(),
        ),
        both(
            ApiKey::DescribeProducers,
            &DescribeProducersRequest::default(),
            &DescribeProducersResponse::default(),
        ),
        both(
            ApiKey::BrokerRegistration,
            &BrokerRegistrationRequest::default(),
            &BrokerRegistrationResponse::default(),
        ),
        both(
            ApiKey::BrokerHeartbeat,
            &BrokerHeartbeatRequest::default(),
            &BrokerHeartbeatResponse::default(),
        ),
        both(
            ApiKey::UnregisterBroker,
            &UnregisterBrokerRequest::default(),
            &UnregisterBrokerResponse::default(),
        ),
        both(
            ApiKey::DescribeTransactions,
            &DescribeTransactionsRequest::default(),
            &DescribeTransactionsResponse::default(),
        ),
        both(
            ApiKey::ListTransactions,
            &ListTransactionsRequest::default(),
            &ListTransactionsResponse::default(),
        ),
        both(
            ApiKey::AllocateProducerIds,
            &AllocateProducerIdsRequest::default(),
            &AllocateProducerIdsResponse::default(),
        ),
        both(
            ApiKey::ConsumerGroupHeartbeat,
            &ConsumerGroupHeartbeatRequest::default(),
            &ConsumerGroupHeartbeatResponse::default(),
        ),
        both(
            ApiKey::ConsumerGroupDescribe,
            &ConsumerGroupDescribeRequest::default(),
            &ConsumerGroupDescribeResponse::default(),
        ),
        both(
            ApiKey::ControllerRegistration,
            &ControllerRegistrationRequest::default(),
            &ControllerRegistrationResponse::default(),
        ),
        both(
            ApiKey::GetTelemetrySubscriptions,
            &GetTelemetrySubscriptionsRequest::default(),
            &GetTelemetrySubscriptionsResponse::default(),
        ),
        both(
            ApiKey::PushTelemetry,
            &PushTelemetryRequest::default(),
            &PushTelemetryResponse::default(),
        ),
        both(
            ApiKey::AssignReplicasToDirs,
            &AssignReplicasToDirsRequest::default(),
            &AssignReplicasToDirsResponse::default(),
        ),
        both(
            ApiKey::ListConfigResources,
            &ListConfigResourcesRequest::default(),
            &ListConfigResourcesResponse::default(),
        ),
        both(
            ApiKey::DescribeTopicPartitions,
            &DescribeTopicPartitionsRequest::default(),
            &DescribeTopicPartitionsResponse::default(),
        ),
        both(
            ApiKey::ShareGroupHeartbeat,
            &ShareGroupHeartbeatRequest::default(),
            &ShareGroupHeartbeatResponse::default(),
        ),
        both(
            ApiKey::ShareGroupDescribe,
            &ShareGroupDescribeRequest::default(),
            &ShareGroupDescribeResponse::default(),
        ),
        both(ApiKey::ShareFetch, &ShareFetchRequest::default(), &ShareFetchResponse::default()),
        both(
            ApiKey::ShareAcknowledge,
            &ShareAcknowledgeRequest::default(),
            &ShareAcknowledgeResponse::default(),
        ),
        both(
            ApiKey::AddRaftVoter,
            &AddRaftVoterRequest::default(),
            &AddRaftVoterResponse::default(),
        ),
        both(
            ApiKey::RemoveRaftVoter,
            &RemoveRaftVoterRequest::default(),
            &RemoveRaftVoterResponse::default(),
        ),
        both(
            ApiKey::UpdateRaftVoter,
            &UpdateRaftVoterRequest::default(),
            &UpdateRaftVoterResponse::default(),
        ),
        both(
            ApiKey::InitializeShareGroupState,
            &InitializeShareGroupStateRequest::default(),
            &InitializeShareGroupStateResponse::default(),
        ),
        both(
            ApiKey::ReadShareGroupState,
            &ReadShareGroupStateRequest::default(),
            &ReadShareGroupStateResponse::default(),
        ),
        both(
            ApiKey::WriteShareGroupState,
            &WriteShareGroupStateRequest::default(),
            &WriteShareGroupStateResponse::default(),
        ),
        both(
            ApiKey::DeleteShareGroupState,
            &DeleteShareGroupStateRequest::default(),
            &DeleteShareGroupStateResponse::default(),
        ),
        both(
            ApiKey::ReadShareGroupStateSummary,
            &ReadShareGroupStateSummaryRequest::default(),
            &ReadShareGroupStateSummaryResponse::default(),
        ),
        both(
            ApiKey::DescribeShareGroupOffsets,
            &DescribeShareGroupOffsetsRequest::default(),
            &DescribeShareGroupOffsetsResponse::default(),
        ),
        both(
            ApiKey::AlterShareGroupOffsets,
            &AlterShareGroupOffsetsRequest::default(),
            &AlterShareGroupOffsetsResponse::default(),
        ),
        both(
            ApiKey::DeleteShareGroupOffsets,
            &DeleteShareGroupOffsetsRequest::default(),
            &DeleteShareGroupOffsetsResponse::default(),
        ),
    ];
    assert_eq!(checked.len(), ApiKey::iter().count(), "every API kafka-protocol knows is listed");
    // Kafka 4.4 and kafka-protocol 0.18 share 287 (API, version) pairs.
    assert!(
        checked.iter().sum::<usize>() >= 280,
        "versions checked: {}",
        checked.iter().sum::<usize>()
    );
}

#[test]
fn the_frame_that_aborted_the_broker_is_refused() {
    // Metadata v1, correlation id 1, client id "x", a topic array of 2,147,483,647 entries.
    let frame = [
        0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, b'x', 0x7f, 0xff, 0xff, 0xff,
    ];
    assert_eq!(
        check_request(&frame),
        Err(WireError::CollectionTooLarge {
            message: "MetadataRequest",
            field: "Topics",
            declared: 2_147_483_647,
            remaining: 0,
        })
    );
}
