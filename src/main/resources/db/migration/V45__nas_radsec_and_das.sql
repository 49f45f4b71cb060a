-- RadSec (RFC 6614): a NAS that sends accounting over TLS is recognised by its client certificate,
-- by the subject CN or a DNS name of its subjectAltName, registered here. Unique platform-wide, as
-- the NAS address and NAS-Identifier are: the certificate is looked up before the tenant is known.
ALTER TABLE nas ADD COLUMN tls_identity text;
CREATE UNIQUE INDEX nas_tls_identity_key ON nas (tls_identity) WHERE tls_identity IS NOT NULL;

-- Dynamic Authorization (RFC 5176): where the NAS listens for Disconnect- and CoA-Requests, and the
-- secret it shares with us for them (often not the accounting one). All three or none.
ALTER TABLE nas ADD COLUMN das_address inet;
ALTER TABLE nas ADD COLUMN das_port integer CHECK (das_port BETWEEN 1 AND 65535);
ALTER TABLE nas ADD COLUMN das_secret text;
ALTER TABLE nas ADD CONSTRAINT nas_das_complete
    CHECK ((das_address IS NULL) = (das_port IS NULL) AND (das_address IS NULL) = (das_secret IS NULL));
