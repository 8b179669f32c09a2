//! The signing key: derived from the secret for one day, region and service, and kept for as
//! long as those stay the same.

use std::sync::Mutex;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::sign::v4;
use hmac::{Hmac, KeyInit};
use sha2::Sha256;

/// The last signing key derived, with what it was derived from.
///
/// It holds the credentials it was derived from (a shared handle, not a copy of the secret),
/// to tell when the secret changes.
#[derive(Default)]
pub(super) struct KeyCache {
    last: Mutex<Option<DayKey>>,
}

struct DayKey {
    credentials: Credentials,
    date: [u8; 8],
    region: String,
    service: String,
    /// An HMAC keyed with the signing key: its padded-key blocks are hashed once, and each
    /// signature starts from a copy.
    mac: Hmac<Sha256>,
}

impl KeyCache {
    /// An HMAC keyed with the key for the secret of `credentials` on `date` (`YYYYMMDD`, the
    /// day of `time` in UTC) in `region` for `service`: a copy of the kept one if it matches,
    /// else one keyed with a freshly derived key, which is kept.
    pub(super) fn mac(
        &self,
        credentials: &Credentials,
        time: SystemTime,
        date: &str,
        region: &str,
        service: &str,
    ) -> Hmac<Sha256> {
        let secret = credentials.secret_access_key();
        let date: [u8; 8] = date.as_bytes().try_into().unwrap_or_default();
        let matches = |k: &DayKey| {
            k.date == date
                && k.region == region
                && k.service == service
                && k.credentials.secret_access_key() == secret
        };
        if let Some(kept) = self.lock().as_ref().filter(|k| matches(k)) {
            return kept.mac.clone();
        }

        // HMAC pads a key shorter than a block with zeros: the padded key is the same key.
        let derived = v4::generate_signing_key(secret, time, region, service);
        let mut block = [0; 64];
        for (b, k) in block.iter_mut().zip(derived.as_ref()) {
            *b = *k;
        }
        let mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
        *self.lock() = Some(DayKey {
            credentials: credentials.clone(),
            date,
            region: region.to_owned(),
            service: service.to_owned(),
            mac: mac.clone(),
        });
        mac
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<DayKey>> {
        self.last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache").finish_non_exhaustive()
    }
}
