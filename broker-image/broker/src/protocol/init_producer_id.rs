//! InitProducerId for idempotent producers: a producer id never handed out before, epoch 0, or
//! the same id with the next epoch when the client asks to bump (KIP-360). Transactions are not
//! served yet: a transactional id gets a clear unsupported error.

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::{InitProducerIdRequest, InitProducerIdResponse, ProducerId};

use crate::state::Broker;

pub async fn handle(broker: &Arc<Broker>, req: InitProducerIdRequest) -> InitProducerIdResponse {
    let mut resp = InitProducerIdResponse::default();
    resp.producer_id = ProducerId(-1);
    resp.producer_epoch = -1;
    if req.transactional_id.is_some() {
        resp.error_code = ResponseError::UnsupportedVersion.code();
        tracing::warn!("InitProducerId with a transactional id: transactions are not supported yet");
        return resp;
    }
    // A client recovering from an unknown-producer or sequence error bumps its epoch.
    if req.producer_id.0 >= 0 && req.producer_epoch >= 0 && req.producer_epoch < i16::MAX - 1 {
        resp.producer_id = req.producer_id;
        resp.producer_epoch = req.producer_epoch + 1;
        return resp;
    }
    match broker.metadata().allocate_producer_id().await {
        Ok(id) => {
            resp.producer_id = ProducerId(id);
            resp.producer_epoch = 0;
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot allocate a producer id");
            resp.error_code = ResponseError::UnknownServerError.code();
        }
    }
    resp
}
