-- BlastRADIUS (CVE-2024-3596): a NAS whose firmware signs every packet with a Message-Authenticator
-- can be registered so that Captiva drops its packets that arrive without one. Off by default,
-- because most access points in the field still send accounting without it.
ALTER TABLE nas ADD COLUMN require_message_authenticator boolean NOT NULL DEFAULT false;
