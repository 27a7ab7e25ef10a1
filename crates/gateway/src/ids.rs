//! Opaque global ids (Relay style).
//!
//! An id carries its type, its tenant and the row's UUID, base64url-encoded:
//! `Stop:<tenant>:<uuid>`. Carrying the tenant means every lookup by id is
//! scoped to the tenant the id names, so an id never reaches another tenant's
//! row; and a caller acting for tenant A who presents tenant B's id gets
//! NOT_FOUND, exactly as for an id that never existed.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use escale_domain::ids::TenantId;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlobalId {
    pub kind: &'static str,
    pub tenant: TenantId,
    pub id: Uuid,
}

/// The object types that have global ids.
pub const KINDS: &[&str] = &[
    "Stop",
    "Session",
    "Edition",
    "Series",
    "Speaker",
    "Partner",
    "Partnership",
    "Registration",
    "AuditEntry",
    "Notification",
    "ApiKey",
    "Participant",
    "Question",
    "Member",
];

pub fn encode(kind: &'static str, tenant: TenantId, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{}:{}", tenant.0.simple(), id.simple()))
}

/// Why an id could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    /// Not an id this API issued.
    Malformed,
    /// A well-formed id of another type than expected.
    WrongKind,
}

pub fn decode(raw: &str, expected: &'static str) -> Result<GlobalId, IdError> {
    let any = decode_any(raw)?;
    if any.kind != expected {
        return Err(IdError::WrongKind);
    }
    Ok(any)
}

pub fn decode_any(raw: &str) -> Result<GlobalId, IdError> {
    if raw.len() > 128 {
        return Err(IdError::Malformed);
    }
    let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| IdError::Malformed)?;
    let text = String::from_utf8(bytes).map_err(|_| IdError::Malformed)?;
    let mut parts = text.splitn(3, ':');
    let (Some(kind), Some(tenant), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(IdError::Malformed);
    };
    let kind = KINDS.iter().find(|k| **k == kind).ok_or(IdError::Malformed)?;
    let tenant = Uuid::try_parse(tenant).map_err(|_| IdError::Malformed)?;
    let id = Uuid::try_parse(id).map_err(|_| IdError::Malformed)?;
    Ok(GlobalId { kind, tenant: TenantId(tenant), id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let tenant = TenantId::new();
        let id = Uuid::now_v7();
        let encoded = encode("Stop", tenant, id);
        assert_eq!(decode(&encoded, "Stop"), Ok(GlobalId { kind: "Stop", tenant, id }));
        assert_eq!(decode(&encoded, "Session"), Err(IdError::WrongKind));
        assert_eq!(decode("not-an-id", "Stop"), Err(IdError::Malformed));
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("Nope:1:2"), "Stop"), Err(IdError::Malformed));
        assert_eq!(decode(&"A".repeat(500), "Stop"), Err(IdError::Malformed));
    }
}
