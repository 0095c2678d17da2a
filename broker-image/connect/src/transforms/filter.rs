//! `Filter`: drops every record it is applied to. On its own it drops everything; with a
//! predicate (`transforms.x.predicate`) it drops the records that match, e.g. tombstones or
//! topics a sink must not see.

use std::collections::BTreeMap;

use crate::config_def::ConfigDef;
use crate::data::DataError;
use crate::record::ConnectRecord;

use super::{TransformError, Transformation};

pub(crate) const CLASS: &str = "org.apache.kafka.connect.transforms.Filter";

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
}

pub(crate) struct Filter;

impl Filter {
    pub(crate) fn configure(_props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        Ok(Filter)
    }
}

impl Transformation for Filter {
    fn apply(&self, _record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Value;
    use crate::transforms::test_support::{props, source_record};

    #[test]
    fn drops_everything() {
        let t = Filter::configure(&props(&[("anything", "x")])).unwrap();
        assert_eq!(t.apply(source_record("t", None, Value::Int32(1))).unwrap(), None);
    }
}
