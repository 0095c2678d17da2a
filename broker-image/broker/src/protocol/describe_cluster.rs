//! DescribeCluster: cluster id, controller and brokers (what the Admin client's
//! `describeCluster` shows).

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::describe_cluster_response::DescribeClusterBroker;
use kafka_protocol::messages::{BrokerId, DescribeClusterRequest, DescribeClusterResponse};
use kafka_protocol::protocol::StrBytes;

use crate::state::Broker;

const ENDPOINT_BROKERS: i8 = 1;
const ENDPOINT_CONTROLLERS: i8 = 2;

pub fn handle(broker: &Arc<Broker>, req: &DescribeClusterRequest) -> DescribeClusterResponse {
    let mut resp = DescribeClusterResponse::default();
    resp.endpoint_type = ENDPOINT_BROKERS;
    resp.cluster_id = StrBytes::from_string(broker.metadata().cluster_id().to_string());
    resp.controller_id = BrokerId(broker.metadata().controller_id());
    resp.cluster_authorized_operations = i32::MIN;
    match req.endpoint_type {
        ENDPOINT_BROKERS => {}
        ENDPOINT_CONTROLLERS => {
            // Kafka's error answer names no controller.
            resp.controller_id = BrokerId(-1);
            resp.error_code = ResponseError::MismatchedEndpointType.code();
            resp.error_message = Some(StrBytes::from_static_str(
                "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER",
            ));
            return resp;
        }
        other => {
            resp.controller_id = BrokerId(-1);
            resp.error_code = ResponseError::UnsupportedEndpointType.code();
            resp.error_message = Some(StrBytes::from_string(format!("Unsupported endpoint type {other}")));
            return resp;
        }
    }
    resp.brokers = broker
        .metadata()
        .brokers()
        .into_iter()
        .map(|b| {
            let mut e = DescribeClusterBroker::default();
            e.broker_id = BrokerId(b.node_id);
            e.host = StrBytes::from_string(b.host);
            e.port = b.port as i32;
            e.rack = b.rack.map(StrBytes::from_string);
            e
        })
        .collect();
    resp
}
